#include "chaosmodelcard.h"

#include "panelstyle.h"

#include <QDoubleSpinBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;
namespace {

// Sliders move in steps of 0.1 % (per mille), the spin boxes show one decimal of a percent.
constexpr int kSliderSteps = 1000;
constexpr int kMaxLatencyMs = 600000;

QString faultExplanation(ChaosFault fault)
{
    switch (fault) {
    case ChaosFault::RateLimited:
        return u"429 rate limit error, with retry-after"_s;
    case ChaosFault::ServerError:
        return u"500 internal server error"_s;
    case ChaosFault::Unavailable:
        return u"503 service unavailable (100 % takes the model down)"_s;
    case ChaosFault::Overloaded:
        return u"529 overloaded_error (OpenAI dialect: 503 overload)"_s;
    case ChaosFault::Timeout:
        return u"accepts the request and never answers"_s;
    case ChaosFault::Reset:
        return u"closes the connection abruptly"_s;
    case ChaosFault::Malformed:
        return u"200 with a body that is not JSON"_s;
    case ChaosFault::Auth:
        return u"401 authentication error"_s;
    case ChaosFault::StreamError:
        return u"streams: an error event in the middle of the answer"_s;
    case ChaosFault::StreamStall:
        return u"streams: stops sending in the middle of the answer"_s;
    case ChaosFault::StreamTruncate:
        return u"streams: the connection closes before the finish reason (a cut answer)"_s;
    case ChaosFault::StreamNoTerminator:
        return u"streams: a complete answer that ends without [DONE] / message_stop"_s;
    case ChaosFault::ContentFilter:
        return u"refused on content grounds (OpenAI 400 content_policy_violation; "
               u"Anthropic stop_reason refusal)"_s;
    }
    return {};
}

QString displayName(const QString &model)
{
    return model == kChaosAnyModel ? u"every other model (*)"_s : model;
}

} // namespace

ChaosModelCard::ChaosModelCard(const QString &model, QWidget *parent)
    : QFrame(parent), m_model(model)
{
    setObjectName(u"chaosCard:"_s + model);
    setFrameShape(QFrame::StyledPanel);

    m_title = new QLabel(displayName(model), this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_badge = new QLabel(this);
    m_badge->setAlignment(Qt::AlignCenter);
    m_switch = new QPushButton(this);
    m_switch->setObjectName(u"takeDown:"_s + model);
    m_switch->setCursor(Qt::PointingHandCursor);
    connect(m_switch, &QPushButton::clicked, this, [this] {
        if (m_down)
            Q_EMIT recoverRequested(m_model);
        else
            Q_EMIT takeDownRequested(m_model);
    });

    // In a narrow side pane the model name gives way, never the Take down switch: the name
    // is also in the tooltip and on the breaker card.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setMinimumWidth(fontMetrics().horizontalAdvance(u"claude-"_s));
    m_title->setToolTip(m_model);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_badge);
    header->addWidget(m_switch);

    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setForegroundRole(QPalette::PlaceholderText);

    m_p50 = new QSpinBox(this);
    m_p99 = new QSpinBox(this);
    m_p50->setObjectName(u"p50:"_s + model);
    m_p99->setObjectName(u"p99:"_s + model);
    for (QSpinBox *box : {m_p50, m_p99}) {
        box->setRange(0, kMaxLatencyMs);
        box->setSingleStep(50);
        box->setSuffix(u" ms"_s);
        box->setKeyboardTracking(false);
        box->setAccelerated(true);
    }
    m_p50->setToolTip(u"Median latency before the response starts"_s);
    m_p99->setToolTip(u"99th percentile latency (raising p50 above it moves it along)"_s);
    // The server wants p50 > 0 whenever p99 is: a range opened from zero, or closed to
    // zero, moves both ends, instead of being refused.
    connect(m_p50, &QSpinBox::valueChanged, this, [this](int value) {
        nlohmann::json latency = {{"p50", value}};
        if (value == 0)
            latency["p99"] = 0;
        Q_EMIT changeRequested(m_model, {{"latency_ms", latency}});
    });
    connect(m_p99, &QSpinBox::valueChanged, this, [this](int value) {
        nlohmann::json latency = {{"p99", value}};
        if (m_p50->value() == 0)
            latency["p50"] = value;
        Q_EMIT changeRequested(m_model, {{"latency_ms", latency}});
    });

    auto *latency = new QHBoxLayout;
    latency->addWidget(new QLabel(u"Latency p50"_s, this));
    latency->addWidget(m_p50);
    latency->addSpacing(8);
    latency->addWidget(new QLabel(u"p99"_s, this));
    latency->addWidget(m_p99);
    latency->addStretch(1);

    auto *faults = new QGridLayout;
    faults->setColumnStretch(1, 1);
    faults->setVerticalSpacing(2);
    for (ChaosFault fault : allChaosFaults()) {
        const int index = static_cast<int>(fault);
        const QString name = chaosFaultName(fault);
        auto *label = new QLabel(name, this);
        label->setToolTip(faultExplanation(fault));
        FaultRow &row = m_faults[static_cast<std::size_t>(index)];
        row.slider = new QSlider(Qt::Horizontal, this);
        row.slider->setObjectName(u"faultSlider:%1:%2"_s.arg(model, name));
        row.slider->setRange(0, kSliderSteps);
        row.slider->setPageStep(50);
        row.slider->setToolTip(faultExplanation(fault));
        row.percent = new QDoubleSpinBox(this);
        row.percent->setObjectName(u"fault:%1:%2"_s.arg(model, name));
        row.percent->setRange(0.0, 100.0);
        row.percent->setDecimals(1);
        row.percent->setSingleStep(1.0);
        row.percent->setSuffix(u" %"_s);
        row.percent->setKeyboardTracking(false);
        row.percent->setToolTip(faultExplanation(fault));
        connect(row.slider, &QSlider::valueChanged, this, [this, fault](int value) {
            requestFault(fault, static_cast<double>(value) / kSliderSteps);
        });
        connect(row.percent, &QDoubleSpinBox::valueChanged, this,
                [this, fault](double value) { requestFault(fault, value / 100.0); });
        faults->addWidget(label, index, 0);
        faults->addWidget(row.slider, index, 1);
        faults->addWidget(row.percent, index, 2);
    }

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_note);
    layout->addLayout(latency);
    layout->addLayout(faults);

    updateFonts();
    setEntry(nullptr, false);
}

