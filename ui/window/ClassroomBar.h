#pragma once

#include <QWidget>

namespace gsq::ui {

/// The big buttons of classroom mode: Run (or Resume), Step one epoch, "Prune 10 % more" and
/// "Attack harder" (the next PGD budget, lesson 4).
class ClassroomBar : public QWidget {
    Q_OBJECT
public:
    explicit ClassroomBar(QWidget* parent = nullptr);

Q_SIGNALS:
    void runClicked();
    void stepClicked();
    void pruneMoreClicked();
    void attackClicked();
};

} // namespace gsq::ui
