#include "chaospanel.h"

#include "chaos/chaosserver.h"
#include "chaosmodelcard.h"
#include "panelstyle.h"
#include "runtime/lab.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;

ChaosPanel::ChaosPanel(Lab *lab, QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(u"Chaos"_s, this);
    m_server = new QLabel(this);
    m_server->setForegroundRole(QPalette::PlaceholderText);
    m_reset = new QPushButton(u"Reset chaos"_s, this);
    m_reset->setObjectName(u"resetChaos"_s);
    m_reset->setToolTip(u"Back to the baseline profile; statistics zeroed, timeline stopped"_s);
    connect(m_reset, &QPushButton::clicked, this, [this] {
        if (m_controller)
            m_controller->reset();
    });

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addWidget(m_server, 1);
    header->addWidget(m_reset);

    m_message = new QLabel(this);
    m_message->setObjectName(u"chaosMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setMargin(8);
    m_message->setStyleSheet(u"QLabel { background: #fff3e0; border: 1px solid #e0a050; "
                             u"border-radius: 4px; color: #4e342e; }"_s);

    m_cardHost = new QWidget;
    m_cardLayout = new QVBoxLayout(m_cardHost);
    m_cardLayout->setContentsMargins(0, 0, 0, 0);
    m_cardLayout->addStretch(1);
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidget(m_cardHost);

    m_status = new QLabel(this);
    m_status->setObjectName(u"chaosStatus"_s);
    m_status->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_message);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_status);

    updateFonts();
    setLab(lab);
}

void ChaosPanel::setLab(Lab *lab)
{
    for (const QMetaObject::Connection &connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_lab = lab;
    m_controller = nullptr;
    m_status->clear();

    if (lab) {
        m_connections.append(connect(lab, &QObject::destroyed, this, [this] { setLab(nullptr); }));
        if (ChaosServer *server = lab->chaos()) {
            m_controller = &server->controller();
            m_server->setText(u"embedded server %1"_s.arg(server->baseUrl().toString()));
            m_connections.append(connect(m_controller, &ChaosController::profileChanged, this,
                                         &ChaosPanel::refresh));
            m_connections.append(connect(m_controller, &ChaosController::timelineStepApplied, this,
                                         &ChaosPanel::showTimelineStep));
        }
    }
    if (!m_controller)
        m_server->clear();

    const QString reason = inactiveReason();
    QString message = reason;
    if (lab && m_controller) {
        // A mixed chain: say which models are real, so nobody expects the sliders to
        // reach them.
        QStringList real;
        for (const ChainEntry &entry : lab->config().chain) {
            const ProviderConfig *provider = lab->config().provider(entry.provider);
            if (provider && !provider->isEmbedded())
                real.append(u"%1 (%2)"_s.arg(entry.model, provider->name));
        }
        if (!real.isEmpty())
            message = u"Real providers are not simulated, so chaos cannot reach: "_s +
                      real.join(u", "_s) + u'.';
    }
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    m_reset->setEnabled(isActive());
    m_scroll->setEnabled(isActive());
    rebuildCards();
}

QString ChaosPanel::inactiveReason() const
{
    if (m_controller)
        return {};
    if (!m_lab)
        return u"No session is running, so there is no chaos server to control."_s;
    QStringList real;
    for (const ProviderConfig &provider : m_lab->config().providers) {
        if (!provider.isEmbedded())
            real.append(u"%1 → %2"_s.arg(provider.name, provider.baseUrl));
    }
    return u"Chaos is off: the current config uses no embedded chaos server, only real "
           u"providers (%1). Faults cannot be injected into a real API. Set a provider's "
           u"base_url to \"embedded\" to simulate it."_s.arg(real.join(u", "_s));
}

void ChaosPanel::setPresenterMode(bool on)
{
    m_presenter = on;
    applyPresenterFont(this, on);
}

void ChaosPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateFonts();
}

