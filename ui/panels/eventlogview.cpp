#include "eventlogview.h"

#include "eventlogfilter.h"
#include "panelstyle.h"
#include "runtime/lab.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;

EventLogView::EventLogView(Lab *lab, QWidget *parent, int capacity) : QWidget(parent)
{
    m_model = new EventLogModel(capacity, this);
    m_filter = new EventLogFilter(this);
    m_filter->setSourceModel(m_model);

    m_type = new QComboBox(this);
    m_type->setObjectName(u"typeFilter"_s);
    m_type->addItem(u"All types"_s, QString());
    for (const QString &type : EventLogModel::typeNames())
        m_type->addItem(type, type);
    connect(m_type, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setTypeFilter(m_type->currentData().toString()); });

    m_modelBox = new QComboBox(this);
    m_modelBox->setObjectName(u"modelFilter"_s);
    m_modelBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_modelBox->addItem(u"All models"_s, QString());
    connect(m_modelBox, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setModelFilter(m_modelBox->currentData().toString()); });
    connect(m_model, &EventLogModel::modelSeen, this, &EventLogView::addModel);

    m_text = new QLineEdit(this);
    m_text->setObjectName(u"textFilter"_s);
    m_text->setPlaceholderText(u"Filter: call id, text…"_s);
    m_text->setClearButtonEnabled(true);
    connect(m_text, &QLineEdit::textChanged, m_filter, &EventLogFilter::setTextFilter);

    m_clear = new QPushButton(u"Clear"_s, this);
    m_clear->setObjectName(u"clearLog"_s);
    connect(m_clear, &QPushButton::clicked, this, &EventLogView::clear);

    m_count = new QLabel(this);
    m_count->setObjectName(u"eventCount"_s);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_type);
    bar->addWidget(m_modelBox);
    bar->addWidget(m_text, 1);
    bar->addWidget(m_count);
    bar->addWidget(m_clear);

    m_table = new QTableView(this);
    m_table->setObjectName(u"eventTable"_s);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    // Fixed widths: measuring contents would visit every row on every batch.
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);

    // Follow the bottom while the user is there; stay put once they scroll up to read.
    QScrollBar *scroll = m_table->verticalScrollBar();
    connect(scroll, &QScrollBar::valueChanged, this,
            [this, scroll](int value) { m_following = value >= scroll->maximum(); });
    connect(scroll, &QScrollBar::rangeChanged, this, [this, scroll](int, int maximum) {
        if (m_following)
            scroll->setValue(maximum);
    });

    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &EventLogView::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &EventLogView::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &EventLogView::updateCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &EventLogView::updateCount);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);

    updateFonts();
    setLab(lab);
}

void EventLogView::setLab(Lab *lab)
{
    disconnect(m_destroyedConnection);
    m_lab = lab;
    m_model->attach(lab ? &lab->events() : nullptr);
    clear();
    if (lab) {
        m_destroyedConnection =
            connect(lab, &QObject::destroyed, this, [this] { setLab(nullptr); });
        for (const QString &model : lab->modelLabels())
            addModel(model);
    }
    m_type->setEnabled(lab != nullptr);
    m_modelBox->setEnabled(lab != nullptr);
    m_text->setEnabled(lab != nullptr);
    m_clear->setEnabled(lab != nullptr);
    updateCount();
}

void EventLogView::clear()
{
    m_model->clear();
    resetModelFilter();
    if (m_lab) {
        for (const QString &model : m_lab->modelLabels())
            addModel(model);
    }
    m_following = true;
    updateCount();
}

void EventLogView::setPresenterMode(bool on)
{
    m_presenter = on;
    applyPresenterFont(this, on);
}

void EventLogView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateFonts();
}

void EventLogView::addModel(const QString &model)
{
    if (model.isEmpty() || m_modelBox->findData(model) >= 0)
        return;
    // Sorted after "All models", so the list reads the same however events arrived.
    int at = 1;
    while (at < m_modelBox->count() &&
           m_modelBox->itemData(at).toString().compare(model, Qt::CaseInsensitive) < 0)
        ++at;
    m_modelBox->insertItem(at, model, model);
}

void EventLogView::resetModelFilter()
{
    const QString selected = m_modelBox->currentData().toString();
    while (m_modelBox->count() > 1)
        m_modelBox->removeItem(1);
    // Keep a chosen model chosen: it may well show up again.
    if (!selected.isEmpty()) {
        addModel(selected);
        m_modelBox->setCurrentIndex(m_modelBox->findData(selected));
    }
}

void EventLogView::updateCount()
{
    const QLocale locale;
    if (!m_lab && m_model->rowCount() == 0) {
        m_count->setText(u"No session"_s);
        return;
    }
    const int shown = m_filter->rowCount();
    const int total = m_model->rowCount();
    QString text = shown == total
                       ? u"%1 events"_s.arg(locale.toString(total))
                       : u"%1 of %2 events"_s.arg(locale.toString(shown), locale.toString(total));
    if (total >= m_model->capacity())
        text += u" (last %1 kept)"_s.arg(locale.toString(m_model->capacity()));
    m_count->setText(text);
}

void EventLogView::updateFonts()
{
    const QFontMetrics metrics = fontMetrics();
    m_table->verticalHeader()->setDefaultSectionSize(metrics.height() + 6);
    QHeaderView *header = m_table->horizontalHeader();
    // The header has a font of its own (the platform's), which the view's does not reach.
    header->setFont(font());
    header->resizeSection(EventLogModel::TimeColumn,
                          metrics.horizontalAdvance(u"00000.000"_s) + 16);
    header->resizeSection(EventLogModel::TypeColumn,
                          metrics.horizontalAdvance(u"attempt_finished"_s) + 16);
    header->resizeSection(EventLogModel::ModelColumn,
                          metrics.horizontalAdvance(u"claude-sonnet-4-5"_s) + 16);
    header->resizeSection(EventLogModel::CallColumn,
                          metrics.horizontalAdvance(u"console-000"_s) + 16);
}

} // namespace breakwater::ui
