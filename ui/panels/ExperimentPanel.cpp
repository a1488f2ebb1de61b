#include "ui/panels/ExperimentPanel.h"

#include "core/common/Error.h"
#include "core/compression/PruneSpec.h"
#include "core/quantization/QuantSpec.h"
#include "core/experiment/ConfigYaml.h"

#include <algorithm>
#include <functional>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace gsq::ui {

using namespace gsq::core;

namespace {
QComboBox* combo(const std::vector<std::string>& items)
{
    auto* c = new QComboBox;
    for (const auto& i : items)
        c->addItem(QString::fromStdString(i));
    return c;
}
void select(QComboBox* c, const std::string& value)
{
    const int i = c->findText(QString::fromStdString(value));
    c->setCurrentIndex(i >= 0 ? i : 0);
}
std::string text(const QComboBox* c)
{
    return c->currentText().toStdString();
}
} // namespace

ExperimentPanel::ExperimentPanel(QWidget* parent) : QWidget(parent)
{
    build();
    experiment::ExperimentConfig defaults;
    experiment::resolveDefaults(defaults);
    setConfig(defaults);
}

void ExperimentPanel::build()
{
    auto* outer = new QVBoxLayout(this);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* inner = new QWidget;
    auto* layout = new QVBoxLayout(inner);
    scroll->setWidget(inner);
    outer->addWidget(scroll);
    outer->setContentsMargins(0, 0, 0, 0);

    auto group = [&](const QString& title) {
        auto* box = new QGroupBox(title);
        auto* form = new QFormLayout(box);
        layout->addWidget(box);
        return form;
    };

    auto* data = group(tr("Dataset"));
    m_dataset = combo({"cora", "proteins", "bbbp"});
    m_task = combo({"node_classification", "link_prediction", "graph_classification"});
    m_split = combo({"public", "random", "kfold", "scaffold"});
    data->addRow(tr("Dataset"), m_dataset);
    data->addRow(tr("Task"), m_task);
    data->addRow(tr("Split"), m_split);

    auto* model = group(tr("Model"));
    m_arch = combo(experiment::Choices::archs());
    m_hidden = new QSpinBox;
    m_hidden->setRange(1, 4096);
    m_layers = new QSpinBox;
    m_layers->setRange(1, 16);
    m_dropout = new QDoubleSpinBox;
    m_dropout->setRange(0.0, 0.95);
    m_dropout->setSingleStep(0.05);
    model->addRow(tr("Architecture"), m_arch);
    model->addRow(tr("Hidden width"), m_hidden);
    model->addRow(tr("Layers"), m_layers);
    model->addRow(tr("Dropout"), m_dropout);

    auto* train = group(tr("Training"));
    m_epochs = new QSpinBox;
    m_epochs->setRange(1, 100000);
    m_lr = new QDoubleSpinBox;
    m_lr->setDecimals(4);
    m_lr->setRange(0.0001, 1.0);
    m_lr->setSingleStep(0.001);
    m_weightDecay = new QDoubleSpinBox;
    m_weightDecay->setDecimals(5);
    m_weightDecay->setRange(0.0, 0.1);
    m_weightDecay->setSingleStep(0.0001);
    m_seeds = new QSpinBox;
    m_seeds->setRange(1, 100);
    m_threads = new QSpinBox;
    m_threads->setRange(0, 64);
    m_threads->setSpecialValueText(tr("auto"));
    train->addRow(tr("Epochs"), m_epochs);
    train->addRow(tr("Learning rate"), m_lr);
    train->addRow(tr("Weight decay"), m_weightDecay);
    train->addRow(tr("Seeds"), m_seeds);
    train->addRow(tr("Threads"), m_threads);

    auto* comp = group(tr("Compression"));
    m_method = combo({"none", "finegrained", "global", "l2"});
    m_method->setToolTip(tr("finegrained: every weight matrix pruned to the same sparsity by |w|\n"
                            "global: one |w| ranking across all layers (layers may empty)\n"
                            "l2: train with lambda * sum ||W||_2, then prune by |w|"));
    m_sparsity = new QLineEdit;
    m_sparsity->setPlaceholderText(tr("e.g. 0.5 or 0.1, 0.5, 0.9"));
    m_sparsity->setToolTip(tr("Fraction of weights removed, in [0, 1); a comma-separated list sweeps"));
    m_schedule = combo({"oneshot", "agp"});
    m_finetune = new QSpinBox;
    m_finetune->setRange(0, 100000);
    comp->addRow(tr("Method"), m_method);
    comp->addRow(tr("Sparsity"), m_sparsity);
    comp->addRow(tr("Schedule"), m_schedule);
    comp->addRow(tr("Fine-tune epochs"), m_finetune);
    m_quantMethod = combo({"none", "qat", "degree_quant", "a2q", "ptq"});
    m_quantMethod->setToolTip(tr("qat: quantization-aware training with fake-quantized weights and activations\n"
                                 "degree_quant: QAT that keeps high in-degree nodes in full precision more often\n"
                                 "a2q: learnable bit-widths per weight channel and node-degree group\n"
                                 "ptq: post-training int8/intN, ranges calibrated on training data"));
    m_bits = new QSpinBox;
    m_bits->setRange(2, 8);
    m_bits->setToolTip(tr("Bit-width of weights and activations (a2q: the starting and target bit-width)"));
    m_quantEpochs = new QSpinBox;
    m_quantEpochs->setRange(1, 100000);
    m_quantEpochs->setToolTip(tr("Quantization-aware training epochs from the trained model (not used by ptq)"));
    comp->addRow(tr("Quantization"), m_quantMethod);
    comp->addRow(tr("Bits"), m_bits);
    comp->addRow(tr("QAT epochs"), m_quantEpochs);

    for (auto [form, field] : std::initializer_list<std::pair<QFormLayout*, QWidget*>>{
             {data, m_task}, {data, m_split}, {model, m_layers}, {model, m_dropout}, {train, m_lr},
             {train, m_weightDecay}, {train, m_threads}, {comp, m_schedule}, {comp, m_quantEpochs}}) {
        m_advanced << field;
        if (auto* label = form->labelForField(field))
            m_advanced << label;
    }

    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet("color: #c0392b;");
    m_error->setObjectName("validationError");
    layout->addWidget(m_error);
    layout->addStretch(1);

    for (auto* c : {m_dataset, m_task, m_split, m_arch, m_method, m_schedule, m_quantMethod})
        connect(c, &QComboBox::currentIndexChanged, this, [this] { onEdited(); });
    for (auto* s : {m_hidden, m_layers, m_epochs, m_seeds, m_threads, m_finetune, m_bits, m_quantEpochs})
        connect(s, &QSpinBox::valueChanged, this, [this] { onEdited(); });
    for (auto* s : {m_dropout, m_lr, m_weightDecay})
        connect(s, &QDoubleSpinBox::valueChanged, this, [this] { onEdited(); });
    connect(m_sparsity, &QLineEdit::textChanged, this, [this] { onEdited(); });
}

