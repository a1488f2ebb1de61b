#include "ui/window/ViewTabs.h"

#include "ui/tabs/CompareTab.h"
#include "ui/tabs/LayersTab.h"
#include "ui/tabs/QuantizationTab.h"
#include "ui/tabs/RobustnessTab.h"
#include "ui/tabs/SparsityTab.h"
#include "ui/tabs/TrainingTab.h"
#include "ui/tabs/WeightsTab.h"

#include <QScrollArea>

namespace gsq::ui {

ViewTabs::ViewTabs(QWidget* parent)
    : QTabWidget(parent)
    , m_training(new TrainingTab)
    , m_sparsity(new SparsityTab)
    , m_quantization(new QuantizationTab)
    , m_weights(new WeightsTab)
    , m_layers(new LayersTab)
    , m_robustness(new RobustnessTab)
    , m_compare(new CompareTab)
{
    auto scrolled = [](QWidget* view) {
        auto* area = new QScrollArea;
        area->setWidget(view);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        return area;
    };
    addTab(scrolled(m_training), tr("Training"));
    addTab(scrolled(m_sparsity), tr("Sparsity"));
    addTab(scrolled(m_quantization), tr("Quantization"));
    addTab(scrolled(m_weights), tr("Weights"));
    addTab(scrolled(m_layers), tr("Layers"));
    addTab(scrolled(m_robustness), tr("Robustness"));
    addTab(scrolled(m_compare), tr("Compare"));
    m_views = { m_training, m_sparsity, m_quantization, m_weights, m_layers, m_robustness, m_compare };
}

void ViewTabs::clearRun()
{
    for (auto* view : m_views)
        if (view != m_compare)
            view->clear();
}

QList<ChartView*> ViewTabs::charts() const
{
    QList<ChartView*> out;
    for (auto* view : m_views)
        out += view->charts();
    return out;
}

void ViewTabs::showView(QWidget* view)
{
    for (int i = 0; i < count(); ++i)
        if (auto* area = qobject_cast<QScrollArea*>(widget(i)); area && area->widget() == view)
            setCurrentIndex(i);
}

QWidget* ViewTabs::currentView() const
{
    auto* area = qobject_cast<QScrollArea*>(currentWidget());
    return area ? area->widget() : nullptr;
}

} // namespace gsq::ui
