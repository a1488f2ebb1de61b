#include "ui/window/Theme.h"

#include "ui/charts/ChartView.h"

#include <QApplication>
#include <QLabel>
#include <QMainWindow>
#include <QPalette>
#include <QScreen>
#include <QSettings>
#include <QStyle>
#include <QWidget>

namespace gsq::ui::theme {

void applyClassroom(bool on, QWidget* root)
{
    static QFont normal = QApplication::font();
    if (on)
        normal = QApplication::font();
    QFont f = normal;
    if (on)
        f.setPointSizeF(normal.pointSizeF() * 1.4);
    QApplication::setFont(f);
    // Explanations beside each chart are always there; classroom mode makes them prominent.
    for (auto* hint : root->findChildren<QLabel*>("chartHint"))
        hint->setStyleSheet(on ? "background:#eaf2f8; padding:8px; border-radius:4px;" : QString());
    ChartView::setFontScale(on ? 1.4 : 1.0);
    for (auto* chart : root->findChildren<ChartView*>())
        chart->applyFonts();
}

void restoreWindow(QMainWindow* window)
{
    QSettings settings;
    window->restoreGeometry(settings.value("window/geometry").toByteArray());
    window->restoreState(settings.value("window/state").toByteArray());
    if (!settings.contains("window/geometry")) {
        QSize size(1500, 920);
        if (const QScreen* screen = QGuiApplication::primaryScreen())
            size = size.boundedTo(screen->availableGeometry().size());
        window->resize(size);
    }
}

void saveWindow(const QMainWindow* window)
{
    QSettings settings;
    settings.setValue("window/geometry", window->saveGeometry());
    settings.setValue("window/state", window->saveState());
}

void applyDark(bool on, const QList<ChartView*>& charts)
{
    static const QPalette light = QApplication::palette();
    static const QString lightStyle = QApplication::style()->name();
    if (on) {
        QApplication::setStyle("Fusion");
        QPalette p;
        const QColor window(45, 45, 48), base(30, 30, 32), text(225, 225, 225), disabled(127, 127, 127);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::ToolTipBase, window);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::BrightText, Qt::red);
        p.setColor(QPalette::Link, QColor(86, 156, 214));
        p.setColor(QPalette::Highlight, QColor(38, 79, 120));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, disabled);
        for (auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
            p.setColor(QPalette::Disabled, role, disabled);
        QApplication::setPalette(p);
    } else {
        QApplication::setStyle(lightStyle);
        QApplication::setPalette(light);
    }
    // Widgets with a style sheet (the classroom buttons) keep the palette they were polished
    // with until polished again.
    for (auto* w : QApplication::allWidgets())
        if (!w->styleSheet().isEmpty())
            w->setStyleSheet(w->styleSheet());
    ChartView::setDark(on);
    for (auto* chart : charts)
        chart->applyTheme();
}

} // namespace gsq::ui::theme
