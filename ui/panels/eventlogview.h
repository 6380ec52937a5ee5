#pragma once

#include "eventlogmodel.h"
#include "runtime/lab.h"

#include <QMetaObject>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace breakwater::ui {

class EventLogFilter;

/// The event log (SPEC.md section 10): the session's event stream as a bounded table with
/// a filter bar (type, model, free text) and Clear. Follows new rows unless the user has
/// scrolled up to read.
class EventLogView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogView)

public:
    /// `lab` may be nullptr; `capacity` is how many rows are kept.
    explicit EventLogView(Lab *lab = nullptr, QWidget *parent = nullptr,
                          int capacity = EventLogModel::kDefaultCapacity);

    /// Logs `lab`'s events from now on, starting empty (nullptr: disabled). A destroyed lab
    /// unbinds itself.
    void setLab(Lab *lab);
    Lab *lab() const { return m_lab; }
    EventLogModel *model() const { return m_model; }
    EventLogFilter *filter() const { return m_filter; }
    QTableView *table() const { return m_table; }
    /// Whether the view scrolls to new rows (it stops while the user reads further up).
    bool isFollowing() const { return m_following; }

    /// Larger type for demos.
    void setPresenterMode(bool on);
    bool presenterMode() const { return m_presenter; }

public Q_SLOTS:
    /// Empties the log.
    void clear();

protected:
    void changeEvent(QEvent *event) override;

private:
    void addModel(const QString &model);
    void resetModelFilter();
    void updateCount();
    void updateFonts();

    QPointer<Lab> m_lab;
    QMetaObject::Connection m_destroyedConnection;
    EventLogModel *m_model = nullptr;
    EventLogFilter *m_filter = nullptr;
    bool m_following = true;
    bool m_presenter = false;

    QComboBox *m_type = nullptr;
    QComboBox *m_modelBox = nullptr;
    QLineEdit *m_text = nullptr;
    QPushButton *m_clear = nullptr;
    QLabel *m_count = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace breakwater::ui
