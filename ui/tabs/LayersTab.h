#pragma once

#include "core/results/SessionEvents.h"

#include "ui/tabs/LiveView.h"

#include <QWidget>

class QTableView;

namespace gsq::ui {

class RowTableModel;

/// Per-layer table of the first seed: shape, parameters, non-zeros, sparsity, bits and the
/// bytes each tensor takes in the model file, for every stage.
class LayersTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit LayersTab(QWidget* parent = nullptr);
    void clear() override;
    void addEvents(const std::vector<gsq::core::results::SessionEvent>& events) override;
    RowTableModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }

private:
    RowTableModel* m_model;
    QTableView* m_view;
};

} // namespace gsq::ui
