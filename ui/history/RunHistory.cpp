#include "ui/history/RunHistory.h"

#include <cmath>

#include "core/experiment/ConfigYaml.h"
#include "core/results/ResultSchema.h"
#include "ui/models/Cells.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

namespace gsq::ui {

using namespace gsq::core::results;

namespace {
/// SQLite declaration of a declared summary column, with its value for rows stored before it.
QString declaration(const Column<SummaryRow>& c)
{
    const char* type = c.type == ColumnType::Text ? "TEXT" : c.type == ColumnType::Integer ? "INTEGER" : "REAL";
    return QString(type) + (*c.legacyDefault ? QString(" DEFAULT ") + c.legacyDefault : QString());
}

QString summaryDeclarations()
{
    QStringList parts;
    for (const auto& c : summaryColumns())
        parts << QString(c.name) + " " + declaration(c);
    return parts.join(", ");
}

QString histogramText(const std::vector<int64_t>& counts)
{
    QStringList parts;
    for (auto c : counts)
        parts << QString::number(c);
    return parts.join(',');
}
} // namespace

QString RunHistory::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/history.sqlite";
}

QString RunHistory::configuredPath()
{
    return qEnvironmentVariableIsSet("GRAPHSQUEEZE_HISTORY") ? qEnvironmentVariable("GRAPHSQUEEZE_HISTORY")
                                                             : defaultPath();
}

RunHistory::RunHistory(const QString& path)
    : m_connection("gsq-history-" + QUuid::createUuid().toString())
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", m_connection);
    db.setDatabaseName(path);
    if (!db.open()) {
        m_error = path + ": " + db.lastError().text();
        return;
    }
    m_ok = exec("PRAGMA journal_mode=WAL") && exec("PRAGMA foreign_keys=ON")
        && exec("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
                "tags TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, config_yaml TEXT NOT NULL, "
                "total_seconds REAL)")
        && exec("CREATE TABLE IF NOT EXISTS summary (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
            + summaryDeclarations() + ")")
        && exec("CREATE TABLE IF NOT EXISTS epochs (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                "seed INTEGER, fold INTEGER, stage TEXT, setting TEXT, epoch INTEGER, loss REAL, train REAL, val REAL, "
                "test REAL, val_loss REAL, method TEXT NOT NULL DEFAULT 'none')")
        && exec("CREATE TABLE IF NOT EXISTS layers (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                "method TEXT, setting TEXT, stage TEXT, seed INTEGER, fold INTEGER, layer TEXT, shape TEXT, "
                "params INTEGER, nnz INTEGER, bits INTEGER, disk_bytes INTEGER, hist_lo REAL, hist_hi REAL, hist TEXT, "
                "macs INTEGER DEFAULT 0)");
    // Histories written before the declared result schema named some summary columns differently;
    // the rename keeps their values. Columns added since get their legacy default (or NULL: not
    // measured then).
    auto hasColumn = [&](const QString& table, const QString& column) {
        QSqlQuery cols(QSqlDatabase::database(m_connection));
        bool has = false;
        if (cols.exec("PRAGMA table_info(" + table + ")"))
            while (cols.next())
                has = has || cols.value(1).toString() == column;
        return has; // the query ends here: no statement may be active while the schema changes
    };
    auto addMissing = [&](const QString& table, const QString& column, const QString& declaration) {
        if (m_ok && !hasColumn(table, column))
            m_ok = exec("ALTER TABLE " + table + " ADD COLUMN " + column + " " + declaration);
    };
    for (const auto& [old, now] : { std::pair<const char*, const char*> { "nonzero", "nonzero_params" },
             { "total", "total_params" }, { "theoretical", "size_theoretical_bytes" }, { "dense", "size_dense_bytes" },
             { "disk", "size_disk_bytes" }, { "latency", "latency_ms" } })
        if (m_ok && hasColumn("summary", old) && !hasColumn("summary", now))
            m_ok = exec(QString("ALTER TABLE summary RENAME COLUMN %1 TO %2").arg(old, now));
    for (const auto& c : summaryColumns())
        addMissing("summary", c.name, declaration(c));
    addMissing("layers", "macs", "INTEGER DEFAULT 0");
    addMissing("epochs", "method", "TEXT NOT NULL DEFAULT 'none'");
}

