#include "ui/charts/ChartView.h"

#include <QBuffer>
#include <QContextMenuEvent>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace gsq::ui {

QLabel* makeChartHint(const QString& text)
{
    auto* hint = new QLabel(text);
    hint->setWordWrap(true);
    hint->setObjectName("chartHint");
    return hint;
}

ChartView::ChartView(const QString& title, QWidget* parent) : QChartView(new QChart, parent)
{
    chart()->setTitle(title);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    chart()->setMargins(QMargins(4, 4, 4, 4));
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(320, 220);
}

QString ChartView::savePng(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return path + ": " + file.errorString();
    const QPixmap pixmap = grab();
    if (!pixmap.save(&file, "PNG"))
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
    generator.setSize(size());
    generator.setViewBox(rect());
    generator.setTitle(chart()->title());
    {
        QPainter painter(&generator);
        render(&painter);
    }
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
    const QString path = QFileDialog::getSaveFileName(this, chosen->text(), chart()->title() + (isPng ? ".png" : ".svg"),
                                                      isPng ? tr("PNG images (*.png)") : tr("SVG images (*.svg)"));
    if (path.isEmpty())
        return;
    const QString error = isPng ? savePng(path) : saveSvg(path);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Could not save the chart"), error);
    (void)svg;
}

} // namespace gsq::ui
