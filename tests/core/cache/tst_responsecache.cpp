// The response cache: its key (BLAKE2b-256 of the prompt's UTF-16 and the token limit, as
// lowercase hex), least-recently-used eviction, TTL expiry, and an answer stored again under
// a key it already holds.
#include "cache/responsecache.h"
#include "common/fakeclock.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

class TestResponseCache : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keyIsTheBlake2bOfThePromptAndTokenLimitInHex()
    {
        // Expected values from Python: blake2b(prompt.encode("utf-16-le") +
        // struct.pack("<q", max_tokens), digest_size=32).hexdigest().
        QCOMPARE(ResponseCache::keyFor(u"Say hello"_s, 1024),
                 u"817c72759593b638fc6d48af8437e32a0cce6791e0e821c32ec566b0cfae82dd"_s);
        QCOMPARE(ResponseCache::keyFor(u"Say hello"_s, 512),
                 u"7c5a0cd17d5565512aad8bea4d386f5ecb352b168cb5e0216b455d27c9dc22ec"_s);
        QCOMPARE(ResponseCache::keyFor(u"h\u00e9llo \U0001F600"_s, 0),
                 u"cdd6505ef4fb72c230aa50a30a87fece2bbdc733039756f0980075f961ed4924"_s);
    }

    void evictsTheLeastRecentlyUsedBeyondItsSize()
    {
        FakeClock clock;
        CachePolicy policy;
        policy.maxEntries = 2;
        ResponseCache cache(policy, clock);
        cache.store(u"a"_s, u"A"_s);
        cache.store(u"b"_s, u"B"_s);
        QCOMPARE(cache.lookup(u"a"_s), std::optional<QString>(u"A"_s)); // a is now the newer
        cache.store(u"c"_s, u"C"_s);
        QCOMPARE(cache.size(), 2);
        QVERIFY(!cache.lookup(u"b"_s));
        QCOMPARE(cache.lookup(u"a"_s), std::optional<QString>(u"A"_s));
        QCOMPARE(cache.lookup(u"c"_s), std::optional<QString>(u"C"_s));
    }

    void storingAKeyAgainRefreshesItsAnswerRecencyAndAge()
    {
        FakeClock clock;
        CachePolicy policy;
        policy.maxEntries = 2;
        policy.ttl = Millis(10000);
        ResponseCache cache(policy, clock);
        cache.store(u"a"_s, u"old"_s);
        cache.store(u"b"_s, u"B"_s);
        clock.advance(Millis(8000));
        cache.store(u"a"_s, u"new"_s); // a becomes the most recent, its age restarts
        QCOMPARE(cache.size(), 2);
        cache.store(u"c"_s, u"C"_s); // evicts b, not a
        QVERIFY(!cache.lookup(u"b"_s));
        clock.advance(Millis(5000)); // 13 s after the first store, 5 s after the second
        QCOMPARE(cache.lookup(u"a"_s), std::optional<QString>(u"new"_s));
        clock.advance(Millis(5000));
        QVERIFY(!cache.lookup(u"a"_s)); // 10 s after the second store: expired
        QCOMPARE(cache.size(), 1);
    }

    void storesNothingWhenDisabled()
    {
        FakeClock clock;
        CachePolicy disabled;
        disabled.enabled = false;
        ResponseCache off(disabled, clock);
        off.store(u"a"_s, u"A"_s);
        QCOMPARE(off.size(), 0);
        CachePolicy empty;
        empty.maxEntries = 0;
        ResponseCache none(empty, clock);
        none.store(u"a"_s, u"A"_s);
        QVERIFY(!none.lookup(u"a"_s));
    }
};

QTEST_GUILESS_MAIN(TestResponseCache)
#include "tst_responsecache.moc"
