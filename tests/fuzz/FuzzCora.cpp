// Fuzz target: the Cora reader. Input = cora.content, then kSeparator and cora.cites, then
// optionally kSeparator and cora.planetoid.tsv.
#include "FuzzSupport.h"

#include "core/data/io/CoraReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace gsq::fuzz;
    const auto parts = splitParts(data, size, 3);
    put("cora.content", parts[0]);
    put("cora.cites", parts.size() > 1 ? parts[1] : std::string());
    if (parts.size() > 2)
        put("cora.planetoid.tsv", parts[2]);
    else
        drop("cora.planetoid.tsv");
    expectCleanOutcome([&] { gsq::core::data::io::CoraReader::read(scratch().string()); });
    return 0;
}
