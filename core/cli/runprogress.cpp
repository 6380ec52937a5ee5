#include "cli/runprogress.h"

#include "breaker/breakerstate.h"
#include "engine/callresult.h"

#include <QStringList>

namespace breakwater::cli {
namespace {

QString clock(double seconds)
{
    const int whole = static_cast<int>(seconds);
    return QStringLiteral("%1:%2")
        .arg(whole / 60, 2, 10, QLatin1Char('0'))
        .arg(whole % 60, 2, 10, QLatin1Char('0'));
}

QString percent(std::int64_t part, std::int64_t whole)
{
    return QStringLiteral("%1 %").arg(
        100.0 * static_cast<double>(part) / static_cast<double>(whole), 0, 'f', 1);
}

} // namespace

QString progressLine(const RecorderSnapshot &snapshot, double durationSeconds)
{
    const RecorderTotals &totals = snapshot.totals;
    QString line = QStringLiteral("%1/%2  %3 req")
                       .arg(clock(snapshot.elapsedSeconds), clock(durationSeconds))
                       .arg(totals.requests);
    if (totals.requests > 0) {
        std::int64_t cache = 0;
        QStringList models;
        for (const SourceFigures &source : snapshot.sources) {
            if (source.source == sources::cache)
                cache = source.answers;
            else if (source.source != sources::degraded && source.answers > 0)
                models.append(QStringLiteral("%1 %2 %")
                                  .arg(source.source)
                                  .arg(100.0 * static_cast<double>(source.answers) /
                                           static_cast<double>(totals.requests),
                                       0, 'f', 0));
        }
        line +=
            QStringLiteral("  model %1  cache %2  degraded %3")
                .arg(percent(totals.answeredByModel, totals.requests),
                     percent(cache, totals.requests), percent(totals.degraded, totals.requests));
        if (totals.failed > 0)
            line += QStringLiteral("  failed %1").arg(percent(totals.failed, totals.requests));
        if (!models.isEmpty())
            line += QStringLiteral("  models: ") + models.join(QStringLiteral(", "));
    }
    QStringList breakers;
    for (const ModelFigures &model : snapshot.models) {
        breakers.append(model.state == BreakerState::Closed
                            ? QStringLiteral("%1 closed").arg(model.model)
                            : QStringLiteral("%1 %2").arg(model.model,
                                                          breakerStateName(model.state).toUpper()));
    }
    line += QStringLiteral("  breakers: ") + breakers.join(QStringLiteral(", "));
    if (!snapshot.firingAlerts.isEmpty())
        line += QStringLiteral("  [! %1]").arg(snapshot.firingAlerts.join(QStringLiteral(", ")));
    return line;
}

} // namespace breakwater::cli
