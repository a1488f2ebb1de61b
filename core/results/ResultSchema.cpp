#include "core/results/ResultSchema.h"

#include <cmath>
#include <cstdio>
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

} // namespace

const std::vector<Column<ResultRow>>& resultColumns()
{
    using R = ResultRow;
    static const std::vector<Column<R>> columns {
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
    };
    return columns;
}

const std::vector<Column<SummaryRow>>& summaryColumns()
{
    using S = SummaryRow;
    static const std::vector<Column<S>> columns {
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
    };
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
        member("bit_widths", P::Measured, "", "bit-widths",
            "quantized rows per bit-width, bits:rows (weights: output channels; features: rows of the last "
            "evaluation pass)",
            false, &L::bitWidths),
        member("bits_by_degree", P::Measured, "", "bits by in-degree",
            "features: mean learned bits of the nodes per in-degree bucket, degrees:bits", false, &L::bitsByDegree),
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
