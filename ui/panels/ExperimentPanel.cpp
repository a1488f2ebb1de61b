#include "ui/panels/ExperimentPanel.h"

#include "ui/panels/FitWidth.h"
#include "ui/panels/KeyFields.h"
#include "ui/panels/WheelGuard.h"

#include "core/common/Error.h"
#include "core/experiment/Architecture.h"
#include "core/experiment/Catalog.h"
#include "core/experiment/ConfigYaml.h"
#include "core/experiment/Reader.h"
#include "ui/panels/CatalogCombo.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace gsq::ui {

using namespace gsq::core;
using experiment::Catalog;
using experiment::ChoiceList;
using experiment::StepKind;

namespace {
void select(QComboBox* c, const std::string& value)
{
    const int i = c->findData(QString::fromStdString(value));
    c->setCurrentIndex(i >= 0 ? i : 0);
}
std::string text(const QComboBox* c)
{
    return c->currentData().toString().toStdString();
}
/// Takes a double spin box's value only when the user changed it, so values with more digits
/// than the box shows survive a round trip through the form.
void takeDouble(const QDoubleSpinBox* w, double& target)
{
    const double shown = std::round(target * std::pow(10.0, w->decimals())) / std::pow(10.0, w->decimals());
    if (std::abs(w->value() - shown) > 0.5 * std::pow(10.0, -w->decimals()))
        target = w->value();
}
CheckedDoubleSpinBox* doubleSpin(double lo, double hi, int decimals, double step)
{
    auto* s = new CheckedDoubleSpinBox;
    s->setDecimals(decimals);
    s->setRange(lo, hi);
    s->setSingleStep(step);
    return s;
}
CheckedSpinBox* intSpin(int lo, int hi)
{
    auto* s = new CheckedSpinBox;
    s->setRange(lo, hi);
    return s;
}
} // namespace

