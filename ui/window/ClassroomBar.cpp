#include "ui/window/ClassroomBar.h"

#include <QHBoxLayout>
#include <QPushButton>

namespace gsq::ui {

ClassroomBar::ClassroomBar(QWidget* parent)
    : QWidget(parent)
{
    auto* bar = new QHBoxLayout(this);
    bar->setContentsMargins(0, 0, 0, 0);
    auto big = [&](const QString& text, const QString& tip) {
        auto* b = new QPushButton(text);
        b->setMinimumHeight(48);
        b->setToolTip(tip);
        b->setStyleSheet("font-size: 18pt; padding: 4px 18px;");
        bar->addWidget(b);
        return b;
    };
    auto* play = big(tr("▶ Run"), tr("Train the model in the form"));
    auto* step = big(tr("▶| Step"),
        tr("One epoch per click: pauses a running run, or starts the run in the form paused after its first epoch"));
    auto* more = big(
        tr("✂ Prune 10 % more"), tr("Remove another 10 % of every layer's smallest weights, then fine-tune 20 epochs"));
    more->setObjectName("pruneMore");
    auto* attack = big(tr("⚡ Attack harder"),
        tr("Run the lesson again with a larger PGD attack on the node features (the next budget of its robustness "
           "step) and show the Robustness tab"));
    attack->setObjectName("attackHarder");
    bar->addStretch(1);
    connect(play, &QPushButton::clicked, this, &ClassroomBar::runClicked);
    connect(step, &QPushButton::clicked, this, &ClassroomBar::stepClicked);
    connect(more, &QPushButton::clicked, this, &ClassroomBar::pruneMoreClicked);
    connect(attack, &QPushButton::clicked, this, &ClassroomBar::attackClicked);
}

} // namespace gsq::ui
