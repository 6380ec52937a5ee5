#include "metricsregistry.h"

#include <QLocale>
#include <QMutexLocker>
#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

bool isAsciiLetterOrUnderscore(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*` (metric names) or `[a-zA-Z_][a-zA-Z0-9_]*` (label names).
bool isValidName(const QString &name, bool allowColon)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        const bool ok =
            isAsciiLetterOrUnderscore(c) || (allowColon && c == u':') || (i > 0 && isAsciiDigit(c));
        if (!ok)
            return false;
    }
    return true;
}

bool isValidMetricName(const QString &name)
{
    return isValidName(name, /*allowColon=*/true);
}

bool isValidLabelName(const QString &name)
{
    // Names starting with "__" are reserved for Prometheus itself.
    return isValidName(name, /*allowColon=*/false) && !name.startsWith(QLatin1String("__"));
}

QByteArray kindName(MetricKind kind)
{
    switch (kind) {
    case MetricKind::Counter:
        return QByteArrayLiteral("counter");
    case MetricKind::Gauge:
        return QByteArrayLiteral("gauge");
    case MetricKind::Histogram:
        return QByteArrayLiteral("histogram");
    }
    return QByteArrayLiteral("untyped");
}

/// `{a="x",b="y"}`, with an extra trailing pair when given (a histogram's `le`); empty when
/// there is no label at all.
QByteArray labelBlock(const QStringList &names, const QStringList &values,
                      const QByteArray &extraName = {}, const QByteArray &extraValue = {})
{
    if (names.isEmpty() && extraName.isEmpty())
        return {};
    QByteArray block("{");
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            block += ',';
        block += names.at(i).toUtf8() + "=\"" + escapeLabelValue(values.at(i)) + '"';
    }
    if (!extraName.isEmpty()) {
        if (!names.isEmpty())
            block += ',';
        block += extraName + "=\"" + extraValue + '"';
    }
    block += '}';
    return block;
}

} // namespace

const QByteArray MetricsRegistry::contentType =
    QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");

QByteArray formatMetricValue(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    // Whole numbers (every count) print without a fraction or an exponent, up to 2^53 where
    // a double still holds every integer exactly.
    constexpr double kExactIntegers = 9007199254740992.0;
    if (value == std::trunc(value) && std::abs(value) < kExactIntegers)
        return QByteArray::number(static_cast<qint64>(value));
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

QByteArray escapeLabelValue(const QString &value)
{
    QByteArray escaped;
    const QByteArray utf8 = value.toUtf8();
    escaped.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '"')
            escaped += "\\\"";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}

QByteArray escapeHelp(const QString &help)
{
    QByteArray escaped;
    const QByteArray utf8 = help.toUtf8();
    escaped.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}

bool MetricsRegistry::addCounter(const QString &name, const QString &help,
                                 const QStringList &labelNames)
{
    return addFamily(Family{name, help, MetricKind::Counter, labelNames, {}, {}});
}

bool MetricsRegistry::addGauge(const QString &name, const QString &help,
                               const QStringList &labelNames)
{
    return addFamily(Family{name, help, MetricKind::Gauge, labelNames, {}, {}});
}

bool MetricsRegistry::addHistogram(const QString &name, const QString &help,
                                   const QStringList &labelNames, const QList<double> &bounds)
{
    if (bounds.isEmpty())
        return false;
    for (qsizetype i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds.at(i)) || (i > 0 && bounds.at(i) <= bounds.at(i - 1)))
            return false;
    }
    if (labelNames.contains(QLatin1String("le")))
        return false;
    return addFamily(Family{name,
                            help,
                            MetricKind::Histogram,
                            labelNames,
                            std::vector<double>(bounds.cbegin(), bounds.cend()),
                            {}});
}

bool MetricsRegistry::addFamily(Family family)
{
    if (!isValidMetricName(family.name))
        return false;
    for (qsizetype i = 0; i < family.labelNames.size(); ++i) {
        if (!isValidLabelName(family.labelNames.at(i)) ||
            family.labelNames.indexOf(family.labelNames.at(i)) != i)
            return false;
    }
    QMutexLocker lock(&m_mutex);
    if (const auto found = m_index.constFind(family.name); found != m_index.cend()) {
        const Family &existing = m_families.at(*found);
        return existing.kind == family.kind && existing.labelNames == family.labelNames &&
               existing.bounds == family.bounds;
    }
    m_index.insert(family.name, m_families.size());
    m_families.push_back(std::move(family));
    return true;
}

MetricsRegistry::Series *MetricsRegistry::seriesFor(const QString &name,
                                                    const QStringList &labelValues, MetricKind kind,
                                                    bool anyKind)
{
    const auto found = m_index.constFind(name);
    if (found == m_index.cend())
        return nullptr;
    Family &family = m_families.at(*found);
    if ((!anyKind && family.kind != kind) || family.labelNames.size() != labelValues.size())
        return nullptr;
    auto [it, inserted] = family.series.try_emplace(labelValues);
    if (inserted && family.kind == MetricKind::Histogram)
        it->second.buckets.assign(family.bounds.size() + 1, 0);
    return &it->second;
}

const MetricsRegistry::Family *MetricsRegistry::family(const QString &name) const
{
    const auto found = m_index.constFind(name);
    return found == m_index.cend() ? nullptr : &m_families.at(*found);
}

bool MetricsRegistry::increment(const QString &name, const QStringList &labelValues, double amount)
{
    if (std::isnan(amount))
        return false;
    QMutexLocker lock(&m_mutex);
    const Family *target = family(name);
    if (!target || target->kind == MetricKind::Histogram)
        return false;
    if (target->kind == MetricKind::Counter && amount < 0)
        return false;
    Series *series = seriesFor(name, labelValues, target->kind);
    if (!series)
        return false;
    series->value += amount;
    return true;
}

bool MetricsRegistry::set(const QString &name, const QStringList &labelValues, double value)
{
    QMutexLocker lock(&m_mutex);
    Series *series = seriesFor(name, labelValues, MetricKind::Gauge);
    if (!series)
        return false;
    series->value = value;
    return true;
}

bool MetricsRegistry::observe(const QString &name, const QStringList &labelValues, double value)
{
    if (std::isnan(value))
        return false;
    QMutexLocker lock(&m_mutex);
    Series *series = seriesFor(name, labelValues, MetricKind::Histogram);
    if (!series)
        return false;
    record(*series, m_families.at(m_index.value(name)).bounds, value);
    return true;
}

void MetricsRegistry::record(Series &series, const std::vector<double> &bounds, double value)
{
    // The first bucket whose upper bound holds the value ("le" is inclusive).
    const auto bucket = std::lower_bound(bounds.cbegin(), bounds.cend(), value) - bounds.cbegin();
    ++series.buckets.at(static_cast<std::size_t>(bucket));
    series.sum += value;
    ++series.count;
}

bool MetricsRegistry::touch(const QString &name, const QStringList &labelValues)
{
    QMutexLocker lock(&m_mutex);
    return seriesFor(name, labelValues, MetricKind::Counter, /*anyKind=*/true) != nullptr;
}

MetricsRegistry::SeriesRef MetricsRegistry::series(const QString &name,
                                                   const QStringList &labelValues)
{
    QMutexLocker lock(&m_mutex);
    SeriesRef ref;
    ref.m_series = seriesFor(name, labelValues, MetricKind::Counter, /*anyKind=*/true);
    if (ref.m_series)
        ref.m_family = m_index.value(name);
    return ref;
}

bool MetricsRegistry::increment(const SeriesRef &series, double amount)
{
    if (!series.isValid() || std::isnan(amount))
        return false;
    QMutexLocker lock(&m_mutex);
    const MetricKind kind = m_families.at(series.m_family).kind;
    if (kind == MetricKind::Histogram || (kind == MetricKind::Counter && amount < 0))
        return false;
    series.m_series->value += amount;
    return true;
}

bool MetricsRegistry::observe(const SeriesRef &series, double value)
{
    if (!series.isValid() || std::isnan(value))
        return false;
    QMutexLocker lock(&m_mutex);
    const Family &family = m_families.at(series.m_family);
    if (family.kind != MetricKind::Histogram)
        return false;
    record(*series.m_series, family.bounds, value);
    return true;
}

std::optional<double> MetricsRegistry::value(const QString &name,
                                             const QStringList &labelValues) const
{
    QMutexLocker lock(&m_mutex);
    const Family *target = family(name);
    if (!target || target->kind == MetricKind::Histogram)
        return std::nullopt;
    const auto series = target->series.find(labelValues);
    if (series == target->series.cend())
        return std::nullopt;
    return series->second.value;
}

std::optional<HistogramSnapshot> MetricsRegistry::histogram(const QString &name,
                                                            const QStringList &labelValues) const
{
    QMutexLocker lock(&m_mutex);
    const Family *target = family(name);
    if (!target || target->kind != MetricKind::Histogram)
        return std::nullopt;
    const auto series = target->series.find(labelValues);
    if (series == target->series.cend())
        return std::nullopt;
    HistogramSnapshot snapshot;
    snapshot.bounds = QList<double>(target->bounds.cbegin(), target->bounds.cend());
    quint64 running = 0;
    for (const quint64 count : series->second.buckets) {
        running += count;
        snapshot.cumulative.append(running);
    }
    snapshot.sum = series->second.sum;
    snapshot.count = series->second.count;
    return snapshot;
}

bool MetricsRegistry::contains(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return family(name) != nullptr;
}

QByteArray MetricsRegistry::render() const
{
    QMutexLocker lock(&m_mutex);
    QByteArray out;
    for (const Family &family : m_families) {
        const QByteArray name = family.name.toUtf8();
        if (!family.help.isEmpty())
            out += "# HELP " + name + ' ' + escapeHelp(family.help) + '\n';
        out += "# TYPE " + name + ' ' + kindName(family.kind) + '\n';
        for (const auto &[labelValues, series] : family.series) {
            if (family.kind != MetricKind::Histogram) {
                out += name + labelBlock(family.labelNames, labelValues) + ' ' +
                       formatMetricValue(series.value) + '\n';
                continue;
            }
            quint64 running = 0;
            for (std::size_t i = 0; i < series.buckets.size(); ++i) {
                running += series.buckets[i];
                const QByteArray le = i < family.bounds.size() ? formatMetricValue(family.bounds[i])
                                                               : QByteArrayLiteral("+Inf");
                out += name + "_bucket" +
                       labelBlock(family.labelNames, labelValues, QByteArrayLiteral("le"), le) +
                       ' ' + QByteArray::number(running) + '\n';
            }
            const QByteArray labels = labelBlock(family.labelNames, labelValues);
            out += name + "_sum" + labels + ' ' + formatMetricValue(series.sum) + '\n';
            out += name + "_count" + labels + ' ' + QByteArray::number(series.count) + '\n';
        }
    }
    return out;
}

} // namespace breakwater
