#pragma once
// Shared by the MainWindow test programs: a short Cora/GCN experiment set up through the form.

#include "TestSupport.h"
#include "core/experiment/Steps.h"
#include "ui/MainWindow.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/panels/StepEditor.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtGlobal>

#include <QLineEdit>
#include <QSpinBox>
#include <algorithm>

namespace gsq::ui::test {

/// A test program's own settings and history: `organization` names its QSettings (cleared, so
/// nothing of an earlier run such as classroom mode or geometry carries over) and the run
/// history is a file in `dir`.
inline void isolateApp(const QTemporaryDir& dir, const char* organization)
{
    QCoreApplication::setOrganizationName(organization);
    QStandardPaths::setTestModeEnabled(true);
    qputenv("GRAPHSQUEEZE_HISTORY", dir.filePath("history.sqlite").toUtf8());
    QSettings().clear();
}

/// How long a test waits for a short run to finish: 2 minutes, times GSQ_TIMEOUT_SCALE in a
/// sanitizer build (tests/CMakeLists.txt sets it there).
inline int runWait()
{
    return gsq::test::scaledTimeout(120000);
}

/// Cora, GCN, one seed, `epochs` base epochs and (unless method is "none") one prune step.
inline void configure(MainWindow& w, const QString& method, const QString& sparsity, int epochs, int finetune)
{
    auto* p = w.panel();
    p->datasetCombo()->setCurrentText("cora");
    p->archCombo()->setCurrentText("gcn");
    p->epochsSpin()->setValue(epochs);
    p->seedsSpin()->setValue(1);
    while (p->stepCount() > 0)
        p->removeStep(0);
    if (method != "none") {
        const int i = p->addStep(gsq::core::experiment::StepKind::Prune, method.toStdString());
        p->stepEditor()->lineEdit("sparsity")->setText(sparsity);
        p->setStepValue(i, "finetune_epochs", std::to_string(finetune));
    }
}

} // namespace gsq::ui::test
