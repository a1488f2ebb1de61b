#include "core/session/JobJournal.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/experiment/ConfigYaml.h"
#include "core/results/ResultSchema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

namespace gsq::core::session {
namespace {

using namespace results;

constexpr const char* kMagic = "graphsqueeze-journal 1";

/// Text with tabs, line breaks and backslashes escaped, so every field fits one tab-separated line.
std::string escape(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out;
}

std::string unescape(const std::string& s)
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char n = s[++i];
        out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
    }
    return out;
}

/// Numbers exactly: 17 significant digits read back to the same double.
std::string exact(double v)
{
    if (!std::isfinite(v))
        return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string exactCell(const Cell& c)
{
    if (const auto* d = std::get_if<double>(&c))
        return exact(*d);
    if (const auto* s = std::get_if<std::string>(&c))
        return escape(*s);
    return std::to_string(std::get<int64_t>(c));
}

template <class Row> std::string schemaFields(const std::vector<Column<Row>>& columns, const Row& row)
{
    std::string out;
    for (const auto& c : columns)
        out += "\t" + exactCell(c.get(row));
    return out;
}

std::vector<std::string> splitTabs(const std::string& line)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        const size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos)
            return out;
        start = tab + 1;
    }
}

std::string blockOf(const JobRecord& r)
{
    std::ostringstream o;
    o << "job\t" << r.job << "\t" << r.seed << "\t" << r.fold << "\n";
    for (const auto& row : r.rows) {
        o << "row" << schemaFields(resultColumns(), row) << "\t" << exact(row.trainSeconds) << "\n";
        for (const auto& [name, v] : row.testMetrics)
            o << "metric\t" << escape(name) << "\t" << exact(v) << "\n";
    }
    for (const auto& l : r.layers) {
        o << "layer" << schemaFields(layerColumns(), l) << "\t" << exact(l.histLo) << "\t" << exact(l.histHi) << "\t";
        for (size_t i = 0; i < l.histCounts.size(); ++i)
            o << (i ? "," : "") << l.histCounts[i];
        o << "\n";
    }
    for (const auto& h : r.histories) {
        o << "history\t" << h.seed << "\t" << h.fold << "\t" << stageName(h.stage) << "\t" << escape(h.setting) << "\t"
          << escape(h.method) << "\n";
        for (const auto& e : h.epochs)
            o << "epoch\t" << e.epoch << "\t" << exact(e.loss) << "\t" << exact(e.trainMetric) << "\t"
              << exact(e.valMetric) << "\t" << exact(e.testMetric) << "\t" << exact(e.valLoss) << "\t" << exact(e.lr)
              << "\t" << exact(e.seconds) << "\n";
    }
    for (const auto& s : r.sensitivity)
        o << "sensitivity\t" << s.seed << "\t" << s.fold << "\t" << escape(s.layer) << "\t" << exact(s.level) << "\t"
          << exact(s.testValue) << "\n";
    for (const auto& w : r.warnings)
        o << "warning\t" << escape(w) << "\n";
    for (const auto& x : r.robustness)
        o << "robustness" << schemaFields(robustnessColumns(), x) << "\n";
    o << "end\t" << r.job << "\n";
    return o.str();
}

/// Reads the fields of one tab-separated line against a schema, starting at field `first`.
template <class Row>
void readSchema(const std::vector<Column<Row>>& columns, const std::vector<std::string>& f, size_t first, Row& row,
    size_t count = SIZE_MAX)
{
    for (size_t i = 0; i < std::min(count, columns.size()); ++i) {
        const auto& c = columns[i];
        const std::string text = c.type == ColumnType::Text ? unescape(f[first + i]) : f[first + i];
        try {
            c.set(row, parseCell(c.type, text));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("column ") + c.name + ": " + e.what());
        }
    }
}

double number(const std::string& s)
{
    return std::get<double>(parseCell(ColumnType::Real, s));
}

int64_t whole(const std::string& s)
{
    return std::get<int64_t>(parseCell(ColumnType::Integer, s));
}

/// One journal line split into its fields, for messages at its line.
struct JournalLine {
    const std::string& path;
    int lineNo;
    std::vector<std::string> f;

    [[noreturn]] void fail(const std::string& what) const { throw InputError(path, lineNo, what); }
    void need(size_t n) const
    {
        if (f.size() != n)
            fail("'" + f[0] + "' line has " + std::to_string(f.size()) + " fields, expected " + std::to_string(n));
    }
};

