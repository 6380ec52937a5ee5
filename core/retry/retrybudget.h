#pragma once

#include "common/clock.h"
#include "retry/retrypolicy.h"

#include <QString>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace breakwater {

/// What a retry budget holds right now.
struct RetryBudgetSnapshot {
    int firstAttempts = 0;
    int retries = 0;
    /// Retries the budget allows in the window as it stands.
    double allowed = 0;
};

/// One model's retry budget (docs/engine.md, "Retry budget"): over a sliding window, retries
/// may not exceed a share of first attempts plus a floor, so a total outage is not
/// multiplied by the retry count (Envoy's retry budgets, gRPC's retry throttling). The
/// window is a ring of buckets, so memory is fixed however many calls go through.
/// Thread-safe: engines in several threads share one budget per model.
class RetryBudget final {
public:
    RetryBudget(const RetryPolicy &policy, Clock &clock);
    RetryBudget(const RetryBudget &) = delete;
    RetryBudget &operator=(const RetryBudget &) = delete;

    /// Counts a first attempt on the model (what retries are measured against).
    void recordFirstAttempt();
    /// Takes one retry from the budget if it allows one now (and counts it); false when the
    /// budget is spent and the call should move on instead. Always true when the policy
    /// turns the budget off.
    bool tryRetry();
    RetryBudgetSnapshot snapshot() const;

private:
    struct Bucket {
        std::int64_t index = -1;
        int firstAttempts = 0;
        int retries = 0;
    };
    Bucket &bucketAt(Millis now);
    RetryBudgetSnapshot totals(Millis now) const;

    const double m_ratio;
    const double m_floorPerWindow;
    const Millis m_bucketWidth;
    Clock &m_clock;
    mutable std::mutex m_mutex;
    std::vector<Bucket> m_buckets;
};

/// One RetryBudget per model label, made on first use with the shared policy. Thread-safe.
class RetryBudgets final {
public:
    RetryBudgets(RetryPolicy policy, Clock &clock);
    RetryBudgets(const RetryBudgets &) = delete;
    RetryBudgets &operator=(const RetryBudgets &) = delete;
    ~RetryBudgets();

    /// The budget of `model`; the reference stays valid for the registry's lifetime.
    RetryBudget &budget(const QString &model);

private:
    RetryPolicy m_policy;
    Clock &m_clock;
    std::mutex m_mutex;
    std::map<QString, std::unique_ptr<RetryBudget>> m_budgets;
};

} // namespace breakwater
