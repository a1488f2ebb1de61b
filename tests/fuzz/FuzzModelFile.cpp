// Fuzz target: the .gsqm model-file parser. The reader checks a CRC-32 of the body before
// parsing, so random bytes would never get past it: this target writes the input's correct
// checksum into its last four bytes first, and the parser behind the check gets every input.
#include "FuzzSupport.h"

#include "core/measure/ModelFile.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (bytes.size() >= 16) {
        const uint32_t crc = gsq::core::measure::crc32(bytes.data(), bytes.size() - 4);
        std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
    }
    gsq::fuzz::expectCleanOutcome([&] { gsq::core::measure::ModelFile::decode(bytes, "fuzz.gsqm"); });
    return 0;
}
