// Where the dashboard's open dialogs start: the installed scenarios and configs
// (<prefix>/share/breakwater/…, cmake/Install.cmake), found beside the executable's bin/ or
// among the XDG data directories, and nowhere in a build tree.
#include "scenariocatalog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

/// Points the XDG data directories at `home` and `dirs` for the life of the object.
class XdgDataDirs {
public:
    XdgDataDirs(const QString &home, const QString &dirs)
        : m_home(qgetenv("XDG_DATA_HOME")), m_dirs(qgetenv("XDG_DATA_DIRS"))
    {
        qputenv("XDG_DATA_HOME", home.toLocal8Bit());
        qputenv("XDG_DATA_DIRS", dirs.toLocal8Bit());
    }
    ~XdgDataDirs()
    {
        qputenv("XDG_DATA_HOME", m_home);
        qputenv("XDG_DATA_DIRS", m_dirs);
    }
    XdgDataDirs(const XdgDataDirs &) = delete;
    XdgDataDirs &operator=(const XdgDataDirs &) = delete;

private:
    QByteArray m_home;
    QByteArray m_dirs;
};

} // namespace

class TestScenarioCatalog final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noInstalledCopyInABuildTree()
    {
        QTemporaryDir home;
        QTemporaryDir system;
        const XdgDataDirs xdg(home.path(), system.path());
        QCOMPARE(installedResourceDir(u"scenarios"_s), QString());
    }

    void findsTheCopyInTheXdgDataDirectories()
    {
        QTemporaryDir home;
        QTemporaryDir local;
        QTemporaryDir system;
        QVERIFY(QDir(system.path()).mkpath(u"breakwater/scenarios"_s));
        QVERIFY(QDir(local.path()).mkpath(u"breakwater/config"_s));
        const XdgDataDirs xdg(home.path(), local.path() + u':' + system.path());
        QCOMPARE(installedResourceDir(u"scenarios"_s), system.path() + u"/breakwater/scenarios"_s);
        QCOMPARE(installedResourceDir(u"config"_s), local.path() + u"/breakwater/config"_s);
    }

    void prefersTheCopyBesideTheExecutable()
    {
        // bin/../share/breakwater/NAME as installed, made beside this test's executable under a
        // name of its own and removed after.
        const QString share = QCoreApplication::applicationDirPath() + u"/../share"_s;
        const bool shareExisted = QDir(share).exists();
        const QString name = u"tst-scenariocatalog-%1"_s.arg(QCoreApplication::applicationPid());
        const QString beside = share + u"/breakwater/"_s + name;
        QVERIFY(QDir().mkpath(beside));
        const QString expected = QFileInfo(beside).canonicalFilePath();
        QTemporaryDir home;
        QTemporaryDir system;
        QVERIFY(QDir(system.path()).mkpath(u"breakwater/"_s + name));
        const XdgDataDirs xdg(home.path(), system.path());
        const QString found = installedResourceDir(name);
        QDir(shareExisted ? beside : share).removeRecursively();
        QCOMPARE(found, expected);
    }
};

QTEST_GUILESS_MAIN(TestScenarioCatalog)
#include "tst_scenariocatalog.moc"
