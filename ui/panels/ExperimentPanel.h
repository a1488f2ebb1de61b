#pragma once

#include "core/experiment/ExperimentConfig.h"

#include <QWidget>

class QComboBox;
class QSpinBox;
class QDoubleSpinBox;
class QLineEdit;
class QLabel;

namespace gsq::ui {

/// The experiment form (left dock): dataset, model, training and one pruning step. Fields map
/// one-to-one onto core::experiment::ExperimentConfig; keys the form does not show are kept
/// from the loaded file. Every edit re-validates with the same rules as the YAML loader and
/// shows the first problem inline.
class ExperimentPanel : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentPanel(QWidget* parent = nullptr);

    /// Loads a configuration into the widgets (edits from widgets are suppressed meanwhile).
    void setConfig(const gsq::core::experiment::ExperimentConfig& config);
    /// The configuration the widgets describe; only meaningful when isValid().
    gsq::core::experiment::ExperimentConfig config() const { return m_current; }
    bool isValid() const { return m_valid; }
    /// Replaces the seeds by as many new ones, after the largest in use (Run → Reset with new seeds).
    void useNewSeeds();
    QString validationMessage() const;

    /// Widgets by role, for tests and the classroom view.
    QComboBox* datasetCombo() const { return m_dataset; }
    QComboBox* archCombo() const { return m_arch; }
    QComboBox* methodCombo() const { return m_method; }
    QLineEdit* sparsityEdit() const { return m_sparsity; }
    QSpinBox* epochsSpin() const { return m_epochs; }
    QSpinBox* finetuneSpin() const { return m_finetune; }
    QSpinBox* seedsSpin() const { return m_seeds; }
    QComboBox* scheduleCombo() const { return m_schedule; }
    QComboBox* quantMethodCombo() const { return m_quantMethod; }
    QSpinBox* bitsSpin() const { return m_bits; }
    QSpinBox* quantEpochsSpin() const { return m_quantEpochs; }

    /// Classroom mode: only the fields a lesson needs (dataset, model, epochs, method, sparsity,
    /// fine-tuning); the rest keep their values but are hidden.
    void setSimplified(bool simplified);

Q_SIGNALS:
    void validityChanged(bool valid);
    void configEdited();

private:
    void build();
    void onEdited();              ///< edits from widgets
    void loadWidgets();           ///< changes from the model
    void revalidate();

    gsq::core::experiment::ExperimentConfig m_base;    ///< as loaded
    gsq::core::experiment::ExperimentConfig m_current; ///< base + widget values
    bool m_initializing = false;
    bool m_valid = true;

    QComboBox *m_dataset = nullptr, *m_task = nullptr, *m_split = nullptr, *m_arch = nullptr, *m_method = nullptr,
              *m_schedule = nullptr;
    QSpinBox *m_hidden = nullptr, *m_layers = nullptr, *m_epochs = nullptr, *m_seeds = nullptr, *m_threads = nullptr,
             *m_finetune = nullptr, *m_bits = nullptr, *m_quantEpochs = nullptr;
    QComboBox* m_quantMethod = nullptr;
    QDoubleSpinBox *m_dropout = nullptr, *m_lr = nullptr, *m_weightDecay = nullptr;
    QLineEdit* m_sparsity = nullptr;
    QLabel* m_error = nullptr;
    QList<QWidget*> m_advanced; ///< rows hidden in classroom mode (field and its label)
};

} // namespace gsq::ui
