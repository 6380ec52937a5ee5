#include "dashboardapp.h"

#include <QApplication>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    return breakwater::ui::runDashboard(app);
}
