#pragma once

#include "core/session/SessionEvents.h"

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
class SparsityTab : public QWidget {
    Q_OBJECT
public:
    explicit SparsityTab(QWidget* parent = nullptr);
    void clear();
    void addEvents(const std::vector<gsq::core::session::SessionEvent>& events);
    int sweepPointCount(const QString& stage) const;
    QList<ChartView*> charts() const;

private:
    void refresh();

    ChartView* m_accView;
    ChartView* m_layerView;
    QValueAxis *m_accX, *m_accY, *m_layerY;
    QBarCategoryAxis* m_layerX;
    QMap<QString, QMap<double, QList<double>>> m_values; ///< stage -> sparsity -> test values
    QList<double> m_base;
    std::vector<gsq::core::session::LayerRow> m_lastLayers;
    QString m_lastSetting;
};

} // namespace gsq::ui
