#pragma once

#include <QEvent>
#include <QScrollArea>
#include <QStyle>

namespace gsq::ui {

/// A scroll area that scrolls vertically only stays at least as wide as its widget's minimum
/// width plus the vertical scroll bar, so the widget is never cut at the right: its container
/// (the experiment form's dock) grows instead. Follows the widget as its contents change (the
/// step editor's fields differ by method).
class FitWidth : public QObject {
public:
    explicit FitWidth(QScrollArea* area)
        : QObject(area)
        , m_area(area)
    {
        area->widget()->installEventFilter(this);
        update();
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::LayoutRequest)
            update();
        return QObject::eventFilter(watched, event);
    }

private:
    void update()
    {
        const int bar = m_area->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, m_area);
        m_area->setMinimumWidth(m_area->widget()->minimumSizeHint().width() + bar + 2 * m_area->frameWidth());
    }

    QScrollArea* m_area;
};

} // namespace gsq::ui
