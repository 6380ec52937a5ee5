#pragma once

#include "chaos/chaoscontroller.h"
#include "runtime/lab.h"

#include <QList>
#include <QMap>
#include <QMetaObject>
#include <QPointer>
#include <QStringList>
#include <QWidget>
#include <nlohmann/json.hpp>

class QLabel;
class QPushButton;
class QScrollArea;
class QVBoxLayout;

namespace breakwater::ui {

class ChaosModelCard;

/// The chaos panel (SPEC.md section 10): per simulated model (the chain's models on the
/// embedded provider, then any other model of the chaos profile), its fault rates, latency
/// and a take-down / recover switch, each acting on the embedded chaos server at once
/// through ChaosController::patchModel. Follows the server's profile (changes from PATCH,
/// scenario timelines, reset) without echoing them back. Disabled, saying why, when there
/// is no session or its config uses no embedded chaos server.
class ChaosPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChaosPanel)

public:
    /// `lab` may be nullptr. Bind a lab after Lab::start(): the chaos server exists only then.
    explicit ChaosPanel(Lab *lab = nullptr, QWidget *parent = nullptr);

    /// Shows `lab`'s chaos server (nullptr: disabled). Safe to call again when the session's
    /// lab changes; a destroyed lab unbinds itself.
    void setLab(Lab *lab);
    Lab *lab() const { return m_lab; }
    /// Whether a chaos server is bound and the controls are live.
    bool isActive() const { return !m_controller.isNull(); }
    /// The model names shown, one card each, in display order.
    QStringList models() const { return m_models; }
    /// Why the controls are disabled ("" when active).
    QString inactiveReason() const;

    /// Larger type for demos (SPEC.md section 2 `--presenter`).
    void setPresenterMode(bool on);
    bool presenterMode() const { return m_presenter; }

Q_SIGNALS:
    /// The server refused a change the panel asked for; `message` says why.
    void changeRejected(const QString &model, const QString &message);

protected:
    void changeEvent(QEvent *event) override;

private:
    QStringList modelNames() const;
    void rebuildCards();
    void refresh();
    void applyPatch(const QString &model, const nlohmann::json &partial);
    void takeDown(const QString &model);
    void recover(const QString &model);
    void showTimelineStep(const QString &model, const QString &note);
    void updateFonts();

    QPointer<Lab> m_lab;
    QPointer<ChaosController> m_controller;
    QList<QMetaObject::Connection> m_connections;
    QStringList m_models;
    QMap<QString, ChaosModelCard *> m_cards;
    bool m_presenter = false;

    QLabel *m_title = nullptr;
    QLabel *m_server = nullptr;
    QPushButton *m_reset = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_status = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_cardHost = nullptr;
    QVBoxLayout *m_cardLayout = nullptr;
};

} // namespace breakwater::ui
