#pragma once

#include <QDoubleSpinBox>
#include <QFocusEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QSpinBox>

namespace gsq::ui {

/// Spin boxes that report out-of-range input instead of dropping or clamping it. A plain
/// QSpinBox with minimum 1 refuses the '-' of "-5" and keeps "5"; these keep "-5" on screen,
/// problem() says what is wrong (the form shows it and refuses to run), and when focus leaves
/// with such text the field goes back to its last valid value and `corrected` says so.
template <typename Base, typename Value> class CheckedSpin : public Base {
public:
    using Base::Base;

    /// "" when the text is a valid value; otherwise what is wrong, e.g.
    /// "-5 is below the minimum, 1".
    QString problem() const
    {
        const QString t = this->cleanText().trimmed();
        if (t.isEmpty() || t == "-" || t == "+")
            return QObject::tr("needs a number from %1 to %2").arg(show(this->minimum()), show(this->maximum()));
        bool ok = false;
        const double v = this->locale().toDouble(t, &ok);
        if (!ok)
            return {};
        if (v < static_cast<double>(this->minimum()))
            return QObject::tr("%1 is below the minimum, %2").arg(t, show(this->minimum()));
        if (v > static_cast<double>(this->maximum()))
            return QObject::tr("%1 is above the maximum, %2").arg(t, show(this->maximum()));
        return {};
    }

protected:
    QValidator::State validate(QString& input, int& pos) const override
    {
        const auto state = Base::validate(input, pos);
        if (state != QValidator::Invalid)
            return state;
        // A number outside the range (or a lone sign) stays editable and is reported.
        QString t = input;
        if (!this->prefix().isEmpty() && t.startsWith(this->prefix()))
            t.remove(0, this->prefix().size());
        t = t.trimmed();
        bool ok = false;
        this->locale().toDouble(t, &ok);
        return ok || t == "-" || t == "+" ? QValidator::Intermediate : state;
    }

    void focusOutEvent(QFocusEvent* event) override
    {
        // Set before the base class reverts the text to the last valid value (the form
        // revalidates on that change and shows the note).
        const QString p = problem();
        if (!p.isEmpty())
            m_corrected = QObject::tr("%1; the field went back to %2").arg(p, this->textFromValue(this->value()));
        else
            m_corrected.clear();
        Base::focusOutEvent(event);
    }

    void keyPressEvent(QKeyEvent* event) override
    {
        m_corrected.clear(); // typing again: the last note is stale
        Base::keyPressEvent(event);
    }

public:
    /// The text field: its textChanged also fires for text that is not (yet) a valid value,
    /// which the spin box's own textChanged does not.
    QLineEdit* editor() const { return this->lineEdit(); }
    /// After focus left with invalid text: what was typed and what the field went back to ("" else).
    QString corrected() const { return m_corrected; }
    void clearCorrected() { m_corrected.clear(); }

private:
    QString show(Value v) const { return this->textFromValue(v); }
    QString m_corrected;
};

using CheckedSpinBox = CheckedSpin<QSpinBox, int>;
using CheckedDoubleSpinBox = CheckedSpin<QDoubleSpinBox, double>;

} // namespace gsq::ui
