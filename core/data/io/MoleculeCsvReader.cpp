#include "core/data/io/MoleculeCsvReader.h"

#include "core/common/Error.h"
#include "core/data/io/AtomFeaturizer.h"
#include "core/data/io/TextFile.h"

#include <GraphMol/GraphMol.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <RDGeneral/RDLog.h>

#include <torch/torch.h>

#include <algorithm>
#include <memory>

namespace gsq::core::data::io {

bool MoleculeCsvReader::splitCsvLine(std::string_view line, std::vector<std::string>& fields)
{
    fields.clear();
    std::string cur;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    cur.push_back('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cur.push_back(c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    fields.push_back(cur);
    return !quoted;
}

GraphDataset MoleculeCsvReader::read(const std::string& path, const MoleculeCsvOptions& options)
{
    TextFile file(path);
    std::vector<std::string> header;
    if (!splitCsvLine(file.line(0), header))
        file.fail(0, "unterminated quote in the header");
    auto column = [&](const std::string& name) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
            file.fail(0, "missing column '" + name + "' in the header (found: " + std::string(file.line(0)) + ")");
        return static_cast<size_t>(it - header.begin());
    };
    const size_t smilesCol = column(options.smilesColumn);
    const size_t labelCol = column(options.labelColumn);

    // RDKit reports rejected SMILES on stderr; we report them ourselves, once, with the row.
    RDLog::LogStateSetter silence;

    GraphDataset ds;
    ds.source = path;
    {
        std::string base = path.substr(path.find_last_of('/') + 1);
        ds.name = base.substr(0, base.find_last_of('.'));
        std::transform(
            ds.name.begin(), ds.name.end(), ds.name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    }
    const int64_t numFeatures = options.rawFeatures ? 9 : AtomFeaturizer::kNumFeatures;
    ds.numFeatures = numFeatures;
    int64_t maxLabel = -1;
    std::vector<std::string> fields;
    std::vector<std::string> invalid;
    for (size_t i = 1; i < file.lineCount(); ++i) {
        if (trim(file.line(i)).empty()) {
            if (i + 1 == file.lineCount())
                break;
            file.fail(i, "empty line; expected a CSV record");
        }
        if (!splitCsvLine(file.line(i), fields))
            file.fail(i, "unterminated quote");
        if (fields.size() != header.size())
            file.fail(i,
                "expected " + std::to_string(header.size()) + " comma-separated fields (as in the header), found "
                    + std::to_string(fields.size()));
        int64_t label = file.toInt(fields[labelCol], i, ("label '" + options.labelColumn + "'").c_str());
        if (label < 0)
            file.fail(
                i, "label '" + options.labelColumn + "' must be a class index >= 0, found " + std::to_string(label));
        const std::string& smiles = fields[smilesCol];
        std::unique_ptr<RDKit::RWMol> mol;
        try {
            mol.reset(RDKit::SmilesToMol(smiles));
        } catch (const std::exception&) {
            mol.reset();
        }
        if (!mol || mol->getNumAtoms() == 0) {
            invalid.push_back("line " + std::to_string(i + 1) + " (" + header[0] + " " + fields[0] + ")");
            continue;
        }
        const auto cats
            = options.rawFeatures ? AtomFeaturizer::rawFeatures(*mol) : AtomFeaturizer::atomCategories(*mol);
        const int64_t n = static_cast<int64_t>(cats.size());
        auto x = torch::zeros({ n, numFeatures }, torch::kFloat);
        float* xp = x.data_ptr<float>();
        for (int64_t a = 0; a < n; ++a) {
            int offset = 0;
            for (size_t k = 0; k < 9; ++k) {
                const int v = cats[static_cast<size_t>(a)][k];
                if (options.rawFeatures)
                    xp[a * numFeatures + static_cast<int64_t>(k)] = static_cast<float>(v);
                else
                    xp[a * numFeatures + offset + v] = 1.0f;
                offset += AtomFeaturizer::kCategorySizes[k];
            }
        }
        std::vector<int64_t> src, dst;
        AtomFeaturizer::bonds(*mol, src, dst);
        graph::Graph g;
        g.numNodes = n;
        g.x = x;
        g.edgeIndex
            = torch::stack({ torch::tensor(src, torch::kLong), torch::tensor(dst, torch::kLong) }).view({ 2, -1 });
        g.y = torch::tensor({ label }, torch::kLong);
        ds.graphs.push_back(std::move(g));
        ds.scaffolds.push_back(AtomFeaturizer::murckoScaffold(*mol));
        maxLabel = std::max(maxLabel, label);
    }
    if (ds.graphs.empty())
        throw InputError(path, 0, "no valid molecule: every SMILES was rejected by RDKit or the file has no data rows");
    if (!invalid.empty()) {
        std::string msg = path + ": skipped " + std::to_string(invalid.size()) + " row(s) whose SMILES RDKit rejects: ";
        for (size_t k = 0; k < invalid.size(); ++k)
            msg += (k ? ", " : "") + invalid[k];
        ds.warnings.push_back(msg);
    }
    ds.numClasses = maxLabel + 1;
    for (int64_t c = 0; c < ds.numClasses; ++c)
        ds.classNames.push_back(std::to_string(c));
    return ds;
}

} // namespace gsq::core::data::io
