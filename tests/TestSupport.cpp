#include "TestSupport.h"

#include <QFile>

namespace gsq::test {

std::string writeFile(const QTemporaryDir& dir, const QString& name, const std::string& content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(content.data(), static_cast<qint64>(content.size()));
    return path.toStdString();
}

std::string dataDir()
{
    return GSQ_TEST_DATA_DIR;
}

QString experimentsDir()
{
    return GSQ_TEST_EXPERIMENTS_DIR;
}

QString cliPath()
{
    return GSQ_TEST_CLI;
}

} // namespace gsq::test
