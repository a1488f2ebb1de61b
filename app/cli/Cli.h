#pragma once

/// graphsqueeze-cli as a function: main.cpp calls it, and tests call it in-process (so a method,
/// architecture or reader a test registers runs from YAML through the real command line).
namespace gsq::cli {

/// Runs one command line (argv[0] is the program name); returns the process exit code: 0, 1 when
/// a run failed, 2 for bad input. Writes to std::cout and std::cerr.
int run(int argc, char** argv);

} // namespace gsq::cli