/// A line inside a job block: a row and its metrics, a layer, a history and its epochs, a
/// sensitivity point or a warning.
void readJobLine(const JournalLine& line, JobRecord& current)
{
    const auto& f = line.f;
    const std::string& kind = f[0];
    if (kind == "row") {
        // Journals written before the last columns existed (lineage, then the typed setting and
        // chain) have fewer fields: those columns keep their defaults, a lineage is the method
        // and setting (no chains were run then).
        static const size_t lineage
            = static_cast<size_t>(findColumn(resultColumns(), "lineage") - resultColumns().data());
        const size_t columns = f.size() >= 2 ? f.size() - 2 : 0;
        if (columns < lineage || columns > resultColumns().size())
            line.need(resultColumns().size() + 2);
        ResultRow row;
        readSchema(resultColumns(), f, 1, row, columns);
        if (columns <= lineage && row.method != "none")
            row.lineage = results::settingKey(row.method, row.setting);
        row.trainSeconds = number(f.back());
        current.rows.push_back(row);
    } else if (kind == "metric") {
        line.need(3);
        if (current.rows.empty())
            line.fail("'metric' line before any row");
        current.rows.back().testMetrics[unescape(f[1])] = number(f[2]);
    } else if (kind == "layer") {
        line.need(layerColumns().size() + 4);
        LayerRow l;
        readSchema(layerColumns(), f, 1, l);
        const size_t h = layerColumns().size() + 1;
        l.histLo = number(f[h]);
        l.histHi = number(f[h + 1]);
        std::stringstream counts(f[h + 2]);
        for (std::string c; std::getline(counts, c, ',');)
            l.histCounts.push_back(whole(c));
        current.layers.push_back(l);
    } else if (kind == "history") {
        line.need(6);
        JobHistory h;
        h.seed = whole(f[1]);
        h.fold = static_cast<int>(whole(f[2]));
        const auto stage = parseStage(f[3]);
        if (!stage)
            line.fail("unknown stage '" + f[3] + "'");
        h.stage = *stage;
        h.setting = unescape(f[4]);
        h.method = unescape(f[5]);
        current.histories.push_back(h);
    } else if (kind == "epoch") {
        line.need(9);
        if (current.histories.empty())
            line.fail("'epoch' line before any history");
        EpochPoint e;
        e.epoch = static_cast<int>(whole(f[1]));
        e.loss = number(f[2]);
        e.trainMetric = number(f[3]);
        e.valMetric = number(f[4]);
        e.testMetric = number(f[5]);
        e.valLoss = number(f[6]);
        e.lr = number(f[7]);
        e.seconds = number(f[8]);
        current.histories.back().epochs.push_back(e);
    } else if (kind == "sensitivity") {
        line.need(6);
        SensitivityRow s;
        s.seed = whole(f[1]);
        s.fold = static_cast<int>(whole(f[2]));
        s.layer = unescape(f[3]);
        s.level = number(f[4]);
        s.testValue = number(f[5]);
        current.sensitivity.push_back(s);
    } else if (kind == "warning") {
        line.need(2);
        current.warnings.push_back(unescape(f[1]));
    } else if (kind == "robustness") {
        line.need(robustnessColumns().size() + 1);
        RobustnessRow x;
        readSchema(robustnessColumns(), f, 1, x);
        current.robustness.push_back(x);
    } else {
        line.fail("unknown line kind '" + kind + "'");
    }
}

} // namespace

std::string JobJournal::canonicalYaml(const experiment::ExperimentConfig& config)
{
    return experiment::toYaml(config);
}

void JobJournal::begin(const std::string& path, const Journal& header)
{
    std::ostringstream o;
    o << kMagic << "\n";
    o << "config\t" << escape(header.configYaml) << "\n";
    o << "jobs\t" << header.totalJobs << "\n";
    for (const auto& [k, v] : header.environment)
        o << "environment\t" << escape(k) << "\t" << escape(v) << "\n";
    for (const auto& w : header.warnings)
        o << "run_warning\t" << escape(w) << "\n";
    writeFileAtomically(path, o.str());
}

void JobJournal::append(const std::string& path, const JobRecord& record)
{
    const std::string block = blockOf(record);
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        throw RunError(path + ": cannot append to the journal: " + std::strerror(errno));
    size_t done = 0;
    while (done < block.size()) {
        const ssize_t n = ::write(fd, block.data() + done, block.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            throw RunError(path + ": cannot append to the journal: " + why);
        }
        done += static_cast<size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
}

Journal JobJournal::read(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, 0, "cannot open the journal: " + std::string(std::strerror(errno)));
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A kill in the middle of an append leaves a partial last line: drop it with its block.
    content.resize(content.rfind('\n') == std::string::npos ? 0 : content.rfind('\n') + 1);
    std::istringstream lines(content);
    Journal j;
    std::string line;
    int lineNo = 0;
    JobRecord current;
    bool inJob = false;
    auto fail = [&](const std::string& what) { throw InputError(path, lineNo, what); };
    size_t offset = 0;
    while (std::getline(lines, line)) {
        ++lineNo;
        offset += line.size() + 1;
        if (lineNo == 1) {
            if (line != kMagic)
                fail("not a GraphSqueeze journal (expected '" + std::string(kMagic) + "')");
            j.completeBytes = offset;
            continue;
        }
        const JournalLine parsed { path, lineNo, splitTabs(line) };
        const auto& f = parsed.f;
        const std::string& kind = f[0];
        try {
            if (kind == "config") {
                parsed.need(2);
                j.configYaml = unescape(f[1]);
            } else if (kind == "jobs") {
                parsed.need(2);
                j.totalJobs = static_cast<int>(whole(f[1]));
            } else if (kind == "environment") {
                parsed.need(3);
                j.environment[unescape(f[1])] = unescape(f[2]);
            } else if (kind == "run_warning") {
                parsed.need(2);
                j.warnings.push_back(unescape(f[1]));
            } else if (kind == "job") {
                parsed.need(4);
                current = JobRecord {};
                current.job = static_cast<int>(whole(f[1]));
                current.seed = whole(f[2]);
                current.fold = static_cast<int>(whole(f[3]));
                inJob = true;
            } else if (!inJob) {
                fail("'" + kind + "' line outside a job block");
            } else if (kind == "end") {
                parsed.need(2);
                if (whole(f[1]) != current.job)
                    fail("'end' of job " + f[1] + " inside job " + std::to_string(current.job));
                j.jobs[current.job] = current;
                inJob = false;
            } else {
                readJobLine(parsed, current);
            }
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        if (!inJob)
            j.completeBytes = offset; // the header, or a job's closing line
    }
    if (lineNo == 0)
        throw InputError(path, 0, "the journal is empty");
    // A block without its 'end' line was cut off by a kill: that job runs again.
    return j;
}

Journal JobJournal::reopen(const std::string& path)
{
    Journal j = read(path);
    if (std::filesystem::file_size(path) != j.completeBytes)
        std::filesystem::resize_file(path, j.completeBytes);
    return j;
}

} // namespace gsq::core::session
