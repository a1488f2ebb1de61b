#pragma once
// Shared by the extension tests: graphsqueeze-cli run in this process (so what a test registers
// is what the command line sees), and files written into a temporary directory.
#include "app/cli/Cli.h"

#include <QTemporaryDir>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace gsq::test {

/// graphsqueeze-cli with `args`, in this process; its exit code, and what it wrote to stderr.
inline int cli(std::vector<std::string> args, std::string* err = nullptr)
{
    args.insert(args.begin(), "graphsqueeze-cli");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const int code = gsq::cli::run(static_cast<int>(args.size()), argv.data());
    std::cerr.rdbuf(old);
    if (err)
        *err = captured.str();
    return code;
}

/// Writes `text` to `dir/name`; its path.
inline std::string write(const QTemporaryDir& dir, const char* name, const std::string& text)
{
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream(path) << text;
    return path;
}

} // namespace gsq::test