void ExperimentPanel::setConfig(const experiment::ExperimentConfig& config)
{
    m_base = config;
    m_current = config;
    loadWidgets();
    revalidate();
}

void ExperimentPanel::loadWidgets()
{
    m_initializing = true;
    const auto& c = m_base;
    select(m_dataset, c.dataset.name);
    select(m_task, c.dataset.task);
    select(m_split, c.dataset.split);
    select(m_arch, c.model.arch);
    m_hidden->setValue(static_cast<int>(c.model.hidden));
    m_layers->setValue(c.model.layers);
    m_dropout->setValue(c.model.dropout);
    m_epochs->setValue(c.train.epochs);
    m_lr->setValue(c.train.lr);
    m_weightDecay->setValue(c.train.weightDecay);
    m_seeds->setValue(static_cast<int>(c.train.effectiveSeeds().size()));
    m_threads->setValue(c.train.threads);
    const experiment::CompressionStep* prune = nullptr;
    for (const auto& s : c.compression)
        if (s.kind == "prune" && !prune)
            prune = &s;
    select(m_method, prune ? prune->method : "none");
    QString sparsity = "0.5";
    if (prune && prune->params.count("sparsity")) {
        sparsity = QString::fromStdString(prune->params.at("sparsity"));
        sparsity.remove('[').remove(']');
    }
    m_sparsity->setText(sparsity);
    select(m_schedule, prune && prune->params.count("schedule") ? prune->params.at("schedule") : "oneshot");
    m_finetune->setValue(prune && prune->params.count("finetune_epochs") ? std::stoi(prune->params.at("finetune_epochs")) : 100);
    const experiment::CompressionStep* quant = nullptr;
    for (const auto& s : c.compression)
        if (s.kind == "quantize" && !quant)
            quant = &s;
    select(m_quantMethod, quant ? quant->method : "none");
    auto intParam = [&](const char* key, int def) {
        try {
            return quant && quant->params.count(key) ? std::stoi(quant->params.at(key)) : def;
        } catch (const std::exception&) {
            return def;
        }
    };
    m_bits->setValue(intParam("bits", 8));
    m_quantEpochs->setValue(intParam("epochs", 30));
    m_initializing = false;
}

