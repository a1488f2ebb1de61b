#pragma once

#include <string>

namespace gsq::core {

/// Writes `content` to `path` atomically: a temporary file in the same directory is written,
/// flushed and renamed over `path`, so readers never see a half-written file. Throws InputError
/// naming the path and the reason (e.g. "Permission denied") on failure.
void writeFileAtomically(const std::string& path, const std::string& content);

/// Creates `dir` (and parents) when missing and checks that files can be created in it.
/// Throws InputError naming the directory and the reason.
void ensureWritableDirectory(const std::string& dir);

} // namespace gsq::core
