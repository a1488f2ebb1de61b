#pragma once

#include "core/results/SessionEvents.h"

#include "ui/tabs/LiveView.h"
#include <QColor>
#include <QMap>

#include <QWidget>

class QLineSeries;
class QScatterSeries;
class QAreaSeries;
class QValueAxis;
class QBarSeries;
class QBarCategoryAxis;

namespace gsq::ui {

class ChartView;

/// Accuracy against sparsity for sweeps (mean over seeds and folds with a ±std band, the base
/// model as a dashed line), and the per-layer sparsity of the last pruning step — global
/// pruning's uneven layers show up here.
class SparsityTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit SparsityTab(QWidget* parent = nullptr);
    void clear() override;
    void addEvents(const std::vector<gsq::core::results::SessionEvent>& events) override;
    int sweepPointCount(const QString& stage) const;
    /// Global sparsity (%) over the fine-tuning epochs of the latest setting: the steps of a
    /// gradual schedule (tests read the points).
    QList<QPointF> globalSchedule() const;
    /// Pen colours of the "Sparsity during fine-tuning" series (the model's, then one per layer).
    QList<QColor> scheduleColors() const;
    QList<ChartView*> charts() const override;

private:
    void refresh();

    ChartView* m_accView;
    ChartView* m_layerView;
    ChartView* m_scheduleView;
    QValueAxis *m_schedX, *m_schedY;
    /// "method setting" -> layer ("" = global) -> (epoch, sparsity %) after each pruning step
    QMap<QString, QMap<QString, QList<QPointF>>> m_schedule;
    QMap<QString, int> m_plannedEpochs; ///< fine-tuning epochs per setting
    QString m_scheduleSetting; ///< the latest setting
    QValueAxis *m_accX, *m_accY, *m_layerY;
    QBarCategoryAxis* m_layerX;
    QMap<QString, QMap<double, QList<double>>> m_values; ///< stage -> sparsity -> test values
    QList<double> m_base;
    std::vector<gsq::core::results::LayerRow> m_lastLayers;
    QString m_lastSetting;
};

} // namespace gsq::ui
