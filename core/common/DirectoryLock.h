#pragma once

#include <string>

namespace gsq::core {

/// An exclusive claim on a run directory while one process writes it: `DIR/.lock`, held with
/// flock(2) for the life of this object. A second claim on the same directory, from any process,
/// is refused with an InputError naming the holder (what the file says: its command, pid and
/// start time). The kernel drops the claim when the holder exits, however it ends, so the
/// directory a killed run left is simply taken over by the next run. The file itself stays
/// (removing it could let two runs hold two different files of the same name).
class DirectoryLock {
public:
    /// Creates `dir` when missing. `holder` says who claims it ("graphsqueeze-cli run x.yaml").
    DirectoryLock(const std::string& dir, const std::string& holder);
    ~DirectoryLock();
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

private:
    int m_fd = -1;
};

} // namespace gsq::core