ExperimentPanel::ExperimentPanel(QWidget* parent)
    : QWidget(parent)
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
    new WheelGuard(scroll); // the wheel scrolls the form, not the field under the pointer
    // The form's problem, above the scrolled part so it is in view wherever the form is scrolled
    // (the full message also stands under the form, beside the steps).
    m_summary = new QLabel;
    m_summary->setObjectName("validationSummary");
    m_summary->setWordWrap(true);
    m_summary->setStyleSheet("color: #8e1c12; background: #fdecea; padding: 4px;");
    m_summary->hide();
    outer->addWidget(m_summary);
    outer->addWidget(scroll);
    outer->setContentsMargins(0, 0, 0, 0);

    auto group = [&](const QString& title) {
        auto* box = new QGroupBox(title);
        auto* form = new QFormLayout(box);
        layout->addWidget(box);
        return form;
    };
    auto row = [this](QFormLayout* form, const QString& label, QWidget* field, const QString& key,
                   QList<QWidget*>* into = nullptr) {
        form->addRow(label, field);
        m_fields.append({ key, label, field });
        if (into) {
            *into << field;
            if (auto* l = form->labelForField(field))
                *into << l;
        }
    };

    auto* experiment = group(tr("Run"));
    m_name = new QLineEdit;
    m_name->setObjectName("experimentName");
    m_name->setToolTip(tr("The run's name in the history and the Compare tab, and its directory under runs/ for "
                          "the command line (name:)"));
    row(experiment, tr("Name"), m_name, "name");
    m_advanced << experiment->parentWidget(); // a lesson keeps its name

    auto* data = group(tr("Dataset"));
    m_dataset = new QComboBox;
    for (const auto& d : Catalog::datasets())
        addCatalogItem(m_dataset, d.name, d.label, d.help);
    m_path = new QLineEdit;
    m_path->setObjectName("datasetPath");
    m_browse = new QPushButton(tr("Browse…"));
    auto* pathBox = new QWidget;
    auto* pathLayout = new QHBoxLayout(pathBox);
    pathLayout->setContentsMargins(0, 0, 0, 0);
    pathLayout->addWidget(m_path, 1);
    pathLayout->addWidget(m_browse);
    m_tuName = new QLineEdit;
    m_tuName->setPlaceholderText(tr("default: the directory name"));
    m_tuName->setToolTip(tr("File prefix of the TU files, e.g. PROTEINS for PROTEINS_A.txt"));
    m_smiles = new QComboBox;
    m_smiles->setEditable(true);
    m_smiles->setToolTip(tr("Column holding the SMILES strings (filled from the CSV header)"));
    m_label = new QComboBox;
    m_label->setEditable(true);
    m_label->setToolTip(tr("Column holding the integer class labels (filled from the CSV header)"));
    m_task = catalogCombo(ChoiceList::Task);
    m_split = catalogCombo(ChoiceList::Split);
    m_folds = intSpin(3, 100);
    m_runFolds = intSpin(0, 100);
    m_runFolds->setSpecialValueText(tr("all"));
    m_runFolds->setToolTip(tr("Train only the first N folds, for a quick check (run_folds; all = every fold)"));
    row(data, tr("Dataset"), m_dataset, "dataset.name");
    row(data, tr("Path"), pathBox, "dataset.path", &m_pathRow);
    row(data, tr("TU prefix"), m_tuName, "dataset.tu_name", &m_tuRow);
    row(data, tr("SMILES column"), m_smiles, "dataset.smiles_column", &m_csvRows);
    row(data, tr("Label column"), m_label, "dataset.label_column", &m_csvRows);
    row(data, tr("Task"), m_task, "dataset.task", &m_advanced);
    row(data, tr("Split"), m_split, "dataset.split", &m_advanced);
    row(data, tr("Folds"), m_folds, "dataset.folds", &m_foldsRow);
    row(data, tr("Run folds"), m_runFolds, "dataset.run_folds", &m_foldsRow);
    m_readerFields = new KeyFields(data, "dataset", this); // a registered reader's own keys
    connect(m_readerFields, &KeyFields::edited, this, [this] { onEdited(); });
    connect(m_dataset, &QComboBox::currentIndexChanged, this, [this] { showReaderKeys(); });

    for (auto& f : m_fields)
        if (f.key == "dataset.path")
            f.widget = m_path; // the line edit is highlighted, not the box holding it and Browse…

    auto* model = group(tr("Model"));
    m_arch = catalogCombo(ChoiceList::Arch);
    m_hidden = intSpin(1, 65536);
    m_layers = intSpin(1, 64);
    m_dropout = doubleSpin(0.0, 0.99, 2, 0.05);
    row(model, tr("Architecture"), m_arch, "model.arch");
    row(model, tr("Hidden width"), m_hidden, "model.hidden");
    row(model, tr("Layers"), m_layers, "model.layers", &m_advanced);
    row(model, tr("Dropout"), m_dropout, "model.dropout", &m_advanced);
    m_archFields = new KeyFields(model, "model", this); // the chosen architecture's own keys
    connect(m_archFields, &KeyFields::edited, this, [this] { onEdited(); });
    connect(m_arch, &QComboBox::currentIndexChanged, this, [this] { showArchitectureKeys(); });

    auto* train = group(tr("Training"));
    m_epochs = intSpin(1, 100000);
    m_lr = doubleSpin(0.0001, 10.0, 4, 0.001);
    m_weightDecay = doubleSpin(0.0, 1.0, 6, 0.0001);
    m_seeds = intSpin(1, 1000);
    m_threads = intSpin(0, 256);
    m_threads->setSpecialValueText(tr("auto"));
    m_batch = intSpin(1, 1000000);
    row(train, tr("Epochs"), m_epochs, "train.epochs");
    row(train, tr("Learning rate"), m_lr, "train.lr", &m_advanced);
    row(train, tr("Weight decay"), m_weightDecay, "train.weight_decay", &m_advanced);
    row(train, tr("Seeds"), m_seeds, "train.seeds");
    row(train, tr("Threads"), m_threads, "train.threads", &m_advanced);
    row(train, tr("Batch size"), m_batch, "train.batch_size", &m_advanced);

    buildSteps(layout);

    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet("color: #c0392b;");
    m_error->setObjectName("validationError");
    layout->addWidget(m_error);
    layout->addStretch(1);
    new FitWidth(scroll); // the dock grows with the form rather than cutting it at the right

    for (auto* c : { m_dataset, m_task, m_split, m_arch, m_smiles, m_label })
        connect(c, &QComboBox::currentIndexChanged, this, [this] { onEdited(); });
    for (auto* c : { m_smiles, m_label })
        connect(c, &QComboBox::editTextChanged, this, [this] { onEdited(); });
    // The editor's text, not the value: out-of-range text ("-5") is reported while it is typed.
    // Leaving a field with such text puts back the last valid value without a textChanged, but
    // with editingFinished.
    for (auto* s : { m_hidden, m_layers, m_epochs, m_seeds, m_threads, m_folds, m_runFolds, m_batch }) {
        connect(s->editor(), &QLineEdit::textChanged, this, [this] { onEdited(); });
        connect(s, &QSpinBox::editingFinished, this, [this] { onEdited(); });
        connect(s, &QSpinBox::valueChanged, this, [this] { onEdited(); }); // setValue() blocks the editor's signals
    }
    for (auto* s : { m_dropout, m_lr, m_weightDecay }) {
        connect(s->editor(), &QLineEdit::textChanged, this, [this] { onEdited(); });
        connect(s, &QDoubleSpinBox::editingFinished, this, [this] { onEdited(); });
        connect(s, &QDoubleSpinBox::valueChanged, this, [this] { onEdited(); });
    }
    for (auto* e : { m_path, m_tuName, m_name })
        connect(e, &QLineEdit::textChanged, this, [this] { onEdited(); });
    connect(m_path, &QLineEdit::editingFinished, this, [this] { fillCsvColumns(); });
    connect(m_browse, &QPushButton::clicked, this, [this] { browse(); });
}

