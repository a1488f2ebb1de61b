#include "core/results/ResultSchema.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <type_traits>

namespace gsq::core::results {
namespace {

using P = Provenance;

/// A column bound to one member of Row; its type follows the member's.
template <class Row, class T>
Column<Row> member(const char* name, P provenance, const char* unit, const char* label, const char* help, bool brief,
    T Row::*m, const char* legacyDefault = "")
{
    ColumnType type = std::is_same_v<T, std::string> || std::is_same_v<T, Stage> ? ColumnType::Text
        : std::is_floating_point_v<T>                                            ? ColumnType::Real
                                                                                 : ColumnType::Integer;
    return { name, type, provenance, unit, label, help, brief, legacyDefault,
        [m](const Row& r) -> Cell {
            if constexpr (std::is_same_v<T, std::string>)
                return r.*m;
            else if constexpr (std::is_same_v<T, Stage>)
                return std::string(stageName(r.*m));
            else if constexpr (std::is_floating_point_v<T>)
                return static_cast<double>(r.*m);
            else
                return static_cast<int64_t>(r.*m);
        },
        [m](Row& r, const Cell& c) {
            if constexpr (std::is_same_v<T, std::string>)
                r.*m = std::get<std::string>(c);
            else if constexpr (std::is_same_v<T, Stage>) {
                const auto stage = parseStage(std::get<std::string>(c));
                if (!stage)
                    throw std::invalid_argument("'" + std::get<std::string>(c) + "' is not a stage");
                r.*m = *stage;
            } else if constexpr (std::is_floating_point_v<T>)
                r.*m = static_cast<T>(std::holds_alternative<double>(c) ? std::get<double>(c)
                                                                        : static_cast<double>(std::get<int64_t>(c)));
            else
                r.*m = static_cast<T>(std::get<int64_t>(c));
        } };
}

constexpr const char* kDiskHelp = "measured: bytes of the saved model file (.gsqm), indices of non-zeros included";
constexpr const char* kFoldedHelp
    = "measured: bytes of the model file with BatchNorm folded into a scale and a shift, the form quantized files "
      "are stored in (compare fp32 and quantized sizes on this column)";
constexpr const char* kTheoreticalHelp = "counted: non-zero values x 4 bytes (no index overhead)";
constexpr const char* kDenseHelp = "counted: every value x 4 bytes (the dense fp32 model)";
constexpr const char* kLatencyHelp
    = "measured: median forward pass over the test data, as deployed (see latency_kind), on this machine";
constexpr const char* kLatencyKindHelp
    = "what latency_ms ran: dense-fp32, dense-structured (the smaller model), sparse-csr (pruned weights skipped) "
      "or wNaK-intLlanes-onednn (N-bit integer weights in oneDNN's int8 GEMM, activations clipped and rounded to "
      "their trained K-bit grid and fed through L-bit lanes, L = 8 or 7 without VNNI; wNaL-dynamic-onednn when "
      "activations are not quantized; message passing stays fp32)";
constexpr const char* kMaskedHelp = "measured: the same model run dense fp32, masked zeros multiplied";
constexpr const char* kBitsHelp = "bits per stored weight: 32 for fp32, the bit-width of quantized models (A2Q: the "
                                  "average over output channels)";
constexpr const char* kFeatureBitsHelp
    = "bits per quantized activation element (A2Q: the average over node groups); 32 = fp32";

constexpr const char* kQuantBitsHelp
    = "the quantize step's configured bit-width (weight sharing: bits per codebook index); 0 when the row's step "
      "does not quantize";
constexpr const char* kTargetBitsHelp = "the average bit-width A2Q's penalty aims at; 0 for methods without a target";
constexpr const char* kObserverHelp
    = "the quantize step's range observer (methods that label it: qat, ptq, weight sharing); empty otherwise";
constexpr const char* kGranularityHelp = "per_tensor or per_channel scales (as observer)";
constexpr const char* kStorageHelp = "the quantize step's file form of the codes: packed, sparse or huffman";
constexpr const char* kStartHelp = "where the quantize step's training started: base (fine-tuning) or init";
constexpr const char* kOptionsHelp
    = "the quantize method's own options where they differ from its defaults, as in setting (e.g. penalty=0.5)";
constexpr const char* kChainHelp
    = "the model the step started from, short (global 0.9 → qat 8b); empty when it started from the trained base";

/// The typed setting and chain columns (RunResult.h), the same in results.csv and summary.csv.
template <class Row> std::vector<Column<Row>> withSettingColumns(std::vector<Column<Row>> columns)
{
    columns.push_back(
        member("quant_bits", P::Config, "bits", "quant bits", kQuantBitsHelp, false, &Row::quantBits, "0"));
    columns.push_back(
        member("target_bits", P::Config, "bits", "target bits", kTargetBitsHelp, false, &Row::targetBits, "0"));
    columns.push_back(member("observer", P::Config, "", "observer", kObserverHelp, false, &Row::observer));
    columns.push_back(member("granularity", P::Config, "", "granularity", kGranularityHelp, false, &Row::granularity));
    columns.push_back(member("storage", P::Config, "", "storage", kStorageHelp, false, &Row::storage));
    columns.push_back(member("start", P::Config, "", "start", kStartHelp, false, &Row::start));
    columns.push_back(member("method_options", P::Config, "", "options", kOptionsHelp, false, &Row::methodOptions));
    columns.push_back(member("chain", P::Key, "", "from", kChainHelp, false, &Row::chain));
    return columns;
}

/// {3: 4, 4: 60} as "3:4 4:60".
std::string widthsText(const std::map<int, int64_t>& widths)
{
    std::string out;
    for (const auto& [bits, rows] : widths)
        out += (out.empty() ? "" : " ") + std::to_string(bits) + ":" + std::to_string(rows);
    return out;
}

/// "3:4 4:60" as {3: 4, 4: 60}; throws std::invalid_argument naming the part that is not bits:rows.
std::map<int, int64_t> parseWidths(const std::string& text)
{
    std::map<int, int64_t> out;
    size_t at = 0;
    while (at < text.size()) {
        const size_t end = std::min(text.find(' ', at), text.size());
        const std::string part = text.substr(at, end - at);
        at = end + 1;
        if (part.empty())
            continue;
        const size_t colon = part.find(':');
        try {
            if (colon == std::string::npos)
                throw std::invalid_argument("no ':'");
            const auto bits = std::get<int64_t>(parseCell(ColumnType::Integer, part.substr(0, colon)));
            const auto rows = std::get<int64_t>(parseCell(ColumnType::Integer, part.substr(colon + 1)));
            if (bits < 1 || bits > 32 || rows < 0 || out.count(static_cast<int>(bits)))
                throw std::invalid_argument("out of range or repeated");
            out[static_cast<int>(bits)] = rows;
        } catch (const std::invalid_argument&) {
            throw std::invalid_argument("'" + part + "' is not bits:rows (bits 1 to 32 once each, rows 0 or more)");
        }
    }
    return out;
}

} // namespace

const std::vector<Column<ResultRow>>& resultColumns()
{
    using R = ResultRow;
    static const std::vector<Column<R>> columns = withSettingColumns(std::vector<Column<R>> {
        member("experiment", P::Key, "", "experiment", "the experiment's name", false, &R::experiment),
        member("dataset", P::Key, "", "dataset", "dataset name", false, &R::dataset),
        member("task", P::Key, "", "task", "node_classification, graph_classification or link_prediction", false,
            &R::task),
        member("model", P::Key, "", "model", "architecture and size, e.g. gcn-2x16", false, &R::model),
        member("method", P::Key, "", "method", "compression method (none for the base model)", false, &R::method),
        member("setting", P::Key, "", "setting", "the step's swept value, e.g. sparsity=0.5", false, &R::setting),
        member("seed", P::Key, "", "seed", "random seed of the job", false, &R::seed),
        member("fold", P::Key, "", "fold", "0-based fold (0 without folds)", false, &R::fold),
        member("stage", P::Key, "", "stage", "base, pruned, finetuned, regularized or quantized", false, &R::stage),
        member("metric", P::Key, "", "metric", "the test metric's name", false, &R::metric),
        member("test_value", P::Measured, "", "test", "test metric of the stage (quantized: the simulated model)",
            false, &R::testValue),
        member("val_value", P::Measured, "", "validation", "validation metric of the stage", false, &R::valValue),
        member("nonzero_params", P::Counted, "", "non-zero params", "non-zero parameters", false, &R::nonzeroParams),
        member("total_params", P::Counted, "", "params", "all parameters", false, &R::totalParams),
        member(
            "train_seconds", P::Timing, "s", "train s", "wall time of the stage's training", false, &R::trainSeconds),
        member("size_theoretical_bytes", P::Counted, "bytes", "nnz bytes (counted)", kTheoreticalHelp, false,
            &R::sizeTheoreticalBytes),
        member("size_dense_bytes", P::Counted, "bytes", "dense bytes (counted)", kDenseHelp, false, &R::sizeDenseBytes),
        member("size_disk_bytes", P::Measured, "bytes", "disk bytes (measured)", kDiskHelp, false, &R::sizeDiskBytes),
        member("size_folded_bytes", P::Measured, "bytes", "folded bytes (measured)", kFoldedHelp, false,
            &R::sizeFoldedBytes),
        member("latency_ms", P::Timing, "ms", "latency ms (measured)", kLatencyHelp, false, &R::latencyMs),
        member("latency_kind", P::Key, "", "latency kind", kLatencyKindHelp, false, &R::latencyKind),
        member("latency_masked_ms", P::Timing, "ms", "fp32/masked latency ms", kMaskedHelp, false, &R::latencyDenseMs),
        member("target_sparsity", P::Config, "", "target sparsity", "requested sparsity of the setting (0 for base)",
            false, &R::targetSparsity),
        member("bits", P::Measured, "bits", "bits", kBitsHelp, false, &R::bits),
        member("feature_bits", P::Measured, "bits", "feature bits", kFeatureBitsHelp, false, &R::featureBits),
        member("best_epoch", P::Measured, "", "best epoch", "epoch whose weights were kept (best by validation)", false,
            &R::bestEpoch),
        member("stopped_early", P::Measured, "", "stopped early", "1 when early stopping ended the stage", false,
            &R::stoppedEarly),
        member("note", P::Measured, "", "note", "e.g. a fully pruned layer", false, &R::note),
        member("deployed_value", P::Measured, "", "deployed",
            "test metric of the model latency_kind describes: for quantized stages the int8 kernels' own "
            "predictions; otherwise the same model as test_value",
            false, &R::deployedValue),
        member("lineage", P::Key, "", "lineage",
            "how the model was made from the trained base, e.g. global sparsity=0.9 → qat bits=8 for a step chained "
            "with from:",
            false, &R::lineage),
    });
    return columns;
}

const std::vector<Column<SummaryRow>>& summaryColumns()
{
    using S = SummaryRow;
    static const std::vector<Column<S>> columns = withSettingColumns(std::vector<Column<S>> {
        member("experiment", P::Key, "", "experiment", "the experiment's name", false, &S::experiment),
        member("dataset", P::Key, "", "dataset", "dataset name", true, &S::dataset),
        member("task", P::Key, "", "task", "node_classification, graph_classification or link_prediction", false,
            &S::task),
        member("model", P::Key, "", "model", "architecture and size", true, &S::model),
        member("method", P::Key, "", "method", "compression method (none for the base model)", true, &S::method),
        member("setting", P::Key, "", "setting", "the step's swept value", true, &S::setting),
        member("stage", P::Key, "", "stage", "base, pruned, finetuned, regularized or quantized", true, &S::stage),
        member("metric", P::Key, "", "metric", "the test metric's name", true, &S::metric),
        member("mean", P::Measured, "", "mean",
            "test metric, mean over seeds and folds (quantized: the fake-quantized, simulated model)", true,
            &S::testMean),
        member(
            "std", P::Measured, "", "std", "sample standard deviation (n - 1) over seeds and folds", true, &S::testStd),
        member("n", P::Key, "", "n", "seeds x folds aggregated", true, &S::n),
        member("val_mean", P::Measured, "", "val mean", "validation metric, mean", false, &S::valMean, ""),
        member("val_std", P::Measured, "", "val std", "validation metric, sample standard deviation", false, &S::valStd,
            ""),
        member("nonzero_params", P::Counted, "", "non-zero params", "non-zero parameters (mean)", true,
            &S::nonzeroParamsMean),
        member("total_params", P::Counted, "", "params", "all parameters", true, &S::totalParams),
        member("train_seconds", P::Timing, "s", "train s", "wall time of the stage's training (mean)", false,
            &S::trainSecondsMean, ""),
        member("target_sparsity", P::Config, "", "target sparsity", "requested sparsity of the setting", false,
            &S::targetSparsity),
        member("size_theoretical_bytes", P::Counted, "bytes", "nnz bytes (counted)", kTheoreticalHelp, true,
            &S::sizeTheoreticalBytesMean),
        member("size_dense_bytes", P::Counted, "bytes", "dense bytes (counted)", kDenseHelp, true, &S::sizeDenseBytes),
        member(
            "size_disk_bytes", P::Measured, "bytes", "disk bytes (measured)", kDiskHelp, true, &S::sizeDiskBytesMean),
        member("size_folded_bytes", P::Measured, "bytes", "folded bytes (measured)", kFoldedHelp, false,
            &S::sizeFoldedBytesMean),
        member("latency_ms", P::Timing, "ms", "latency ms (measured)", kLatencyHelp, true, &S::latencyMsMean),
        member("latency_kind", P::Key, "", "latency kind", kLatencyKindHelp, true, &S::latencyKind),
        member("latency_masked_ms", P::Timing, "ms", "fp32/masked latency ms", kMaskedHelp, true,
            &S::latencyDenseMsMean, ""),
        member("bits", P::Measured, "bits", "bits", kBitsHelp, true, &S::bitsMean, "32"),
        member("feature_bits", P::Measured, "bits", "feature bits", kFeatureBitsHelp, false, &S::featureBitsMean, "32"),
        member("deployed_mean", P::Measured, "", "deployed mean",
            "test metric of the model the latency describes: for quantized rows the int8 kernels' own predictions "
            "(mean is the simulated model's); otherwise the same as mean",
            true, &S::deployedMean, ""),
        member("deployed_std", P::Measured, "", "deployed std", "sample standard deviation of the deployed metric",
            false, &S::deployedStd, ""),
        member("lineage", P::Key, "", "lineage",
            "how the model was made from the trained base, e.g. global sparsity=0.9 → qat bits=8 for a step chained "
            "with from:",
            false, &S::lineage),
    });
    return columns;
}

const std::vector<Column<LayerRow>>& layerColumns()
{
    using L = LayerRow;
    static const std::vector<Column<L>> columns {
        member("method", P::Key, "", "method", "compression method", true, &L::method),
        member("setting", P::Key, "", "setting", "the step's swept value", true, &L::setting),
        member("stage", P::Key, "", "stage", "stage of the row", true, &L::stage),
        member("seed", P::Key, "", "seed", "random seed of the job", false, &L::seed),
        member("fold", P::Key, "", "fold", "0-based fold", false, &L::fold),
        member("kind", P::Key, "", "kind",
            "weight: a weight tensor; features: an A2Q activation point (params = its learned quantizers)", false,
            &L::kind, "weight"),
        member(
            "layer", P::Key, "", "layer", "the weight tensor's module path (features: the point's)", true, &L::layer),
        member("shape", P::Key, "", "shape", "the tensor's shape", true, &L::shape),
        member("params", P::Counted, "", "params", "values in the tensor", true, &L::params),
        member("nnz", P::Counted, "", "non-zero", "non-zero values", true, &L::nnz),
        Column<L> { "sparsity", ColumnType::Real, P::Counted, "", "sparsity", "1 - nnz / params", true, "",
            [](const L& l) -> Cell { return l.sparsity(); }, [](L&, const Cell&) {} },
        member("bits", P::Measured, "bits", "bits", kBitsHelp, true, &L::bits),
        member("disk_bytes", P::Measured, "bytes", "disk bytes", "bytes of this tensor's payload in the model file",
            true, &L::diskBytes),
        member("macs", P::Counted, "", "MACs",
            "multiply-accumulates in one inference forward over the test data (non-zero weights only)", false,
            &L::macs),
        Column<L> { "bit_widths", ColumnType::Text, P::Measured, "", "bit-widths",
            "quantized rows per bit-width, bits:rows (weights: output channels; features: rows of the last "
            "evaluation pass)",
            false, "", [](const L& l) -> Cell { return widthsText(l.bitWidths); },
            [](L& l, const Cell& c) { l.bitWidths = parseWidths(std::get<std::string>(c)); } },
        member("bits_by_degree", P::Measured, "", "bits by in-degree",
            "features: mean learned bits of the nodes per in-degree bucket, degrees:bits", false, &L::bitsByDegree),
    };
    return columns;
}

const std::vector<Column<RobustnessRow>>& robustnessColumns()
{
    using R = RobustnessRow;
    static const std::vector<Column<R>> columns {
        member("seed", P::Key, "", "seed", "random seed of the job", false, &R::seed),
        member("fold", P::Key, "", "fold", "0-based fold (0 without folds)", false, &R::fold),
        member("method", P::Key, "", "method", "compression method of the stage (none for the base model)", true,
            &R::method),
        member("setting", P::Key, "", "setting", "the stage's setting, as in results.csv", true, &R::setting),
        member("stage", P::Key, "", "stage", "base, pruned, finetuned, regularized or quantized", true, &R::stage),
        member("lineage", P::Key, "", "lineage", "how the stage's model was made from the trained base", false,
            &R::lineage),
        member("evaluated", P::Key, "", "evaluated",
            "which model ran: fp32 (dense, or pruned with its zeros) or fake-quant (the simulated quantized model)",
            true, &R::evaluated),
        member("perturbation", P::Key, "", "perturbation",
            "edge_removal, edge_addition, feature_noise, feature_mask, fgsm or pgd", true, &R::perturbation),
        member("strength", P::Config, "", "strength", "as configured, in unit (0: the clean test data)", true,
            &R::strength),
        member("unit", P::Key, "", "unit",
            "fraction of edges, edges per edge, feature std (sigma or L-inf budget over each feature's standard "
            "deviation) or fraction of entries",
            false, &R::unit),
        member("realized", P::Measured, "", "realized",
            "what the perturbation did, in unit: edges changed over the edges there were, the largest change of a "
            "feature over its standard deviation, the noise's standard deviation over the feature's, the fraction "
            "masked",
            false, &R::realized),
        member("metric", P::Key, "", "metric", "the test metric's name", true, &R::metric),
        member("value", P::Measured, "", "value", "the test metric on the perturbed test data", true, &R::value),
    };
    return columns;
}

std::string formatCell(const Cell& cell)
{
    if (const auto* s = std::get_if<std::string>(&cell))
        return *s;
    if (const auto* i = std::get_if<int64_t>(&cell))
        return std::to_string(*i);
    const double v = std::get<double>(cell);
    if (!std::isfinite(v))
        return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

Cell parseCell(ColumnType type, const std::string& text)
{
    if (type == ColumnType::Text)
        return text;
    size_t used = 0;
    try {
        if (type == ColumnType::Integer) {
            const long long v = std::stoll(text, &used);
            if (used == text.size())
                return static_cast<int64_t>(v);
        } else {
            if (text == "nan" || text == "inf" || text == "-inf")
                return text == "nan" ? std::nan("") : (text == "inf" ? HUGE_VAL : -HUGE_VAL);
            const double v = std::stod(text, &used);
            if (used == text.size())
                return v;
        }
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(
        "'" + text + "' is not " + (type == ColumnType::Integer ? "a whole number" : "a number"));
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

std::string jsonCell(const Cell& cell)
{
    if (const auto* s = std::get_if<std::string>(&cell))
        return jsonString(*s);
    if (const auto* d = std::get_if<double>(&cell); d && !std::isfinite(*d))
        return "null";
    return formatCell(cell);
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

} // namespace gsq::core::results
