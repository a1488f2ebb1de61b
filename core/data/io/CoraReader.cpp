#include "core/data/io/CoraReader.h"

#include "core/common/Error.h"
#include "core/data/io/TextFile.h"
#include "core/graph/EdgeIndex.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <sys/stat.h>
#include <unordered_map>

namespace gsq::core::data::io {
namespace {

bool fileExists(const std::string& p)
{
    struct stat st { };
    return ::stat(p.c_str(), &st) == 0;
}

struct Content {
    std::vector<int64_t> paperIds;
    std::vector<std::string> classNames; // per row
    std::vector<uint8_t> features; // rows x F, 0/1
    int64_t numFeatures = 0;
};

Content readContent(const std::string& path)
{
    TextFile file(path);
    Content c;
    std::unordered_map<int64_t, size_t> seen;
    for (size_t i = 0; i < file.lineCount(); ++i) {
        if (trim(file.line(i)).empty()) {
            if (i + 1 == file.lineCount())
                break;
            file.fail(i, "empty line; expected '<paper_id> <features...> <class_name>'");
        }
        auto f = file.fields(i, '\t');
        if (c.paperIds.empty()) {
            if (f.size() < 3)
                file.fail(i,
                    "expected at least 3 tab-separated fields (id, features, class), found "
                        + std::to_string(f.size()));
            c.numFeatures = static_cast<int64_t>(f.size()) - 2;
        } else if (static_cast<int64_t>(f.size()) != c.numFeatures + 2) {
            file.fail(i,
                "expected " + std::to_string(c.numFeatures + 2) + " tab-separated fields (as on line 1), found "
                    + std::to_string(f.size()));
        }
        int64_t id = file.toInt(f[0], i, "paper id");
        if (auto it = seen.find(id); it != seen.end())
            file.fail(i,
                "duplicate paper id " + std::to_string(id) + " (first on line " + std::to_string(it->second + 1) + ")");
        seen.emplace(id, i);
        c.paperIds.push_back(id);
        for (int64_t k = 0; k < c.numFeatures; ++k) {
            std::string_view v = f[static_cast<size_t>(k + 1)];
            if (v == "0")
                c.features.push_back(0);
            else if (v == "1")
                c.features.push_back(1);
            else
                file.fail(i, "feature " + std::to_string(k + 1) + ": expected 0 or 1, found '" + std::string(v) + "'");
        }
        std::string cls(f.back());
        if (cls.empty())
            file.fail(i, "missing class name in the last field");
        c.classNames.push_back(cls);
    }
    return c;
}

struct Planetoid {
    std::vector<int64_t> contentRow; // per planetoid index
    std::vector<int64_t> label;
    std::vector<std::string> className;
    std::vector<std::string> split;
};

Planetoid readPlanetoid(const std::string& path, const Content& content)
{
    TextFile file(path);
    Planetoid p;
    const int64_t n = static_cast<int64_t>(content.paperIds.size());
    std::vector<char> rowUsed(static_cast<size_t>(n), 0);
    for (size_t i = 0; i < file.lineCount(); ++i) {
        std::string_view ln = trim(file.line(i));
        if (ln.empty() || ln.front() == '#')
            continue;
        auto f = file.fields(i, '\t');
        if (f.size() != 7)
            file.fail(i,
                "expected 7 tab-separated fields (planetoid_index paper_id content_row planetoid_label class_name "
                "split interchangeable_with), found "
                    + std::to_string(f.size()));
        int64_t idx = file.toInt(f[0], i, "planetoid_index");
        if (idx != static_cast<int64_t>(p.contentRow.size()))
            file.fail(i,
                "expected planetoid_index " + std::to_string(p.contentRow.size()) + " (rows sorted, no gaps), found "
                    + std::to_string(idx));
        int64_t paper = file.toInt(f[1], i, "paper_id");
        int64_t row = file.toInt(f[2], i, "content_row");
        if (row < 0 || row >= n)
            file.fail(i, "content_row " + std::to_string(row) + " out of range [0, " + std::to_string(n) + ")");
        if (content.paperIds[static_cast<size_t>(row)] != paper)
            file.fail(i,
                "content_row " + std::to_string(row) + " holds paper "
                    + std::to_string(content.paperIds[static_cast<size_t>(row)]) + ", not " + std::to_string(paper));
        if (rowUsed[static_cast<size_t>(row)])
            file.fail(i, "content_row " + std::to_string(row) + " is mapped twice");
        rowUsed[static_cast<size_t>(row)] = 1;
        int64_t label = file.toInt(f[3], i, "planetoid_label");
        if (label < 0)
            file.fail(i, "planetoid_label must be >= 0");
        std::string cls(f[4]);
        if (cls != content.classNames[static_cast<size_t>(row)])
            file.fail(i,
                "class_name '" + cls + "' differs from cora.content ('" + content.classNames[static_cast<size_t>(row)]
                    + "')");
        std::string split(f[5]);
        if (split != "train" && split != "val" && split != "test" && split != "unused")
            file.fail(i, "split must be one of train, val, test, unused; found '" + split + "'");
        p.contentRow.push_back(row);
        p.label.push_back(label);
        p.className.push_back(cls);
        p.split.push_back(split);
    }
    if (static_cast<int64_t>(p.contentRow.size()) != n)
        throw InputError(path, 0,
            "expected " + std::to_string(n) + " rows (one per paper in cora.content), found "
                + std::to_string(p.contentRow.size()));
    return p;
}

/// The citations as edges between node indices (`nodeOfPaper`: paper id -> node), [2, E].
at::Tensor readCitations(const std::string& citesPath, const std::unordered_map<int64_t, int64_t>& nodeOfPaper)
{
    TextFile cites(citesPath);
    std::vector<int64_t> src, dst;
    for (size_t i = 0; i < cites.lineCount(); ++i) {
        if (trim(cites.line(i)).empty()) {
            if (i + 1 == cites.lineCount())
                break;
            cites.fail(i, "empty line; expected '<cited_id> <citing_id>'");
        }
        auto fl = cites.fields(i, '\t');
        if (fl.size() != 2)
            cites.fail(i, "expected 2 tab-separated paper ids, found " + std::to_string(fl.size()) + " fields");
        int64_t a = cites.toInt(fl[0], i, "paper id");
        int64_t b = cites.toInt(fl[1], i, "paper id");
        auto ia = nodeOfPaper.find(a), ib = nodeOfPaper.find(b);
        if (ia == nodeOfPaper.end())
            cites.fail(i, "paper id " + std::to_string(a) + " is not in cora.content");
        if (ib == nodeOfPaper.end())
            cites.fail(i, "paper id " + std::to_string(b) + " is not in cora.content");
        if (ia->second == ib->second)
            continue; // Cora has none; a self citation carries no message
        src.push_back(ia->second);
        dst.push_back(ib->second);
    }
    return torch::stack({ torch::tensor(src, torch::kLong), torch::tensor(dst, torch::kLong) });
}

} // namespace

GraphDataset CoraReader::read(const std::string& directory)
{
    const std::string contentPath = directory + "/cora.content";
    const std::string citesPath = directory + "/cora.cites";
    const std::string planetoidPath = directory + "/cora.planetoid.tsv";

    Content content = readContent(contentPath);
    const int64_t n = static_cast<int64_t>(content.paperIds.size());

    // Node order and labels.
    std::vector<int64_t> rowOfNode(static_cast<size_t>(n));
    std::vector<int64_t> labels(static_cast<size_t>(n));
    GraphDataset ds;
    ds.name = "cora";
    ds.source = directory;
    if (fileExists(planetoidPath)) {
        Planetoid p = readPlanetoid(planetoidPath, content);
        std::map<int64_t, std::string> names;
        for (int64_t i = 0; i < n; ++i) {
            rowOfNode[static_cast<size_t>(i)] = p.contentRow[static_cast<size_t>(i)];
            labels[static_cast<size_t>(i)] = p.label[static_cast<size_t>(i)];
            auto [it, inserted] = names.emplace(p.label[static_cast<size_t>(i)], p.className[static_cast<size_t>(i)]);
            if (!inserted && it->second != p.className[static_cast<size_t>(i)])
                throw InputError(planetoidPath, static_cast<int>(i + 2),
                    "planetoid_label " + std::to_string(it->first) + " names two classes: '" + it->second + "' and '"
                        + p.className[static_cast<size_t>(i)] + "'");
            const std::string& s = p.split[static_cast<size_t>(i)];
            if (s == "train")
                ds.publicTrain.push_back(i);
            else if (s == "val")
                ds.publicVal.push_back(i);
            else if (s == "test")
                ds.publicTest.push_back(i);
        }
        for (auto& [idx, name] : names) {
            if (idx != static_cast<int64_t>(ds.classNames.size()))
                throw InputError(planetoidPath, 0,
                    "planetoid labels must run 0..C-1 without gaps; label " + std::to_string(ds.classNames.size())
                        + " is missing");
            ds.classNames.push_back(name);
        }
    } else {
        std::vector<std::string> sorted = content.classNames;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        ds.classNames = sorted;
        for (int64_t i = 0; i < n; ++i) {
            rowOfNode[static_cast<size_t>(i)] = i;
            labels[static_cast<size_t>(i)]
                = std::lower_bound(sorted.begin(), sorted.end(), content.classNames[static_cast<size_t>(i)])
                - sorted.begin();
        }
    }

    std::unordered_map<int64_t, int64_t> nodeOfPaper;
    std::vector<int64_t> nodeOfRow(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        nodeOfRow[static_cast<size_t>(rowOfNode[static_cast<size_t>(i)])] = i;
    for (int64_t r = 0; r < n; ++r)
        nodeOfPaper.emplace(content.paperIds[static_cast<size_t>(r)], nodeOfRow[static_cast<size_t>(r)]);

    // Features in node order.
    const int64_t f = content.numFeatures;
    auto x = torch::empty({ n, f }, torch::kFloat);
    float* xp = x.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
        const uint8_t* src = content.features.data() + rowOfNode[static_cast<size_t>(i)] * f;
        for (int64_t k = 0; k < f; ++k)
            xp[i * f + k] = src[k];
    }

    // Citations.
    const at::Tensor ei = readCitations(citesPath, nodeOfPaper);

    graph::Graph g;
    g.x = x;
    g.edgeIndex = graph::toUndirected(ei, n);
    g.y = torch::tensor(labels, torch::kLong);
    g.numNodes = n;
    ds.graphs.push_back(std::move(g));
    ds.numFeatures = f;
    ds.numClasses = static_cast<int64_t>(ds.classNames.size());
    return ds;
}

} // namespace gsq::core::data::io