void ExperimentPanel::setConfig(const experiment::ExperimentConfig& config)
{
    m_base = config;
    m_current = config;
    m_drafts.clear();
    for (const auto& step : config.steps)
        m_drafts.push_back(StepDraft::fromStep(step));
    loadWidgets();
    revalidate();
}

void ExperimentPanel::loadWidgets()
{
    m_initializing = true;
    const auto& c = m_base;
    select(m_dataset, c.dataset.name);
    m_path->setText(QString::fromStdString(c.dataset.path));
    m_tuName->setText(QString::fromStdString(c.dataset.tuName));
    fillCsvColumns();
    m_smiles->setCurrentText(QString::fromStdString(c.dataset.smilesColumn));
    m_label->setCurrentText(QString::fromStdString(c.dataset.labelColumn));
    select(m_task, c.dataset.task);
    select(m_split, c.dataset.split);
    m_folds->setValue(c.dataset.folds);
    m_runFolds->setValue(c.dataset.runFolds);
    m_name->setText(QString::fromStdString(c.name));
    select(m_arch, c.model.arch);
    m_archFields->forget();
    m_readerFields->forget();
    showArchitectureKeys();
    showReaderKeys();
    m_hidden->setValue(static_cast<int>(c.model.hidden));
    m_layers->setValue(c.model.layers);
    m_dropout->setValue(c.model.dropout);
    m_epochs->setValue(c.train.epochs);
    m_lr->setValue(c.train.lr);
    m_weightDecay->setValue(c.train.weightDecay);
    m_seeds->setValue(static_cast<int>(c.train.effectiveSeeds().size()));
    m_threads->setValue(c.train.threads);
    m_batch->setValue(static_cast<int>(c.train.batchSize));
    m_initializing = false;
    refreshStepList();
    selectStep(stepCount() > 0 ? 0 : -1);
    updateDatasetRows();
}

