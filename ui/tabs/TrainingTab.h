#pragma once

#include "core/results/SessionEvents.h"
#include "ui/tabs/LiveView.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QPointF>
#include <QSet>
#include <QWidget>

#include <vector>

#include <array>

class QLineSeries;
class QValueAxis;

namespace gsq::ui {

class ChartView;

/// Live loss and validation-metric curves, one thin line per (seed, fold, stage, setting);
/// compression stages continue the x-axis after the base training they start from.
class TrainingTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit TrainingTab(QWidget* parent = nullptr);
    void clear() override;
    void addEvents(const std::vector<gsq::core::results::SessionEvent>& events) override;

    /// Points of the loss curve of `seed`'s base stage (tests).
    int basePointCount(int job) const;
    /// Whether job's base loss curve draws its points as markers (it does while it has one).
    bool basePointsMarked(int job) const;
    int seriesCount() const { return static_cast<int>(m_loss.size()); }
    /// Mean curves drawn (one per stage and setting with at least two seeds or folds).
    int meanCount() const;
    /// Tick interval of the epoch axis ending at `maxEpoch`: about five steps of 1, 2 or 5 times
    /// a power of ten, at least one epoch (300 → 100, 12 → 5, 8 → 2).
    static double epochTickStep(double maxEpoch);
    /// Top of the loss axis for these losses: the largest, unless it exceeds three times the 75th
    /// percentile (A²Q's loss carries its memory penalty, hundreds of times the task loss, for
    /// its first ten epochs or so), then that; the axis title says when the top is clipped.
    static double lossAxisTop(std::vector<double> losses);
    /// The loss axis' current top and title (tests).
    double lossAxisMax() const;
    QString lossAxisTitle() const;
    /// Right end of the epoch axis (both charts share it).
    double epochAxisMax() const;
    /// Entries in the legend: one per stage and setting (its mean, or its single curve), plus
    /// the end-of-base marker.
    int legendEntryCount() const { return m_legendEntries; }
    /// The pen colour of the first curve named `name` ("seed 0 finetuned finegrained sparsity=0.9"), for tests.
    QColor curveColor(const QString& name) const;
    QList<ChartView*> charts() const override;

private:
    int m_legendEntries = 0;
    struct Curve {
        QLineSeries* loss = nullptr;
        QLineSeries* metric = nullptr;
        QList<QPointF> lossPts, metricPts;
        int offset = 0;
        bool dirty = false;
    };
    Curve& curve(
        int job, gsq::core::results::Stage stage, const std::string& setting, int64_t seed, const std::string& method);
    void refresh();
    /// Mean over jobs of one stage and setting: x -> {loss sum, loss n, metric sum, metric n}.
    struct Mean {
        QLineSeries* loss = nullptr;
        QLineSeries* metric = nullptr;
        QMap<double, std::array<double, 4>> sums;
        QSet<int> jobs;
        bool dirty = false;
    };
    QHash<QString, Mean> m_means;
    QLineSeries *m_baseMarkLoss = nullptr, *m_baseMarkMetric = nullptr;

    ChartView* m_lossView;
    ChartView* m_metricView;
    QValueAxis *m_lossX, *m_lossY, *m_metricX, *m_metricY;
    QHash<QString, Curve> m_loss;
    QHash<int, int> m_baseEnd; ///< job -> last base epoch
    QHash<QString, int> m_regularizedEnd;
    double m_maxX = 1, m_maxLoss = 0.1;
    std::vector<double> m_losses; ///< every finite loss drawn, for the loss axis' robust top
    QString m_metricName = "metric";
};

} // namespace gsq::ui
