#include "ui/panels/KeyFields.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

namespace gsq::ui {

using core::experiment::FieldType;

KeyFields::KeyFields(QFormLayout* form, std::string section, QObject* parent)
    : QObject(parent)
    , m_form(form)
    , m_section(std::move(section))
    , m_firstRow(form->rowCount())
{
}

void KeyFields::show(const std::string& owner, const std::vector<KeyFieldValue>& shown)
{
    while (m_form->rowCount() > m_firstRow)
        m_form->removeRow(m_firstRow);
    m_fields.clear();
    m_owner = owner;
    const auto& edited = m_edited[owner];
    for (auto k : shown) {
        const auto& f = k.field;
        const std::string key = f.key;
        if (auto it = edited.find(key); it != edited.end())
            k.value = it->second;
        QWidget* w = nullptr;
        if (f.type == FieldType::Bool) {
            auto* box = new QCheckBox;
            box->setChecked(k.value != 0);
            connect(box, &QCheckBox::toggled, this, [this, key](bool on) { read(key, on ? 1 : 0); });
            w = box;
        } else if (f.type == FieldType::Int) {
            auto* spin = new QSpinBox;
            spin->setRange(static_cast<int>(f.lo), static_cast<int>(f.hi));
            spin->setValue(static_cast<int>(k.value));
            connect(spin, &QSpinBox::valueChanged, this, [this, key](int v) { read(key, v); });
            w = spin;
        } else {
            auto* spin = new QDoubleSpinBox;
            spin->setDecimals(4);
            const double step = 1e-4;
            // A value below the range means "unset" (GAT's attention dropout: the model's own):
            // it shows as "auto", one step below the lowest valid value, and stays unset there.
            const bool unset = k.value < f.lo;
            spin->setRange(unset ? f.lo - step : (k.loOpen ? f.lo + step : f.lo), f.hiOpen ? f.hi - step : f.hi);
            if (unset)
                spin->setSpecialValueText(tr("auto"));
            spin->setSingleStep(f.hi - f.lo <= 1 ? 0.05 : 0.1);
            spin->setValue(unset ? spin->minimum() : k.value);
            const double original = k.value;
            connect(spin, &QDoubleSpinBox::valueChanged, this, [this, key, unset, original, spin](double v) {
                read(key, unset && v <= spin->minimum() ? original : v);
            });
            w = spin;
        }
        w->setObjectName(QString::fromStdString(m_section + "_" + key));
        w->setFocusPolicy(Qt::StrongFocus); // the wheel scrolls the form, not the value
        w->setToolTip(QString::fromStdString(f.help + " (" + m_section + "." + key + ")"));
        auto* label = new QLabel(QString::fromStdString(f.label));
        label->setToolTip(w->toolTip());
        m_form->addRow(label, w);
        m_fields.emplace_back(key, w);
    }
    setSimplified(m_simplified);
}

void KeyFields::read(const std::string& key, double value)
{
    m_edited[m_owner][key] = value;
    Q_EMIT edited();
}

std::map<std::string, double> KeyFields::edits(const std::string& owner) const
{
    auto it = m_edited.find(owner);
    return it == m_edited.end() ? std::map<std::string, double> {} : it->second;
}

QWidget* KeyFields::field(const std::string& key) const
{
    for (const auto& [k, w] : m_fields)
        if (k == key)
            return w;
    return nullptr;
}

QString KeyFields::label(const std::string& key) const
{
    if (auto* w = field(key))
        if (auto* l = qobject_cast<QLabel*>(m_form->labelForField(w)))
            return l->text();
    return QString::fromStdString(key);
}

void KeyFields::setSimplified(bool simplified)
{
    m_simplified = simplified;
    for (const auto& [key, w] : m_fields) {
        w->setVisible(!simplified);
        if (auto* l = m_form->labelForField(w))
            l->setVisible(!simplified);
    }
}

} // namespace gsq::ui
