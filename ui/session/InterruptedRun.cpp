#include "ui/session/InterruptedRun.h"

#include "core/experiment/ConfigYaml.h"
#include "core/session/JobJournal.h"
#include "ui/session/SessionController.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>

namespace gsq::ui::interrupted {

using namespace gsq::core;

QString describe(const QString& path)
{
    if (!QFileInfo::exists(path))
        return {};
    try {
        const auto journal = session::JobJournal::read(path.toStdString());
        const auto config = experiment::parseExperiment(journal.configYaml, path.toStdString(), {});
        return QCoreApplication::translate("InterruptedRun", "%1: %2 of %3 jobs finished")
            .arg(QString::fromStdString(config.name))
            .arg(journal.jobs.size())
            .arg(journal.totalJobs);
    } catch (const std::exception&) {
        return {};
    }
}

experiment::ExperimentConfig experimentOf(const QString& path)
{
    const auto journal = session::JobJournal::read(path.toStdString());
    return experiment::parseExperiment(journal.configYaml, path.toStdString(), {});
}

bool ask(QWidget* parent, const QString& what)
{
    if (what.isEmpty())
        return false;
    const auto answer
        = QMessageBox::question(parent, QCoreApplication::translate("InterruptedRun", "Resume the interrupted run?"),
            QCoreApplication::translate("InterruptedRun",
                "GraphSqueeze was closed while a run was in progress (%1). Resume it? Finished jobs are read back; "
                "only the others train again.")
                .arg(what),
            QMessageBox::Yes | QMessageBox::Discard, QMessageBox::Yes);
    if (answer == QMessageBox::Yes)
        return true;
    QFile::remove(SessionController::journalPath());
    return false;
}

} // namespace gsq::ui::interrupted
