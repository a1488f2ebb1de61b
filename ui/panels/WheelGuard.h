#pragma once

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QScrollArea>
#include <QScrollBar>

namespace gsq::ui {

/// Scrolling a long form with the mouse wheel must not change the spin box or combo box that
/// happens to pass under the pointer (it did: scrolling the experiment form edited the weight
/// decay). Inside `area`, a wheel event over such a field without keyboard focus scrolls the
/// form instead; a focused field (clicked or tabbed into) still takes the wheel.
class WheelGuard : public QObject {
public:
    explicit WheelGuard(QScrollArea* area)
        : QObject(area)
        , m_area(area)
    {
        qApp->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Polish) {
            // Fields take focus by click or tab only (the default WheelFocus hands focus to
            // whatever field the wheel passes over, before any filter sees the event).
            if (auto* f = qobject_cast<QWidget*>(watched);
                f && (qobject_cast<QAbstractSpinBox*>(f) || qobject_cast<QComboBox*>(f)) && m_area->isAncestorOf(f))
                f->setFocusPolicy(Qt::StrongFocus);
            return false;
        }
        if (event->type() != QEvent::Wheel)
            return false;
        auto* w = qobject_cast<QWidget*>(watched);
        // The spin box's line edit or the combo itself; walk up to the field.
        while (w && !qobject_cast<QAbstractSpinBox*>(w) && !qobject_cast<QComboBox*>(w))
            w = w->parentWidget() == m_area->widget() ? nullptr : w->parentWidget();
        if (!w || w->hasFocus() || !m_area->isAncestorOf(w))
            return false;
        QApplication::sendEvent(m_area->verticalScrollBar(), event);
        return true;
    }

private:
    QScrollArea* m_area;
};

} // namespace gsq::ui
