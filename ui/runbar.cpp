#include "runbar.h"

#include "theme.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyle>
#include <QVBoxLayout>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

const QString kOpenItem = u"open"_s;

QString clock(double seconds)
{
    const int whole = static_cast<int>(std::max(0.0, seconds));
    if (whole >= 3600)
        return u"%1:%2:%3"_s.arg(whole / 3600)
            .arg((whole / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(whole % 60, 2, 10, QLatin1Char('0'));
    return u"%1:%2"_s.arg(whole / 60, 2, 10, QLatin1Char('0'))
        .arg(whole % 60, 2, 10, QLatin1Char('0'));
}

QLocale numbers()
{
    return QLocale(QLocale::English, QLocale::UnitedStates);
}

/// A share's colour as the breaker states': green from 99 %, amber from 95 %, red below.
QColor rateColor(double percent)
{
    return Theme::stateColor(percent >= 99.0   ? BreakerState::Closed
                             : percent >= 95.0 ? BreakerState::HalfOpen
                                               : BreakerState::Open);
}

QString percentText(std::int64_t part, std::int64_t whole)
{
    return u"%1 %"_s.arg(
        numbers().toString(100.0 * static_cast<double>(part) / static_cast<double>(whole), 'f', 1));
}

/// Sets `label`'s text colour through its style sheet, only when it changes (a style sheet
/// change re-polishes the widget).
void setTextColor(QLabel *label, QString &current, const QString &color)
{
    if (color == current)
        return;
    current = color;
    label->setStyleSheet(u"QLabel { color: %1; }"_s.arg(color));
}

} // namespace

RunBar::RunBar(const Theme &theme, QWidget *parent) : QFrame(parent), m_theme(theme)
{
    setObjectName(u"runBar"_s);
    auto *rows = new QVBoxLayout(this);
    rows->setContentsMargins(theme.px(12), theme.px(8), theme.px(12), theme.px(8));
    rows->setSpacing(theme.px(6));

    auto *top = new QHBoxLayout;
    top->setSpacing(theme.px(8));
    m_picker = new QComboBox;
    m_picker->setFont(theme.font(11));
    m_picker->setMinimumWidth(theme.px(200));
    m_picker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_picker->setToolTip(tr("The scenario to run: load plus a chaos timeline. \"Open…\" picks "
                            "a scenario file."));
    top->addWidget(m_picker);

    m_start = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"));
    m_start->setObjectName(u"startButton"_s);
    m_start->setToolTip(tr("Start the scenario (Ctrl+R)"));
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"));
    m_stop->setObjectName(u"stopButton"_s);
    m_stop->setToolTip(tr("Stop the run: no new calls, calls in flight are cancelled (Ctrl+. or "
                          "Escape)"));
    m_reset = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("Reset"));
    m_reset->setObjectName(u"resetButton"_s);
    m_reset->setToolTip(tr("Clear the charts and return to an idle lab on the base config "
                           "(Ctrl+Shift+R)"));
    for (QPushButton *button : {m_start, m_stop, m_reset}) {
        button->setFont(theme.font(11, true));
        button->setMinimumHeight(theme.px(32));
        top->addWidget(button);
    }
    top->addSpacing(theme.px(10));

    m_clock = new QLabel(u"00:00"_s);
    QFont clockFont = theme.font(20, true);
    clockFont.setStyleHint(QFont::Monospace);
    clockFont.setFamily(u"DejaVu Sans Mono"_s);
    m_clock->setFont(clockFont);
    m_clock->setToolTip(tr("Run time elapsed / scenario duration (after --time-scale)."));
    top->addWidget(m_clock);

    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setFixedHeight(theme.px(12));
    // Short is fine: it stretches into whatever room the figures leave.
    m_progress->setMinimumWidth(theme.px(80));
    top->addWidget(m_progress, 1);
    top->addSpacing(theme.px(10));

    // The lead figure and, right beside it, where the other answers came from.
    auto *lead = new QHBoxLayout;
    lead->setSpacing(theme.px(10));
    m_modelRate = bigFigure(lead, tr("answered by a model"), 24);
    m_modelRate->setObjectName(u"modelRate"_s);
    m_modelRate->setToolTip(tr("Share of calls answered by a model of the chain: not the "
                               "response cache, not the degraded stand-in text. What users "
                               "came for."));
    auto *side = new QVBoxLayout;
    side->setSpacing(0);
    side->addStretch(1);
    m_cache = sideFigure(side, Theme::css(Theme::sourceColor(u"cache"_s, -1)));
    m_cache->setToolTip(tr("Share of calls answered from the response cache: an earlier "
                           "answer to the same prompt."));
    m_degraded = sideFigure(side, Theme::css(Theme::sourceColor(u"degraded"_s, -1)));
    m_degraded->setToolTip(tr("Share of calls that got the degraded stand-in text: no model "
                              "and no cached answer."));
    m_success = sideFigure(side, QString());
    m_success->setToolTip(tr("Share of calls answered by a model or the cache, not the "
                             "degraded stand-in text."));
    side->addStretch(1);
    lead->addLayout(side);
    top->addLayout(lead);
    rows->addLayout(top);

    auto *bottom = new QHBoxLayout;
    bottom->setSpacing(theme.px(6));
    // The count sits with the line it is the total of, so the top row keeps its width.
    m_requests = new QLabel(u"0"_s);
    m_requests->setFont(theme.font(12, true));
    m_requests->setToolTip(tr("Calls answered so far (model, cache or degraded)."));
    bottom->addWidget(m_requests);
    auto *caption = new QLabel(tr("requests · answers by source"));
    caption->setProperty("role", u"caption"_s);
    caption->setFont(theme.font(10));
    bottom->addWidget(caption);
    bottom->addSpacing(theme.px(4));
    m_sources = new QLabel;
    m_sources->setFont(theme.font(12, true));
    m_sources->setTextFormat(Qt::RichText);
    m_sources->setToolTip(tr("Where the answers came from: each model of the chain, the "
                             "response cache, the degraded stand-in text."));
    // Neither long line may widen the window: each takes the room there is.
    m_sources->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_sources->setWordWrap(true);
    bottom->addWidget(m_sources, 3);
    m_status = new QLabel;
    m_status->setFont(theme.font(10.5));
    m_status->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setWordWrap(true);
    bottom->addWidget(m_status, 2);
    rows->addLayout(bottom);

    connect(m_picker, &QComboBox::activated, this, [this](int index) {
        if (m_picker->itemData(index).toString() == kOpenItem) {
            // Back to the previous pick until a file is chosen.
            m_picker->setCurrentIndex(m_lastPicked);
            Q_EMIT openScenarioRequested();
            return;
        }
        m_lastPicked = index;
        Q_EMIT scenarioChanged(currentScenarioPath());
    });
    showNoShares();
    setRunning(false, false);
}

