#include "app/cli/Workers.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/session/JobJournal.h"
#include "core/session/ResultWriter.h"
#include "core/session/Session.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gsq::cli {

namespace fs = std::filesystem;
using namespace gsq::core;

namespace {

/// This binary (the worker processes run it again).
std::string selfPath()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw RunError("cannot find this program's own path (/proc/self/exe) to start worker processes");
    return self.string();
}

/// The last `n` non-empty lines of a file, for a failed worker's message.
std::string tail(const std::string& path, size_t n)
{
    std::ifstream in(path);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        // A progress bar redrawn with '\r' keeps only its last state.
        if (auto cr = line.find_last_of('\r'); cr != std::string::npos)
            line = line.substr(cr + 1);
        if (line.empty())
            continue;
        lines.push_back(line);
        if (lines.size() > n)
            lines.pop_front();
    }
    std::string out;
    for (const auto& l : lines)
        out += "\n  | " + l;
    return out;
}

/// The last line of a worker's log that starts with "error: ", without that prefix.
std::string errorLine(const std::string& path)
{
    std::ifstream in(path);
    std::string found;
    for (std::string line; std::getline(in, line);)
        if (line.rfind("error: ", 0) == 0)
            found = line.substr(7);
    return found;
}

/// A waitpid status as a shell reports it: the exit code, or 128 + the signal.
int exitCode(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string cellName(int job, int jobs)
{
    const int width = static_cast<int>(std::to_string(jobs).size());
    std::ostringstream s;
    s << "job-" << std::setw(width) << std::setfill('0') << (job + 1);
    return s.str();
}

} // namespace

pid_t startProcess(std::vector<std::string> args, const std::string& log, const std::map<std::string, std::string>& env)
{
    std::vector<char*> argv;
    for (auto& s : args)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    std::cout.flush();
    std::cerr.flush();
    const pid_t pid = fork();
    if (pid < 0)
        throw RunError(std::string("cannot start ") + args.front() + ": " + std::strerror(errno));
    if (pid == 0) {
        for (const auto& [name, value] : env)
            setenv(name.c_str(), value.c_str(), 0); // the caller's own setting wins
        if (!log.empty()) {
            const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
                close(fd);
            }
        }
        execv(argv[0], argv.data());
        std::perror(argv[0]);
        _exit(127);
    }
    return pid;
}

int waitForExit(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    return status;
}

results::RunResult mergeCells(const std::string& out, const std::vector<std::string>& cells,
    const std::function<void(results::RunResult&)>& adjust)
{
    if (cells.empty())
        throw InputError("merge", 0, "missing cell directories (graphsqueeze-cli merge OUT CELL_DIR...)");
    std::vector<std::string> journals;
    for (const auto& dir : cells) {
        const std::string j = dir + "/jobs.journal";
        if (!fs::exists(j))
            throw InputError(
                dir, 0, "no jobs.journal here; is it the --out directory of a 'run --cell' that finished?");
        journals.push_back(j);
    }
    session::Journal combined;
    auto result = session::Session::merge(journals, &combined);
    if (adjust) {
        adjust(result);
        combined.environment = result.environment;
    }
    ensureWritableDirectory(out);
    session::ResultWriter::writeAll(out, result);
    // The merged run's own journal (every job, in order), so `report`, `paired` and the app's
    // --show-run read it as they read a run made on one machine. Written beside and renamed, so a
    // failure leaves no half journal.
    {
        const std::string path = out + "/jobs.journal", partial = path + ".tmp-merge";
        session::JobJournal::begin(partial, combined); // the header; the jobs follow one by one
        for (const auto& [index, record] : combined.jobs)
            session::JobJournal::append(partial, record);
        fs::rename(partial, path);
    }
    for (const auto& dir : cells)
        if (fs::is_directory(dir + "/models") && !fs::is_empty(dir + "/models")) {
            fs::create_directories(out + "/models");
            fs::copy(
                dir + "/models", out + "/models", fs::copy_options::overwrite_existing | fs::copy_options::recursive);
            break;
        }
    return result;
}

