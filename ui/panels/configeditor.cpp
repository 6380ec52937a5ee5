#include "configeditor.h"

#include "config/configloader.h"
#include "jsonpathlocator.h"
#include "panelstyle.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;
namespace {

const QColor kValid(0x2e, 0x7d, 0x32);
const QColor kInvalid(0xc6, 0x28, 0x28);
const QColor kPending(0x61, 0x61, 0x61);

// nlohmann's message without its "[json.exception.…] " tag and its "parse error at line L,
// column C: " prefix (the position is given in characters instead of bytes).
QString jsonErrorText(const char *what)
{
    QString text = QString::fromUtf8(what);
    if (text.startsWith(u'[')) {
        const qsizetype tagEnd = text.indexOf(u"] "_s);
        if (tagEnd >= 0)
            text.remove(0, tagEnd + 2);
    }
    if (text.startsWith(u"parse error"_s)) {
        const qsizetype colon = text.indexOf(u": "_s);
        if (colon >= 0)
            text.remove(0, colon + 2);
    }
    return text;
}

QString lineAndColumn(const QString &text, qsizetype offset)
{
    const QStringView before = QStringView(text).left(offset);
    const qsizetype line = before.count(u'\n') + 1;
    const qsizetype column = offset - (before.lastIndexOf(u'\n') + 1) + 1;
    return u"line %1, column %2"_s.arg(line).arg(column);
}

// Keys belong in environment variables; a config (which lands in reports and screenshots)
// must not carry one, even in a field the loader would accept as a plain string.
void findSecrets(const nlohmann::json &json, const QString &path, QList<ConfigProblem> &problems)
{
    if (json.is_string()) {
        if (looksLikeSecret(QString::fromStdString(json.get<std::string>())))
            problems.append({path,
                             u"looks like an API key: keys never go in a config; put it in an "
                             u"environment variable and name that variable in api_key_env"_s,
                             std::nullopt});
    } else if (json.is_object()) {
        for (auto it = json.begin(); it != json.end(); ++it) {
            const QString key = QString::fromStdString(it.key());
            const QString child = jsonMemberPath(path, key);
            if (looksLikeSecret(key))
                problems.append(
                    {child, u"a field name that looks like an API key"_s, std::nullopt});
            findSecrets(it.value(), child, problems);
        }
    } else if (json.is_array()) {
        for (std::size_t i = 0; i < json.size(); ++i)
            findSecrets(json[i], jsonItemPath(path, static_cast<qsizetype>(i)), problems);
    }
}

QString describeProviders(const Config &config)
{
    QStringList lines;
    for (const ProviderConfig &provider : config.providers) {
        const bool used =
            std::any_of(config.chain.cbegin(), config.chain.cend(),
                        [&](const ChainEntry &entry) { return entry.provider == provider.name; });
        QString line = provider.name + u": "_s;
        if (provider.isEmbedded()) {
            line += u"simulated (embedded chaos server)"_s;
        } else {
            line += u"REAL, "_s + provider.baseUrl;
            if (provider.apiKeyEnv.isEmpty())
                line += u", no key"_s;
            else
                line += u", key from $%1 (%2)"_s.arg(
                    provider.apiKeyEnv, qEnvironmentVariableIsSet(provider.apiKeyEnv.toUtf8())
                                            ? u"set"_s
                                            : u"not set"_s);
        }
        if (!used)
            line += u" · not in the chain"_s;
        lines.append(line);
    }
    return maskSecrets(lines.join(u'\n'));
}

// An unknown field is reported at its object's path; the field itself is the better place
// to go: "unknown field 'max_attempt'" at `retry` goes to `retry.max_attempt`.
QString problemPath(const ConfigProblem &problem)
{
    static const QString marker = u"unknown field '"_s;
    if (!problem.message.startsWith(marker))
        return problem.path;
    const qsizetype end = problem.message.indexOf(u'\'', marker.size());
    if (end < 0)
        return problem.path;
    return jsonMemberPath(problem.path, problem.message.mid(marker.size(), end - marker.size()));
}

// The order docs/formats.md writes a config in; nlohmann's objects sort their keys, which
// would put `alert` first and `providers` near the end.
int keyRank(const std::string &key)
{
    static const std::vector<std::string> order = {
        // top level
        "providers", "chain", "retry", "breaker", "hedge", "policy", "timeouts", "context", "cache",
        "degraded_text", "alert", "metrics",
        // a provider, a chain entry
        "kind", "base_url", "api_key_env", "provider", "model", "max_tokens", "context_window",
        "max_concurrency",
        // retry
        "max_attempts", "initial_s", "max_s", "multiplier", "jitter", "jitter_s",
        "honor_retry_after", "retry_after_cap_s", "max_attempts_by_class", "budget_ratio",
        "budget_min_per_s",
        // breaker
        "counts", "consecutive_failures", "window", "window_size", "minimum_calls", "failure_rate",
        "open_s", "open_backoff", "open_max_s", "half_open_probes", "slow_call_s", "slow_call_rate",
        "when_all_open",
        // hedge, policy, timeouts, context, cache, alert, metrics
        "after_s", "on_content_filter", "connect_s", "first_token_s", "idle_s", "attempt_s",
        "total_s", "model_share", "on_overflow", "keep",
        "enabled", "mode", "ttl_s", "max_entries", "error_rate", "window_s", "port"};
    const auto found = std::find(order.cbegin(), order.cend(), key);
    return found == order.cend() ? static_cast<int>(order.size())
                                 : static_cast<int>(found - order.cbegin());
}

nlohmann::ordered_json inSpecOrder(const nlohmann::json &json)
{
    if (json.is_array()) {
        nlohmann::ordered_json array = nlohmann::ordered_json::array();
        for (const nlohmann::json &item : json)
            array.push_back(inSpecOrder(item));
        return array;
    }
    switch (json.type()) {
    case nlohmann::json::value_t::object:
        break;
    case nlohmann::json::value_t::string:
        return json.get<std::string>();
    case nlohmann::json::value_t::boolean:
        return json.get<bool>();
    case nlohmann::json::value_t::number_integer:
        return json.get<std::int64_t>();
    case nlohmann::json::value_t::number_unsigned:
        return json.get<std::uint64_t>();
    case nlohmann::json::value_t::number_float:
        return json.get<double>();
    default:
        return nullptr;
    }
    std::vector<std::string> keys;
    for (auto it = json.begin(); it != json.end(); ++it)
        keys.push_back(it.key());
    // Known keys in their place, the rest (provider names, typos) alphabetically after.
    std::stable_sort(keys.begin(), keys.end(), [](const std::string &a, const std::string &b) {
        return keyRank(a) < keyRank(b);
    });
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const std::string &key : keys)
        object[key] = inSpecOrder(json.at(key));
    return object;
}

} // namespace

