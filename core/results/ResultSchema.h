#pragma once

#include "core/results/RunResult.h"

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace gsq::core::results {

/// One value of a result column: text, a whole number or a real number (NaN = not measured).
using Cell = std::variant<std::string, int64_t, double>;

enum class ColumnType { Text, Integer, Real };

/// How a column's value came about, so readers know what they are looking at.
enum class Provenance {
    Key, ///< identifies the row (experiment, method, setting, stage, seed, …)
    Config, ///< copied from the experiment (target sparsity, …)
    Counted, ///< counted from the model (parameters, theoretical sizes)
    Measured, ///< measured on this machine and reproducible (accuracy, bytes on disk)
    Timing, ///< wall-clock time: differs between two otherwise identical runs
};

/// One declared column of results.csv (ResultRow), summary.csv (SummaryRow) or layers.csv
/// (LayerRow). The same name is the CSV header, the run.json key and the SQLite column; label
/// and help are what tables and reports show. Every writer and reader loops over these lists,
/// so adding a column is one member in RunResult.h and one entry in ResultSchema.cpp.
template <class Row> struct Column {
    const char* name;
    ColumnType type;
    Provenance provenance;
    const char* unit; ///< "bytes", "ms", "bits", "" (none)
    const char* label; ///< short header for tables (Compare tab, HTML report)
    const char* help; ///< one line: what the value is and how it was obtained
    bool brief; ///< shown in the summary tables of the Compare tab and the HTML report
    /// Value of the column for rows stored before the column existed ("" = NULL, not measured).
    const char* legacyDefault;
    std::function<Cell(const Row&)> get;
    std::function<void(Row&, const Cell&)> set;
};

/// results.csv: one row per (seed, fold, stage), in file order.
const std::vector<Column<ResultRow>>& resultColumns();
/// summary.csv, the run history's summary table and the Compare tab.
const std::vector<Column<SummaryRow>>& summaryColumns();
/// layers.csv (histograms are written to run history only).
const std::vector<Column<LayerRow>>& layerColumns();
/// robustness.csv.
const std::vector<Column<RobustnessRow>>& robustnessColumns();

/// The column called `name` of a list, or nullptr.
template <class Row> const Column<Row>* findColumn(const std::vector<Column<Row>>& columns, const std::string& name)
{
    for (const auto& c : columns)
        if (name == c.name)
            return &c;
    return nullptr;
}

/// A cell as results.csv writes it: numbers with 6 significant digits, "nan"/"inf" spelled out.
std::string formatCell(const Cell& cell);
/// Parses a CSV field into a cell of `type`; throws std::invalid_argument naming the problem.
Cell parseCell(ColumnType type, const std::string& text);
/// A cell as a JSON value (null for non-finite numbers).
std::string jsonCell(const Cell& cell);
/// `s` as a JSON string literal (escapes quotes, backslashes and control bytes).
std::string jsonString(const std::string& s);
/// `s` as one CSV field (quoted when it holds a comma, quote or line break).
std::string csvField(const std::string& s);

/// The header line (no newline) and one data line of a row under `columns`.
template <class Row> std::string csvHeader(const std::vector<Column<Row>>& columns)
{
    std::string out;
    for (const auto& c : columns)
        out += (out.empty() ? "" : ",") + std::string(c.name);
    return out;
}
template <class Row> std::string csvLine(const std::vector<Column<Row>>& columns, const Row& row)
{
    std::string out;
    for (size_t i = 0; i < columns.size(); ++i)
        out += (i ? "," : "") + csvField(formatCell(columns[i].get(row)));
    return out;
}

} // namespace gsq::core::results