RunHistory::~RunHistory()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool RunHistory::exec(const QString& sql)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(sql)) {
        m_error = q.lastError().text();
        return false;
    }
    return true;
}

qint64 RunHistory::add(const RunResult& r)
{
    if (!m_ok)
        return 0;
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.transaction()) {
        m_error = db.lastError().text();
        return 0;
    }
    auto fail = [&](const QSqlQuery& q) {
        m_error = q.lastError().text();
        db.rollback();
        return qint64(0);
    };
    QSqlQuery q(db);
    q.prepare("INSERT INTO runs (name, created, config_yaml, total_seconds) VALUES (?, ?, ?, ?)");
    q.addBindValue(QString::fromStdString(r.config.name));
    q.addBindValue(QDateTime::currentDateTime().toString(Qt::ISODate));
    q.addBindValue(QString::fromStdString(gsq::core::experiment::toYaml(r.config)));
    q.addBindValue(r.totalSeconds);
    if (!q.exec())
        return fail(q);
    const qint64 id = q.lastInsertId().toLongLong();

    QStringList names { "run_id" }, marks { "?" };
    for (const auto& c : summaryColumns()) {
        names << c.name;
        marks << "?";
    }
    q.prepare("INSERT INTO summary (" + names.join(", ") + ") VALUES (" + marks.join(", ") + ")");
    for (const auto& s : r.summary) {
        q.addBindValue(id);
        for (const auto& c : summaryColumns())
            q.addBindValue(toVariant(c.get(s)));
        if (!q.exec())
            return fail(q);
    }
    q.prepare(
        "INSERT INTO epochs (run_id, seed, fold, stage, setting, epoch, loss, train, val, test, val_loss, method) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& h : r.histories)
        for (const auto& e : h.epochs) {
            for (const QVariant& v : { QVariant(id), QVariant(qlonglong(h.seed)), QVariant(h.fold),
                     QVariant(stageText(h.stage)), QVariant(QString::fromStdString(h.setting)), QVariant(e.epoch),
                     QVariant(e.loss), QVariant(e.trainMetric), QVariant(e.valMetric), QVariant(e.testMetric),
                     QVariant(e.valLoss), QVariant(QString::fromStdString(h.method)) })
                q.addBindValue(v);
            if (!q.exec())
                return fail(q);
        }
    q.prepare("INSERT INTO layers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& l : r.layers) {
        if (!l.isWeight())
            continue; // the history keeps weight histograms; feature rows stay in layers.csv
        for (const QVariant& v : { QVariant(id), QVariant(QString::fromStdString(l.method)),
                 QVariant(QString::fromStdString(l.setting)), QVariant(stageText(l.stage)), QVariant(qlonglong(l.seed)),
                 QVariant(l.fold), QVariant(QString::fromStdString(l.layer)), QVariant(QString::fromStdString(l.shape)),
                 QVariant(qlonglong(l.params)), QVariant(qlonglong(l.nnz)), QVariant(l.bits),
                 QVariant(qlonglong(l.diskBytes)), QVariant(l.histLo), QVariant(l.histHi),
                 QVariant(histogramText(l.histCounts)), QVariant(qlonglong(l.macs)) })
            q.addBindValue(v);
        if (!q.exec())
            return fail(q);
    }
    if (!db.commit()) {
        m_error = db.lastError().text();
        db.rollback();
        return 0;
    }
    return id;
}

QVector<StoredRun> RunHistory::runs() const
{
    QVector<StoredRun> out;
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery q("SELECT id, name, tags, created FROM runs ORDER BY id", db);
    while (q.next())
        out.append(
            { q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(), {} });
    for (auto& run : out) {
        QSqlQuery s(db);
        QStringList names;
        for (const auto& c : summaryColumns())
            names << c.name;
        s.prepare("SELECT " + names.join(", ") + " FROM summary WHERE run_id = ?");
        s.addBindValue(run.id);
        s.exec();
        while (s.next()) {
            SummaryRow r;
            int i = 0;
            try {
                for (const auto& c : summaryColumns())
                    c.set(r, fromVariant(c.type, s.value(i++)));
            } catch (const std::invalid_argument&) {
                continue; // a row this version cannot read (e.g. a stage it does not know) is left out
            }
            run.summary.push_back(r);
        }
    }
    return out;
}