results::RunResult runWithWorkers(
    const experiment::ExperimentConfig& config, const std::string& out, const WorkerOptions& options)
{
    const auto start = std::chrono::steady_clock::now();
    const int jobs = config.jobCount();
    const int workers = std::max(1, std::min(options.workers, jobs));
    const std::string self = selfPath();
    const std::string cellsDir = out + "/cells";
    if (!options.resume && fs::exists(cellsDir))
        fs::remove_all(cellsDir); // a stopped run's cells, not continued
    fs::create_directories(cellsDir);

    const auto seeds = config.train.effectiveSeeds();
    auto label = [&](int job) {
        return "job " + std::to_string(job + 1) + "/" + std::to_string(jobs) + " (fold "
            + std::to_string(job / static_cast<int>(seeds.size())) + ", seed "
            + std::to_string(seeds[static_cast<size_t>(job) % seeds.size()]) + ")";
    };
    if (!options.quiet)
        std::cerr << "running " << jobs << " job(s) of " << config.name << " in " << workers << " worker processes, "
                  << options.threadsPerWorker << " thread(s) each; cells in " << cellsDir << "\n";

    std::vector<std::string> cells;
    for (int job = 0; job < jobs; ++job)
        cells.push_back(cellsDir + "/" + cellName(job, jobs));
    std::map<pid_t, std::pair<int, std::chrono::steady_clock::time_point>> running;
    int next = 0, finished = 0;
    auto launch = [&](int job) {
        std::vector<std::string> args { self, "run", config.sourceFile, "--out", cells[static_cast<size_t>(job)],
            "--cell", std::to_string(job) + "/" + std::to_string(jobs), "--quiet" };
        for (const auto& o : options.overrides) {
            args.push_back("--set");
            args.push_back(o);
        }
        args.push_back("--set");
        args.push_back("train.threads=" + std::to_string(options.threadsPerWorker));
        if (options.resume)
            args.push_back("--resume");
        fs::create_directories(cells[static_cast<size_t>(job)]);
        const pid_t pid = startProcess(args, cells[static_cast<size_t>(job)] + "/log.txt");
        running.emplace(pid, std::make_pair(job, std::chrono::steady_clock::now()));
    };
    auto stopAll = [&] {
        for (const auto& [pid, job] : running)
            kill(pid, SIGTERM);
        for (const auto& [pid, job] : running)
            waitForExit(pid);
        running.clear();
    };
    while (next < workers)
        launch(next++);
    while (!running.empty()) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        const auto it = running.find(pid);
        if (it == running.end())
            continue; // not one of ours
        const auto [job, began] = it->second;
        running.erase(it);
        const int code = exitCode(status);
        const std::string log = cells[static_cast<size_t>(job)] + "/log.txt";
        if (code != 0) {
            stopAll();
            std::cerr << "worker of " << label(job) << " failed (exit code " << code << "); the end of " << log << ":"
                      << tail(log, 8) << "\n";
            const std::string what = errorLine(log);
            if (code == 2)
                throw InputError("worker of " + label(job), 0, what.empty() ? "refused its input" : what);
            throw RunError(label(job) + ": " + (what.empty() ? "worker exited with code " + std::to_string(code) : what)
                + " (its cell stays in " + cellsDir + "; --resume continues)");
        }
        ++finished;
        if (!options.quiet) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
            std::cerr << "  " << label(job) << " finished in " << std::fixed << std::setprecision(1) << secs << " s ("
                      << finished << "/" << jobs << " done, " << running.size() + (next < jobs ? 1 : 0) << " running)"
                      << std::defaultfloat << "\n";
        }
        if (next < jobs)
            launch(next++);
    }
    auto result = mergeCells(out, cells, [&](results::RunResult& r) {
        r.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        r.environment["workers"] = std::to_string(workers);
    });
    fs::remove_all(cellsDir);
    return result;
}

} // namespace gsq::cli
