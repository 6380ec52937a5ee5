#pragma once

#include <cstdint>
#include <random>

namespace breakwater {

/// A source of uniform randomness, injected so that every run is reproducible for a seed.
class RandomSource {
public:
    virtual ~RandomSource() = default;
    /// Uniform in [0, 1).
    virtual double uniform01() = 0;
    /// Uniform in [low, high); returns low when high <= low.
    double uniform(double low, double high)
    {
        return high <= low ? low : low + (high - low) * uniform01();
    }
};

/// A seeded Mersenne twister; not thread-safe: one per thread.
class SeededRandom final : public RandomSource {
public:
    explicit SeededRandom(std::uint64_t seed) : m_engine(seed) {}
    double uniform01() override { return m_distribution(m_engine); }

private:
    std::mt19937_64 m_engine;
    std::uniform_real_distribution<double> m_distribution{0.0, 1.0};
};

} // namespace breakwater
