#pragma once

#include "core/results/RunResult.h"

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

namespace gsq::ui {

/// A stored run, as listed by RunHistory.
struct StoredRun {
    qint64 id = 0;
    QString name, tags, created;
    std::vector<gsq::core::results::SummaryRow> summary;
};

/// Run history in an embedded SQLite database (Qt SQL, QSQLITE, WAL journal): the configuration
/// (YAML), the summary rows, every epoch and every per-layer row with its histogram. Each run
/// is written in one transaction, so a run killed mid-way never leaves a partial record and
/// never touches finished ones.
class RunHistory {
public:
    /// Opens (creating if needed) the database at `path`; default: the user's data directory.
    explicit RunHistory(const QString& path = defaultPath());
    ~RunHistory();
    RunHistory(const RunHistory&) = delete;
    RunHistory& operator=(const RunHistory&) = delete;

    static QString defaultPath();
    /// $GRAPHSQUEEZE_HISTORY (tests, portable setups) when set, otherwise defaultPath().
    static QString configuredPath();
    bool isOpen() const { return m_ok; }
    QString lastError() const { return m_error; }

    /// Stores a finished run; returns its id (0 on failure, with lastError()).
    qint64 add(const gsq::core::results::RunResult& result);
    QVector<StoredRun> runs() const;
    /// Number of stored epoch rows (all seeds, folds and stages) of a run.
    int epochCount(qint64 id) const;
    int layerCount(qint64 id) const;
    /// Mean validation metric per epoch over seeds and folds for one stage of a run.
    QVector<QPointF> validationCurve(
        qint64 id, const QString& method, const QString& stage, const QString& setting) const;
    QString configYaml(qint64 id) const;
    /// Weight matrices recorded for a run, in storage order.
    QStringList layerNames(qint64 id) const;
    /// The histogram of `layer` for one method/setting/stage of a run (its first seed and fold);
    /// histCounts is empty when there is none.
    gsq::core::results::LayerRow layerHistogram(
        qint64 id, const QString& method, const QString& setting, const QString& stage, const QString& layer) const;
    /// Every epoch of a run as CSV: seed, fold, stage, setting, epoch, loss, train, val, test,
    /// val_loss (one header line, then one line per epoch of every job and stage).
    QString epochsCsv(qint64 id) const;
    bool rename(qint64 id, const QString& name);
    bool setTags(qint64 id, const QString& tags);
    bool remove(qint64 id);

private:
    bool exec(const QString& sql);
    /// Rows of `table` (a fixed table name) belonging to run `id`; -1 on error.
    int countRows(const char* table, qint64 id) const;
    /// Sets one text column (a fixed column name) of run `id`; false unless exactly one row changed.
    bool updateRun(const char* column, qint64 id, const QString& value);
    QString m_connection;
    bool m_ok = false;
    QString m_error;
};

} // namespace gsq::ui
