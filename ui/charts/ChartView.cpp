#include "ui/charts/ChartView.h"

#include "ui/window/FileDialogs.h"

#include "ui/models/NumberFormat.h"

#include <QBuffer>
#include <QContextMenuEvent>
#include <QCoreApplication>
#include <QCursor>
#include <QFileDialog>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QToolTip>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QXYSeries>
#include <algorithm>
#include <cmath>

namespace gsq::ui {

QString hoverText(const QXYSeries* series, const QPointF& at, const QString& xName, const QString& yName)
{
    const auto points = series->points();
    if (points.isEmpty())
        return {};
    // Lines report the hovered spot on the segment; name the nearest recorded point instead.
    const auto nearest = std::min_element(points.cbegin(), points.cend(),
        [&](const QPointF& a, const QPointF& b) { return std::abs(a.x() - at.x()) < std::abs(b.x() - at.x()); });
    return QString("%1\n%2 %3 · %4 %5")
        .arg(series->name(), xName, formatNumber(nearest->x()), yName, formatNumber(nearest->y()));
}

void addHoverTips(QXYSeries* series, const QString& xName, const QString& yName)
{
    QObject::connect(series, &QXYSeries::hovered, series, [series, xName, yName](const QPointF& p, bool state) {
        if (state)
            QToolTip::showText(QCursor::pos(), hoverText(series, p, xName, yName));
        else
            QToolTip::hideText();
    });
}

QLabel* makeChartHint(const QString& text)
{
    auto* hint = new QLabel(text);
    hint->setWordWrap(true);
    hint->setObjectName("chartHint");
    return hint;
}

namespace {
bool g_dark = false;
double g_fontScale = 1.0;
const char* const kBaseLabels = "gsqBaseLabelsFont";
const char* const kBaseTitle = "gsqBaseTitleFont";

QFont scaled(QFont f, double scale)
{
    if (scale != 1.0)
        f.setPointSizeF(f.pointSizeF() * scale);
    return f;
}
} // namespace

void ChartView::setFontScale(double scale)
{
    g_fontScale = scale;
}

double ChartView::fontScale()
{
    return g_fontScale;
}

void ChartView::applyFonts()
{
    setMinimumSize(kMinimumWidth, static_cast<int>(std::lround(kMinimumHeight * g_fontScale)));
    auto* c = chart();
    if (!m_haveBaseFonts) {
        m_baseTitle = c->titleFont();
        m_baseLegend = c->legend()->font();
        m_haveBaseFonts = true;
    }
    c->setTitleFont(scaled(m_baseTitle, g_fontScale));
    c->legend()->setFont(scaled(m_baseLegend, g_fontScale));
    for (auto* axis : c->axes()) {
        if (!axis->property(kBaseLabels).isValid()) {
            axis->setProperty(kBaseLabels, axis->labelsFont());
            axis->setProperty(kBaseTitle, axis->titleFont());
        }
        axis->setLabelsFont(scaled(axis->property(kBaseLabels).value<QFont>(), g_fontScale));
        axis->setTitleFont(scaled(axis->property(kBaseTitle).value<QFont>(), g_fontScale));
    }
    layoutLegend();
}

void ChartView::setDark(bool dark)
{
    g_dark = dark;
}

bool ChartView::dark()
{
    return g_dark;
}

void ChartView::applyTheme()
{
    // A theme change re-decorates every series with the theme's colours; keep the tabs' pens and
    // brushes (stage colours, dashed base lines) by restoring them afterwards.
    struct Kept {
        QAbstractSeries* series;
        QPen pen;
        QBrush brush;
    };
    QList<Kept> kept;
    for (auto* s : chart()->series()) {
        if (auto* xy = qobject_cast<QXYSeries*>(s))
            kept.append({ s, xy->pen(), xy->brush() });
        else if (auto* area = qobject_cast<QAreaSeries*>(s))
            kept.append({ s, area->pen(), area->brush() });
    }
    const auto theme = g_dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    // Fonts set through applyFonts() survive a theme change (Qt Charts keeps fonts the
    // application set), so the recorded theme fonts stay valid.
    if (chart()->theme() != theme)
        chart()->setTheme(theme);
    for (const auto& k : kept) {
        if (auto* xy = qobject_cast<QXYSeries*>(k.series)) {
            xy->setPen(k.pen);
            xy->setBrush(k.brush);
        } else if (auto* area = qobject_cast<QAreaSeries*>(k.series)) {
            area->setPen(k.pen);
            area->setBrush(k.brush);
        }
    }
    applyFonts();
}

ChartView::ChartView(const QString& title, QWidget* parent)
    : QChartView(new QChart, parent)
{
    if (g_dark)
        chart()->setTheme(QChart::ChartThemeDark);
    chart()->setTitle(title);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    chart()->setMargins(QMargins(4, 4, 4, 4));
    setRenderHint(QPainter::Antialiasing);
    applyFonts();
}

void ChartView::setWrappingLegend(bool wrapping)
{
    m_wrappingLegend = wrapping;
    auto* legend = chart()->legend();
    if (wrapping) {
        // Detached, Qt Charts flows the entries left to right and top to bottom within the
        // legend's geometry; the chart's bottom margin keeps the plot clear of it.
        legend->detachFromChart();
        legend->setAlignment(Qt::AlignTop);
        legend->setBackgroundVisible(false);
    } else {
        legend->attachToChart();
        legend->setAlignment(Qt::AlignBottom);
        chart()->setMargins(QMargins(4, 4, 4, 4));
    }
    layoutLegend();
}

void ChartView::layoutLegend()
{
    if (!m_wrappingLegend)
        return;
    auto* legend = chart()->legend();
    const QFontMetricsF fm(legend->font());
    constexpr qreal kSide = 12;
    const qreal width = std::max<qreal>(1, chart()->size().width() - 2 * kSide);
    // The same greedy flow as the detached legend, with each entry's width over-estimated a
    // little (marker, spacing and margins), so the reserved rows are never fewer than drawn.
    // Entries: the legend's markers (a hidden one counts once the view is shown: until then
    // none is visible); without markers yet, the series' names stand in.
    QStringList names;
    for (auto* marker : legend->markers())
        if (marker->isVisible() || !isVisible())
            names << marker->label();
    if (legend->markers().isEmpty())
        for (auto* series : chart()->series())
            names << series->name();
    int rows = 0;
    qreal x = 0;
    if (legend->isVisible())
        for (const QString& name : names) {
            const qreal entry = fm.horizontalAdvance(name) + 1.5 * fm.height() + 20;
            if (rows == 0 || x + entry > width) {
                ++rows;
                x = 0;
            }
            x += entry;
        }
    m_legendRows = rows;
    const qreal height = rows * (fm.height() + 9) + (rows ? 8 : 0);
    chart()->setMargins(QMargins(4, 4, 4, 4 + static_cast<int>(std::ceil(height))));
    legend->setGeometry(QRectF(kSide, chart()->size().height() - height - 4, width, height));
    legend->update();
}

void ChartView::resizeEvent(QResizeEvent* event)
{
    QChartView::resizeEvent(event); // resizes the chart to the view
    layoutLegend();
}

void ChartView::atExportSize(const std::function<void()>& draw)
{
    const QSize onScreen = size();
    const bool wasDark = g_dark;
    if (wasDark) {
        g_dark = false;
        applyTheme();
    }
    resize(kExportWidth, kExportHeight);
    // The chart lays out its axes and legend on a posted layout request: run it now.
    if (chart()->layout())
        chart()->layout()->activate();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    draw();
    resize(onScreen);
    if (wasDark) {
        g_dark = true;
        applyTheme();
    }
}

bool ChartView::exportable() const
{
    return isVisible() && !m_placeholder && !chart()->series().isEmpty();
}

QImage ChartView::exportImage()
{
    QImage image(kExportWidth, kExportHeight, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    atExportSize([&] {
        QPainter painter(&image);
        render(&painter);
    });
    return image;
}

QString ChartView::savePng(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return path + ": " + file.errorString();
    if (!exportImage().save(&file, "PNG"))
        return path + ": could not encode the PNG";
    if (!file.commit())
        return path + ": " + file.errorString();
    return {};
}

QString ChartView::saveSvg(const QString& path)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(QSize(kExportWidth, kExportHeight));
    generator.setViewBox(QRect(0, 0, kExportWidth, kExportHeight));
    generator.setTitle(chart()->title());
    atExportSize([&] {
        QPainter painter(&generator);
        render(&painter);
    });
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return path + ": " + file.errorString();
    file.write(buffer.data());
    if (!file.commit())
        return path + ": " + file.errorString();
    return {};
}

void ChartView::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    auto* png = menu.addAction(tr("Save as PNG…"));
    auto* svg = menu.addAction(tr("Save as SVG…"));
    auto* chosen = menu.exec(event->globalPos());
    if (!chosen)
        return;
    const bool isPng = chosen == png;
    const QString path = files::saveFileName(this, chosen->text(), chart()->title() + (isPng ? ".png" : ".svg"),
        isPng ? tr("PNG images (*.png)") : tr("SVG images (*.svg)"));
    if (path.isEmpty())
        return;
    const QString error = isPng ? savePng(path) : saveSvg(path);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Could not save the chart"), error);
    (void)svg;
}

} // namespace gsq::ui
