#include "ui/panels/StepEditor.h"

#include "core/experiment/Catalog.h"
#include "core/experiment/ConfigYaml.h"
#include "ui/panels/CatalogCombo.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace gsq::ui {

using namespace gsq::core::experiment;

namespace {
/// A spin box for an Int field that also takes a word (finetune_epochs: same): its minimum reads
/// "auto" (the default applies), the value FieldInfo::kWordValue reads as the word.
class WordSpinBox : public QSpinBox {
public:
    explicit WordSpinBox(QString word)
        : m_word(std::move(word))
    {
    }

protected:
    QString textFromValue(int v) const override
    {
        return v == FieldInfo::kWordValue ? m_word : QSpinBox::textFromValue(v);
    }
    int valueFromText(const QString& text) const override
    {
        return text == m_word ? FieldInfo::kWordValue : QSpinBox::valueFromText(text);
    }
    QValidator::State validate(QString& input, int& pos) const override
    {
        if (input == m_word)
            return QValidator::Acceptable;
        if (!input.isEmpty() && m_word.startsWith(input))
            return QValidator::Intermediate;
        return QSpinBox::validate(input, pos);
    }

private:
    QString m_word;
};
} // namespace

StepDraft StepDraft::fromStep(const Step& step)
{
    return { kindOf(step), methodOf(step), stepValues(step) };
}

std::string StepDraft::value(const std::string& key) const
{
    for (const auto& [k, v] : values)
        if (k == key)
            return v;
    return {};
}

void StepDraft::setValue(const std::string& key, const std::string& text)
{
    for (auto& [k, v] : values)
        if (k == key) {
            v = text;
            return;
        }
    values.emplace_back(key, text);
}

StepEditor::StepEditor(QWidget* parent)
    : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel;
    m_title->setObjectName("stepTitle");
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    outer->addWidget(m_title);
    m_form = new QFormLayout;
    outer->addLayout(m_form);
    m_method = new QComboBox;
    m_method->setObjectName("stepMethod");
    m_form->addRow(tr("Method"), m_method);
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        if (m_loading || m_method->currentIndex() < 0)
            return;
        const std::string method = m_method->currentData().toString().toStdString();
        if (method == m_draft.method)
            return;
        // Another method accepts other keys and has its own defaults.
        m_draft = StepDraft::fromStep(defaultStep(m_draft.kind, method));
        rebuildFields();
        Q_EMIT stepEdited();
    });
    clear();
}

void StepEditor::clear()
{
    m_loading = true;
    m_draft = {};
    m_method->clear();
    m_method->setEnabled(false);
    m_title->setText(tr("No step selected: add one with the buttons above."));
    while (m_form->rowCount() > 1)
        m_form->removeRow(1);
    m_fields.clear();
    m_loading = false;
}

void StepEditor::setDraft(const StepDraft& draft)
{
    m_loading = true;
    m_draft = draft;
    m_method->clear();
    m_method->setEnabled(true);
    for (const auto& m : Catalog::methods(draft.kind))
        addCatalogItem(m_method, m.name, m.label, m.help);
    m_method->setCurrentIndex(m_method->findData(QString::fromStdString(draft.method)));
    m_loading = false;
    rebuildFields();
}

QWidget* StepEditor::field(const std::string& key) const
{
    for (const auto& [k, w] : m_fields)
        if (k == key)
            return w;
    return nullptr;
}

QSpinBox* StepEditor::spinBox(const std::string& key) const
{
    return qobject_cast<QSpinBox*>(field(key));
}

QLineEdit* StepEditor::lineEdit(const std::string& key) const
{
    return qobject_cast<QLineEdit*>(field(key));
}

QComboBox* StepEditor::comboBox(const std::string& key) const
{
    return qobject_cast<QComboBox*>(field(key));
}

