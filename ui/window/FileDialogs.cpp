#include "ui/window/FileDialogs.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

namespace gsq::ui::files {

namespace {
const char* const kKey = "files/lastFolder";
} // namespace

QString suggestedPath(const QString& name)
{
    const QString folder = QSettings().value(kKey).toString();
    return folder.isEmpty() || !QFileInfo(folder).isDir() ? name : QDir(folder).filePath(name);
}

void rememberFolder(const QString& path)
{
    const QFileInfo info(path);
    QSettings().setValue(kKey, info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

QString saveFileName(QWidget* parent, const QString& title, const QString& name, const QString& filter)
{
    const QString path = QFileDialog::getSaveFileName(parent, title, suggestedPath(name), filter);
    if (!path.isEmpty())
        rememberFolder(path);
    return path;
}

QString directory(QWidget* parent, const QString& title)
{
    const QString dir = QFileDialog::getExistingDirectory(parent, title, suggestedPath(QString()));
    if (!dir.isEmpty())
        rememberFolder(dir);
    return dir;
}

QString wroteMessage(const QString& path)
{
    const QFileInfo info(path);
    return QCoreApplication::translate("files", "Wrote %1 (in %2)").arg(info.fileName(), info.absolutePath());
}

} // namespace gsq::ui::files
