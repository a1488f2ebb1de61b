#pragma once

#include <QString>
#include <QTemporaryDir>
#include <QtGlobal>

#include <algorithm>
#include <string>

namespace gsq::test {

/// Writes `content` to `dir/name` and returns the path.
std::string writeFile(const QTemporaryDir& dir, const QString& name, const std::string& content);

/// Runs `fn`, expects it to throw an exception of type E, and returns its what().
template <class E, class F> std::string messageOf(F&& fn)
{
    try {
        fn();
    } catch (const E& e) {
        return e.what();
    }
    return "<no exception>";
}

/// Root of the bundled datasets in the source tree.
std::string dataDir();
/// resources/experiments in the source tree.
QString experimentsDir();
/// The graphsqueeze-cli executable of this build.
QString cliPath();
/// `ms` times GSQ_TIMEOUT_SCALE (tests/CMakeLists.txt sets it to 5 in the sanitizer build,
/// where a run takes several times longer): every wait for a run or a child process uses it.
inline int scaledTimeout(int ms)
{
    return ms * std::max(1, qEnvironmentVariableIntValue("GSQ_TIMEOUT_SCALE"));
}

} // namespace gsq::test