void ExperimentPanel::showArchitectureKeys()
{
    const auto* arch = experiment::architecture(text(m_arch));
    m_archFields->show(text(m_arch), arch ? keyFieldValues(arch->keys, m_base.model) : std::vector<KeyFieldValue> {});
}

void ExperimentPanel::showReaderKeys()
{
    const auto* kind = Catalog::dataset(text(m_dataset));
    const auto* r = kind ? experiment::reader(kind->reader) : nullptr;
    m_readerFields->show(
        r ? r->name : std::string(), r ? keyFieldValues(r->keys, m_base.dataset) : std::vector<KeyFieldValue> {});
}

void ExperimentPanel::updateDatasetRows()
{
    const auto* info = Catalog::dataset(text(m_dataset));
    const bool csv = info && info->reader == "csv", tu = info && info->reader == "tu";
    m_path->setPlaceholderText(info && !info->bundled.empty() ? tr("bundled copy") : tr("required"));
    m_tuName->setPlaceholderText(info && !info->tuPrefix.empty()
            ? tr("default: %1").arg(QString::fromStdString(info->tuPrefix))
            : tr("default: the directory name"));
    const auto* reader = info ? experiment::reader(info->reader) : nullptr;
    QString pathHelp = reader ? QString::fromStdString(reader->pathHelp) : QString();
    if (!pathHelp.isEmpty())
        pathHelp[0] = pathHelp[0].toUpper();
    m_path->setToolTip(pathHelp);
    for (auto* w : m_tuRow)
        w->setVisible(tu && !m_simplified);
    for (auto* w : m_csvRows)
        w->setVisible(csv && !m_simplified);
    for (auto* w : m_pathRow)
        w->setVisible(!m_simplified || (info && info->bundled.empty()));
    for (auto* w : m_foldsRow)
        w->setVisible(text(m_split) == "kfold" && !m_simplified);
}

void ExperimentPanel::fillCsvColumns()
{
    const auto* info = Catalog::dataset(text(m_dataset));
    if (!info || info->reader != "csv")
        return;
    QFile f(m_path->text().isEmpty() ? QString() : m_path->text());
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return;
    const QString header = QString::fromUtf8(f.readLine()).trimmed();
    QStringList columns;
    for (QString c : header.split(','))
        columns << c.remove('"').trimmed();
    const bool was = m_initializing;
    m_initializing = true;
    for (auto* combo : { m_smiles, m_label }) {
        const QString keep = combo->currentText();
        combo->clear();
        combo->addItems(columns);
        combo->setCurrentText(keep);
    }
    m_initializing = was;
}

void ExperimentPanel::browse()
{
    const auto* info = Catalog::dataset(text(m_dataset));
    QString chosen;
    const auto* reader = info ? experiment::reader(info->reader) : nullptr;
    if (info && info->reader == "csv")
        chosen = QFileDialog::getOpenFileName(
            this, tr("Molecule CSV"), m_path->text(), tr("CSV files (*.csv);;All files (*)"));
    else if (reader && !reader->directory)
        chosen = QFileDialog::getOpenFileName(this, tr("Dataset file"), m_path->text());
    else
        chosen = QFileDialog::getExistingDirectory(this, tr("Dataset directory"), m_path->text());
    if (chosen.isEmpty())
        return;
    m_path->setText(chosen);
    fillCsvColumns();
    onEdited();
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
    updateDatasetRows();
    Q_EMIT configEdited();
}