RunBar::~RunBar() = default;

void RunBar::showNoShares()
{
    m_modelRate->setText(u"—"_s);
    m_cache->setText(tr("cache —"));
    m_degraded->setText(tr("degraded —"));
    m_success->setText(tr("answered ok —"));
}

QLabel *RunBar::bigFigure(QHBoxLayout *into, const QString &caption, double points)
{
    auto *box = new QVBoxLayout;
    box->setSpacing(0);
    auto *value = new QLabel(u"—"_s);
    value->setFont(m_theme.font(points, true));
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto *label = new QLabel(caption);
    label->setProperty("role", u"caption"_s);
    label->setFont(m_theme.font(9));
    label->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    box->addWidget(value);
    box->addWidget(label);
    into->addLayout(box);
    return value;
}

QLabel *RunBar::sideFigure(QVBoxLayout *into, const QString &color)
{
    auto *label = new QLabel;
    label->setFont(m_theme.font(10.5, true));
    if (!color.isEmpty())
        label->setStyleSheet(u"QLabel { color: %1; }"_s.arg(color));
    into->addWidget(label);
    return label;
}

void RunBar::setScenarios(const QList<ScenarioEntry> &scenarios)
{
    m_picker->clear();
    for (const ScenarioEntry &entry : scenarios) {
        m_picker->addItem(entry.bundled ? entry.name : tr("%1 (file)").arg(entry.name), entry.path);
        m_picker->setItemData(m_picker->count() - 1,
                              entry.description.isEmpty() ? entry.path : entry.description,
                              Qt::ToolTipRole);
    }
    m_picker->insertSeparator(m_picker->count());
    m_picker->addItem(tr("Open…"), kOpenItem);
    m_lastPicked = scenarios.isEmpty() ? -1 : 0;
    m_picker->setCurrentIndex(m_lastPicked);
}

