#pragma once

#include "core/results/SessionEvents.h"

#include "ui/tabs/LiveView.h"
#include <QMap>

#include <QWidget>

class QComboBox;
class QCheckBox;
class QGridLayout;
class QLabel;
class QScrollArea;
class QSlider;

namespace gsq::ui {

class ChartView;

/// Per-layer weight histograms of the first seed, stages overlaid on the same fixed bins:
/// the spike at zero after pruning, how fine-tuning reshapes what is left, and the discrete
/// levels of a quantized layer. "All layers" shows every layer as small multiples.
class WeightsTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit WeightsTab(QWidget* parent = nullptr);
    void clear() override;
    void addEvents(const std::vector<gsq::core::results::SessionEvent>& events) override;
    QComboBox* layerCombo() const { return m_layer; }
    QComboBox* settingCombo() const { return m_setting; }
    QCheckBox* logToggle() const { return m_log; }
    QCheckBox* allLayersToggle() const { return m_all; }
    /// Epoch slider: positions 0 .. epochCount()-1 show the weights after each training epoch,
    /// base training first, then the selected setting's fine-tuning or quantization-aware
    /// epochs; the last position shows the stages overlaid.
    QSlider* epochSlider() const { return m_epoch; }
    int epochCount() const;
    /// Caption of the current slider position (e.g. "finetuned epoch 12").
    QString epochCaption() const;
    /// Charts in the small-multiples grid (0 unless "All layers" is on).
    int smallMultipleCount() const { return static_cast<int>(m_small.size()); }
    /// The main histogram's x-range (tests: the same at every epoch of the slider).
    QPair<double, double> xRange() const { return m_xRange; }
    /// Stages drawn for the current layer and setting.
    int stageCount() const;
    QList<ChartView*> charts() const override;
    /// The report shows every layer's histogram (stages overlaid, the selected setting), not only
    /// the one on screen; the tab's own state is restored afterwards.
    void forEachReportChart(const std::function<void(ChartView*)>& fn) override;

private:
    mutable QPair<double, double> m_xRange { 0, 0 };
    void refresh();
    /// Draws the histograms of `layer` for the current setting into `view`; returns the stages drawn.
    int draw(ChartView* view, const QString& layer, bool compact) const;
    struct Snapshot {
        QString stage;
        int epoch = 0;
        gsq::core::results::LayerRow row;
    };
    /// Snapshots of `layer` in training order: base training, then the current setting's.
    QList<Snapshot> snapshotsOf(const QString& layer) const;
    void updateSlider();

    ChartView* m_view;
    QComboBox *m_layer, *m_setting;
    QCheckBox *m_log, *m_all;
    QSlider* m_epoch;
    QLabel* m_epochLabel;
    bool m_layerChosen = false; ///< the user picked a layer; until then the largest is shown
    QScrollArea* m_gridArea;
    QGridLayout* m_grid;
    QList<ChartView*> m_small;
    /// layer -> "method setting" ("" = base) -> stage -> row with histogram
    QMap<QString, QMap<QString, QMap<QString, gsq::core::results::LayerRow>>> m_rows;
    /// layer -> "method setting" ("" = base) -> per-epoch snapshots of the first job
    QMap<QString, QMap<QString, QList<Snapshot>>> m_snapshots;
};

} // namespace gsq::ui