int RunHistory::countRows(const char* table, qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QString("SELECT COUNT(*) FROM %1 WHERE run_id = ?").arg(table));
    q.addBindValue(id);
    return q.exec() && q.next() ? q.value(0).toInt() : -1;
}

int RunHistory::epochCount(qint64 id) const
{
    return countRows("epochs", id);
}

int RunHistory::layerCount(qint64 id) const
{
    return countRows("layers", id);
}

QVector<QPointF> RunHistory::validationCurve(
    qint64 id, const QString& method, const QString& stage, const QString& setting) const
{
    QVector<QPointF> out;
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("SELECT epoch, AVG(val) FROM epochs WHERE run_id = ? AND method = ? AND stage = ? AND setting = ? AND "
              "val IS NOT NULL GROUP BY epoch ORDER BY epoch");
    q.addBindValue(id);
    q.addBindValue(method);
    q.addBindValue(stage);
    q.addBindValue(setting);
    if (q.exec())
        while (q.next())
            out.append(QPointF(q.value(0).toDouble(), q.value(1).toDouble()));
    return out;
}

QStringList RunHistory::layerNames(qint64 id) const
{
    QStringList out;
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("SELECT layer FROM layers WHERE run_id = ? GROUP BY layer ORDER BY MIN(rowid)");
    q.addBindValue(id);
    if (q.exec())
        while (q.next())
            out << q.value(0).toString();
    return out;
}

gsq::core::results::LayerRow RunHistory::layerHistogram(
    qint64 id, const QString& method, const QString& setting, const QString& stage, const QString& layer) const
{
    gsq::core::results::LayerRow row;
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("SELECT seed, fold, shape, params, nnz, bits, hist_lo, hist_hi, hist FROM layers WHERE run_id = ? AND "
              "method = ? AND setting = ? AND stage = ? AND layer = ? ORDER BY rowid LIMIT 1");
    for (const QVariant& v : { QVariant(id), QVariant(method), QVariant(setting), QVariant(stage), QVariant(layer) })
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return row;
    row.method = method.toStdString();
    row.setting = setting.toStdString();
    row.stage = parseStage(stage.toStdString()).value_or(Stage::Base);
    row.layer = layer.toStdString();
    row.seed = q.value(0).toLongLong();
    row.fold = q.value(1).toInt();
    row.shape = q.value(2).toString().toStdString();
    row.params = q.value(3).toLongLong();
    row.nnz = q.value(4).toLongLong();
    row.bits = q.value(5).toDouble();
    row.histLo = q.value(6).toDouble();
    row.histHi = q.value(7).toDouble();
    for (const auto& part : q.value(8).toString().split(',', Qt::SkipEmptyParts))
        row.histCounts.push_back(part.toLongLong());
    return row;
}

QString RunHistory::epochsCsv(qint64 id) const
{
    QString out = "seed,fold,method,stage,setting,epoch,loss,train,val,test,val_loss\n";
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("SELECT seed, fold, method, stage, setting, epoch, loss, train, val, test, val_loss FROM epochs WHERE "
              "run_id = ? ORDER BY rowid");
    q.addBindValue(id);
    if (!q.exec())
        return {};
    while (q.next()) {
        QStringList cells;
        for (int c = 0; c < 11; ++c)
            cells << (q.value(c).isNull() ? QString() : q.value(c).toString());
        out += cells.join(',') + "\n";
    }
    return out;
}

QString RunHistory::configYaml(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("SELECT config_yaml FROM runs WHERE id = ?");
    q.addBindValue(id);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

bool RunHistory::updateRun(const char* column, qint64 id, const QString& value)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QString("UPDATE runs SET %1 = ? WHERE id = ?").arg(column));
    q.addBindValue(value);
    q.addBindValue(id);
    return q.exec() && q.numRowsAffected() == 1;
}

bool RunHistory::rename(qint64 id, const QString& name)
{
    return updateRun("name", id, name);
}

bool RunHistory::setTags(qint64 id, const QString& tags)
{
    return updateRun("tags", id, tags);
}

bool RunHistory::remove(qint64 id)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("DELETE FROM runs WHERE id = ?");
    q.addBindValue(id);
    return q.exec() && q.numRowsAffected() == 1;
}

} // namespace gsq::ui
