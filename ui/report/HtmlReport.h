#pragma once

#include <QImage>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVector>

namespace gsq::ui {

/// A self-contained, single-file HTML report: headings, text, tables and images embedded as
/// base64 PNG, so it can be mailed or archived without its charts going missing. Text is
/// escaped; numbers are printed by formatNumber (ui/models/NumberFormat.h).
class HtmlReport {
public:
    explicit HtmlReport(const QString& title);
    void heading(const QString& text, int level = 2);
    void paragraph(const QString& text);
    void preformatted(const QString& text);
    void table(const QStringList& headers, const QVector<QVariantList>& rows);
    void image(const QImage& image, const QString& caption);
    /// The document as HTML text.
    QString html() const;
    /// Writes html() to `path` atomically; returns an error message or an empty string.
    QString save(const QString& path) const;
    int imageCount() const { return m_images; }

private:
    QString m_title;
    QString m_body;
    int m_images = 0;
};

} // namespace gsq::ui
