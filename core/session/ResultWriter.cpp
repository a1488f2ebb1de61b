#include "core/session/ResultWriter.h"

#include "core/common/AtomicFile.h"
#include "core/experiment/ConfigYaml.h"
#include "core/results/ResultSchema.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace gsq::core::session {

// Every table is written from the columns declared in core/results/ResultSchema.cpp.
template <class Row> static std::string table(const std::vector<Column<Row>>& columns, const std::vector<Row>& rows)
{
    std::string out = csvHeader(columns) + "\n";
    for (const auto& row : rows)
        out += csvLine(columns, row) + "\n";
    return out;
}

std::string ResultWriter::resultsCsv(const RunResult& r)
{
    return table(resultColumns(), r.rows);
}

std::string ResultWriter::summaryCsv(const RunResult& r)
{
    return table(summaryColumns(), r.summary);
}

std::string ResultWriter::layersCsv(const RunResult& r)
{
    return table(layerColumns(), r.layers);
}

std::string ResultWriter::sensitivityCsv(const RunResult& r)
{
    std::vector<std::string> layers;
    std::vector<double> levels;
    std::map<std::pair<std::string, double>, std::pair<double, int>> cells;
    for (const auto& s : r.sensitivity) {
        if (std::find(layers.begin(), layers.end(), s.layer) == layers.end())
            layers.push_back(s.layer);
        if (std::find(levels.begin(), levels.end(), s.level) == levels.end())
            levels.push_back(s.level);
        auto& c = cells[{ s.layer, s.level }];
        c.first += s.testValue;
        c.second += 1;
    }
    std::ostringstream o;
    o << "layer";
    for (double l : levels)
        o << ',' << formatCell(l);
    o << '\n';
    for (const auto& layer : layers) {
        o << csvField(layer);
        for (double l : levels) {
            const auto& c = cells[{ layer, l }];
            o << ',' << (c.second ? formatCell(c.first / c.second) : std::string());
        }
        o << '\n';
    }
    return o.str();
}

std::string ResultWriter::runJson(const RunResult& r)
{
    std::ostringstream o;
    o << "{\n  \"experiment\": " << jsonString(r.config.name) << ",\n";
    o << "  \"source_file\": " << jsonString(r.config.sourceFile) << ",\n";
    o << "  \"config_yaml\": " << jsonString(experiment::toYaml(r.config)) << ",\n";
    o << "  \"versions\": {";
    bool first = true;
    for (const auto& [k, v] : r.versions) {
        o << (first ? "" : ", ") << jsonString(k) << ": " << jsonString(v);
        first = false;
    }
    o << "},\n  \"environment\": {";
    first = true;
    for (const auto& [k, v] : r.environment) {
        o << (first ? "" : ", ") << jsonString(k) << ": " << jsonString(v);
        first = false;
    }
    o << "},\n  \"seeds\": [";
    auto seeds = r.config.train.effectiveSeeds();
    for (size_t i = 0; i < seeds.size(); ++i)
        o << (i ? ", " : "") << seeds[i];
    o << "],\n  \"total_seconds\": " << jsonCell(r.totalSeconds) << ",\n  \"warnings\": [";
    for (size_t i = 0; i < r.warnings.size(); ++i)
        o << (i ? ", " : "") << jsonString(r.warnings[i]);
    o << "],\n  \"results\": [\n";
    for (size_t i = 0; i < r.rows.size(); ++i) {
        const auto& x = r.rows[i];
        o << "    {";
        for (const auto& c : resultColumns())
            o << jsonString(c.name) << ": " << jsonCell(c.get(x)) << ", ";
        o << "\"test_metrics\": {";
        bool f = true;
        for (const auto& [k, v] : x.testMetrics) {
            o << (f ? "" : ", ") << jsonString(k) << ": " << jsonCell(v);
            f = false;
        }
        o << "}}" << (i + 1 < r.rows.size() ? "," : "") << "\n";
    }
    o << "  ],\n  \"epochs\": [\n";
    for (size_t i = 0; i < r.histories.size(); ++i) {
        const auto& h = r.histories[i];
        o << "    {\"seed\": " << h.seed << ", \"fold\": " << h.fold
          << ", \"stage\": " << jsonString(stageName(h.stage)) << ", \"method\": " << jsonString(h.method)
          << ", \"setting\": " << jsonString(h.setting)
          << ", \"columns\": [\"epoch\", \"loss\", \"train\", \"val\", \"test\", \"val_loss\", \"lr\", \"seconds\"], "
             "\"rows\": [";
        for (size_t k = 0; k < h.epochs.size(); ++k) {
            const auto& e = h.epochs[k];
            o << (k ? ", " : "") << "[" << e.epoch << ", " << jsonCell(e.loss) << ", " << jsonCell(e.trainMetric)
              << ", " << jsonCell(e.valMetric) << ", " << jsonCell(e.testMetric) << ", " << jsonCell(e.valLoss) << ", "
              << jsonCell(e.lr) << ", " << jsonCell(e.seconds) << "]";
        }
        o << "]}" << (i + 1 < r.histories.size() ? "," : "") << "\n";
    }
    o << "  ]\n}\n";
    return o.str();
}

void ResultWriter::writeAll(const std::string& dir, const RunResult& r)
{
    ensureWritableDirectory(dir);
    // Render everything first so a formatting problem cannot leave some files written.
    const std::string results = resultsCsv(r), summary = summaryCsv(r), layers = layersCsv(r), json = runJson(r);
    writeFileAtomically(dir + "/results.csv", results);
    writeFileAtomically(dir + "/summary.csv", summary);
    writeFileAtomically(dir + "/layers.csv", layers);
    if (!r.sensitivity.empty())
        writeFileAtomically(dir + "/sensitivity.csv", sensitivityCsv(r));
    if (!r.robustness.empty())
        writeFileAtomically(dir + "/robustness.csv", table(robustnessColumns(), r.robustness));
    writeFileAtomically(dir + "/run.json", json);
}

} // namespace gsq::core::session
