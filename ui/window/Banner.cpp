#include "ui/window/Banner.h"

namespace gsq::ui {

Banner::Banner(QWidget* parent)
    : QLabel(parent)
{
    setWordWrap(true);
    setObjectName("guardRail");
    hide();
}

void Banner::say(const QString& text, bool error, bool untilEdited)
{
    m_untilEdited = untilEdited;
    setText(text);
    setStyleSheet(error ? "background:#fdecea; color:#8e1c12; padding:6px; border:1px solid #e6b0aa;"
                        : "background:#fef5e7; color:#7d5100; padding:6px; border:1px solid #f5cba7;");
    show();
}

void Banner::formEdited()
{
    if (m_untilEdited)
        hide();
    m_untilEdited = false;
}

QString Banner::failure(const QString& message, bool invalidInput)
{
    if (message.contains("diverged"))
        return message + tr(" — the loss became NaN or infinite: lower the learning rate and run again.");
    return invalidInput ? message + tr(" — fix the input and run again.") : message;
}

QString Banner::warning(const QString& message)
{
    QString text = message.left(1).toUpper() + message.mid(1);
    if (message.contains("100% pruned"))
        text += tr(" — lower the sparsity, or use finegrained pruning so every layer keeps weights.");
    return text;
}

} // namespace gsq::ui
