#pragma once

#include <QFrame>

class QLabel;
class QScrollArea;
class QToolButton;

namespace gsq::ui {

/// The experiment's `description:` (Markdown) above the charts: a lesson's goal and steps, or
/// what a preset runs. Hidden when the experiment has none; the title bar folds the text away.
class LessonPanel : public QFrame {
    Q_OBJECT
public:
    explicit LessonPanel(QWidget* parent = nullptr);
    /// The first screen's text (Markdown) with links to a lesson, presets and File → Open.
    static QString welcomeText();

    /// Shows `markdown` (hides the panel when it is empty). A leading `# heading` line becomes
    /// the title; otherwise `fallbackTitle` is.
    void setText(const QString& fallbackTitle, const QString& markdown);
    QString title() const;
    QString text() const;
    bool isFolded() const;
    void setFolded(bool folded);
    /// As if the user clicked a link of the text (tests).
    void activateLink(const QString& link) { Q_EMIT linkActivated(link); }

Q_SIGNALS:
    /// A link of the text was clicked (the welcome text's "preset:…" and "action:…" links).
    void linkActivated(const QString& link);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitText();
    QToolButton* m_title = nullptr;
    QLabel* m_text = nullptr;
    QScrollArea* m_scroll = nullptr;
    bool m_folded = false;
};

} // namespace gsq::ui
