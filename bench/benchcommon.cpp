#include "benchcommon.h"

#include "breaker/breakerregistry.h"
#include "retry/retrybudget.h"
#include "cache/responsecache.h"
#include "common/qtclock.h"
#include "common/random.h"
#include "config/configloader.h"
#include "engine/bulkhead.h"
#include "engine/eventstream.h"
#include "load/loadgenerator.h"
#include "metrics/alertevaluator.h"
#include "metrics/metricscollector.h"
#include "metrics/metricsregistry.h"
#include "providers/provideradapter.h"
#include "recorder/runrecorder.h"
#include "runtime/lab.h"
#include "transport/qnamtransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <unistd.h>

namespace breakwater::bench {

qint64 nowMicros()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().simplified().split(' ');
    if (fields.size() < 2)
        return 0;
    return fields.at(1).toLongLong() * ::sysconf(_SC_PAGESIZE);
}

int connectionsTo(quint16 port)
{
    QFile file(QStringLiteral("/proc/self/net/tcp"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    int count = 0;
    const QByteArray remote = QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> fields = lines.at(i).simplified().split(' ');
        // sl local_address rem_address st …; state 01 is ESTABLISHED.
        if (fields.size() > 3 && fields.at(2).endsWith(':' + remote) && fields.at(3) == "01")
            ++count;
    }
    return count;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double mean(const std::vector<double> &values)
{
    if (values.empty())
        return 0;
    return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

namespace {

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()),
                 qPrintable(message));
    std::exit(2);
}

} // namespace

QUrl parseServerArgument(QCommandLineParser &parser, const QString &description)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addOption({QStringLiteral("server"),
                      QStringLiteral("Base URL of a running chaos server (breakwater-cli chaos)."),
                      QStringLiteral("URL")});
    parser.process(*QCoreApplication::instance());
    const QUrl server(parser.value(QStringLiteral("server")));
    if (!server.isValid() || server.scheme() != u"http" || server.port() <= 0)
        die(QStringLiteral("--server: give the chaos server's URL, http://127.0.0.1:PORT"));
    return server;
}

int intOption(const QCommandLineParser &parser, const QString &name, int minimum)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < minimum)
        die(QStringLiteral("--%1: must be a whole number >= %2").arg(name).arg(minimum));
    return value;
}

Config benchConfig(const QUrl &server)
{
    nlohmann::json json = defaultConfigJson();
    json["providers"] = {
        {"bench", {{"kind", "anthropic"}, {"base_url", server.toString().toStdString()}}}};
    json["chain"] =
        nlohmann::json::array({{{"provider", "bench"}, {"model", kModel.toStdString()}}});
    ConfigParseResult parsed = parseConfig(json, QStringLiteral("bench config"));
    if (!parsed.config) {
        for (const ValidationError &error : parsed.errors)
            std::fprintf(stderr, "%s\n", qPrintable(error.toString()));
        die(QStringLiteral("the bench config does not validate"));
    }
    return *parsed.config;
}

HttpRequest engineRequest(const QUrl &server, const QString &prompt,
                          const HttpHeaders &extraHeaders)
{
    const Config config = benchConfig(server);
    const ChainEntry &entry = config.chain.first();
    const std::unique_ptr<ProviderAdapter> adapter = createProviderAdapter(ProviderKind::Anthropic);
    const ChatRequest chat{entry.model, prompt, entry.maxTokens, false, extraHeaders};
    return adapter->buildRequest(server, QByteArray(), chat);
}

BareRequest bareRequest(const HttpRequest &request)
{
    BareRequest bare;
    bare.request = QNetworkRequest(request.url);
    for (const auto &[name, value] : request.headers.fields())
        bare.request.setRawHeader(name, value);
    bare.method = request.method;
    bare.body = request.body;
    return bare;
}

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

bool spinUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    // A poll timer, since work in other threads may finish without posting anything here.
    QEventLoop loop;
    QElapsedTimer elapsed;
    elapsed.start();
    bool met = false;
    QTimer poll;
    poll.setTimerType(Qt::PreciseTimer);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        met = done();
        if (met || elapsed.elapsed() > timeoutMs)
            loop.quit();
    });
    poll.start(1);
    loop.exec();
    return met;
}

