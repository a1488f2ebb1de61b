#include "ui/window/PresetMenu.h"

#include "ui/history/RunHistory.h"
#include "ui/models/NumberFormat.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>

#include <vector>

namespace gsq::ui {

namespace {
/// The preset's `name:` (what its runs are stored under in the history); empty if none.
QString presetName(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    static const QRegularExpression key("^name:\\s*['\"]?([^'\"#\\s]+)");
    while (!f.atEnd()) {
        const auto m = key.match(QString::fromUtf8(f.readLine()));
        if (m.hasMatch())
            return m.captured(1);
    }
    return {};
}
} // namespace

PresetMenu::PresetMenu(QWidget* parent)
    : QMenu(tr("Presets"), parent)
{
    setObjectName("presets");
    setToolTipsVisible(true);
    const QString dir = directory();
    for (const QString& f : QDir(dir).entryList({ "*.yaml" }, QDir::Files))
        addPreset(this, dir + "/" + f, false);
    struct Folder {
        const char* name;
        QString title;
        const char* objectName;
        bool classroom;
    };
    const Folder folders[] = {
        { "paper", tr("Paper (Khedri et al.)"), "paperPresets", false },
        { "degree-quant-recipes", tr("Degree-Quant's recipes (Tailor et al.)"), "recipePresets", false },
        { "pipelines", tr("Pipelines (methods chained)"), "pipelinePresets", false },
        { "classroom", tr("Classroom lessons"), "lessonPresets", true },
    };
    std::vector<QMenu*> menus { this };
    for (const auto& folder : folders) {
        auto* menu = addMenu(folder.title);
        menu->setObjectName(folder.objectName);
        menu->setToolTipsVisible(true);
        const QString sub = dir + "/" + folder.name;
        for (const QString& f : QDir(sub).entryList({ "*.yaml" }, QDir::Files))
            addPreset(menu, sub + "/" + f, folder.classroom);
        menus.push_back(menu);
    }
    // Runs finish while the app is open: the times are read when a menu opens.
    for (QMenu* menu : menus)
        connect(menu, &QMenu::aboutToShow, this, [this, menu] { updateTimes(menu); });
}

QString PresetMenu::directory()
{
    for (const QString& dir : { QString(GSQ_UI_SOURCE_DIR "/resources/experiments"),
             QCoreApplication::applicationDirPath() + "/../share/graphsqueeze/experiments" })
        if (QDir(dir).exists())
            return QDir(dir).absolutePath();
    return {};
}

void PresetMenu::addPreset(QMenu* menu, const QString& path, bool classroom)
{
    QString comment;
    QFile f(path);
    if (f.open(QIODevice::ReadOnly | QIODevice::Text))
        while (!f.atEnd()) {
            const QString line = QString::fromUtf8(f.readLine()).trimmed();
            if (!line.startsWith('#'))
                break;
            comment += (comment.isEmpty() ? "" : " ") + line.mid(1).trimmed();
        }
    QString title = QFileInfo(path).completeBaseName();
    if (!comment.isEmpty()) {
        // The first sentence ("et al." does not end one).
        QString first
            = QString(comment).replace("et al.", "et al\x01").section(QRegularExpression("[.:;](\\s|$)"), 0, 0);
        first.replace("et al\x01", "et al.");
        if (first.size() > 72)
            first = first.left(71).trimmed() + "…";
        title += " — " + first;
    }
    auto* action = menu->addAction(title, this, [this, path, classroom] { Q_EMIT openRequested(path, classroom); });
    action->setToolTip(comment);
    action->setStatusTip(comment);
    action->setData(QStringList { title, comment, presetName(path) });
}

void PresetMenu::updateTimes(QMenu* menu)
{
    // Training seconds of the newest stored run per experiment name: every stage's mean time
    // per job times its job count, summed (the wall time less loading and measuring).
    QHash<QString, QPair<double, QString>> newest;
    if (m_history)
        for (const auto& run : m_history->runs()) { // oldest first, so later runs overwrite
            double seconds = 0;
            for (const auto& row : run.summary)
                seconds += row.trainSecondsMean * row.n;
            newest[run.name] = { seconds, run.created.left(10) };
        }
    for (QAction* action : menu->actions()) {
        const QStringList data = action->data().toStringList();
        if (data.size() != 3)
            continue;
        const auto it = newest.constFind(data[2]);
        if (it == newest.constEnd() || data[2].isEmpty()) {
            action->setText(data[0]);
            action->setToolTip(data[1] + (data[1].isEmpty() ? "" : "\n") + tr("Not run on this machine yet."));
            continue;
        }
        const QString took = formatDuration(it->first);
        action->setText(data[0] + tr("  · took %1 here").arg(took));
        action->setToolTip(data[1] + (data[1].isEmpty() ? "" : "\n")
            + tr("Its newest stored run (%1) trained for %2 on this machine; the same settings take about as long "
                 "again.")
                  .arg(it->second, took));
    }
}

} // namespace gsq::ui
