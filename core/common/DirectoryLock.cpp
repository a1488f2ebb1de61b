#include "core/common/DirectoryLock.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace gsq::core {

DirectoryLock::DirectoryLock(const std::string& dir, const std::string& holder)
{
    ensureWritableDirectory(dir);
    const std::string path = dir + "/.lock";
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0)
        throw InputError(path, 0, std::string("cannot open the run directory's lock: ") + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[512] = {};
        const ssize_t n = ::pread(m_fd, buf, sizeof buf - 1, 0);
        ::close(m_fd);
        m_fd = -1;
        if (err != EWOULDBLOCK)
            throw InputError(path, 0, std::string("cannot lock the run directory: ") + std::strerror(err));
        std::string who(buf, n > 0 ? static_cast<size_t>(n) : 0);
        while (!who.empty() && (who.back() == '\n' || who.back() == '\r'))
            who.pop_back();
        throw InputError(dir, 0,
            "is in use by another run (" + (who.empty() ? std::string("holder unknown") : who)
                + "); wait for it to end or write elsewhere (--out)");
    }
    const std::time_t now = std::time(nullptr);
    char when[32] = {};
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    const std::string text = holder + ", pid " + std::to_string(::getpid()) + ", since " + when + "\n";
    if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        throw InputError(path, 0, std::string("cannot write the run directory's lock: ") + std::strerror(errno));
}

DirectoryLock::~DirectoryLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the flock
}

} // namespace gsq::core