void ChaosModelCard::setEntry(const ChaosModelProfile *entry, bool inherited)
{
    const ChaosModelProfile shown = entry ? *entry : ChaosModelProfile{};
    {
        const QSignalBlocker p50(m_p50);
        const QSignalBlocker p99(m_p99);
        m_p50->setValue(qRound(shown.latency.p50Ms));
        m_p99->setValue(qRound(shown.latency.p99Ms));
    }
    double total = 0.0;
    for (ChaosFault fault : allChaosFaults()) {
        const double rate = shown.faultRate(fault);
        total += rate;
        const FaultRow &row = m_faults[static_cast<std::size_t>(fault)];
        const QSignalBlocker slider(row.slider);
        const QSignalBlocker percent(row.percent);
        row.slider->setValue(qRound(rate * kSliderSteps));
        row.percent->setValue(rate * 100.0);
    }
    m_down = shown.faultRate(ChaosFault::Unavailable) >= 1.0;

    QString badge;
    QString colour;
    if (!entry) {
        badge = u"NOT SERVED"_s;
        colour = u"#757575"_s;
    } else if (m_down) {
        badge = u"DOWN"_s;
        colour = u"#c62828"_s;
    } else if (total > 0.0) {
        badge = u"FAULTS %1 %"_s.arg(std::min(total, 1.0) * 100.0, 0, 'f', 1);
        colour = u"#e06c00"_s;
    } else {
        badge = u"HEALTHY"_s;
        colour = u"#2e7d32"_s;
    }
    m_badge->setText(badge);
    m_badge->setStyleSheet(
        u"QLabel { color: white; background: %1; border-radius: 4px; padding: 2px 8px; }"_s.arg(
            colour));

    if (!entry)
        m_note->setText(u"The server has no entry for this model and answers 404; any change "
                        u"here creates one."_s);
    else if (inherited)
        m_note->setText(u"Served by the \"*\" entry; a change here gives the model its own."_s);
    m_note->setVisible(!entry || inherited);
    updateSwitch();
}

void ChaosModelCard::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateFonts();
}

void ChaosModelCard::requestFault(ChaosFault fault, double rate)
{
    const std::string name = chaosFaultName(fault).toStdString();
    // Rounded to the controls' resolution so that 5 % is 0.05, not 0.05000000000000000277.
    const double rounded = std::round(rate * kSliderSteps) / kSliderSteps;
    Q_EMIT changeRequested(m_model, {{"faults", {{name, rounded}}}});
}

void ChaosModelCard::updateFonts()
{
    m_title->setFont(scaledFont(font(), 1.3, true));
    m_badge->setFont(scaledFont(font(), 1.0, true));
    m_switch->setFont(scaledFont(font(), 1.15, true));
    m_switch->setMinimumHeight(fontMetrics().height() * 2 + 4);
    m_switch->setMinimumWidth(fontMetrics().horizontalAdvance(u"Take down"_s) * 3 / 2 + 24);
}

void ChaosModelCard::updateSwitch()
{
    m_switch->setText(m_down ? u"Recover"_s : u"Take down"_s);
    m_switch->setToolTip(m_down ? u"Back to the baseline entry for this model"_s
                                : u"Every request to this model gets 503 (unavailable 100 %)"_s);
    const QString colour = m_down ? u"#2e7d32"_s : u"#c62828"_s;
    m_switch->setStyleSheet(
        u"QPushButton { color: white; background: %1; border: none; border-radius: 6px; "
        u"padding: 4px 14px; } QPushButton:disabled { background: #9e9e9e; }"_s.arg(colour));
}

} // namespace breakwater::ui
