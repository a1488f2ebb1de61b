#pragma once

#include "core/experiment/ExperimentConfig.h"
#include "ui/panels/CheckedSpinBox.h"
#include "ui/panels/StepEditor.h"

#include <QPointer>

#include <QWidget>

#include <vector>

class QComboBox;
class QLineEdit;
class QLabel;
class QListWidget;
class QPushButton;
class QToolButton;
class QVBoxLayout;

namespace gsq::ui {

class KeyFields;

/// The experiment form (left dock), bound to core::experiment::ExperimentConfig: dataset (every
/// catalog kind, with path, TU prefix and CSV column pickers), model, training, and the whole
/// list of compression steps (add, remove, reorder, edit every key of each step). What the form
/// shows is what runs and what File → Save writes; keys without a widget are kept from the
/// loaded file. Every edit re-validates with the loader's own rules (parseStep,
/// resolveDefaults) and shows the first problem inline.
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
    /// The first problem in plain words ("Epochs: -5 is below the minimum, 1", "Step 1 (prune ·
    /// finegrained), Sparsity: …"), or a note that a field went back to its last valid value.
    QString validationMessage() const;
    /// Writes the experiment as YAML to `path` (atomically); returns the error ("" on success):
    /// an invalid field, or the file and why it could not be written.
    QString saveFile(const QString& path) const;
    /// The field the message is about (highlighted in red), or nullptr.
    QWidget* highlightedField() const { return m_highlighted; }

    // Steps, edited through the model (the step editor shows the selected one).
    int stepCount() const { return static_cast<int>(m_drafts.size()); }
    /// Appends a step of `kind` with `method` at its defaults and selects it; returns its index.
    int addStep(gsq::core::experiment::StepKind kind, const std::string& method);
    void removeStep(int index);
    void moveStep(int from, int to);
    void selectStep(int index);
    /// Index of the first step of `kind`, or -1.
    int firstStep(gsq::core::experiment::StepKind kind) const;
    const StepDraft& stepDraft(int index) const { return m_drafts.at(static_cast<size_t>(index)); }
    /// Sets one key of a step as form text ("" = default) and re-validates.
    void setStepValue(int index, const std::string& key, const std::string& text);

    /// Widgets by role, for tests and the classroom view.
    QComboBox* datasetCombo() const { return m_dataset; }
    QLineEdit* pathEdit() const { return m_path; }
    QLineEdit* tuNameEdit() const { return m_tuName; }
    QLineEdit* nameEdit() const { return m_name; }
    QSpinBox* runFoldsSpin() const { return m_runFolds; }
    QComboBox* smilesCombo() const { return m_smiles; }
    QComboBox* labelCombo() const { return m_label; }
    QComboBox* archCombo() const { return m_arch; }
    QSpinBox* epochsSpin() const { return m_epochs; }
    QSpinBox* seedsSpin() const { return m_seeds; }
    QListWidget* stepList() const { return m_stepList; }
    StepEditor* stepEditor() const { return m_stepEditor; }
    KeyFields* architectureFields() const { return m_archFields; }
    KeyFields* readerFields() const { return m_readerFields; }

    /// Classroom mode: only the fields a lesson needs (dataset, model, epochs, a step's method,
    /// sparsity, fine-tuning, bits); the rest keep their values but are hidden.
    void setSimplified(bool simplified);

Q_SIGNALS:
    void validityChanged(bool valid);
    void configEdited();
    /// The form's problem changed: the message shown under (and summarised above) the form, ""
    /// once every field is valid.
    void errorChanged(const QString& error);

private:
    void build();
    void buildSteps(QVBoxLayout* layout);
    void onEdited(); ///< edits from widgets
    /// "Path: … does not exist; expected a …" when the dataset's path is set and is not what its
    /// reader reads (a directory or a file); "" otherwise. Sets `field` to the path's line edit.
    QString pathProblem(const gsq::core::experiment::DatasetConfig& d, QWidget*& field) const;
    void loadWidgets(); ///< changes from the model
    void refreshStepList();
    void updateDatasetRows();
    void showArchitectureKeys(); ///< the rows of the chosen architecture's own keys
    void showReaderKeys(); ///< the rows of the chosen dataset's reader's own keys
    void fillCsvColumns();
    void browse();
    void revalidate();

    gsq::core::experiment::ExperimentConfig m_base; ///< as loaded
    gsq::core::experiment::ExperimentConfig m_current; ///< base + widget values
    std::vector<StepDraft> m_drafts; ///< the compression steps as the form edits them
    bool m_initializing = false;
    bool m_valid = true;
    bool m_simplified = false;

    QComboBox *m_dataset = nullptr, *m_task = nullptr, *m_split = nullptr, *m_arch = nullptr;
    QComboBox *m_smiles = nullptr, *m_label = nullptr;
    QLineEdit *m_path = nullptr, *m_tuName = nullptr;
    QPushButton* m_browse = nullptr;
    CheckedSpinBox *m_hidden = nullptr, *m_layers = nullptr, *m_epochs = nullptr, *m_seeds = nullptr,
                   *m_threads = nullptr, *m_folds = nullptr, *m_batch = nullptr, *m_runFolds = nullptr;
    QLineEdit* m_name = nullptr; ///< the experiment's name: runs are stored and written under it
    CheckedDoubleSpinBox *m_dropout = nullptr, *m_lr = nullptr, *m_weightDecay = nullptr;
    QListWidget* m_stepList = nullptr;
    QToolButton* m_addStep = nullptr;
    QToolButton *m_removeStep = nullptr, *m_upStep = nullptr, *m_downStep = nullptr;
    StepEditor* m_stepEditor = nullptr;
    KeyFields* m_archFields = nullptr; ///< the architecture's own keys (Model group)
    KeyFields* m_readerFields = nullptr; ///< a registered reader's own keys (Dataset group)
    QLabel* m_error = nullptr; ///< under the form, beside the steps
    QLabel* m_summary = nullptr; ///< above the scrolled form, always in view: the same problem
    QString m_lastError;
    /// The form's fields by YAML key ("train.epochs"), with their labels: errors name the label
    /// and highlight the field.
    struct FormField {
        QString key, label;
        QWidget* widget;
    };
    QList<FormField> m_fields;
    QPointer<QWidget> m_highlighted;
    /// Plain words for a loader message ("key 'train.epochs': …"); sets `field` to its widget.
    QString plainMessage(const QString& message, QWidget*& field) const;
    void highlight(QWidget* field);
    QList<QWidget*> m_pathRow, m_tuRow, m_csvRows, m_foldsRow; ///< field and label of rows shown by dataset
    QList<QWidget*> m_advanced; ///< rows hidden in classroom mode (field and its label)
};

} // namespace gsq::ui
