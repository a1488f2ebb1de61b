// Fuzz target: the molecule CSV reader (SMILES parsed by RDKit). Input = the CSV file, with the
// columns BBBP uses (`smiles`, `p_np`).
// The reader silences RDKit's own parse messages.
#include "FuzzSupport.h"

#include "core/data/io/MoleculeCsvReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace gsq::fuzz;
    const std::string path = put("molecules.csv", std::string(reinterpret_cast<const char*>(data), size));
    expectCleanOutcome([&] { gsq::core::data::io::MoleculeCsvReader::read(path); });
    return 0;
}