void ExperimentPanel::useNewSeeds()
{
    const auto seeds = m_current.train.effectiveSeeds();
    const int64_t next = seeds.empty() ? 0 : *std::max_element(seeds.begin(), seeds.end()) + 1;
    m_base.train.seeds.clear();
    for (size_t i = 0; i < seeds.size(); ++i)
        m_base.train.seeds.push_back(next + static_cast<int64_t>(i));
    onEdited();
}

void ExperimentPanel::onEdited()
{
    if (m_initializing)
        return;
    revalidate();
    Q_EMIT configEdited();
}

void ExperimentPanel::revalidate()
{
    experiment::ExperimentConfig c = m_base;
    const bool datasetChanged = text(m_dataset) != m_base.dataset.name;
    c.dataset.name = text(m_dataset);
    // A different dataset brings its own default task and split.
    c.dataset.task = datasetChanged ? "" : text(m_task);
    c.dataset.split = datasetChanged ? "" : text(m_split);
    c.model.arch = text(m_arch);
    c.model.hidden = m_hidden->value();
    c.model.layers = m_layers->value();
    c.model.dropout = m_dropout->value();
    c.train.epochs = m_epochs->value();
    c.train.lr = m_lr->value();
    c.train.weightDecay = m_weightDecay->value();
    if (m_seeds->value() != static_cast<int>(c.train.effectiveSeeds().size())) {
        c.train.seeds.clear();
        c.train.repeats = m_seeds->value();
    }
    c.train.threads = m_threads->value();
    c.train.metric = m_base.train.metric == "roc_auc" && !datasetChanged ? "roc_auc" : "auto";

    // The form edits the first prune and the first quantize step; every other step of the file
    // is kept as it is.
    std::vector<experiment::CompressionStep> steps = m_base.compression;
    auto firstOf = [&](const char* kind) {
        return std::find_if(steps.begin(), steps.end(), [&](const auto& s) { return s.kind == kind; });
    };
    // Removes the first step of `kind` when the form says "none", else updates it (or adds it).
    auto upsert = [&](const char* kind, const std::string& method, bool atFront,
                      const std::function<void(experiment::CompressionStep&)>& fill) {
        auto it = firstOf(kind);
        if (method == "none") {
            if (it != steps.end())
                steps.erase(it);
            return;
        }
        experiment::CompressionStep step = it != steps.end() ? *it : experiment::CompressionStep{};
        if (step.method != method)
            step.params.clear(); // method-specific keys of another method would not validate
        step.kind = kind;
        step.method = method;
        fill(step);
        if (it != steps.end())
            *it = step;
        else
            steps.insert(atFront ? steps.begin() : steps.end(), step);
    };
    upsert("prune", text(m_method), true, [&](experiment::CompressionStep& step) {
        step.params["sparsity"] = "[" + m_sparsity->text().toStdString() + "]";
        step.params["schedule"] = text(m_schedule);
        step.params["finetune_epochs"] = std::to_string(m_finetune->value());
    });
    upsert("quantize", text(m_quantMethod), false, [&](experiment::CompressionStep& step) {
        step.params["bits"] = std::to_string(m_bits->value());
        if (step.method == "ptq")
            step.params.erase("epochs");
        else
            step.params["epochs"] = std::to_string(m_quantEpochs->value());
    });
    QString error;
    c.compression = steps;
    try {
        experiment::resolveDefaults(c);
        for (size_t i = 0; i < c.compression.size(); ++i)
            if (c.compression[i].kind == "prune")
                compression::PruneSpec::parse(c.compression[i], static_cast<int>(i), "form");
            else if (c.compression[i].kind == "quantize")
                quantization::QuantSpec::parse(c.compression[i], static_cast<int>(i), "form");
    } catch (const InputError& e) {
        error = QString::fromStdString(e.what());
    }
    if (datasetChanged && error.isEmpty()) {
        m_initializing = true;
        select(m_task, c.dataset.task);
        select(m_split, c.dataset.split);
        m_initializing = false;
        m_base.dataset.name = c.dataset.name;
        m_base.dataset.task = c.dataset.task;
        m_base.dataset.split = c.dataset.split;
    }
    // Drop the "file:line: key '...'" prefix, keep the key and the reason.
    if (const int k = error.indexOf("key '"); k >= 0)
        error = error.mid(k);
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    const bool valid = error.isEmpty();
    if (valid)
        m_current = c;
    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

void ExperimentPanel::setSimplified(bool simplified)
{
    for (auto* w : m_advanced)
        w->setVisible(!simplified);
}

QString ExperimentPanel::validationMessage() const
{
    return m_error->text();
}

} // namespace gsq::ui
