#pragma once

#include "core/experiment/Steps.h"

#include <QWidget>

#include <string>
#include <utility>
#include <vector>

class QComboBox;
class QLineEdit;
class QSpinBox;
class QFormLayout;
class QLabel;

namespace gsq::ui {

/// The fields of one compression step as the form edits them: its kind, its method and one
/// text per key the method accepts (core::experiment::stepValues / parseStep speak this form).
struct StepDraft {
    gsq::core::experiment::StepKind kind = gsq::core::experiment::StepKind::Prune;
    std::string method;
    std::vector<std::pair<std::string, std::string>> values;

    static StepDraft fromStep(const gsq::core::experiment::Step& step);
    std::string value(const std::string& key) const;
    void setValue(const std::string& key, const std::string& text);
};

/// Editor of one step: a method combo (from the catalog) and one widget per key of the method,
/// built from the catalog's field descriptions (type, range, help as tooltip): choices as combo
/// boxes, booleans as check boxes, integers as spin boxes whose lowest entry "auto" leaves the
/// key at its default, numbers and lists as text. Changing the method resets the fields to the
/// new method's defaults.
class StepEditor : public QWidget {
    Q_OBJECT
public:
    explicit StepEditor(QWidget* parent = nullptr);

    /// Shows `draft` (no stepEdited signal while loading).
    void setDraft(const StepDraft& draft);
    const StepDraft& draft() const { return m_draft; }
    /// Nothing to edit (no step selected).
    void clear();

    /// Classroom mode: only the method, sparsity, fine-tuning and bit-width rows.
    void setSimplified(bool simplified);

    QComboBox* methodCombo() const { return m_method; }
    /// The widget of `key` (QSpinBox, QLineEdit, QComboBox or QCheckBox), or nullptr.
    QWidget* field(const std::string& key) const;
    /// field(key) as its widget type, or nullptr.
    QSpinBox* spinBox(const std::string& key) const;
    QLineEdit* lineEdit(const std::string& key) const;
    QComboBox* comboBox(const std::string& key) const;

Q_SIGNALS:
    void stepEdited();

private:
    void rebuildFields();
    void readFields();

    StepDraft m_draft;
    bool m_loading = false;
    QLabel* m_title = nullptr;
    QComboBox* m_method = nullptr;
    QFormLayout* m_form = nullptr;
    std::vector<std::pair<std::string, QWidget*>> m_fields;
    bool m_simplified = false;
};

} // namespace gsq::ui