void ExperimentPanel::revalidate()
{
    experiment::ExperimentConfig c = m_base;
    const bool datasetChanged = text(m_dataset) != m_base.dataset.name;
    auto& d = c.dataset;
    d.name = text(m_dataset);
    d.path = m_path->text().toStdString();
    d.tuName = m_tuName->text().toStdString();
    d.smilesColumn = m_smiles->currentText().toStdString();
    d.labelColumn = m_label->currentText().toStdString();
    // A different dataset brings its own default task and split.
    d.task = datasetChanged ? "" : text(m_task);
    d.split = datasetChanged ? "" : text(m_split);
    d.folds = m_folds->value();
    d.runFolds = m_runFolds->value();
    c.name = m_name->text().trimmed().toStdString();
    c.model.arch = text(m_arch);
    if (const auto* kind = Catalog::dataset(d.name)) {
        const auto* r = experiment::reader(kind->reader);
        applyKeyEdits(r ? &r->keys : nullptr, m_readerFields->edits(kind->reader), d);
    }
    const auto* arch = experiment::architecture(c.model.arch);
    applyKeyEdits(arch ? &arch->keys : nullptr, m_archFields->edits(c.model.arch), c.model);
    c.model.hidden = m_hidden->value();
    c.model.layers = m_layers->value();
    takeDouble(m_dropout, c.model.dropout);
    c.train.epochs = m_epochs->value();
    takeDouble(m_lr, c.train.lr);
    takeDouble(m_weightDecay, c.train.weightDecay);
    if (m_seeds->value() != static_cast<int>(c.train.effectiveSeeds().size())) {
        c.train.seeds.clear();
        c.train.repeats = m_seeds->value();
    }
    c.train.threads = m_threads->value();
    c.train.batchSize = m_batch->value();
    if (datasetChanged || d.task != m_base.dataset.task)
        c.train.metric = "auto"; // the task's own default metric

    QString error;
    QWidget* field = nullptr;
    // Text a spin box could not take ("-5" epochs) comes first: the value beside it is stale.
    QString note;
    for (const auto& f : m_fields) {
        QString problem, corrected;
        if (auto* spin = dynamic_cast<CheckedSpinBox*>(f.widget))
            problem = spin->problem(), corrected = spin->corrected();
        else if (auto* dspin = dynamic_cast<CheckedDoubleSpinBox*>(f.widget))
            problem = dspin->problem(), corrected = dspin->corrected();
        if (!problem.isEmpty() && error.isEmpty()) {
            error = f.label + ": " + problem;
            field = f.widget;
        }
        if (!corrected.isEmpty() && note.isEmpty())
            note = f.label + ": " + corrected;
    }
    if (error.isEmpty() && c.name.empty()) {
        error = tr("Name: the experiment needs a name (its runs are stored under it)");
        field = m_name;
    }
    if (error.isEmpty())
        try {
            c.steps.clear();
            for (size_t i = 0; i < m_drafts.size(); ++i) {
                const auto& s = m_drafts[i];
                c.steps.push_back(experiment::parseStep(s.kind, s.method, s.values, static_cast<int>(i), "form"));
            }
            experiment::resolveDefaults(c);
        } catch (const InputError& e) {
            error = plainMessage(QString::fromStdString(e.what()), field);
        }
    if (error.isEmpty())
        error = pathProblem(c.dataset, field);
    if (datasetChanged && error.isEmpty()) {
        m_initializing = true;
        select(m_task, c.dataset.task);
        select(m_split, c.dataset.split);
        m_initializing = false;
        m_base.dataset.name = c.dataset.name;
        m_base.dataset.task = c.dataset.task;
        m_base.dataset.split = c.dataset.split;
        m_base.train.metric = c.train.metric;
    }
    highlight(error.isEmpty() ? nullptr : field);
    m_error->setText(error.isEmpty() ? note : error);
    m_error->setStyleSheet(error.isEmpty() ? "color: #b9770e;" : "color: #c0392b;");
    m_error->setVisible(!m_error->text().isEmpty());
    m_summary->setText(tr("Cannot run: %1").arg(error));
    m_summary->setVisible(!error.isEmpty());
    if (error != m_lastError) {
        m_lastError = error;
        Q_EMIT errorChanged(error);
    }
    const bool valid = error.isEmpty();
    if (valid)
        m_current = c;
    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

QString ExperimentPanel::pathProblem(const experiment::DatasetConfig& d, QWidget*& field) const
{
    // Checked here, as one types: the loader leaves files to the reader, which runs after Run.
    const auto* kind = Catalog::dataset(d.name);
    const auto* r = kind ? experiment::reader(kind->reader) : nullptr;
    if (!r || d.path.empty())
        return {};
    const QString path = QString::fromStdString(d.path);
    const QFileInfo info(path);
    QString problem;
    if (!info.exists())
        problem = tr("%1 does not exist").arg(path);
    else if (info.isDir() != r->directory)
        problem = info.isDir() ? tr("%1 is a directory").arg(path) : tr("%1 is a file").arg(path);
    else
        return {};
    field = m_path;
    return tr("Path: %1; expected a %2").arg(problem, QString::fromStdString(r->pathHelp));
}

void ExperimentPanel::setSimplified(bool simplified)
{
    m_simplified = simplified;
    for (auto* w : m_advanced)
        w->setVisible(!simplified);
    m_stepEditor->setSimplified(simplified);
    m_archFields->setSimplified(simplified);
    m_readerFields->setSimplified(simplified);
    updateDatasetRows();
}

QString ExperimentPanel::plainMessage(const QString& message, QWidget*& field) const
{
    field = nullptr;
    // "form:0: key 'compression[0].prune.sparsity': reason" -> the key and the reason.
    const qsizetype k = message.indexOf("key '");
    if (k < 0)
        return message;
    const qsizetype end = message.indexOf("': ", k + 5);
    if (end < 0)
        return message.mid(k);
    const QString key = message.mid(k + 5, end - k - 5), reason = message.mid(end + 3);
    static const QRegularExpression stepKey(R"(^compression\[(\d+)\]\.(\w+)(?:\.(\w+))?$)");
    if (const auto m = stepKey.match(key); m.hasMatch()) {
        const int index = m.captured(1).toInt();
        const auto& kind = m.captured(2);
        QString where = tr("Step %1 (%2").arg(index + 1).arg(kind);
        if (index < stepCount())
            where += " · " + QString::fromStdString(m_drafts[static_cast<size_t>(index)].method);
        where += ")";
        if (const QString name = m.captured(3); !name.isEmpty()) {
            QString label = name;
            if (index < stepCount())
                if (const auto* f = Catalog::field(m_drafts[static_cast<size_t>(index)].kind, name.toStdString()))
                    label = QString::fromStdString(f->label);
            where += ", " + label;
            if (m_stepList->currentRow() == index)
                field = m_stepEditor->field(name.toStdString());
        }
        return where + ": " + reason;
    }
    // An architecture's or reader's own key, in its own section only.
    for (const auto& [section, own] :
        { std::pair { QString("model."), m_archFields }, std::pair { QString("dataset."), m_readerFields } })
        if (key.startsWith(section))
            if (auto* w = own->field(key.mid(section.size()).toStdString())) {
                field = w;
                return own->label(key.mid(section.size()).toStdString()) + ": " + reason;
            }
    for (const auto& f : m_fields)
        if (f.key == key || (key == "train.repeats" && f.key == "train.seeds")) {
            field = f.widget;
            return f.label + ": " + reason;
        }
    return key + ": " + reason;
}

void ExperimentPanel::highlight(QWidget* field)
{
    if (m_highlighted == field)
        return;
    if (m_highlighted)
        m_highlighted->setStyleSheet(QString());
    m_highlighted = field;
    if (field)
        field->setStyleSheet("border: 2px solid #c0392b;");
}

QString ExperimentPanel::saveFile(const QString& path) const
{
    if (!isValid())
        return tr("The experiment has an invalid field: %1").arg(validationMessage());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return path + ": " + file.errorString();
    file.write(QByteArray::fromStdString(experiment::toYaml(config())));
    if (!file.commit())
        return path + ": " + file.errorString();
    return {};
}

QString ExperimentPanel::validationMessage() const
{
    return m_error->text();
}

} // namespace gsq::ui
