#include "promptconsole.h"

#include "chaos/chaosprofile.h"
#include "panelstyle.h"
#include "runtime/lab.h"
#include "waterfalldelegate.h"
#include "waterfallmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <atomic>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;
namespace {

const QColor kNeutral(0x42, 0x42, 0x42);
const QColor kBusy(0x1e, 0x88, 0xe5);
const QColor kGood(0x2e, 0x7d, 0x32);
const QColor kFallbackGood(0x00, 0x89, 0x7b);
const QColor kCache(0xef, 0x8f, 0x00);
const QColor kBad(0xc6, 0x28, 0x28);

// Call ids must be unique within an engine pool, whichever console sends; the console
// picks them itself so that it can follow events published before submit() returns.
QString nextCallId()
{
    static std::atomic<quint64> counter{0};
    return u"console-%1"_s.arg(++counter);
}

QString plural(int count, const QString &one, const QString &many)
{
    return QString::number(count) + u' ' + (count == 1 ? one : many);
}

} // namespace

PromptConsole::PromptConsole(Lab *lab, QWidget *parent) : QWidget(parent)
{
    m_waterfall = new WaterfallModel(this);

    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName(u"prompt"_s);
    m_prompt->setPlaceholderText(u"Ask something… (Ctrl+Enter sends)"_s);
    m_prompt->setTabChangesFocus(true);
    m_prompt->installEventFilter(this);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &PromptConsole::updateControls);

    m_stream = new QCheckBox(u"Stream"_s, this);
    m_stream->setObjectName(u"stream"_s);
    m_stream->setToolTip(u"Ask for a streamed answer: the text appears as it arrives"_s);

    m_fault = new QComboBox(this);
    m_fault->setObjectName(u"forceFault"_s);
    m_fault->addItem(u"none"_s, QString());
    for (ChaosFault fault : allChaosFaults())
        m_fault->addItem(chaosFaultName(fault), chaosFaultName(fault));
    m_fault->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_send = new QPushButton(u"Send"_s, this);
    m_send->setObjectName(u"send"_s);
    m_send->setToolTip(u"Send the prompt through the fallback chain (Ctrl+Enter)"_s);
    m_send->setDefault(true);
    connect(m_send, &QPushButton::clicked, this, &PromptConsole::send);

    auto *options = new QHBoxLayout;
    options->addWidget(m_stream);
    options->addSpacing(12);
    options->addWidget(new QLabel(u"Force fault"_s, this));
    options->addWidget(m_fault);
    options->addStretch(1);
    options->addWidget(m_send);

    m_verdict = new QLabel(this);
    m_verdict->setObjectName(u"verdict"_s);
    m_verdict->setWordWrap(true);
    m_verdictDetail = new QLabel(this);
    m_verdictDetail->setObjectName(u"verdictDetail"_s);
    m_verdictDetail->setWordWrap(true);

    m_table = new QTableView(this);
    m_table->setObjectName(u"waterfall"_s);
    m_table->setModel(m_waterfall);
    m_table->setItemDelegateForColumn(WaterfallModel::TimelineColumn,
                                      new WaterfallDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    // What is left is shared by the bars and the details; long details elide (tooltips
    // have them whole) rather than push the table sideways.
    header->setSectionResizeMode(WaterfallModel::TimelineColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(WaterfallModel::DetailColumn, QHeaderView::Stretch);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_answer = new QPlainTextEdit(this);
    m_answer->setObjectName(u"answer"_s);
    m_answer->setReadOnly(true);
    m_answer->setPlaceholderText(u"The answer appears here."_s);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_answer);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_prompt);
    layout->addLayout(options);
    layout->addWidget(m_verdict);
    layout->addWidget(m_verdictDetail);
    layout->addWidget(splitter, 1);

    updateFonts();
    setLab(lab);
}

void PromptConsole::setLab(Lab *lab)
{
    disconnect(m_eventConnection);
    disconnect(m_destroyedConnection);
    ++m_generation;
    m_callId.clear();
    m_lab = lab;
    m_waterfall->clear();
    m_answer->clear();
    if (lab) {
        m_eventConnection =
            connect(&lab->events(), &EventStream::event, this, &PromptConsole::onEvent);
        m_destroyedConnection =
            connect(lab, &QObject::destroyed, this, [this] { setLab(nullptr); });
        QStringList path = lab->modelLabels();
        path << sources::cache << sources::degraded;
        setVerdict(u"Ready"_s, u"Answers come from: "_s + path.join(u" → "_s), kNeutral);
        if (lab->chaos()) {
            m_fault->setToolTip(u"Sent as x-chaos-fault: the chaos server answers every "
                                u"attempt of the call with this fault"_s);
        } else {
            m_fault->setCurrentIndex(0);
            m_fault->setToolTip(u"Only the embedded chaos server can force a fault; this "
                                u"session uses real providers"_s);
        }
    } else {
        setVerdict(u"No session"_s, u"Start a session to send prompts."_s, kNeutral);
    }
    updateControls();
}

void PromptConsole::setPresenterMode(bool on)
{
    m_presenter = on;
    applyPresenterFont(this, on);
}