void RunBar::selectScenario(const QString &file)
{
    const QString twin = bundledTwin(file);
    const QString path = !twin.isEmpty() && m_picker->findData(twin) >= 0 ? twin : file;
    int index = m_picker->findData(path);
    if (index < 0) {
        const ScenarioEntry entry = scenarioEntry(path);
        // Before the separator and "Open…".
        index = std::max(0, m_picker->count() - 2);
        m_picker->insertItem(index, entry.bundled ? entry.name : tr("%1 (file)").arg(entry.name),
                             path);
        m_picker->setItemData(index, entry.description.isEmpty() ? path : entry.description,
                              Qt::ToolTipRole);
    }
    m_picker->setCurrentIndex(index);
    m_lastPicked = index;
    Q_EMIT scenarioChanged(path);
}

QString RunBar::currentScenarioPath() const
{
    const QString path = m_picker->currentData().toString();
    return path == kOpenItem ? QString() : path;
}

void RunBar::setRunning(bool running, bool finished)
{
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    m_reset->setEnabled(true);
    m_picker->setEnabled(!running);
    Q_UNUSED(finished);
}

void RunBar::showProgress(const RecorderSnapshot &snapshot, double elapsed, double duration)
{
    if (duration > 0.0) {
        m_clock->setText(clock(elapsed) + u" / "_s + clock(duration));
        m_progress->setValue(
            static_cast<int>(std::lround(1000.0 * std::min(1.0, elapsed / duration))));
        m_progress->setVisible(true);
    } else {
        m_clock->setText(clock(elapsed));
        m_progress->setValue(0);
    }

    const QLocale locale = numbers();
    const RecorderTotals &totals = snapshot.totals;
    m_requests->setText(locale.toString(static_cast<qlonglong>(totals.requests)));
    std::int64_t cacheAnswers = 0;
    for (const SourceFigures &source : snapshot.sources) {
        if (source.source == u"cache"_s)
            cacheAnswers = source.answers;
    }
    QString modelRateColor = Theme::css(m_theme.text());
    QString successColor = modelRateColor;
    if (totals.requests > 0) {
        const auto share = [&totals](std::int64_t part) {
            return 100.0 * static_cast<double>(part) / static_cast<double>(totals.requests);
        };
        m_modelRate->setText(percentText(totals.answeredByModel, totals.requests));
        modelRateColor = Theme::css(rateColor(share(totals.answeredByModel)));
        m_cache->setText(tr("cache %1").arg(percentText(cacheAnswers, totals.requests)));
        m_degraded->setText(tr("degraded %1").arg(percentText(totals.degraded, totals.requests)));
        m_success->setText(
            tr("answered ok %1").arg(percentText(totals.succeeded, totals.requests)));
        successColor = Theme::css(rateColor(share(totals.succeeded)));
    } else {
        showNoShares();
    }
    setTextColor(m_modelRate, m_modelRateColor, modelRateColor);
    setTextColor(m_success, m_successColor, successColor);

    QStringList parts;
    int modelIndex = 0;
    for (const SourceFigures &source : snapshot.sources) {
        const bool model = source.source != u"cache"_s && source.source != u"degraded"_s;
        const QColor color = Theme::sourceColor(source.source, model ? modelIndex++ : -1);
        const double share = totals.requests > 0 ? 100.0 * static_cast<double>(source.answers) /
                                                       static_cast<double>(totals.requests)
                                                 : 0.0;
        parts.append(u"<span style='color:%1'>&#9632;</span>&nbsp;%2&nbsp;<span "
                     u"style='color:%1'>%3&nbsp;%</span>"_s.arg(
                         Theme::css(color),
                         // A name breaks only between entries.
                         source.source.toHtmlEscaped().replace(QLatin1Char('-'), QChar(0x2011)),
                         locale.toString(share, 'f', 0)));
    }
    // Breakable only between entries, so a narrow bar wraps whole entries.
    const QString html = parts.join(u"&nbsp;&nbsp;&nbsp; "_s);
    if (m_sources->text() != html)
        m_sources->setText(html);
}

