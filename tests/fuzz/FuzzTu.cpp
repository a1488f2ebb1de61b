// Fuzz target: the TU-format reader. Input = X_A.txt, X_graph_indicator.txt,
// X_graph_labels.txt, then optionally X_node_labels.txt and X_node_attributes.txt (node
// attributes read as features when present), separated by kSeparator.
#include "FuzzSupport.h"

#include "core/data/io/TuReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace gsq::fuzz;
    const auto parts = splitParts(data, size, 5);
    const char* files[]
        = { "X_A.txt", "X_graph_indicator.txt", "X_graph_labels.txt", "X_node_labels.txt", "X_node_attributes.txt" };
    for (size_t i = 0; i < 5; ++i) {
        if (i < parts.size())
            put(files[i], parts[i]);
        else if (i >= 3)
            drop(files[i]);
        else
            put(files[i], "");
    }
    gsq::core::data::io::TuReadOptions options;
    options.useNodeAttributes = parts.size() > 4;
    expectCleanOutcome([&] { gsq::core::data::io::TuReader::read(scratch().string(), "X", options); });
    return 0;
}
