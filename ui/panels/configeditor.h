#pragma once

#include <QList>
#include <QString>
#include <QWidget>
#include <nlohmann/json.hpp>
#include <optional>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace breakwater::ui {

/// One problem of the edited config.
struct ConfigProblem {
    /// The JSON path (`retry.max_attempts`); empty for the document (a syntax error).
    QString path;
    /// What is wrong, with anything key-like masked.
    QString message;
    /// Where in the text, when known without the path (syntax errors).
    std::optional<qsizetype> offset;

    /// "path: message", or the message alone for the document.
    QString text() const;
};

/// `config` as the editor shows it: indented, keys in the order SPEC.md section 5 writes
/// them (providers, chain, retry…), unknown keys last.
QString configText(const nlohmann::json &config);

/// The config editor (SPEC.md section 10): the config as JSON text, validated as you type
/// (debounced) with the same loader the CLI uses, every problem listed with its JSON path
/// (click one to go there), and Apply, enabled only while the text is a valid config. It
/// applies nothing itself: configApplied() hands the JSON to whoever owns the session.
/// Key-like values are refused and never displayed in the problem list.
class ConfigEditor final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigEditor)

public:
    /// How long typing must pause before the text is validated.
    static constexpr int kValidationDelayMs = 300;

    explicit ConfigEditor(QWidget *parent = nullptr);

    /// Shows `config` pretty-printed as the applied config (what Revert returns to) and
    /// validates it at once. The lead calls this with the session's config.
    void setConfigJson(const nlohmann::json &config);
    QString text() const;
    /// Replaces the text as if typed: validated after the delay.
    void setText(const QString &text);

    /// The text as last validated is a valid config, and it has not changed since.
    bool isValid() const { return m_valid; }
    /// Problems found by the last validation.
    const QList<ConfigProblem> &problems() const { return m_problems; }
    /// Validates now instead of after the delay.
    void validateNow();

    /// Larger type for demos.
    void setPresenterMode(bool on);
    bool presenterMode() const { return m_presenter; }

public Q_SLOTS:
    /// Emits configApplied with the validated JSON, if valid.
    void apply();
    /// Back to the text given by setConfigJson or last applied.
    void revert();
    /// Puts the cursor on problem `row` of the list.
    void goToProblem(int row);

Q_SIGNALS:
    /// The user applied `config`, a valid config (SPEC.md section 5).
    void configApplied(const nlohmann::json &config);
    void validityChanged(bool valid);

protected:
    void changeEvent(QEvent *event) override;

private:
    void textEdited();
    void setValid(bool valid);
    void showProblems();
    void updateFonts();

    QPlainTextEdit *m_editor = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QListWidget *m_problemList = nullptr;
    QLabel *m_providers = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_revert = nullptr;
    QTimer *m_debounce = nullptr;

    QList<ConfigProblem> m_problems;
    std::optional<nlohmann::json> m_validJson;
    QString m_appliedText;
    bool m_valid = false;
    bool m_presenter = false;
};

} // namespace breakwater::ui
