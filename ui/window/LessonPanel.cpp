#include "ui/window/LessonPanel.h"

#include <algorithm>

#include <QLabel>
#include <QResizeEvent>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

namespace gsq::ui {

QString LessonPanel::welcomeText()
{
    return tr("# Welcome to GraphSqueeze\n"
              "Prune and quantize graph neural networks, and see what it costs in accuracy, size and time. "
              "Start with one of these, then press **Run** (F5):\n\n"
              "- [Lesson 1 — what pruning does](preset:classroom/lesson1-what-pruning-does.yaml): a small GCN on "
              "Cora, a second per run, in classroom mode.\n"
              "- [Quickstart](preset:quickstart.yaml): the GCN of Kipf & Welling on Cora, 10 seeds.\n"
              "- [Degree-Quant on PROTEINS](preset:proteins-gin-dq4.yaml): a 4-bit GIN for graph classification.\n"
              "- [Your own experiment](action:open): a YAML file. For your own data pick Dataset → *tu* (a TU "
              "directory) or *csv* (a SMILES CSV) in the form and press Browse….\n\n"
              "The paper's own experiments are under File → Presets → Paper (Khedri et al.); Help → Quick start "
              "explains the tabs.");
}

LessonPanel::LessonPanel(QWidget* parent)
    : QFrame(parent)
{
    setObjectName("lessonPanel");
    setFrameShape(QFrame::StyledPanel);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 6);
    layout->setSpacing(2);
    m_title = new QToolButton;
    m_title->setObjectName("lessonTitle");
    m_title->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_title->setAutoRaise(true);
    m_title->setCheckable(true);
    m_title->setChecked(true);
    m_title->setArrowType(Qt::DownArrow);
    m_title->setToolTip(tr("Show or fold the experiment's description"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    m_text = new QLabel;
    m_text->setObjectName("lessonText");
    m_text->setTextFormat(Qt::MarkdownText);
    m_text->setWordWrap(true);
    m_text->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_text->setOpenExternalLinks(false);
    connect(m_text, &QLabel::linkActivated, this, &LessonPanel::linkActivated);
    m_scroll = new QScrollArea;
    m_scroll->setWidget(m_text);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(m_scroll, 1);
    connect(m_title, &QToolButton::toggled, this, [this](bool open) { setFolded(!open); });
    hide();
}

void LessonPanel::setText(const QString& fallbackTitle, const QString& markdown)
{
    QString body = markdown.trimmed();
    QString title = fallbackTitle;
    if (body.startsWith("# ")) {
        const qsizetype end = body.indexOf('\n');
        title = body.mid(2, end < 0 ? -1 : end - 2).trimmed();
        body = end < 0 ? QString() : body.mid(end + 1).trimmed();
    }
    m_title->setText(title);
    m_text->setText(body);
    setVisible(!markdown.trimmed().isEmpty());
    fitText();
}

void LessonPanel::fitText()
{
    // As tall as the text (a one-line description takes one line), scrolling only when the
    // window's cap (MainWindow: a quarter of its height) is lower.
    const int width = std::max(100, m_scroll->viewport()->width());
    m_scroll->setMaximumHeight(m_text->heightForWidth(width) + 4);
}

void LessonPanel::resizeEvent(QResizeEvent* event)
{
    QFrame::resizeEvent(event);
    fitText();
}

QString LessonPanel::title() const
{
    return m_title->text();
}

QString LessonPanel::text() const
{
    return m_text->text();
}

bool LessonPanel::isFolded() const
{
    return m_folded;
}

void LessonPanel::setFolded(bool folded)
{
    m_folded = folded;
    m_scroll->setVisible(!folded);
    m_title->setArrowType(folded ? Qt::RightArrow : Qt::DownArrow);
    if (m_title->isChecked() == folded)
        m_title->setChecked(!folded);
}

} // namespace gsq::ui
