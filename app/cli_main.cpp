#include "cli/cli.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("breakwater-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BREAKWATER_VERSION));
    return breakwater::cli::run(QCoreApplication::arguments().mid(1));
}
