// Fuzz target: the experiment loader. Input = YAML text, then optionally kSeparator and
// `--set key.path=value` overrides, one per line.
#include "FuzzSupport.h"

#include "core/experiment/ConfigYaml.h"

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto parts = gsq::fuzz::splitParts(data, size, 2);
    std::vector<std::string> overrides;
    if (parts.size() > 1) {
        std::istringstream lines(parts[1]);
        for (std::string line; std::getline(lines, line);)
            overrides.push_back(line);
    }
    gsq::fuzz::expectCleanOutcome([&] { gsq::core::experiment::parseExperiment(parts[0], "fuzz.yaml", overrides); });
    return 0;
}
