#pragma once

#include <QWidget>

namespace gsq::ui {

/// The big buttons of classroom mode: Run (or Resume), Step one epoch, and "Prune 10 % more".
class ClassroomBar : public QWidget {
    Q_OBJECT
public:
    explicit ClassroomBar(QWidget* parent = nullptr);

Q_SIGNALS:
    void runClicked();
    void stepClicked();
    void pruneMoreClicked();
};

} // namespace gsq::ui
