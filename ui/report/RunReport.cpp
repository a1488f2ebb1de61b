#include "ui/report/RunReport.h"

#include "ui/models/Cells.h"

#include "core/experiment/ConfigYaml.h"
#include "core/results/RobustnessSummary.h"
#include "ui/charts/ChartView.h"
#include "ui/report/HtmlReport.h"
#include "ui/tabs/LiveView.h"
#include "ui/tabs/RobustnessTab.h"

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
/// The robustness analysis' summary: extra drop per stage and perturbation, then the scores (the
/// numbers of the Robustness tab and of `graphsqueeze-cli paired`).
void robustnessSection(HtmlReport& report, const RunResult& r)
{
    const auto design = PairedDesign::of(r.config.foldsRun(), r.config.dataset.folds);
    RobustnessSummary s;
    try {
        s = summarizeRobustness(r.robustness, design);
    } catch (const std::invalid_argument& e) {
        report.paragraph(
            QObject::tr("Robustness rows without the dense base's: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    report.heading(QObject::tr("Robustness (%1 jobs)").arg(s.jobs));
    report.paragraph(
        QObject::tr("Each perturbation at its largest strength. Drop: the stage's metric under it minus its "
                    "clean metric; extra drop: that minus the dense base's drop on the same seed/fold, in "
                    "points (negative: the stage loses more). Interval and p: %1; Holm over the compared "
                    "lines. The models evaluated are the simulated ones (column 'evaluated' of "
                    "robustness.csv).")
            .arg(design.folds > 1 ? QObject::tr("the corrected resampled t-test over the folds")
                                  : QObject::tr("the paired t-test over the seeds")));
    QVector<QVariantList> rows;
    for (const auto& l : s.lines)
        rows.append(
            { QString::fromStdString(l.stage), RobustnessTab::perturbationText(QString::fromStdString(l.perturbation)),
                l.strength, QString::number(100 * l.perturbed, 'f', 2), QString::asprintf("%+.2f", 100 * l.drop),
                l.compared ? RobustnessTab::extraDropText(l) : QString(),
                l.compared ? QString::number(l.p, 'g', 3) : QString(),
                l.compared ? QString::number(l.holmP, 'g', 3) : QString() });
    report.table({ QObject::tr("stage"), QObject::tr("perturbation"), QObject::tr("strength"), QObject::tr("metric %"),
                     QObject::tr("drop"), QObject::tr("extra drop [95 %]"), QObject::tr("p"), QObject::tr("Holm p") },
        rows);
    QVector<QVariantList> scores;
    for (const auto& sc : s.scores)
        scores.append({ QString::fromStdString(sc.stage), QString::number(100 * sc.score, 'f', 2),
            sc.compared ? QString::asprintf("%+.2f [%+.2f, %+.2f]", 100 * sc.diff, 100 * sc.ciLow, 100 * sc.ciHigh)
                        : QString() });
    report.table(
        { QObject::tr("stage"), QObject::tr("weighted worst-case score"), QObject::tr("vs base [95 %]") }, scores);
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

    if (!r.robustness.empty())
        robustnessSection(report, r);

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
