#pragma once

#include "common/clock.h"
#include "config/config.h"
#include "engine/events.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

namespace breakwater {

class EventStream;

/// How the in-process alert rules sample; the thresholds themselves come from AlertPolicy.
struct AlertRuleOptions {
    /// HighErrorRate never fires on fewer sent attempts than this in the window, so that the
    /// first failure of a quiet run is not a 100 % error rate.
    int minAttempts = 10;
    /// How often the window is re-evaluated without traffic, so alerts clear when it empties.
    Millis evaluationInterval{1000};
    /// The window is kept as this many fixed buckets (Hystrix style), so memory is bounded.
    int buckets = 60;
};

/// The rules of resources/prometheus/alerts.yml, evaluated in-process on the injected Clock:
///
/// - HighErrorRate: errors / sent attempts over the window > AlertPolicy::errorRate, with at
///   least AlertRuleOptions::minAttempts attempts in the window. With no attempts in the
///   window the ratio is undefined and the alert is resolved, as Prometheus's 0/0 = NaN
///   compares false. Unlike alerts.yml there is no `for` pending period: it fires on the
///   first evaluation that meets the condition.
/// - AuthFailure: fires on the first `auth` outcome; resolved once the window holds none.
///
/// Counts exactly what `llm_calls_total` counts: attempts actually sent, cancelled ones
/// excluded. The window moves in bucket steps: an attempt counts for between
/// window − window/buckets and window after it finished.
///
/// Connect EventStream::event to record(). Changes are published as AlertChanged on the
/// stream given to the constructor, only when an alert starts or stops firing. Lives in
/// the thread that created it (its Clock timer fires there). The periodic timer is armed
/// only while the window holds attempts or an alert fires, so an idle evaluator leaves a
/// FakeClock without pending timers.
class AlertEvaluator final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertEvaluator)

public:
    AlertEvaluator(AlertPolicy policy, Clock &clock, EventStream &events,
                   AlertRuleOptions options = {}, QObject *parent = nullptr);
    ~AlertEvaluator() override;

    /// The names of the alerts firing now, sorted.
    QStringList firingAlerts() const;
    bool isFiring(const QString &name) const;
    /// Sent attempts in the window now.
    int attemptsInWindow() const;
    /// Failed sent attempts in the window now.
    int errorsInWindow() const;
    /// errorsInWindow() / attemptsInWindow(); 0 when the window is empty.
    double errorRatio() const;

public Q_SLOTS:
    /// Counts an attempt outcome and re-evaluates; other events are ignored.
    void record(const breakwater::EngineEvent &event);
    /// Re-evaluates the rules now (the periodic timer calls this too).
    void evaluate();

private:
    struct Bucket {
        qint64 index = -1;
        int attempts = 0;
        int errors = 0;
        int authErrors = 0;
    };
    struct Totals {
        int attempts = 0;
        int errors = 0;
        int authErrors = 0;
    };

    qint64 bucketIndex(Millis at) const;
    Totals totals() const;
    void setFiring(const QString &name, bool firing, double value, const QString &message);
    QString windowText() const;
    QString rateMessage(const Totals &sum, double ratio, bool enoughAttempts,
                        bool highErrorRate) const;
    QString authMessage(const Totals &sum) const;

    AlertPolicy m_policy;
    Clock &m_clock;
    EventStream &m_events;
    AlertRuleOptions m_options;
    Millis m_bucketWidth{1};
    std::vector<Bucket> m_buckets;
    std::unique_ptr<Timer> m_timer;
    QStringList m_firing;
    QString m_lastAuthModel;
    QString m_lastAuthMessage;
};

} // namespace breakwater
