#pragma once

#include "chaos/chaosprofile.h"

#include <QFrame>
#include <array>
#include <nlohmann/json.hpp>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace breakwater::ui {

/// One model's controls in the chaos panel: state badge, take-down / recover switch,
/// latency p50 / p99 and a rate (0–100 %) per fault. It shows what it is given and asks
/// for changes by signal; the panel applies them to the chaos server, whose profileChanged
/// brings the new values back through setEntry (with the controls' signals blocked, so a
/// refresh never turns into another change).
class ChaosModelCard final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChaosModelCard)

public:
    /// `model` is the name the chaos server knows (`"*"` for every model not listed).
    explicit ChaosModelCard(const QString &model, QWidget *parent = nullptr);

    const QString &model() const { return m_model; }
    /// Shows `entry` (nullptr: the server has no entry for the model and answers 404).
    /// `inherited`: the entry is the `"*"` one, not the model's own.
    void setEntry(const ChaosModelProfile *entry, bool inherited);
    /// Whether the model is taken down (its `unavailable` rate is 100 %).
    bool isDown() const { return m_down; }

Q_SIGNALS:
    /// The user changed a control: merge `partial` (a partial model entry) into the model.
    void changeRequested(const QString &model, const nlohmann::json &partial);
    void takeDownRequested(const QString &model);
    void recoverRequested(const QString &model);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct FaultRow {
        QSlider *slider = nullptr;
        QDoubleSpinBox *percent = nullptr;
    };

    void requestFault(ChaosFault fault, double rate);
    void updateFonts();
    void updateSwitch();

    QString m_model;
    bool m_down = false;
    QLabel *m_title = nullptr;
    QLabel *m_badge = nullptr;
    QLabel *m_note = nullptr;
    QPushButton *m_switch = nullptr;
    QSpinBox *m_p50 = nullptr;
    QSpinBox *m_p99 = nullptr;
    std::array<FaultRow, kChaosFaultCount> m_faults{};
};

} // namespace breakwater::ui
