// ExperimentPanel, part 2: the list of compression steps (add, remove, reorder, edit one).
#include "ui/panels/ExperimentPanel.h"

#include "core/common/Error.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/ConfigYaml.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace gsq::ui {

using namespace gsq::core;
using experiment::Catalog;
using experiment::StepKind;

void ExperimentPanel::buildSteps(QVBoxLayout* layout)
{
    auto* box = new QGroupBox(tr("Compression steps"));
    auto* v = new QVBoxLayout(box);
    layout->addWidget(box);
    m_stepList = new QListWidget;
    m_stepList->setObjectName("stepList");
    m_stepList->setMaximumHeight(110);
    m_stepList->setTextElideMode(Qt::ElideRight); // the full summary is the item's tooltip
    m_stepList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_stepList->setToolTip(tr("Every step starts from the trained base model and runs in this order"));
    v->addWidget(m_stepList);
    auto* buttons = new QHBoxLayout;
    m_addStep = new QToolButton;
    m_addStep->setText(tr("Add step"));
    m_addStep->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_addStep);
    for (StepKind kind : { StepKind::Prune, StepKind::Quantize, StepKind::Analyze }) {
        menu->addAction(QString::fromStdString(experiment::kindName(kind)), this, [this, kind] {
            const auto names = Catalog::methodNames(kind);
            if (!names.empty())
                addStep(kind, names.front());
        });
    }
    m_addStep->setMenu(menu);
    // Tool buttons, as wide as their text: four push buttons (about 80 px each at least) made
    // the form wider than its dock.
    auto toolButton = [](const QString& text) {
        auto* b = new QToolButton;
        b->setText(text);
        return b;
    };
    m_removeStep = toolButton(tr("Remove"));
    m_upStep = toolButton(tr("Up"));
    m_downStep = toolButton(tr("Down"));
    buttons->addWidget(m_addStep);
    buttons->addWidget(m_removeStep);
    buttons->addWidget(m_upStep);
    buttons->addWidget(m_downStep);
    buttons->addStretch(1);
    v->addLayout(buttons);
    m_stepEditor = new StepEditor;
    v->addWidget(m_stepEditor);
    m_advanced << m_removeStep << m_upStep << m_downStep << m_addStep;

    connect(m_stepList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_initializing)
            return;
        if (row >= 0 && row < stepCount())
            m_stepEditor->setDraft(m_drafts[static_cast<size_t>(row)]);
        else
            m_stepEditor->clear();
        m_stepEditor->setSimplified(m_simplified);
    });
    connect(m_stepEditor, &StepEditor::stepEdited, this, [this] {
        const int row = m_stepList->currentRow();
        if (row < 0 || row >= stepCount())
            return;
        m_drafts[static_cast<size_t>(row)] = m_stepEditor->draft();
        refreshStepList();
        onEdited();
    });
    connect(m_removeStep, &QAbstractButton::clicked, this, [this] { removeStep(m_stepList->currentRow()); });
    connect(m_upStep, &QAbstractButton::clicked, this, [this] {
        const int r = m_stepList->currentRow();
        moveStep(r, r - 1);
    });
    connect(m_downStep, &QAbstractButton::clicked, this, [this] {
        const int r = m_stepList->currentRow();
        moveStep(r, r + 1);
    });
}

void ExperimentPanel::refreshStepList()
{
    const bool was = m_initializing;
    m_initializing = true;
    const int current = m_stepList->currentRow();
    m_stepList->clear();
    for (size_t i = 0; i < m_drafts.size(); ++i) {
        const auto& d = m_drafts[i];
        QString label
            = QString("%1. %2 · %3")
                  .arg(i + 1)
                  .arg(QString::fromStdString(experiment::kindName(d.kind)), QString::fromStdString(d.method));
        try {
            label = QString("%1. ").arg(i + 1)
                + QString::fromStdString(experiment::stepSummary(
                    experiment::parseStep(d.kind, d.method, d.values, static_cast<int>(i), "form")));
        } catch (const InputError&) {
            label += tr(" (invalid)");
        }
        m_stepList->addItem(label);
        m_stepList->item(m_stepList->count() - 1)->setToolTip(label);
    }
    m_stepList->setCurrentRow(std::min(current, stepCount() - 1));
    m_initializing = was;
}

int ExperimentPanel::addStep(StepKind kind, const std::string& method)
{
    m_drafts.push_back(StepDraft::fromStep(experiment::defaultStep(kind, method)));
    refreshStepList();
    selectStep(stepCount() - 1);
    onEdited();
    return stepCount() - 1;
}

void ExperimentPanel::removeStep(int index)
{
    if (index < 0 || index >= stepCount())
        return;
    m_drafts.erase(m_drafts.begin() + index);
    refreshStepList();
    selectStep(std::min(index, stepCount() - 1));
    onEdited();
}

void ExperimentPanel::moveStep(int from, int to)
{
    if (from < 0 || to < 0 || from >= stepCount() || to >= stepCount() || from == to)
        return;
    StepDraft moved = m_drafts[static_cast<size_t>(from)];
    m_drafts.erase(m_drafts.begin() + from);
    m_drafts.insert(m_drafts.begin() + to, moved);
    refreshStepList();
    selectStep(to);
    onEdited();
}

void ExperimentPanel::selectStep(int index)
{
    m_stepList->setCurrentRow(index);
    if (index >= 0 && index < stepCount())
        m_stepEditor->setDraft(m_drafts[static_cast<size_t>(index)]);
    else
        m_stepEditor->clear();
    m_stepEditor->setSimplified(m_simplified);
}

int ExperimentPanel::firstStep(StepKind kind) const
{
    for (int i = 0; i < stepCount(); ++i)
        if (m_drafts[static_cast<size_t>(i)].kind == kind)
            return i;
    return -1;
}

void ExperimentPanel::setStepValue(int index, const std::string& key, const std::string& value)
{
    if (index < 0 || index >= stepCount())
        return;
    m_drafts[static_cast<size_t>(index)].setValue(key, value);
    refreshStepList();
    if (m_stepList->currentRow() == index) {
        m_stepEditor->setDraft(m_drafts[static_cast<size_t>(index)]);
        m_stepEditor->setSimplified(m_simplified);
    }
    onEdited();
}

} // namespace gsq::ui
