#pragma once

#include <QByteArrayView>
#include <QList>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace breakwater::fuzz {

/// The fuzzer's input as bytes.
inline QByteArrayView inputView(const std::uint8_t *data, std::size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

/// Stops the run with a message: libFuzzer saves the input that broke the property.
[[noreturn]] inline void fail(const char *what)
{
    std::fprintf(stderr, "breakwater fuzz property violated: %s\n", what);
    std::abort();
}

inline void check(bool condition, const char *what)
{
    if (!condition)
        fail(what);
}

/// `input` cut into pieces, every byte on its own.
inline QList<QByteArrayView> splitBytewise(QByteArrayView input)
{
    QList<QByteArrayView> chunks;
    chunks.reserve(input.size());
    for (qsizetype i = 0; i < input.size(); ++i)
        chunks.append(input.sliced(i, 1));
    return chunks;
}

/// `input` cut at pseudo-random places. The cuts derive from a hash of the input, so a saved
/// crash replays exactly from its file alone while every mutation tries other cuts, and the
/// seed corpus stays plain realistic text (no control prefix). Pieces are mostly 1 to 8
/// bytes, where line-end and boundary bugs live, sometimes up to 512, and now and then empty
/// (a read that returned nothing).
inline QList<QByteArrayView> splitPseudoRandomly(QByteArrayView input)
{
    std::uint64_t state = 0xcbf29ce484222325ULL; // FNV-1a
    for (const char c : input) {
        state ^= static_cast<unsigned char>(c);
        state *= 0x100000001b3ULL;
    }
    if (state == 0)
        state = 1;
    QList<QByteArrayView> chunks;
    qsizetype pos = 0;
    while (pos < input.size()) {
        state ^= state << 13; // xorshift64
        state ^= state >> 7;
        state ^= state << 17;
        if ((state & 31) == 1)
            chunks.append(QByteArrayView());
        const auto want = static_cast<qsizetype>((state & 7) == 0 ? 1 + (state >> 8) % 512
                                                                  : 1 + (state >> 8) % 8);
        const qsizetype take = std::min(want, input.size() - pos);
        chunks.append(input.sliced(pos, take));
        pos += take;
    }
    return chunks;
}

} // namespace breakwater::fuzz