void StepEditor::rebuildFields()
{
    m_loading = true;
    while (m_form->rowCount() > 1)
        m_form->removeRow(1);
    m_fields.clear();
    const MethodInfo* method = Catalog::method(m_draft.kind, m_draft.method);
    m_title->setText(tr("Step: %1").arg(QString::fromStdString(kindName(m_draft.kind))));
    if (method)
        m_method->setToolTip(QString::fromStdString(method->label + ": " + method->help));
    const std::vector<std::string> keys = method ? method->keys : std::vector<std::string> {};
    for (const auto& key : keys) {
        const FieldInfo* f = Catalog::field(m_draft.kind, key);
        if (!f)
            continue;
        const QString value = QString::fromStdString(m_draft.value(key));
        QWidget* w = nullptr;
        switch (f->type) {
        case FieldType::Int: {
            const QString word = QString::fromStdString(f->word);
            auto* spin = word.isEmpty() ? new QSpinBox : new WordSpinBox(word);
            // One below the lowest valid value (and the word's value) stands for "not set": the
            // default applies. A field whose lowest value is negative (-1 = the training's own,
            // as lr_step_size) shows that value as "same as training", the default it stands for.
            const bool inherits = word.isEmpty() && f->lo < 0;
            const int lowest
                = word.isEmpty() ? static_cast<int>(f->lo) : std::min(static_cast<int>(f->lo), FieldInfo::kWordValue);
            spin->setRange(inherits ? lowest : lowest - 1, static_cast<int>(f->hi));
            spin->setSpecialValueText(inherits ? tr("same as training") : tr("auto"));
            spin->setToolTip(QString::fromStdString(f->help));
            spin->setValue(value.isEmpty()             ? spin->minimum()
                    : !word.isEmpty() && value == word ? FieldInfo::kWordValue
                                                       : value.toInt());
            connect(spin, &QSpinBox::valueChanged, this, [this] { readFields(); });
            w = spin;
            break;
        }
        case FieldType::Bool: {
            auto* box = new QCheckBox;
            box->setChecked(value == "true");
            connect(box, &QCheckBox::toggled, this, [this] { readFields(); });
            w = box;
            break;
        }
        case FieldType::Choice: {
            auto* combo = catalogCombo(f->choices);
            combo->setCurrentIndex(std::max(0, combo->findData(value)));
            connect(combo, &QComboBox::currentIndexChanged, this, [this] { readFields(); });
            w = combo;
            break;
        }
        default: {
            auto* edit = new QLineEdit(value);
            edit->setCursorPosition(0); // show the start of long lists
            if (f->type == FieldType::RealList)
                edit->setPlaceholderText(tr("e.g. 0.5 or 0.1, 0.5, 0.9"));
            else if (f->type == FieldType::TextList)
                edit->setPlaceholderText(tr("e.g. * or stack.conv0.*, head.*"));
            else if (f->type == FieldType::RealMap)
                edit->setPlaceholderText(tr("e.g. stack.conv1.weight: 0.3"));
            else if (f->type == FieldType::Real && f->lo < 0) {
                // -1 = the training's own value (weight_decay, lr_gamma): said in words.
                edit->setPlaceholderText(tr("same as training"));
                if (!value.isEmpty() && value.toDouble() == f->lo)
                    edit->clear();
            } else
                edit->setPlaceholderText(tr("default"));
            connect(edit, &QLineEdit::textChanged, this, [this] { readFields(); });
            w = edit;
            break;
        }
        }
        w->setObjectName(QString::fromStdString("step_" + key));
        w->setToolTip(QString::fromStdString(f->help + " (" + key + ")"));
        auto* label = new QLabel(QString::fromStdString(f->label));
        label->setToolTip(w->toolTip());
        m_form->addRow(label, w);
        m_fields.emplace_back(key, w);
    }
    m_loading = false;
    setSimplified(m_simplified);
}

void StepEditor::setSimplified(bool simplified)
{
    m_simplified = simplified;
    static const std::vector<std::string> lessonKeys { "sparsity", "finetune_epochs", "bits", "epochs" };
    for (const auto& [key, w] : m_fields) {
        const bool show = !simplified || std::find(lessonKeys.begin(), lessonKeys.end(), key) != lessonKeys.end();
        w->setVisible(show);
        if (auto* label = m_form->labelForField(w))
            label->setVisible(show);
    }
}

void StepEditor::readFields()
{
    if (m_loading)
        return;
    for (const auto& [key, w] : m_fields) {
        std::string text;
        if (auto* spin = qobject_cast<QSpinBox*>(w)) {
            const FieldInfo* f = Catalog::field(m_draft.kind, key);
            if (spin->value() == spin->minimum())
                text.clear();
            else if (f && !f->word.empty() && spin->value() == FieldInfo::kWordValue)
                text = f->word;
            else
                text = std::to_string(spin->value());
        } else if (auto* box = qobject_cast<QCheckBox*>(w))
            text = box->isChecked() ? "true" : "false";
        else if (auto* combo = qobject_cast<QComboBox*>(w))
            text = combo->currentData().toString().toStdString();
        else if (auto* edit = qobject_cast<QLineEdit*>(w))
            text = edit->text().toStdString();
        m_draft.setValue(key, text);
    }
    Q_EMIT stepEdited();
}

} // namespace gsq::ui