QString configText(const nlohmann::json &config)
{
    return QString::fromStdString(inSpecOrder(config).dump(2));
}

QString ConfigProblem::text() const
{
    return maskSecrets(path.isEmpty() ? message : path + u": "_s + message);
}

ConfigEditor::ConfigEditor(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(u"Config"_s, this);
    auto *hint =
        new QLabel(u"JSON, validated as you type; Apply makes it the session's config"_s, this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    hint->setWordWrap(true);

    m_editor = new QPlainTextEdit(this);
    m_editor->setObjectName(u"configText"_s);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setTabChangesFocus(false);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &ConfigEditor::textEdited);

    m_status = new QLabel(this);
    m_status->setObjectName(u"configStatus"_s);
    m_problemList = new QListWidget(this);
    m_problemList->setObjectName(u"problems"_s);
    m_problemList->setWordWrap(true);
    m_problemList->setToolTip(u"Click a problem to go to it"_s);
    connect(m_problemList, &QListWidget::itemClicked, this,
            [this](QListWidgetItem *item) { goToProblem(m_problemList->row(item)); });
    connect(m_problemList, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { goToProblem(m_problemList->row(item)); });

    m_providers = new QLabel(this);
    m_providers->setObjectName(u"providers"_s);
    m_providers->setWordWrap(true);
    m_providers->setTextFormat(Qt::PlainText);

    m_revert = new QPushButton(u"Revert"_s, this);
    m_revert->setObjectName(u"revert"_s);
    m_revert->setToolTip(u"Back to the applied config"_s);
    connect(m_revert, &QPushButton::clicked, this, &ConfigEditor::revert);
    m_apply = new QPushButton(u"Apply"_s, this);
    m_apply->setObjectName(u"apply"_s);
    m_apply->setToolTip(u"Use this config for the session (enabled when it is valid)"_s);
    m_apply->setEnabled(false);
    connect(m_apply, &QPushButton::clicked, this, &ConfigEditor::apply);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_apply);

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addLayout(buttons);
    bottomLayout->addWidget(m_problemList, 1);
    bottomLayout->addWidget(m_providers);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_editor);
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(hint);
    layout->addWidget(splitter, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kValidationDelayMs);
    connect(m_debounce, &QTimer::timeout, this, &ConfigEditor::validateNow);

    updateFonts();
    validateNow();
}

void ConfigEditor::setConfigJson(const nlohmann::json &config)
{
    m_appliedText = configText(config);
    m_editor->setPlainText(m_appliedText);
    validateNow();
}

QString ConfigEditor::text() const
{
    return m_editor->toPlainText();
}

void ConfigEditor::setText(const QString &text)
{
    m_editor->setPlainText(text);
}

void ConfigEditor::setPresenterMode(bool on)
{
    m_presenter = on;
    applyPresenterFont(this, on);
}

void ConfigEditor::apply()
{
    if (m_debounce->isActive())
        validateNow();
    if (!m_valid || !m_validJson)
        return;
    m_appliedText = m_editor->toPlainText();
    m_status->setText(u"✔ Applied"_s);
    Q_EMIT configApplied(*m_validJson);
}

void ConfigEditor::revert()
{
    m_editor->setPlainText(m_appliedText);
    validateNow();
}

