#include "chaoswire.h"

#include <cmath>

namespace breakwater {

const ChaosWire &anthropicWire();
const ChaosWire &openAiWire();

const ChaosWire &chaosWire(WireFormat format)
{
    return format == WireFormat::Anthropic ? anthropicWire() : openAiWire();
}

QString base62Id(std::uint64_t bits, int length)
{
    static constexpr char kAlphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QString id;
    id.reserve(length);
    std::uint64_t state = bits;
    for (int i = 0; i < length; ++i) {
        // Re-mix every 10 characters: 64 bits hold ~10.7 base-62 digits.
        if (i > 0 && i % 10 == 0)
            state = state * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL + (state >> 29);
        id.append(QLatin1Char(kAlphabet[state % 62]));
        state /= 62;
        if (state == 0)
            state = bits ^ (static_cast<std::uint64_t>(i + 1) * 0xd1b54a32d192ed03ULL);
    }
    return id;
}

QByteArray sseEvent(const QByteArray &name, const QByteArray &data)
{
    QByteArray out;
    out.reserve(name.size() + data.size() + 16);
    if (!name.isEmpty()) {
        out += QByteArrayLiteral("event: ");
        out += name;
        out += '\n';
    }
    out += QByteArrayLiteral("data: ");
    out += data;
    out += QByteArrayLiteral("\n\n");
    return out;
}

QByteArray goDuration(Millis duration)
{
    const qint64 ms = std::max<qint64>(0, duration.count());
    if (ms < 1000)
        return QByteArray::number(ms) + "ms";
    const qint64 hours = ms / 3600000;
    const qint64 minutes = (ms / 60000) % 60;
    const qint64 millis = ms % 60000;
    QByteArray seconds = QByteArray::number(static_cast<double>(millis) / 1000.0, 'f', 3);
    while (seconds.endsWith('0'))
        seconds.chop(1);
    if (seconds.endsWith('.'))
        seconds.chop(1);
    QByteArray out;
    if (hours > 0)
        out += QByteArray::number(hours) + 'h';
    if (hours > 0 || minutes > 0)
        out += QByteArray::number(minutes) + 'm';
    out += seconds + 's';
    return out;
}

QByteArray jsonBytes(const nlohmann::json &json)
{
    return QByteArray::fromStdString(json.dump());
}

} // namespace breakwater
