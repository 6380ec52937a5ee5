#pragma once

// Shared by the provider tests: cuts a byte stream the ways a socket might deliver it.

#include "common/random.h"

#include <QByteArray>
#include <QList>
#include <cstdint>

namespace breakwater::testing {

enum class Chunking { Whole, ByteByByte, RandomSplits };

inline const char *chunkingName(Chunking chunking)
{
    switch (chunking) {
    case Chunking::Whole:
        return "whole";
    case Chunking::ByteByByte:
        return "byte-by-byte";
    case Chunking::RandomSplits:
        return "random-splits";
    }
    return "?";
}

/// `stream` cut into consecutive pieces; random pieces are 1 to 12 bytes, fixed by `seed`.
inline QList<QByteArray> chunksOf(const QByteArray &stream, Chunking chunking,
                                  std::uint64_t seed = 1)
{
    QList<QByteArray> chunks;
    switch (chunking) {
    case Chunking::Whole:
        chunks.append(stream);
        break;
    case Chunking::ByteByByte:
        for (const char byte : stream)
            chunks.append(QByteArray(1, byte));
        break;
    case Chunking::RandomSplits: {
        SeededRandom random(seed);
        qsizetype pos = 0;
        while (pos < stream.size()) {
            const auto length = 1 + static_cast<qsizetype>(random.uniform(0.0, 12.0));
            chunks.append(stream.mid(pos, length));
            pos += length;
        }
        break;
    }
    }
    return chunks;
}

/// Every chunking to try: whole, byte by byte, and a few seeded random splits.
inline QList<std::pair<Chunking, std::uint64_t>> allChunkings()
{
    return {{Chunking::Whole, 0},        {Chunking::ByteByByte, 0},   {Chunking::RandomSplits, 1},
            {Chunking::RandomSplits, 2}, {Chunking::RandomSplits, 3}, {Chunking::RandomSplits, 42}};
}

} // namespace breakwater::testing
