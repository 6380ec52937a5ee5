#include "alertevaluator.h"

#include "engine/eventstream.h"
#include "metrics/metricnames.h"

#include <algorithm>

namespace breakwater {
namespace {

QString percent(double ratio)
{
    return QString::number(ratio * 100.0, 'f', 1) + QLatin1Char('%');
}

} // namespace

AlertEvaluator::AlertEvaluator(AlertPolicy policy, Clock &clock, EventStream &events,
                               AlertRuleOptions options, QObject *parent)
    : QObject(parent), m_policy(policy), m_clock(clock), m_events(events), m_options(options)
{
    m_options.buckets = std::max(1, m_options.buckets);
    m_options.minAttempts = std::max(1, m_options.minAttempts);
    m_options.evaluationInterval = std::max(Millis(1), m_options.evaluationInterval);
    m_bucketWidth = std::max(Millis(1), m_policy.window / m_options.buckets);
    m_buckets.resize(static_cast<std::size_t>(m_options.buckets));
    m_timer = m_clock.createTimer([this] { evaluate(); });
}

AlertEvaluator::~AlertEvaluator() = default;

qint64 AlertEvaluator::bucketIndex(Millis at) const
{
    return static_cast<qint64>(at.count() / m_bucketWidth.count());
}

AlertEvaluator::Totals AlertEvaluator::totals() const
{
    // A bucket counts while its index is one of the last `buckets` indexes; older slots
    // still hold stale numbers until they are reused, so they are skipped, not summed.
    const qint64 newest = bucketIndex(m_clock.now());
    const qint64 oldest = newest - static_cast<qint64>(m_buckets.size()) + 1;
    Totals sum;
    for (const Bucket &bucket : m_buckets) {
        if (bucket.index < oldest || bucket.index > newest)
            continue;
        sum.attempts += bucket.attempts;
        sum.errors += bucket.errors;
        sum.authErrors += bucket.authErrors;
    }
    return sum;
}

int AlertEvaluator::attemptsInWindow() const
{
    return totals().attempts;
}

int AlertEvaluator::errorsInWindow() const
{
    return totals().errors;
}

double AlertEvaluator::errorRatio() const
{
    const Totals sum = totals();
    return sum.attempts == 0 ? 0.0 : static_cast<double>(sum.errors) / sum.attempts;
}

QStringList AlertEvaluator::firingAlerts() const
{
    return m_firing;
}

bool AlertEvaluator::isFiring(const QString &name) const
{
    return m_firing.contains(name);
}

void AlertEvaluator::record(const EngineEvent &event)
{
    const auto *finished = std::get_if<AttemptFinished>(&event);
    if (!finished)
        return;
    // Only attempts that reached a provider, as llm_calls_total counts them.
    const Outcome outcome = finished->outcome;
    if (outcome == Outcome::Cancelled || outcome == Outcome::ShortCircuited ||
        outcome == Outcome::BulkheadFull)
        return;

    const qint64 index = bucketIndex(m_clock.now());
    Bucket &bucket =
        m_buckets[static_cast<std::size_t>(index % static_cast<qint64>(m_buckets.size()))];
    if (bucket.index != index)
        bucket = Bucket{index, 0, 0, 0};
    ++bucket.attempts;
    if (outcome != Outcome::Success)
        ++bucket.errors;
    if (outcome == Outcome::Auth) {
        ++bucket.authErrors;
        m_lastAuthModel = finished->model;
        m_lastAuthMessage = finished->message;
    }
    evaluate();
}

void AlertEvaluator::evaluate()
{
    const Totals sum = totals();
    const double ratio = sum.attempts == 0 ? 0.0 : static_cast<double>(sum.errors) / sum.attempts;
    const bool enoughAttempts = sum.attempts >= m_options.minAttempts;
    const bool highErrorRate = enoughAttempts && ratio > m_policy.errorRate;
    const bool authFailure = sum.authErrors > 0;
    // This runs for every attempt: the messages are only written when an alert changes.
    if (isFiring(alertnames::highErrorRate) != highErrorRate)
        setFiring(alertnames::highErrorRate, highErrorRate, ratio,
                  rateMessage(sum, ratio, enoughAttempts, highErrorRate));
    if (isFiring(alertnames::authFailure) != authFailure)
        setFiring(alertnames::authFailure, authFailure, sum.authErrors, authMessage(sum));

    // Keep re-evaluating only while something can still change without new traffic.
    const bool needed = sum.attempts > 0 || !m_firing.isEmpty();
    if (needed && !m_timer->isActive())
        m_timer->start(m_options.evaluationInterval);
    else if (!needed)
        m_timer->stop();
}

QString AlertEvaluator::windowText() const
{
    return QString::number(toSeconds(m_policy.window)) + QStringLiteral(" s");
}

QString AlertEvaluator::rateMessage(const Totals &sum, double ratio, bool enoughAttempts,
                                    bool highErrorRate) const
{
    if (sum.attempts == 0)
        return QStringLiteral("no attempts in the last %1").arg(windowText());
    QString message =
        QStringLiteral("error rate %1 (%2 of %3 attempts) in the last %4 is %5 %6")
            .arg(percent(ratio))
            .arg(sum.errors)
            .arg(sum.attempts)
            .arg(windowText(),
                 highErrorRate ? QStringLiteral("above") : QStringLiteral("at or below"),
                 percent(m_policy.errorRate));
    if (!enoughAttempts && ratio > m_policy.errorRate)
        message +=
            QStringLiteral(", but below the minimum of %1 attempts").arg(m_options.minAttempts);
    return message;
}

QString AlertEvaluator::authMessage(const Totals &sum) const
{
    if (sum.authErrors == 0)
        return QStringLiteral("no authentication failure in the last %1").arg(windowText());
    QString message = QStringLiteral("%1 authentication failure(s) in the last %2, latest on %3")
                          .arg(sum.authErrors)
                          .arg(windowText(), m_lastAuthModel);
    if (!m_lastAuthMessage.isEmpty())
        message += QStringLiteral(": ") + m_lastAuthMessage;
    return message;
}

void AlertEvaluator::setFiring(const QString &name, bool firing, double value,
                               const QString &message)
{
    if (m_firing.contains(name) == firing)
        return;
    if (firing) {
        m_firing.append(name);
        m_firing.sort();
    } else {
        m_firing.removeAll(name);
    }
    m_events.publish(AlertChanged{m_clock.now(), name, firing, value, message});
}

} // namespace breakwater