void PromptConsole::send()
{
    if (!m_lab || isBusy())
        return;
    const QString prompt = m_prompt->toPlainText().trimmed();
    if (prompt.isEmpty())
        return;

    CallRequest request;
    request.id = nextCallId();
    request.prompt = prompt;
    request.stream = m_stream->isChecked();
    const QString fault = m_fault->currentData().toString();
    if (!fault.isEmpty() && m_lab->chaos())
        request.extraHeaders.set(QByteArrayLiteral("x-chaos-fault"), fault.toUtf8());

    m_callId = request.id;
    m_lastCallId = request.id;
    m_streamModel.clear();
    m_waterfall->beginCall(request.id);
    m_answer->clear();
    setVerdict(u"Calling…"_s,
               fault.isEmpty() ? QString() : u"forcing %1 on every attempt"_s.arg(fault), kBusy);
    updateControls();

    const quint64 generation = ++m_generation;
    QPointer<PromptConsole> self(this);
    m_lab->engines().submit(request, [self, generation](const CallResult &result) {
        if (self && self->m_generation == generation)
            self->onFinished(result);
    });
    Q_EMIT callStarted(request.id);
}

bool PromptConsole::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_prompt && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
            key->modifiers().testFlag(Qt::ControlModifier)) {
            send();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void PromptConsole::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateFonts();
}

void PromptConsole::onEvent(const EngineEvent &event)
{
    if (m_callId.isEmpty())
        return;
    m_waterfall->record(event);
    if (const auto *attempt = std::get_if<AttemptStarted>(&event)) {
        if (attempt->callId != m_callId)
            return;
        // A new attempt starts its answer over: text streamed by a failed one is void.
        if (!m_streamModel.isEmpty())
            m_answer->clear();
        m_streamModel.clear();
        m_verdictDetail->setText(
            u"attempt %1 on %2%3"_s.arg(attempt->attempt)
                .arg(attempt->model, attempt->probe ? u" (half-open probe)"_s : QString()));
    } else if (const auto *delta = std::get_if<StreamDelta>(&event)) {
        if (delta->callId != m_callId)
            return;
        m_streamModel = delta->model;
        QTextCursor cursor = m_answer->textCursor();
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(delta->text);
        m_answer->ensureCursorVisible();
    }
}

void PromptConsole::onFinished(const CallResult &result)
{
    m_callId.clear();
    if (!m_waterfall->isFinished())
        m_waterfall->finish(result);
    m_answer->setPlainText(result.text);

    const QList<WaterfallRow> &rows = m_waterfall->rows();
    const int attempts =
        static_cast<int>(std::count_if(rows.cbegin(), rows.cend(), [](const auto &row) {
            return row.kind == WaterfallRow::Kind::Attempt;
        }));
    const int hops =
        static_cast<int>(std::count_if(rows.cbegin(), rows.cend(), [](const auto &row) {
            return row.kind == WaterfallRow::Kind::Fallback;
        }));
    QString detail = plural(attempts, u"attempt"_s, u"attempts"_s) + u" · "_s +
                     plural(hops, u"fallback"_s, u"fallbacks"_s) + u" · "_s +
                     formatSeconds(result.duration.count());
    if (result.outputTokens > 0)
        detail += u" · %1 output tokens"_s.arg(result.outputTokens);
    if (!result.error.isEmpty())
        detail += u"\n"_s + maskSecrets(result.error);

    const QString primary = m_lab ? m_lab->modelLabels().value(0) : QString();
    if (result.source == sources::cache)
        setVerdict(u"Answered from the cache"_s, detail, kCache);
    else if (result.source == sources::degraded)
        setVerdict(u"Degraded answer: no model could answer"_s, detail, kBad);
    else if (result.source == sources::error || !result.success)
        setVerdict(u"Failed"_s, detail, kBad);
    else if (result.source == primary)
        setVerdict(u"Answered by "_s + result.source, detail, kGood);
    else
        setVerdict(u"Answered by "_s + result.source + u" (fallback)"_s, detail, kFallbackGood);
    updateControls();
    Q_EMIT callFinished(result);
}

void PromptConsole::setVerdict(const QString &text, const QString &detail, const QColor &colour)
{
    m_verdict->setText(text);
    m_verdict->setStyleSheet(u"QLabel { color: %1; }"_s.arg(colour.name()));
    m_verdictDetail->setText(detail);
}

void PromptConsole::updateControls()
{
    const bool bound = !m_lab.isNull();
    m_prompt->setEnabled(bound);
    m_stream->setEnabled(bound && !isBusy());
    m_fault->setEnabled(bound && m_lab->chaos() && !isBusy());
    m_send->setEnabled(bound && !isBusy() && !m_prompt->toPlainText().trimmed().isEmpty());
}

void PromptConsole::updateFonts()
{
    m_verdict->setFont(scaledFont(font(), 1.8, true));
    m_prompt->setMaximumHeight(fontMetrics().lineSpacing() * 5 + 12);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    // The header has a font of its own (the platform's), which the panel's does not reach.
    m_table->horizontalHeader()->setFont(font());
    m_answer->setMinimumHeight(fontMetrics().lineSpacing() * 3 + 12);
}

} // namespace breakwater::ui