// EngineLoad -------------------------------------------------------------------------------

EngineLoad::EngineLoad(const QUrl &server, Options options, Observer observer, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_observer(std::move(observer))
{
    Lab::Options labOptions;
    labOptions.seed = 1;
    labOptions.threads = m_options.threads;
    labOptions.concurrency = m_options.concurrency;
    m_lab = std::make_unique<Lab>(benchConfig(server), labOptions, LabWorld::real());
    m_recorder = std::make_unique<RunRecorder>(m_lab->clock(), m_lab->modelLabels());
    connect(&m_lab->events(), &EventStream::event, m_recorder.get(), &RunRecorder::record);
}

EngineLoad::~EngineLoad()
{
    m_load.reset();
    m_lab.reset();
}

bool EngineLoad::startLab(QString *error)
{
    if (!m_lab->start(error))
        return false;
    m_recorder->start();
    return true;
}

void EngineLoad::startLoad(Millis duration)
{
    LoadProfile profile;
    profile.concurrency = m_options.concurrency;
    profile.rps = 0;
    profile.ramp = m_options.ramp;
    m_load = std::make_unique<LoadGenerator>(
        profile, PromptSet::builtinShort(), m_lab->clock(),
        [this](CallRequest request, Engine::Completion done) {
            for (const auto &[name, value] : m_options.extraHeaders.fields())
                request.extraHeaders.add(name, value);
            const qint64 started = nowMicros();
            m_lab->engines().submit(std::move(request), [this, started, done = std::move(done)](
                                                            const CallResult &result) {
                const qint64 finished = nowMicros();
                ++m_completed;
                if (result.success && result.source == kModel)
                    ++m_answeredByModel;
                if (m_observer)
                    m_observer(started, finished, result);
                done(result);
            });
        });
    m_load->start(duration);
}

bool EngineLoad::stopLoadAndDrain(int timeoutMs)
{
    if (m_load)
        m_load->stop();
    return spinUntil([this] { return inFlight() == 0; }, timeoutMs);
}

void EngineLoad::submitOne(const QString &prompt, Engine::Completion done)
{
    CallRequest request;
    request.prompt = prompt;
    request.extraHeaders = m_options.extraHeaders;
    m_lab->engines().submit(std::move(request),
                            [this, done = std::move(done)](const CallResult &result) {
                                ++m_completed;
                                if (result.success && result.source == kModel)
                                    ++m_answeredByModel;
                                done(result);
                            });
}

int EngineLoad::inFlight() const
{
    return m_lab->engines().inFlight();
}

// WorkerThreads ----------------------------------------------------------------------------

/// Each worker in a QThread of its own, made with its share of the requests to keep in flight
/// (spread round-robin, as the engine pool spreads calls). A Worker has init() and teardown()
/// (run in its thread, blocking), start() and stop() (queued) and an atomic `inFlight`.
template <typename Worker> class WorkerThreads final {
public:
    template <typename Make>
    WorkerThreads(int threads, int inFlight, const QString &name, Make make)
    {
        for (int i = 0; i < threads; ++i) {
            const int share = inFlight / threads + (i < inFlight % threads ? 1 : 0);
            auto thread = std::make_unique<QThread>();
            thread->setObjectName(QStringLiteral("%1-%2").arg(name).arg(i));
            Worker *worker = make(i, share);
            worker->moveToThread(thread.get());
            thread->start();
            QMetaObject::invokeMethod(
                worker, [worker] { worker->init(); }, Qt::BlockingQueuedConnection);
            m_threads.push_back(std::move(thread));
            m_workers.push_back(worker);
        }
    }
    WorkerThreads(const WorkerThreads &) = delete;
    WorkerThreads &operator=(const WorkerThreads &) = delete;

    ~WorkerThreads()
    {
        for (std::size_t i = 0; i < m_workers.size(); ++i) {
            Worker *worker = m_workers[i];
            QMetaObject::invokeMethod(
                worker, [worker] { worker->teardown(); }, Qt::BlockingQueuedConnection);
            m_threads[i]->quit();
            m_threads[i]->wait();
            delete worker;
        }
    }

    void start()
    {
        for (Worker *worker : m_workers)
            QMetaObject::invokeMethod(
                worker, [worker] { worker->start(); }, Qt::QueuedConnection);
    }

    /// Stops every worker and waits until nothing is in flight.
    bool stopAndDrain(int timeoutMs)
    {
        for (Worker *worker : m_workers)
            QMetaObject::invokeMethod(
                worker, [worker] { worker->stop(); }, Qt::QueuedConnection);
        return spinUntil(
            [this] {
                return std::all_of(m_workers.begin(), m_workers.end(), [](const Worker *worker) {
                    return worker->inFlight.load() == 0;
                });
            },
            timeoutMs);
    }

    std::size_t size() const { return m_workers.size(); }
    Worker &at(std::size_t index) const { return *m_workers.at(index); }

    /// `count(worker)` summed over the workers.
    template <typename Count> quint64 sum(Count count) const
    {
        quint64 total = 0;
        for (const Worker *worker : m_workers)
            total += count(*worker);
        return total;
    }

private:
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<Worker *> m_workers;
};

// BareManagers -----------------------------------------------------------------------------

/// One thread's bare managers: each request goes to the least busy (as QnamTransport sends),
/// its answer is read and thrown away, and `done(ok)` hears whether it was a 200. Made, used
/// and cleared in that thread.
class BareManagers final {
public:
    void create(int count)
    {
        for (int i = 0; i < count; ++i) {
            auto manager = std::make_unique<QNetworkAccessManager>();
            manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
            m_managers.push_back({std::move(manager), 0});
        }
    }
    void clear() { m_managers.clear(); }

    /// `done` is called on `context`'s thread; a template, so the reference pays for no
    /// std::function per request.
    template <typename Done> void send(const BareRequest &request, QObject *context, Done done)
    {
        auto leastBusy = std::min_element(
            m_managers.begin(), m_managers.end(),
            [](const Manager &a, const Manager &b) { return a.inFlight < b.inFlight; });
        const std::size_t index = static_cast<std::size_t>(leastBusy - m_managers.begin());
        QNetworkReply *reply =
            leastBusy->manager->sendCustomRequest(request.request, request.method, request.body);
        ++leastBusy->inFlight;
        QObject::connect(reply, &QNetworkReply::finished, context, [this, reply, index, done] {
            reply->readAll();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const bool ok = reply->error() == QNetworkReply::NoError && status == 200;
            reply->deleteLater();
            --m_managers[index].inFlight;
            done(ok);
        });
    }

private:
    struct Manager {
        std::unique_ptr<QNetworkAccessManager> manager;
        int inFlight;
    };
    std::vector<Manager> m_managers;
};

// BareLoad ---------------------------------------------------------------------------------

/// One thread's share of the bare load; created, used and torn down in that thread.
class BareLoad::Worker final : public QObject {
public:
    Worker(QList<BareRequest> requests, int managers, int inFlight, int firstRequest)
        : m_requests(std::move(requests)), m_managerCount(managers), m_target(inFlight),
          m_next(static_cast<quint64>(firstRequest))
    {}

    void init() { m_managers.create(m_managerCount); }
    void teardown() { m_managers.clear(); }

    void start()
    {
        m_running = true;
        for (int i = 0; i < m_target; ++i)
            send();
    }

    void stop() { m_running = false; }

    std::atomic<quint64> completed{0};
    std::atomic<quint64> failed{0};
    std::atomic<int> inFlight{0};

private:
    void send()
    {
        const BareRequest &request = m_requests.at(static_cast<int>(m_next++ % m_requests.size()));
        ++inFlight;
        m_managers.send(request, this, [this](bool ok) {
            if (!ok)
                ++failed;
            --inFlight;
            ++completed;
            if (m_running)
                send();
        });
    }

    QList<BareRequest> m_requests;
    int m_managerCount;
    int m_target;
    quint64 m_next;
    BareManagers m_managers;
    std::atomic<bool> m_running{false};
};

BareLoad::BareLoad(QList<BareRequest> requests, int threads, int managersPerThread, int inFlight)
    : m_workers(std::make_unique<WorkerThreads<Worker>>(
          threads, inFlight, QStringLiteral("bare"), [&](int index, int share) {
              return new Worker(requests, managersPerThread, share, index * 7);
          }))
{}

BareLoad::~BareLoad() = default;

void BareLoad::start()
{
    m_workers->start();
}

bool BareLoad::stopAndDrain(int timeoutMs)
{
    return m_workers->stopAndDrain(timeoutMs);
}

quint64 BareLoad::completed() const
{
    return m_workers->sum([](const Worker &worker) { return worker.completed.load(); });
}

quint64 BareLoad::failed() const
{
    return m_workers->sum([](const Worker &worker) { return worker.failed.load(); });
}

// BarePoolLoad -----------------------------------------------------------------------------

/// One worker thread's managers; requests arrive in its inbox from the caller's thread.
class BarePoolLoad::Worker final : public QObject {
public:
    Worker(BarePoolLoad &pool, QList<BareRequest> requests, int managers)
        : m_pool(pool), m_requests(std::move(requests)), m_managerCount(managers)
    {}

    void init() { m_managers.create(m_managerCount); }
    void teardown() { m_managers.clear(); }
    // Driven by the pool's caller thread instead (WorkerThreads' own start/stop unused).
    void start() {}
    void stop() {}
    std::atomic<int> inFlight{0};

    /// On the caller's thread: as EnginePool::submit hands a call to an engine thread.
    void enqueue(int requestIndex)
    {
        bool wake = false;
        {
            std::lock_guard lock(m_inboxMutex);
            wake = m_inbox.empty();
            m_inbox.push_back(requestIndex);
        }
        if (wake)
            QMetaObject::invokeMethod(this, [this] { startPending(); }, Qt::QueuedConnection);
    }

private:
    void startPending()
    {
        std::vector<int> batch;
        {
            std::lock_guard lock(m_inboxMutex);
            batch.swap(m_inbox);
        }
        for (const int index : batch)
            m_managers.send(m_requests.at(index), this, [this](bool ok) { m_pool.complete(ok); });
    }

    BarePoolLoad &m_pool;
    QList<BareRequest> m_requests;
    int m_managerCount;
    BareManagers m_managers;
    std::mutex m_inboxMutex;
    std::vector<int> m_inbox;
};

BarePoolLoad::BarePoolLoad(QList<BareRequest> requests, int threads, int managersPerThread,
                           int inFlight)
    : m_requestCount(static_cast<int>(requests.size())), m_target(inFlight),
      m_workers(std::make_unique<WorkerThreads<Worker>>(
          threads, inFlight, QStringLiteral("barepool"),
          [&](int, int) { return new Worker(*this, requests, managersPerThread); }))
{}

BarePoolLoad::~BarePoolLoad() = default;

void BarePoolLoad::start()
{
    m_running = true;
    while (m_inFlight < m_target)
        submit();
}

bool BarePoolLoad::stopAndDrain(int timeoutMs)
{
    m_running = false;
    return spinUntil([this] { return m_inFlight == 0; }, timeoutMs);
}

void BarePoolLoad::submit()
{
    ++m_inFlight;
    Worker &worker = m_workers->at(m_nextWorker);
    m_nextWorker = (m_nextWorker + 1) % m_workers->size();
    worker.enqueue(static_cast<int>(m_nextRequest++ % static_cast<quint64>(m_requestCount)));
}

void BarePoolLoad::complete(bool ok)
{
    // On a worker's thread, as EnginePool::complete moves a result to its outbox.
    bool wake = false;
    {
        std::lock_guard lock(m_outboxMutex);
        wake = m_outbox.empty();
        m_outbox.push_back(ok);
    }
    if (wake)
        QMetaObject::invokeMethod(&m_context, [this] { deliverCompleted(); }, Qt::QueuedConnection);
}

void BarePoolLoad::deliverCompleted()
{
    std::vector<bool> batch;
    {
        std::lock_guard lock(m_outboxMutex);
        batch.swap(m_outbox);
    }
    for (const bool ok : batch) {
        --m_inFlight;
        ++m_completed;
        if (!ok)
            ++m_failed;
        if (m_running)
            submit();
    }
}

// DirectEngineLoad -------------------------------------------------------------------------

struct DirectEngineLoad::Shared {
    explicit Shared(Config c)
        : config(std::move(c)), breakers(config.breaker, clock),
          retryBudgets(config.retry, clock), cache(config.cache, clock),
          metricsCollector(metrics, {kModel}), alerts(config.alert, clock, events),
          recorder(clock, {kModel})
    {
        for (const QString &label : chainLabels(config.chain))
            breakers.breaker(label);
    }
    Config config;
    QtClock clock;
    BreakerRegistry breakers;
    RetryBudgets retryBudgets;
    ResponseCache cache;
    Bulkheads bulkheads;
    EventStream events;
    MetricsRegistry metrics;
    MetricsCollector metricsCollector;
    AlertEvaluator alerts;
    RunRecorder recorder;
};

class DirectEngineLoad::Worker final : public QObject {
public:
    Worker(Shared &shared, int managers, int inFlight, int index)
        : m_shared(shared), m_managers(managers), m_target(inFlight), m_index(index)
    {}

    void init()
    {
        m_transport = std::make_unique<QnamTransport>(m_managers);
        m_random = std::make_unique<SeededRandom>(static_cast<std::uint64_t>(m_index) + 1);
        m_engine = std::make_unique<Engine>(
            m_shared.config,
            EngineShared{m_shared.breakers, m_shared.retryBudgets, m_shared.cache,
                         m_shared.bulkheads, m_shared.events},
            *m_transport, m_shared.clock, *m_random);
    }

    void teardown()
    {
        m_engine.reset();
        m_transport.reset();
    }

    void start()
    {
        m_running = true;
        for (int i = 0; i < m_target; ++i)
            callNext();
    }

    void stop() { m_running = false; }

    std::atomic<quint64> completed{0};
    std::atomic<quint64> notAnswered{0};
    std::atomic<int> inFlight{0};

private:
    void callNext()
    {
        CallRequest request;
        request.prompt = m_prompts.at(m_next++);
        ++inFlight;
        m_engine->call(std::move(request), [this](const CallResult &result) {
            if (!result.success || result.source != kModel)
                ++notAnswered;
            --inFlight;
            ++completed;
            if (m_running)
                callNext();
        });
    }

    Shared &m_shared;
    int m_managers;
    int m_target;
    int m_index;
    PromptSet m_prompts = PromptSet::builtinShort();
    quint64 m_next = 0;
    std::unique_ptr<QnamTransport> m_transport;
    std::unique_ptr<SeededRandom> m_random;
    std::unique_ptr<Engine> m_engine;
    std::atomic<bool> m_running{false};
};

DirectEngineLoad::DirectEngineLoad(const QUrl &server, int threads, int managersPerThread,
                                   int inFlight, bool withConsumers)
    : m_shared(std::make_unique<Shared>(benchConfig(server)))
{
    if (withConsumers) {
        QObject::connect(&m_shared->events, &EventStream::event, &m_shared->metricsCollector,
                         &MetricsCollector::record);
        QObject::connect(&m_shared->events, &EventStream::event, &m_shared->alerts,
                         &AlertEvaluator::record);
        QObject::connect(&m_shared->events, &EventStream::event, &m_shared->recorder,
                         &RunRecorder::record);
    }
    m_workers = std::make_unique<WorkerThreads<Worker>>(
        threads, inFlight, QStringLiteral("direct"), [&](int index, int share) {
            return new Worker(*m_shared, managersPerThread, share, index);
        });
}

DirectEngineLoad::~DirectEngineLoad() = default;

void DirectEngineLoad::start()
{
    m_workers->start();
}

bool DirectEngineLoad::stopAndDrain(int timeoutMs)
{
    return m_workers->stopAndDrain(timeoutMs);
}

quint64 DirectEngineLoad::completed() const
{
    return m_workers->sum([](const Worker &worker) { return worker.completed.load(); });
}

quint64 DirectEngineLoad::notAnswered() const
{
    return m_workers->sum([](const Worker &worker) { return worker.notAnswered.load(); });
}

} // namespace breakwater::bench
