#pragma once

#include <QString>

class QWidget;

namespace gsq::ui::files {

/// Save dialogs that open in the folder the last file was saved to (kept in QSettings, so across
/// restarts), and say where a file went once it is written.

/// `name` in the last folder a file was saved to (the working directory before any).
QString suggestedPath(const QString& name);
/// Remembers the folder of `path` for the next dialog.
void rememberFolder(const QString& path);
/// A save dialog starting at suggestedPath(name); the chosen path is remembered. Empty when
/// cancelled.
QString saveFileName(QWidget* parent, const QString& title, const QString& name, const QString& filter);
/// A directory dialog starting in the last folder; the chosen one is remembered.
QString directory(QWidget* parent, const QString& title);
/// "Wrote comparison.csv (in /home/…/results)": the confirmation a status line shows.
QString wroteMessage(const QString& path);

} // namespace gsq::ui::files
