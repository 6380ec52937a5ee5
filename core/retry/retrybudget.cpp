#include "retrybudget.h"

#include <algorithm>

namespace breakwater {
namespace {

/// The window is cut into this many buckets: a retry denied or allowed "over the last 10 s"
/// is exact to a tenth of the window.
constexpr int kBuckets = 10;

using Lock = std::lock_guard<std::mutex>;

} // namespace

RetryBudget::RetryBudget(const RetryPolicy &policy, Clock &clock)
    : m_ratio(policy.budgetRatio),
      m_floorPerWindow(policy.budgetMinPerSecond * toSeconds(policy.budgetWindow)),
      m_bucketWidth(std::max(Millis(1), policy.budgetWindow / kBuckets)), m_clock(clock),
      m_buckets(kBuckets)
{}

RetryBudget::Bucket &RetryBudget::bucketAt(Millis now)
{
    const std::int64_t index = now.count() / m_bucketWidth.count();
    Bucket &bucket = m_buckets[static_cast<std::size_t>(index % kBuckets)];
    if (bucket.index != index)
        bucket = Bucket{index, 0, 0};
    return bucket;
}

RetryBudgetSnapshot RetryBudget::totals(Millis now) const
{
    const std::int64_t newest = now.count() / m_bucketWidth.count();
    RetryBudgetSnapshot totals;
    for (const Bucket &bucket : m_buckets) {
        if (bucket.index > newest - kBuckets && bucket.index <= newest) {
            totals.firstAttempts += bucket.firstAttempts;
            totals.retries += bucket.retries;
        }
    }
    totals.allowed = m_ratio * totals.firstAttempts + m_floorPerWindow;
    return totals;
}

void RetryBudget::recordFirstAttempt()
{
    if (m_ratio <= 0.0)
        return;
    Lock lock(m_mutex);
    ++bucketAt(m_clock.now()).firstAttempts;
}

bool RetryBudget::tryRetry()
{
    if (m_ratio <= 0.0)
        return true;
    Lock lock(m_mutex);
    const Millis now = m_clock.now();
    const RetryBudgetSnapshot current = totals(now);
    if (current.retries + 1 > current.allowed)
        return false;
    ++bucketAt(now).retries;
    return true;
}

RetryBudgetSnapshot RetryBudget::snapshot() const
{
    Lock lock(m_mutex);
    return totals(m_clock.now());
}

RetryBudgets::RetryBudgets(RetryPolicy policy, Clock &clock)
    : m_policy(std::move(policy)), m_clock(clock)
{}

RetryBudgets::~RetryBudgets() = default;

RetryBudget &RetryBudgets::budget(const QString &model)
{
    Lock lock(m_mutex);
    std::unique_ptr<RetryBudget> &budget = m_budgets[model];
    if (!budget)
        budget = std::make_unique<RetryBudget>(m_policy, m_clock);
    return *budget;
}

} // namespace breakwater
