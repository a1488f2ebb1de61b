#pragma once

#include "core/experiment/ExperimentConfig.h"

#include <QString>

class QWidget;

namespace gsq::ui::interrupted {

/// The run whose journal is at `path` (SessionController::journalPath(), left by a run the app
/// did not survive): "cora-gcn: 3 of 10 jobs finished", or "" when there is none or it is
/// unreadable.
QString describe(const QString& path);

/// That run's experiment, as its journal holds it; throws (naming the file) when unreadable.
gsq::core::experiment::ExperimentConfig experimentOf(const QString& path);

/// On start-up: asks whether to resume the interrupted run `what` (describe()); removes its
/// journal when the user discards it. True: resume. False without asking when `what` is "".
bool ask(QWidget* parent, const QString& what);

} // namespace gsq::ui::interrupted
