#include "runsafety.h"

#include <QLocale>
#include <QObject>
#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

bool isSimulated(const ProviderConfig &provider)
{
    return provider.isEmbedded();
}

QStringList realProviders(const Config &config)
{
    QStringList names;
    for (const ChainEntry &entry : config.chain) {
        const ProviderConfig *provider = config.provider(entry.provider);
        if (provider && !isSimulated(*provider) && !names.contains(provider->name))
            names.append(provider->name);
    }
    return names;
}

qint64 estimatedRequests(const Scenario &scenario)
{
    const double duration = toSeconds(scenario.duration);
    if (scenario.load.rps > 0.0) {
        // The rate grows linearly over the ramp: the area under it.
        const double ramp = toSeconds(scenario.load.ramp);
        const double seconds =
            ramp <= duration ? duration - ramp / 2.0 : duration * duration / (2.0 * ramp);
        return static_cast<qint64>(std::llround(scenario.load.rps * seconds));
    }
    // Each worker: a call of about a second, then its think time.
    const double round = 1.0 + toSeconds(scenario.load.think);
    return static_cast<qint64>(std::llround(scenario.load.concurrency * duration / round));
}

QString realRunQuestion(const Config &config, const Scenario &scenario)
{
    const QLocale locale(QLocale::English, QLocale::UnitedStates);
    QStringList targets;
    for (const ChainEntry &entry : config.chain) {
        const ProviderConfig *provider = config.provider(entry.provider);
        if (provider && !isSimulated(*provider))
            targets.append(u"%1 (%2, %3)"_s.arg(entry.model, provider->name, provider->baseUrl));
    }
    const qint64 requests = estimatedRequests(scenario);
    const double duration = toSeconds(scenario.duration);
    QString how;
    if (scenario.load.rps > 0.0) {
        how = QObject::tr("%1 requests per second for %2 s")
                  .arg(locale.toString(scenario.load.rps, 'g', 4))
                  .arg(locale.toString(duration, 'g', 6));
    } else {
        how = QObject::tr("%1 workers one call after another for %2 s, assuming about one "
                          "second per call")
                  .arg(scenario.load.concurrency)
                  .arg(locale.toString(duration, 'g', 6));
        if (scenario.load.think > Millis(0))
            how += QObject::tr(" and %1 s of think time between calls")
                       .arg(locale.toString(toSeconds(scenario.load.think), 'g', 4));
    }
    return QObject::tr("This run sends real requests to:\n  %1\n\nAbout %2 requests (%3). Each "
                       "may be tried up to %4 times per model and fall back along the chain, "
                       "so the count of API calls can be higher. They use your API key and may "
                       "be billed.\n\nStart the run?")
        .arg(targets.join(u"\n  "_s), locale.toString(requests), how)
        .arg(config.retry.maxAttempts);
}

QString maskedKey(const QString &key)
{
    // Twelve or more characters keep at least eight hidden: four say which key, no more.
    constexpr qsizetype kShownChars = 4;
    constexpr qsizetype kMinLengthToShow = 12;
    if (key.isEmpty())
        return QString();
    if (key.size() < kMinLengthToShow)
        return u"…"_s;
    return u"…"_s + key.right(kShownChars);
}

QString providerKeyText(const ProviderConfig &provider)
{
    if (provider.apiKeyEnv.isEmpty())
        return isSimulated(provider) ? QObject::tr("no key (simulated)") : QObject::tr("no key");
    const QString key = qEnvironmentVariable(provider.apiKeyEnv.toLocal8Bit().constData());
    if (key.isEmpty())
        return QObject::tr("no key ($%1 is not set)").arg(provider.apiKeyEnv);
    return QObject::tr("key %1 (from $%2)").arg(maskedKey(key), provider.apiKeyEnv);
}

QString chainKeysText(const Config &config)
{
    QStringList seen;
    QStringList parts;
    for (const ChainEntry &entry : config.chain) {
        const ProviderConfig *provider = config.provider(entry.provider);
        if (!provider || seen.contains(provider->name))
            continue;
        seen.append(provider->name);
        parts.append(provider->name + u": "_s + providerKeyText(*provider));
    }
    return parts.join(u" · "_s);
}

QStringList apiKeysInUse(const Config &config)
{
    QStringList keys;
    for (const ProviderConfig &provider : config.providers) {
        if (provider.apiKeyEnv.isEmpty())
            continue;
        const QString key = qEnvironmentVariable(provider.apiKeyEnv.toLocal8Bit().constData());
        if (!key.isEmpty() && !keys.contains(key))
            keys.append(key);
    }
    return keys;
}

QByteArray redactSecrets(QByteArray data, const QStringList &secrets)
{
    for (const QString &secret : secrets) {
        const QByteArray bytes = secret.toUtf8();
        if (!bytes.isEmpty())
            data.replace(bytes, QByteArrayLiteral("[redacted]"));
    }
    return data;
}

} // namespace breakwater::ui
