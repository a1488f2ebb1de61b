#pragma once
// Shared by the fuzz targets (tests/fuzz/Fuzz*.cpp): one input split into the files a reader
// needs, a scratch directory per process, and the contract every target checks.
//
// The contract: a reader given any bytes either succeeds or throws InputError whose message is
// terminal-safe (core/common/Error.h's printable()). Any other exception, a crash, a leak, a
// hang or a sanitizer report is a finding: the target aborts so libFuzzer keeps the input.

#include "core/common/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace gsq::fuzz {

/// The separator between the parts of one input ("a file, then the next").
inline const std::string kSeparator = "\n---8<---\n";

/// `data` cut at every kSeparator; at least one part, at most `maxParts` (the rest stays in the last).
inline std::vector<std::string> splitParts(const uint8_t* data, size_t size, size_t maxParts)
{
    const std::string all(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> parts;
    size_t from = 0;
    while (parts.size() + 1 < maxParts) {
        const size_t at = all.find(kSeparator, from);
        if (at == std::string::npos)
            break;
        parts.push_back(all.substr(from, at - from));
        from = at + kSeparator.size();
    }
    parts.push_back(all.substr(from));
    return parts;
}

/// A scratch directory of this process (removed at exit).
inline const std::filesystem::path& scratch()
{
    static const std::filesystem::path dir = [] {
        std::string tmpl = (std::filesystem::temp_directory_path() / "gsq-fuzz-XXXXXX").string();
        if (!mkdtemp(tmpl.data()))
            std::abort();
        std::atexit([] { std::filesystem::remove_all(scratch()); });
        return std::filesystem::path(tmpl);
    }();
    return dir;
}

/// Writes `content` to scratch()/name (replacing it) and returns the path.
inline std::string put(const std::string& name, const std::string& content)
{
    const auto path = scratch() / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return path.string();
}

/// Removes scratch()/name if present (an optional file the input does not provide).
inline void drop(const std::string& name)
{
    std::filesystem::remove(scratch() / name);
}

[[noreturn]] inline void finding(const char* what, const std::string& message)
{
    std::fprintf(stderr, "\nFUZZ FINDING: %s: %s\n", what, message.c_str());
    std::fflush(stderr);
    std::abort();
}

/// Runs `read` and checks the contract.
template <class F> void expectCleanOutcome(F&& read)
{
    try {
        read();
    } catch (const core::InputError& e) {
        const std::string m = e.what();
        if (m.empty() || core::printable(m) != m)
            finding("InputError message is empty or not terminal-safe", core::printable(m));
    } catch (const std::exception& e) {
        finding("an exception other than InputError escaped", core::printable(e.what()));
    }
}

} // namespace gsq::fuzz
