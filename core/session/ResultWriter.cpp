#include "core/session/ResultWriter.h"

#include "core/common/AtomicFile.h"
#include "core/experiment/ConfigYaml.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace gsq::core::session {
namespace {

std::string num(double v)
{
    if (!std::isfinite(v))
        return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string jsonString(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

std::string jsonNumber(double v)
{
    return std::isfinite(v) ? num(v) : "null";
}

} // namespace

const char* ResultWriter::resultsHeader()
{
    return "experiment,dataset,task,model,method,setting,seed,fold,stage,metric,test_value,val_value,nonzero_params,"
           "total_params,train_seconds";
}

std::string ResultWriter::resultsCsv(const RunResult& r)
{
    std::ostringstream o;
    o << resultsHeader()
      << ",size_theoretical_bytes,size_dense_bytes,size_disk_bytes,latency_ms,latency_kind,latency_masked_ms,"
         "target_sparsity,bits,feature_bits,best_epoch,stopped_early,note,deployed_value\n";
    for (const auto& x : r.rows) {
        o << csvField(x.experiment) << ',' << csvField(x.dataset) << ',' << x.task << ',' << csvField(x.model) << ','
          << x.method << ',' << csvField(x.setting) << ',' << x.seed << ',' << x.fold << ',' << x.stage << ','
          << x.metric << ',' << num(x.testValue) << ',' << num(x.valValue) << ',' << x.nonzeroParams << ','
          << x.totalParams << ',' << num(x.trainSeconds) << ',' << x.sizeTheoreticalBytes << ',' << x.sizeDenseBytes
          << ',' << x.sizeDiskBytes << ',' << num(x.latencyMs) << ',' << x.latencyKind << ',' << num(x.latencyDenseMs)
          << ',' << num(x.targetSparsity) << ',' << num(x.bits) << ',' << num(x.featureBits) << ',' << x.bestEpoch
          << ',' << (x.stoppedEarly ? 1 : 0) << ',' << csvField(x.note) << ',' << num(x.deployedValue) << '\n';
    }
    return o.str();
}

std::string ResultWriter::summaryCsv(const RunResult& r)
{
    std::ostringstream o;
    o << "experiment,dataset,task,model,method,setting,stage,metric,mean,std,n,val_mean,val_std,nonzero_params,"
         "total_params,train_seconds,target_sparsity,size_theoretical_bytes,size_dense_bytes,size_disk_bytes,"
         "latency_ms,latency_kind,latency_masked_ms,bits,feature_bits,deployed_mean,deployed_std\n";
    for (const auto& s : r.summary) {
        o << csvField(s.experiment) << ',' << csvField(s.dataset) << ',' << s.task << ',' << csvField(s.model) << ','
          << s.method << ',' << csvField(s.setting) << ',' << s.stage << ',' << s.metric << ',' << num(s.testMean)
          << ',' << num(s.testStd) << ',' << s.n << ',' << num(s.valMean) << ',' << num(s.valStd) << ','
          << num(s.nonzeroParamsMean) << ',' << s.totalParams << ',' << num(s.trainSecondsMean) << ','
          << num(s.targetSparsity) << ',' << num(s.sizeTheoreticalBytesMean) << ',' << s.sizeDenseBytes << ','
          << num(s.sizeDiskBytesMean) << ',' << num(s.latencyMsMean) << ',' << s.latencyKind << ','
          << num(s.latencyDenseMsMean) << ',' << num(s.bitsMean) << ',' << num(s.featureBitsMean) << ','
          << num(s.deployedMean) << ',' << num(s.deployedStd) << '\n';
    }
    return o.str();
}

std::string ResultWriter::layersCsv(const RunResult& r)
{
    std::ostringstream o;
    o << "method,setting,stage,seed,fold,layer,shape,params,nnz,sparsity,bits,disk_bytes,macs\n";
    for (const auto& l : r.layers)
        o << l.method << ',' << csvField(l.setting) << ',' << l.stage << ',' << l.seed << ',' << l.fold << ','
          << csvField(l.layer) << ',' << csvField(l.shape) << ',' << l.params << ',' << l.nnz << ','
          << num(l.sparsity()) << ',' << l.bits << ',' << l.diskBytes << ',' << l.macs << '\n';
    return o.str();
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
        o << ',' << num(l);
    o << '\n';
    for (const auto& layer : layers) {
        o << csvField(layer);
        for (double l : levels) {
            const auto& c = cells[{ layer, l }];
            o << ',' << (c.second ? num(c.first / c.second) : std::string());
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
    o << "],\n  \"total_seconds\": " << jsonNumber(r.totalSeconds) << ",\n  \"warnings\": [";
    for (size_t i = 0; i < r.warnings.size(); ++i)
        o << (i ? ", " : "") << jsonString(r.warnings[i]);
    o << "],\n  \"results\": [\n";
    for (size_t i = 0; i < r.rows.size(); ++i) {
        const auto& x = r.rows[i];
        o << "    {\"seed\": " << x.seed << ", \"fold\": " << x.fold << ", \"stage\": " << jsonString(x.stage)
          << ", \"method\": " << jsonString(x.method) << ", \"setting\": " << jsonString(x.setting)
          << ", \"metric\": " << jsonString(x.metric) << ", \"test\": " << jsonNumber(x.testValue)
          << ", \"val\": " << jsonNumber(x.valValue) << ", \"deployed\": " << jsonNumber(x.deployedValue)
          << ", \"latency_kind\": " << jsonString(x.latencyKind) << ", \"best_epoch\": " << x.bestEpoch
          << ", \"nonzero_params\": " << x.nonzeroParams << ", \"total_params\": " << x.totalParams
          << ", \"train_seconds\": " << jsonNumber(x.trainSeconds) << ", \"test_metrics\": {";
        bool f = true;
        for (const auto& [k, v] : x.testMetrics) {
            o << (f ? "" : ", ") << jsonString(k) << ": " << jsonNumber(v);
            f = false;
        }
        o << "}}" << (i + 1 < r.rows.size() ? "," : "") << "\n";
    }
    o << "  ],\n  \"epochs\": [\n";
    for (size_t i = 0; i < r.histories.size(); ++i) {
        const auto& h = r.histories[i];
        o << "    {\"seed\": " << h.seed << ", \"fold\": " << h.fold << ", \"stage\": " << jsonString(h.stage)
          << ", \"method\": " << jsonString(h.method) << ", \"setting\": " << jsonString(h.setting)
          << ", \"columns\": [\"epoch\", \"loss\", \"train\", \"val\", \"test\", \"val_loss\", \"lr\", \"seconds\"], "
             "\"rows\": [";
        for (size_t k = 0; k < h.epochs.size(); ++k) {
            const auto& e = h.epochs[k];
            o << (k ? ", " : "") << "[" << e.epoch << ", " << jsonNumber(e.loss) << ", " << jsonNumber(e.trainMetric)
              << ", " << jsonNumber(e.valMetric) << ", " << jsonNumber(e.testMetric) << ", " << jsonNumber(e.valLoss)
              << ", " << jsonNumber(e.lr) << ", " << jsonNumber(e.seconds) << "]";
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
    writeFileAtomically(dir + "/run.json", json);
}

} // namespace gsq::core::session
