#include "exports.h"

#include <QSaveFile>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(u"\""_s, u"\"\""_s);
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

double at(const QList<double> &column, int index)
{
    return index < column.size() ? column[index] : 0.0;
}

} // namespace

QByteArray seriesCsv(const SeriesView &series)
{
    QStringList header = {
        u"t_s"_s,           u"requests"_s,      u"failed"_s,          u"errors"_s,
        u"attempts"_s,      u"retries"_s,       u"short_circuited"_s, u"in_flight"_s,
        u"latency_p50_s"_s, u"latency_p95_s"_s, u"latency_p99_s"_s};
    for (const QString &source : series.sources)
        header.append(u"answers:"_s + source);
    for (const QString &model : series.models) {
        for (const QString &what :
             {u"attempts:"_s, u"successes:"_s, u"errors:"_s, u"error_rate:"_s, u"breaker:"_s})
            header.append(what + model);
    }
    QStringList fields;
    for (const QString &name : std::as_const(header))
        fields.append(csvField(name));
    QByteArray out = fields.join(QLatin1Char(',')).toUtf8() + "\r\n";

    const double step = toSeconds(series.step);
    const QList<double> *columns[] = {&series.requests,  &series.failed,     &series.errors,
                                      &series.attempts,  &series.retries,    &series.shortCircuited,
                                      &series.inFlight,  &series.latencyP50, &series.latencyP95,
                                      &series.latencyP99};
    for (int i = 0; i < series.points; ++i) {
        QStringList row;
        row.append(number(i * step));
        for (const QList<double> *column : columns)
            row.append(number(at(*column, i)));
        for (qsizetype k = 0; k < series.sources.size(); ++k)
            row.append(number(k < series.bySource.size() ? at(series.bySource[k], i) : 0.0));
        for (qsizetype k = 0; k < series.models.size(); ++k) {
            const double attempts =
                k < series.modelAttempts.size() ? at(series.modelAttempts[k], i) : 0.0;
            const double successes =
                k < series.modelSuccesses.size() ? at(series.modelSuccesses[k], i) : 0.0;
            const double errors =
                k < series.modelErrors.size() ? at(series.modelErrors[k], i) : 0.0;
            const double breaker =
                k < series.modelBreaker.size() ? at(series.modelBreaker[k], i) : 0.0;
            row.append(number(attempts));
            row.append(number(successes));
            row.append(number(errors));
            // No outcome in the point, no rate: an empty field, not 0.
            row.append(successes + errors > 0.0 ? number(errors / (successes + errors))
                                                : QString());
            row.append(breakerStateName(breakerStateFromSeverity(breaker)));
        }
        out += row.join(QLatin1Char(',')).toUtf8() + "\r\n";
    }
    return out;
}

bool writeFileAtomically(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = u"%1: cannot write: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace breakwater::ui
