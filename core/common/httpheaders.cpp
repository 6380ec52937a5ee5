#include "httpheaders.h"

namespace breakwater {

QByteArray HttpHeaders::value(QByteArrayView name) const
{
    for (const auto &[fieldName, fieldValue] : m_fields) {
        if (fieldName.compare(name, Qt::CaseInsensitive) == 0)
            return fieldValue;
    }
    return {};
}

bool HttpHeaders::contains(QByteArrayView name) const
{
    for (const auto &field : m_fields) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

void HttpHeaders::set(const QByteArray &name, const QByteArray &value)
{
    m_fields.removeIf([&](const Field &field) {
        return field.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    m_fields.append({name, value});
}

void HttpHeaders::add(const QByteArray &name, const QByteArray &value)
{
    m_fields.append({name, value});
}

} // namespace breakwater
