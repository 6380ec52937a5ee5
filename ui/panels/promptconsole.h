#pragma once

#include "engine/callresult.h"
#include "engine/events.h"
#include "runtime/lab.h"

#include <QMetaObject>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace breakwater::ui {

class WaterfallModel;

/// The prompt console (SPEC.md section 10): send one prompt through the session's engine,
/// optionally streaming (the text grows as the deltas arrive) and optionally with a fault
/// forced on the chaos server (`x-chaos-fault`), then see its attempt waterfall and, in
/// large type, where the answer came from. Ctrl+Enter in the prompt sends.
class PromptConsole final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromptConsole)

public:
    /// `lab` may be nullptr. Bind a lab after Lab::start(): its engines exist only then.
    explicit PromptConsole(Lab *lab = nullptr, QWidget *parent = nullptr);

    /// Sends through `lab` from now on (nullptr: disabled). A call still in flight on the
    /// previous lab is forgotten; a destroyed lab unbinds itself.
    void setLab(Lab *lab);
    Lab *lab() const { return m_lab; }
    /// The waterfall of the last call sent.
    WaterfallModel *waterfall() const { return m_waterfall; }
    /// A call is in flight (Send is disabled until it ends).
    bool isBusy() const { return !m_callId.isEmpty(); }
    /// The id of the call in flight or last sent.
    const QString &lastCallId() const { return m_lastCallId; }

    /// Larger type for demos.
    void setPresenterMode(bool on);
    bool presenterMode() const { return m_presenter; }

public Q_SLOTS:
    /// Sends the prompt box's text as the Send button does; nothing when it cannot.
    void send();

Q_SIGNALS:
    void callStarted(const QString &callId);
    void callFinished(const breakwater::CallResult &result);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void onEvent(const EngineEvent &event);
    void onFinished(const CallResult &result);
    void setVerdict(const QString &text, const QString &detail, const QColor &colour);
    void updateControls();
    void updateFonts();

    QPointer<Lab> m_lab;
    QMetaObject::Connection m_eventConnection;
    QMetaObject::Connection m_destroyedConnection;
    /// Bumped on every send and rebind, so a completion of a forgotten call is ignored.
    quint64 m_generation = 0;
    quint64 m_sent = 0;
    QString m_callId;
    QString m_lastCallId;
    QString m_streamModel;
    bool m_presenter = false;

    WaterfallModel *m_waterfall = nullptr;
    QPlainTextEdit *m_prompt = nullptr;
    QCheckBox *m_stream = nullptr;
    QComboBox *m_fault = nullptr;
    QPushButton *m_send = nullptr;
    QLabel *m_verdict = nullptr;
    QLabel *m_verdictDetail = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_answer = nullptr;
};

} // namespace breakwater::ui
