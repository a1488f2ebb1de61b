#include "ui/report/RunReport.h"

#include "ui/models/Cells.h"

#include "core/experiment/ConfigYaml.h"
#include "ui/charts/ChartView.h"
#include "ui/report/HtmlReport.h"
#include "ui/tabs/LiveView.h"

#include <QApplication>
#include <QChart>
#include <QDir>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTabWidget>

#include <functional>

namespace gsq::ui::exports {

using namespace gsq::core::results;

namespace {
/// Calls `fn` with each tab current in turn, then restores the current tab.
void forEachTab(QTabWidget* tabs, const std::function<void(int)>& fn)
{
    const int current = tabs->currentIndex();
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QApplication::processEvents();
        fn(i);
    }
    tabs->setCurrentIndex(current);
}
} // namespace

QString runReport(const RunResult& r, QTabWidget* tabs, const QList<LiveView*>& views, const QString& path)
{
    HtmlReport report(QObject::tr("GraphSqueeze report: %1").arg(QString::fromStdString(r.config.name)));
    const auto& first = r.rows.empty() ? ResultRow {} : r.rows.front();
    report.paragraph(QObject::tr("%1 on %2 (%3), %4 result rows, %5 s in total.")
                         .arg(QString::fromStdString(first.model), QString::fromStdString(first.dataset),
                             QString::fromStdString(first.task))
                         .arg(r.rows.size())
                         .arg(r.totalSeconds, 0, 'f', 1));
    for (const auto& w : r.warnings)
        report.paragraph(QObject::tr("Warning: %1").arg(QString::fromStdString(w)));

    report.heading(QObject::tr("Summary (mean ± sample std over seeds and folds)"));
    QVector<QVariantList> rows;
    QStringList headers;
    for (const auto* c : briefSummaryColumns())
        headers << QString::fromUtf8(c->label);
    for (const auto& s : r.summary) {
        QVariantList row;
        for (const auto* c : briefSummaryColumns())
            row << toVariant(c->get(s));
        rows.append(row);
    }
    report.table(headers, rows);

    report.heading(QObject::tr("Charts"));
    forEachTab(tabs, [&](int) {
        for (auto* view : views)
            view->forEachReportChart([&](ChartView* c) {
                if (c->exportable())
                    report.image(c->exportImage(), c->chart()->title());
            });
    });

    if (!r.layers.empty()) {
        report.heading(QObject::tr("Layers of the first job (seed %1, fold %2)")
                           .arg(r.layers.front().seed)
                           .arg(r.layers.front().fold));
        QVector<QVariantList> layers;
        QStringList layerHeaders;
        for (const auto& c : layerColumns())
            if (c.brief)
                layerHeaders << QString::fromUtf8(c.label);
        for (const auto& l : r.layers)
            if (l.seed == r.layers.front().seed && l.fold == r.layers.front().fold) {
                QVariantList row;
                for (const auto& c : layerColumns())
                    if (c.brief)
                        row << toVariant(c.get(l));
                layers.append(row);
            }
        report.table(layerHeaders, layers);
    }
    report.heading(QObject::tr("Configuration"));
    report.preformatted(QString::fromStdString(gsq::core::experiment::toYaml(r.config)));
    report.heading(QObject::tr("Environment"));
    QString env;
    for (const auto& [k, v] : r.versions)
        env += QString::fromStdString(k + ": " + v + "\n");
    for (const auto& [k, v] : r.environment)
        env += QString::fromStdString(k + ": " + v + "\n");
    report.preformatted(env);
    return report.save(path);
}

QString allCharts(QTabWidget* tabs, const QList<ChartView*>& charts, const QString& dir)
{
    if (!QDir().mkpath(dir))
        return dir + ": cannot create the directory";
    int n = 0;
    QString error;
    forEachTab(tabs, [&](int) {
        for (auto* c : charts) {
            // Charts with nothing drawn (a hint in the title instead) are left out.
            if (!error.isEmpty() || !c->exportable())
                continue;
            QString base = c->chart()->title().toLower();
            base.replace(QRegularExpression("[^a-z0-9]+"), "-");
            while (base.endsWith('-'))
                base.chop(1);
            // The whole title (names are compared across runs), within common file-name limits.
            base = QString("%1/%2-%3").arg(dir).arg(++n, 2, 10, QChar('0')).arg(base.left(180));
            error = c->savePng(base + ".png");
            if (error.isEmpty())
                error = c->saveSvg(base + ".svg");
        }
    });
    return error;
}

QString tabScreenshots(QWidget* window, QTabWidget* tabs, const QString& dir)
{
    if (!QDir().mkpath(dir))
        return dir + ": cannot create the directory";
    QString error;
    forEachTab(tabs, [&](int i) {
        if (!error.isEmpty())
            return;
        const QString name
            = QString("%1/%2-%3.png").arg(dir).arg(i + 1, 2, 10, QChar('0')).arg(tabs->tabText(i).toLower());
        QSaveFile file(name);
        if (!file.open(QIODevice::WriteOnly) || !window->grab().save(&file, "PNG") || !file.commit())
            error = name + ": " + file.errorString();
    });
    return error;
}

} // namespace gsq::ui::exports
