#pragma once

// Running breakwater-cli as a child process, for the suites that test it as users and scripts
// see it. Header-only: BREAKWATER_CLI is defined per test target (tests/CMakeLists.txt).

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QtGlobal>

namespace breakwater::testing {

struct CliRun {
    /// -1 when it crashed or had to be killed.
    int exitCode = -1;
    QString out;
    QString err;
    qint64 wallMs = 0;
};

/// Runs breakwater-cli with `arguments` and waits for it (killed after `timeoutMs`).
inline CliRun
runCli(const QStringList &arguments,
       const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
       int timeoutMs = 120000)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    QElapsedTimer wall;
    wall.start();
    process.start(QStringLiteral(BREAKWATER_CLI), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        qWarning("breakwater-cli %s timed out", qPrintable(arguments.join(QLatin1Char(' '))));
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError()), wall.elapsed()};
}

/// A file of the source tree (BREAKWATER_SOURCE_DIR, set by CTest).
inline QString sourcePath(const QString &relative)
{
    return qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + QLatin1Char('/') + relative;
}

/// Writes `content` to `name` in `dir` and returns its path.
inline QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(content);
    return path;
}

} // namespace breakwater::testing