void RunBar::setStatus(const QString &text, bool error)
{
    if (text == m_status->text() && error == m_statusError)
        return;
    m_statusError = error;
    m_status->setText(text);
    m_status->setStyleSheet(error
                                ? u"QLabel { color: #ff6b5e; font-weight: bold; }"_s
                                : u"QLabel { color: %1; }"_s.arg(Theme::css(m_theme.mutedText())));
}

QString RunBar::clockText() const
{
    return m_clock->text();
}

QString RunBar::requestsText() const
{
    return m_requests->text();
}

QString RunBar::modelRateText() const
{
    return m_modelRate->text();
}

QString RunBar::cacheText() const
{
    return m_cache->text();
}

QString RunBar::degradedText() const
{
    return m_degraded->text();
}

QString RunBar::successText() const
{
    return m_success->text();
}

QString RunBar::modelRateColor() const
{
    return m_modelRateColor;
}

QString RunBar::sourcesText() const
{
    QString text = m_sources->text();
    text.remove(QRegularExpression(u"<[^>]*>"_s));
    text.replace(u"&nbsp;"_s, u" "_s);
    text.replace(u"&#9632;"_s, QString());
    text.replace(QChar(0x2011), QLatin1Char('-'));
    return text.simplified();
}

QString RunBar::statusText() const
{
    return m_status->text();
}

int RunBar::progressValue() const
{
    return m_progress->value();
}

AlertBanner::AlertBanner(const Theme &theme, QWidget *parent) : QFrame(parent)
{
    setObjectName(u"alertBanner"_s);
    setStyleSheet(u"QFrame#alertBanner { background: %1; border-radius: %2px; }"
                  u" QLabel { color: white; }"_s.arg(Theme::css(theme.alert()))
                      .arg(theme.px(6)));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(theme.px(16), theme.px(8), theme.px(16), theme.px(8));
    m_text = new QLabel;
    m_text->setFont(theme.font(17, true));
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    layout->addWidget(m_text, 1);
    setToolTip(tr("An alert rule is firing (the in-process twin of "
                  "resources/prometheus/alerts.yml). It clears by itself when the condition "
                  "no longer holds."));
    setVisible(false);
}

AlertBanner::~AlertBanner() = default;

void AlertBanner::setAlerts(const QList<AlertRecord> &firing)
{
    QStringList lines;
    for (const AlertRecord &alert : firing) {
        lines.append(alert.message.isEmpty() ? u"\u26A0  %1"_s.arg(alert.name)
                                             : u"\u26A0  %1 — %2"_s.arg(alert.name, alert.message));
    }
    m_text->setText(lines.join(QLatin1Char('\n')));
    setVisible(!lines.isEmpty());
}

QString AlertBanner::text() const
{
    return m_text->text();
}

} // namespace breakwater::ui
