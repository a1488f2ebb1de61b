#include "ui/history/HistoryDialogs.h"

#include "ui/window/FileDialogs.h"

#include "ui/history/RunHistory.h"
#include "ui/tabs/CompareTab.h"

#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QSaveFile>

namespace gsq::ui {

void connectHistoryDialogs(QWidget* parent, CompareTab* compare, RunHistory* history, std::function<void()> reload)
{
    QObject::connect(compare, &CompareTab::renameRequested, parent, [=](qint64 id) {
        bool ok = false;
        const QString name
            = QInputDialog::getText(parent, QObject::tr("Rename run"), QObject::tr("Name"), QLineEdit::Normal, {}, &ok);
        if (ok && !name.isEmpty() && history->rename(id, name))
            reload();
    });
    QObject::connect(compare, &CompareTab::tagsRequested, parent, [=](qint64 id) {
        bool ok = false;
        const QString tags = QInputDialog::getText(
            parent, QObject::tr("Tags"), QObject::tr("Comma-separated tags"), QLineEdit::Normal, {}, &ok);
        if (ok && history->setTags(id, tags))
            reload();
    });
    QObject::connect(compare, &CompareTab::exportEpochsRequested, parent, [=](qint64 id) {
        const QString path = files::saveFileName(
            parent, QObject::tr("Export epochs"), QString("run-%1-epochs.csv").arg(id), QObject::tr("CSV (*.csv)"));
        if (path.isEmpty())
            return;
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(history->epochsCsv(id).toUtf8()) < 0
            || !file.commit())
            QMessageBox::warning(parent, QObject::tr("Export failed"), path + ": " + file.errorString());
    });
    QObject::connect(compare, &CompareTab::deleteRequested, parent, [=](qint64 id) {
        if (QMessageBox::question(
                parent, QObject::tr("Delete run"), QObject::tr("Delete run %1 from the history?").arg(id))
                == QMessageBox::Yes
            && history->remove(id))
            reload();
    });
}

} // namespace gsq::ui
