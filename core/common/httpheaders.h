#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace breakwater {

/// HTTP header fields in arrival order; names compare case-insensitively.
class HttpHeaders {
public:
    using Field = std::pair<QByteArray, QByteArray>;

    HttpHeaders() = default;
    HttpHeaders(std::initializer_list<Field> fields) : m_fields(fields) {}
    /// Takes the list as it is (QNetworkReply::rawHeaderPairs() hands one over without a copy).
    explicit HttpHeaders(QList<Field> fields) : m_fields(std::move(fields)) {}

    /// The first value of `name`, or an empty array when absent.
    QByteArray value(QByteArrayView name) const;
    bool contains(QByteArrayView name) const;
    /// Replaces every field called `name` with one field.
    void set(const QByteArray &name, const QByteArray &value);
    void add(const QByteArray &name, const QByteArray &value);
    const QList<Field> &fields() const { return m_fields; }
    bool isEmpty() const { return m_fields.isEmpty(); }

private:
    QList<Field> m_fields;
};

} // namespace breakwater
