#pragma once

#include <QList>
#include <QTabWidget>

namespace gsq::ui {

class ChartView;
class CompareTab;
class LayersTab;
class LiveView;
class QuantizationTab;
class RobustnessTab;
class SparsityTab;
class TrainingTab;
class WeightsTab;

/// The main window's centre: one tab per view (Training, Sparsity, Quantization, Weights, Layers,
/// Robustness, Compare; each a LiveView), each inside a scroll area, so a view scrolls rather than squeezing
/// its charts below their minimum size (a 1280 x 720 projector, classroom mode's larger text).
class ViewTabs : public QTabWidget {
    Q_OBJECT
public:
    explicit ViewTabs(QWidget* parent = nullptr);

    TrainingTab* training() const { return m_training; }
    SparsityTab* sparsity() const { return m_sparsity; }
    QuantizationTab* quantization() const { return m_quantization; }
    WeightsTab* weights() const { return m_weights; }
    LayersTab* layers() const { return m_layers; }
    RobustnessTab* robustness() const { return m_robustness; }
    CompareTab* compare() const { return m_compare; }
    /// Every view, in tab order.
    const QList<LiveView*>& views() const { return m_views; }
    /// Empties every view but Compare (which keeps every stored run) before a run or on Reset.
    void clearRun();
    /// The charts of every view.
    QList<ChartView*> charts() const;
    /// Selects the tab showing `view`.
    void showView(QWidget* view);
    /// The view of the current tab.
    QWidget* currentView() const;

private:
    TrainingTab* m_training;
    SparsityTab* m_sparsity;
    QuantizationTab* m_quantization;
    WeightsTab* m_weights;
    LayersTab* m_layers;
    RobustnessTab* m_robustness;
    CompareTab* m_compare;
    QList<LiveView*> m_views;
};

} // namespace gsq::ui