void ConfigEditor::goToProblem(int row)
{
    if (row < 0 || row >= m_problems.size())
        return;
    const ConfigProblem &problem = m_problems.at(row);
    const QString text = m_editor->toPlainText();
    JsonTextSpan span;
    if (problem.offset) {
        span = {std::clamp<qsizetype>(*problem.offset, 0, text.size()), 0};
    } else if (const std::optional<JsonTextSpan> found =
                   locateJsonPath(text, problemPath(problem))) {
        span = *found;
        // A whole object or array would select half the file: just go to its start.
        if (span.length > 0 && (text.at(span.start) == u'{' || text.at(span.start) == u'['))
            span.length = 1;
    } else {
        return;
    }
    QTextCursor cursor = m_editor->textCursor();
    cursor.setPosition(static_cast<int>(span.start));
    cursor.setPosition(static_cast<int>(span.start + span.length), QTextCursor::KeepAnchor);
    m_editor->setTextCursor(cursor);
    m_editor->centerCursor();
    m_editor->setFocus(Qt::OtherFocusReason);
}

void ConfigEditor::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateFonts();
}

void ConfigEditor::textEdited()
{
    // Whatever was valid no longer describes the text: no Apply until it is checked again.
    setValid(false);
    m_validJson.reset();
    m_status->setText(u"Checking…"_s);
    m_status->setStyleSheet(u"QLabel { color: %1; }"_s.arg(kPending.name()));
    m_debounce->start();
}

void ConfigEditor::validateNow()
{
    m_debounce->stop();
    const QString text = m_editor->toPlainText();
    const QByteArray bytes = text.toUtf8();
    QList<ConfigProblem> problems;
    std::optional<nlohmann::json> json;

    if (bytes.trimmed().isEmpty()) {
        problems.append({QString(), u"the config is empty (write {} for every default)"_s, 0});
    } else {
        try {
            json = nlohmann::json::parse(bytes.cbegin(), bytes.cend());
        } catch (const nlohmann::json::parse_error &error) {
            // `byte` counts the bytes read, the offending one included.
            const auto byteOffset =
                std::clamp<qsizetype>(static_cast<qsizetype>(error.byte) - 1, 0, bytes.size());
            const qsizetype offset = QString::fromUtf8(bytes.left(byteOffset)).size();
            problems.append({QString(),
                             u"invalid JSON at "_s + lineAndColumn(text, offset) + u": "_s +
                                 jsonErrorText(error.what()),
                             offset});
        } catch (const nlohmann::json::exception &error) {
            problems.append(
                {QString(), u"invalid JSON: "_s + jsonErrorText(error.what()), std::nullopt});
        }
    }

    if (json && isNestedDeeperThan(*json)) {
        // Checked before anything walks the document: those walks recurse.
        problems.append({QString(), tooDeepMessage(), std::nullopt});
        json.reset();
    }

    std::optional<Config> config;
    if (json) {
        ConfigParseResult result = parseConfig(*json, QString());
        for (const ValidationError &error : std::as_const(result.errors))
            problems.append({error.path, error.message, std::nullopt});
        findSecrets(*json, QString(), problems);
        if (problems.isEmpty())
            config = std::move(result.config);
    }

    m_problems = problems;
    m_validJson = config ? json : std::nullopt;
    showProblems();
    if (config) {
        m_status->setText(u"✔ Valid config"_s);
        m_status->setStyleSheet(u"QLabel { color: %1; }"_s.arg(kValid.name()));
        m_providers->setText(describeProviders(*config));
    } else {
        m_status->setText(problems.size() == 1 ? u"✖ 1 problem"_s
                                               : u"✖ %1 problems"_s.arg(problems.size()));
        m_status->setStyleSheet(u"QLabel { color: %1; }"_s.arg(kInvalid.name()));
    }
    setValid(config.has_value());
}

void ConfigEditor::setValid(bool valid)
{
    m_apply->setEnabled(valid);
    if (valid == m_valid)
        return;
    m_valid = valid;
    Q_EMIT validityChanged(valid);
}

void ConfigEditor::showProblems()
{
    m_problemList->clear();
    for (const ConfigProblem &problem : std::as_const(m_problems)) {
        auto *item = new QListWidgetItem(problem.text(), m_problemList);
        item->setForeground(kInvalid);
        item->setToolTip(problem.path.isEmpty() ? u"Click to go to the error"_s
                                                : u"Click to go to %1"_s.arg(problem.path));
    }
    m_problemList->setVisible(!m_problems.isEmpty());
}

void ConfigEditor::updateFonts()
{
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    if (font().pointSizeF() > 0)
        mono.setPointSizeF(font().pointSizeF());
    m_editor->setFont(mono);
    m_editor->setTabStopDistance(QFontMetricsF(mono).horizontalAdvance(u' ') * 4);
    m_title->setFont(scaledFont(font(), 1.4, true));
    m_status->setFont(scaledFont(font(), 1.1, true));
}

} // namespace breakwater::ui
