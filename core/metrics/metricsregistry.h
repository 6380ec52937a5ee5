#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QtGlobal>
#include <map>
#include <optional>
#include <vector>

namespace breakwater {

/// The three Prometheus metric types Breakwater exposes.
enum class MetricKind { Counter, Gauge, Histogram };

/// One histogram series as seen at one moment; buckets are cumulative, as exposed.
struct HistogramSnapshot {
    /// Upper bounds, ascending, without the implicit +Inf.
    QList<double> bounds;
    /// Observations ≤ each bound, then the +Inf bucket (== count); bounds.size() + 1 entries.
    QList<quint64> cumulative;
    double sum = 0.0;
    quint64 count = 0;
};

/// Counters, gauges and histograms with label sets, rendered in the Prometheus text
/// exposition format 0.0.4. Every method may be called from any thread.
///
/// A family is registered once with its label names; a series is addressed by its label
/// values in the same order. Misuse (unknown family, wrong kind, wrong number of labels, a
/// counter going down) changes nothing and returns false, so a bad call site shows in tests
/// rather than as a malformed scrape.
class MetricsRegistry final {
    struct Series;

public:
    /// One series, found once and then updated without looking it up by name and label
    /// values again (a collector updates the same few series for every call). Valid for the
    /// registry's lifetime; a default-constructed one refers to nothing.
    class SeriesRef {
    public:
        SeriesRef() = default;
        bool isValid() const { return m_series != nullptr; }

    private:
        friend class MetricsRegistry;
        Series *m_series = nullptr;
        std::size_t m_family = 0;
    };

    /// The Content-Type of render()'s output.
    static const QByteArray contentType;

    MetricsRegistry() = default;
    Q_DISABLE_COPY_MOVE(MetricsRegistry)

    /// Registers a counter family (its name should end in `_total`). Re-registering the same
    /// shape is a no-op returning true; a clash or an invalid name returns false.
    bool addCounter(const QString &name, const QString &help, const QStringList &labelNames = {});
    /// Registers a gauge family; same rules as addCounter.
    bool addGauge(const QString &name, const QString &help, const QStringList &labelNames = {});
    /// Registers a histogram family; `bounds` finite and strictly ascending (+Inf is implied).
    bool addHistogram(const QString &name, const QString &help, const QStringList &labelNames,
                      const QList<double> &bounds);

    /// Adds `amount` to a counter (amount ≥ 0) or a gauge (any sign).
    bool increment(const QString &name, const QStringList &labelValues = {}, double amount = 1.0);
    /// Sets a gauge.
    bool set(const QString &name, const QStringList &labelValues, double value);
    /// Records one observation in a histogram.
    bool observe(const QString &name, const QStringList &labelValues, double value);
    /// Creates the series at zero if it does not exist yet, so it is exposed before any event.
    bool touch(const QString &name, const QStringList &labelValues = {});
    /// The series, created at zero if absent; invalid on the same misuse as the calls above.
    SeriesRef series(const QString &name, const QStringList &labelValues = {});
    /// increment() and observe() on a series found before; false on an invalid one or on a
    /// call its kind does not take.
    bool increment(const SeriesRef &series, double amount = 1.0);
    bool observe(const SeriesRef &series, double value);

    /// A counter's or gauge's current value; nullopt if the series does not exist.
    std::optional<double> value(const QString &name, const QStringList &labelValues = {}) const;
    /// A histogram series; nullopt if it does not exist.
    std::optional<HistogramSnapshot> histogram(const QString &name,
                                               const QStringList &labelValues = {}) const;
    /// Whether a family of that name is registered.
    bool contains(const QString &name) const;

    /// The whole registry in the text exposition format 0.0.4, families in registration
    /// order, series sorted by label values.
    QByteArray render() const;

private:
    struct Series {
        double value = 0.0;
        std::vector<quint64> buckets; // per bucket, not cumulative; last is +Inf
        double sum = 0.0;
        quint64 count = 0;
    };
    struct Family {
        QString name;
        QString help;
        MetricKind kind = MetricKind::Counter;
        QStringList labelNames;
        std::vector<double> bounds;
        std::map<QStringList, Series> series;
    };

    bool addFamily(Family family);
    /// The series, created if absent; nullptr on a kind or label-count mismatch.
    Series *seriesFor(const QString &name, const QStringList &labelValues, MetricKind kind,
                      bool anyKind = false);
    const Family *family(const QString &name) const;
    static void record(Series &series, const std::vector<double> &bounds, double value);

    mutable QMutex m_mutex;
    std::vector<Family> m_families;
    QHash<QString, std::size_t> m_index;
};

/// A sample value as the exposition format writes it: "3", "0.25", "+Inf", "NaN".
QByteArray formatMetricValue(double value);
/// Escapes a label value (backslash, double quote, newline).
QByteArray escapeLabelValue(const QString &value);
/// Escapes HELP text (backslash, newline).
QByteArray escapeHelp(const QString &help);

} // namespace breakwater