QStringList ChaosPanel::modelNames() const
{
    QStringList names;
    if (!m_lab || !m_controller)
        return names;
    // The chain's simulated models first, in chain order (what the breaker cards show)...
    const Config &config = m_lab->config();
    for (const ChainEntry &entry : config.chain) {
        const ProviderConfig *provider = config.provider(entry.provider);
        if (provider && provider->isEmbedded() && !names.contains(entry.model))
            names.append(entry.model);
    }
    // ...then whatever else the profile lists, the catch-all "*" last.
    const QStringList listed = m_controller->profile().models.keys();
    for (const QString &model : listed) {
        if (model != kChaosAnyModel && !names.contains(model))
            names.append(model);
    }
    if (listed.contains(kChaosAnyModel))
        names.append(kChaosAnyModel);
    return names;
}

void ChaosPanel::rebuildCards()
{
    // Later, not now: this may run inside a card's own signal (a change that added a model).
    for (ChaosModelCard *card : std::as_const(m_cards)) {
        m_cardLayout->removeWidget(card);
        card->hide();
        card->setParent(nullptr); // out of the tree now, so no lookup finds it
        card->deleteLater();
    }
    m_cards.clear();
    m_models = modelNames();
    int position = 0;
    for (const QString &model : std::as_const(m_models)) {
        auto *card = new ChaosModelCard(model, m_cardHost);
        connect(card, &ChaosModelCard::changeRequested, this, &ChaosPanel::applyPatch);
        connect(card, &ChaosModelCard::takeDownRequested, this, &ChaosPanel::takeDown);
        connect(card, &ChaosModelCard::recoverRequested, this, &ChaosPanel::recover);
        m_cardLayout->insertWidget(position++, card);
        m_cards.insert(model, card);
    }
    refresh();
}

void ChaosPanel::refresh()
{
    if (!m_controller)
        return;
    if (modelNames() != m_models) {
        rebuildCards(); // a model appeared (PATCH of a new name, a whole new profile)
        return;
    }
    const ChaosProfile profile = m_controller->profile();
    for (auto it = m_cards.cbegin(); it != m_cards.cend(); ++it) {
        const ChaosModelProfile *entry = profile.find(it.key());
        it.value()->setEntry(entry, entry && !profile.models.contains(it.key()));
    }
}

void ChaosPanel::applyPatch(const QString &model, const nlohmann::json &partial)
{
    if (!m_controller)
        return;
    const QList<ValidationError> errors = m_controller->patchModel(model, partial);
    if (errors.isEmpty())
        return;
    QStringList messages;
    for (const ValidationError &error : errors)
        messages.append(error.path.isEmpty() ? error.message
                                             : error.path + u": "_s + error.message);
    m_status->setText(u"Not applied to %1: %2"_s.arg(model, messages.join(u"; "_s)));
    refresh(); // put the control back to what the server has
    Q_EMIT changeRejected(model, messages.join(u"; "_s));
}

void ChaosPanel::takeDown(const QString &model)
{
    applyPatch(model, {{"faults", {{chaosFaultName(ChaosFault::Unavailable).toStdString(), 1.0}}}});
}

void ChaosPanel::recover(const QString &model)
{
    if (!m_controller)
        return;
    // Back to the model's baseline entry as a whole (a merge of every field), so recovering
    // also undoes whatever else was turned up while it was down.
    const ChaosProfile baselineProfile = m_controller->baseline();
    if (const ChaosModelProfile *baseline = baselineProfile.find(model))
        applyPatch(model, chaosModelProfileToJson(*baseline));
    else
        applyPatch(model,
                   {{"faults", {{chaosFaultName(ChaosFault::Unavailable).toStdString(), 0.0}}}});
}

void ChaosPanel::showTimelineStep(const QString &model, const QString &note)
{
    const QString what = note.isEmpty() ? u"step applied"_s : note;
    m_status->setText(u"Timeline: %1 (%2)"_s.arg(what, model));
}

void ChaosPanel::updateFonts()
{
    m_title->setFont(scaledFont(font(), 1.4, true));
}

} // namespace breakwater::ui
