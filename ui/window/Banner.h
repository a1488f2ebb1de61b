#pragma once

#include <QLabel>

namespace gsq::ui {

/// The line above the tabs that puts a run's problems in view: guard-rail warnings from the core
/// (a fully pruned layer, accuracy collapse), failures (with what to do about them) and the app's
/// own notices. Hidden until there is something to say.
class Banner : public QLabel {
    Q_OBJECT
public:
    explicit Banner(QWidget* parent = nullptr);
    /// Shows `text`, red for an error, amber for a warning; `untilEdited`: until the form is
    /// next edited (a failure from bad input, whose cause the edit may fix; the form checks it
    /// itself from then on).
    void say(const QString& text, bool error, bool untilEdited = false);
    /// The form was edited: a message shown until then goes.
    void formEdited();
    /// The text shown, "" when hidden.
    QString shownText() const { return isHidden() ? QString() : text(); }
    /// A failed run's message with what to do about it (a diverged loss, a bad input).
    static QString failure(const QString& message, bool invalidInput);
    /// A core warning as a sentence, with advice for a fully pruned layer.
    static QString warning(const QString& message);

private:
    bool m_untilEdited = false;
};

} // namespace gsq::ui
