// Tests app/cli as a user runs it: exit codes, messages, and the files it writes (or not).
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <csignal>

namespace {
struct Result {
    int code = -1;
    QString out, err;
};

Result cli(const QStringList& args, const QString& cwd = {})
{
    QProcess p;
    if (!cwd.isEmpty())
        p.setWorkingDirectory(cwd);
    p.start(gsq::test::cliPath(), args);
    if (!p.waitForFinished(gsq::test::scaledTimeout(300000)))
        qFatal("graphsqueeze-cli did not finish");
    return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

QString preset(const char* name)
{
    return gsq::test::experimentsDir() + "/" + name;
}

/// The rows of a CSV file without the columns that measure time (they differ between runs).
QStringList withoutTiming(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return { "<cannot open " + path + ">" };
    const auto lines = QString(f.readAll()).split('\n', Qt::SkipEmptyParts);
    const auto header = lines.value(0).split(',');
    QList<int> timing;
    for (int i = 0; i < header.size(); ++i)
        if (header[i] == "train_seconds" || header[i] == "latency_ms" || header[i] == "latency_masked_ms")
            timing.prepend(i);
    QStringList out;
    for (const auto& line : lines) {
        auto cells = line.split(','); // the sweep's cells hold no commas
        for (int i : timing)
            cells.removeAt(i);
        out << cells.join(',');
    }
    return out;
}

int finishedJobs(const QString& journal)
{
    QFile f(journal);
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    return static_cast<int>(QString(f.readAll()).count(QRegularExpression("(^|\n)end\t")));
}

/// A small sweep: 6 jobs (seeds) of a GCN on Cora, each with two pruning settings.
const char* kSweep = "name: sweep\ntrain:\n  epochs: 40\n  seeds: [0, 1, 2, 3, 4, 5]\n  threads: 1\n"
                     "compression:\n  - prune:\n      method: finegrained\n      sparsity: [0.5, 0.9]\n"
                     "      finetune_epochs: 5\n";
} // namespace

class CliTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void helpAndVersion()
    {
        auto h = cli({ "--help" });
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.startsWith("Usage:\n  graphsqueeze-cli run FILE.yaml"));
        // The choices come from the catalog, with their help and keys.
        QVERIFY(
            h.out.contains("\nCompression steps '- prune:' (method):\n  finegrained           every weight matrix"));
        QVERIFY(h.out.contains(
            "  structured            remove whole hidden channels ranked by coupled norms; the model "
            "shrinks\n                        keys: sparsity, schedule, finetune_epochs, criterion, name, from\n"));
        QVERIFY(h.out.contains("  tu                    any TU Dortmund dataset"));
        auto v = cli({ "--version" });
        QCOMPARE(v.code, 0);
        QVERIFY2(v.out.contains("libtorch 1.13"), qPrintable(v.out));
        QVERIFY(v.out.contains("rdkit 2022"));
        QCOMPARE(cli({}).code, 2);
        auto bad = cli({ "run", "x.yaml", "--frobnicate" });
        QCOMPARE(bad.code, 2);
        QCOMPARE(bad.err, QString("error: --frobnicate: unknown option (see --help)\n"));
    }

    void runsEveryExperimentOfADirectory()
    {
        QTemporaryDir d;
        QDir(d.path()).mkdir("matrix");
        auto write = [&](const QString& file, const QString& name) {
            QFile f(d.filePath("matrix/" + file));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(("name: " + name + "\ntrain:\n  epochs: 2\n  seeds: [0]\n  threads: 1\n").toUtf8());
        };
        write("b.yaml", "second");
        write("a.yaml", "first");
        QFile(d.filePath("matrix/notes.txt")).open(QIODevice::WriteOnly); // not an experiment
        auto r = cli({ "run", d.filePath("matrix"), "--quiet" }, d.path());
        QCOMPARE(r.code, 0);
        QVERIFY2(
            r.err.contains("[1/2] " + d.filePath("matrix") + "/a.yaml") && r.err.contains("[2/2]"), qPrintable(r.err));
        QVERIFY2(r.out.contains("2 experiments of ") && r.out.contains("  first ") && r.out.contains("  total "),
            qPrintable(r.out));
        for (const char* name : { "first", "second" }) {
            QFile results(d.filePath(QString("runs/matrix/%1/results.csv").arg(name)));
            QVERIFY2(results.open(QIODevice::ReadOnly), name);
            QCOMPARE(QString(results.readAll()).split('\n', Qt::SkipEmptyParts).size(), 2); // header + base row
        }

        // Two files with the same name would write into one directory: refused before training.
        write("c.yaml", "first");
        auto dup = cli({ "run", d.filePath("matrix"), "--out", d.filePath("out") });
        QCOMPARE(dup.code, 2);
        QCOMPARE(dup.err,
            "error: " + d.filePath("matrix/c.yaml") + ": experiment name 'first' is also used by "
                + d.filePath("matrix/a.yaml") + "; names choose the output directories, so they must differ\n");
        QVERIFY(!QDir(d.filePath("out")).exists());
        QDir(d.path()).mkdir("empty");
        auto none = cli({ "run", d.filePath("empty") });
        QCOMPARE(none.code, 2);
        QCOMPARE(none.err, "error: " + d.filePath("empty") + ": no *.yaml experiment files in this directory\n");
    }

    void killedRunResumesToTheSameResults()
    {
        // Crash safety: SIGKILL in the middle of a sweep, then --resume; the rows equal an
        // uninterrupted run's (timing aside) and finished jobs are not trained again.
        QTemporaryDir d;
        const auto file = QString::fromStdString(gsq::test::writeFile(d, "sweep.yaml", kSweep));
        QCOMPARE(cli({ "run", file, "--out", d.filePath("whole"), "--quiet" }).code, 0);
        QProcess p;
        p.start(gsq::test::cliPath(), { "run", file, "--out", d.filePath("killed"), "--quiet" });
        QVERIFY(p.waitForStarted());
        const QString journal = d.filePath("killed/jobs.journal");
        QElapsedTimer waited;
        waited.start();
        while (finishedJobs(journal) < 2 && waited.elapsed() < 240000)
            QTest::qWait(20);
        // While it runs, a second run into its directory is refused, naming it, and writes nothing.
        const int before = finishedJobs(journal);
        auto second = cli({ "run", file, "--out", d.filePath("killed"), "--resume", "--quiet" });
        QCOMPARE(second.code, 2);
        const QString holder = "error: " + d.filePath("killed") + ": is in use by another run (graphsqueeze-cli run "
            + file + ", pid " + QString::number(p.processId()) + ", since ";
        QVERIFY2(second.err.startsWith(holder), qPrintable(second.err + " | expected " + holder));
        QVERIFY(second.err.endsWith("); wait for it to end or write elsewhere (--out)\n"));
        QVERIFY(finishedJobs(journal) >= before);
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        const int done = finishedJobs(journal);
        QVERIFY2(done >= 2 && done < 6, qPrintable(QString::number(done)));
        QVERIFY(!QFile::exists(d.filePath("killed/results.csv"))); // nothing half-written
        // A kill in the middle of an append leaves a partial block: it is ignored.
        {
            QFile j(journal);
            QVERIFY(j.open(QIODevice::Append));
            j.write("job\t5\t5\t0\nrow\tsweep\tcora\tnode_cl");
        }
        // The killed run's claim died with it: the resumed run takes the directory over.
        auto resumed = cli({ "run", file, "--out", d.filePath("killed"), "--resume" });
        QCOMPARE(resumed.code, 0);
        for (const char* f : { "results.csv", "summary.csv", "layers.csv" })
            QCOMPARE(
                withoutTiming(d.filePath(QString("killed/") + f)), withoutTiming(d.filePath(QString("whole/") + f)));
        QCOMPARE(finishedJobs(journal), 6); // finished jobs were read back, not run and appended again
        // A changed experiment is refused, naming what changed.
        auto changed = cli({ "run", file, "--out", d.filePath("killed"), "--resume", "--set", "train.epochs=41" });
        QCOMPARE(changed.code, 2);
        QVERIFY2(changed.err.startsWith(
                     "error: " + journal + ": the experiment changed since this journal was written (line "),
            qPrintable(changed.err));
        QVERIFY2(changed.err.contains("was '  epochs: 40', is now '  epochs: 41'"), qPrintable(changed.err));
    }

    void workersGiveTheRowsOfOneProcess()
    {
        QTemporaryDir d;
        const auto file = QString::fromStdString(gsq::test::writeFile(d, "sweep.yaml", kSweep));
        QCOMPARE(cli({ "run", file, "--out", d.filePath("whole"), "--quiet" }).code, 0);
        auto w = cli({ "run", file, "--out", d.filePath("workers"), "--workers", "2" });
        QVERIFY2(w.code == 0, qPrintable(w.err));
        QVERIFY2(w.err.startsWith("running 6 job(s) of sweep in 2 worker processes, 1 thread(s) each; cells in "
                     + d.filePath("workers/cells") + "\n"),
            qPrintable(w.err));
        QCOMPARE(w.err.count(QRegularExpression("  job \\d/6 \\(fold 0, seed \\d\\) finished in [0-9.]+ s")), 6);
        for (const char* f : { "results.csv", "summary.csv", "layers.csv" })
            QCOMPARE(
                withoutTiming(d.filePath(QString("workers/") + f)), withoutTiming(d.filePath(QString("whole/") + f)));
        QCOMPARE(withoutTiming(d.filePath("workers/results.csv")).size(), 1 + 6 * 5);
        QCOMPARE(finishedJobs(d.filePath("workers/jobs.journal")), 6);
        QVERIFY(QFile::exists(d.filePath("workers/models/base.gsqm")));
        QVERIFY(!QDir(d.filePath("workers/cells")).exists()); // merged, then removed
        QFile json(d.filePath("workers/run.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QVERIFY2(json.readAll().contains("\"workers\": \"2\""), "run.json names the worker processes");
        QCOMPARE(cli({ "paired", d.filePath("workers") }).out, cli({ "paired", d.filePath("whole") }).out);
        // A merged run resumed is read back from its journal, not run again.
        auto again = cli({ "run", file, "--out", d.filePath("workers"), "--workers", "2", "--resume", "--quiet" });
        QCOMPARE(again.code, 0);
        QCOMPARE(finishedJobs(d.filePath("workers/jobs.journal")), 6);
        // The same when the experiment lets the thread count be measured (threads: 0): the
        // workers ran on one thread each and the resume reads their journal as such.
        auto measured = cli({ "run", file, "--out", d.filePath("measured"), "--workers", "2", "--quiet", "--set",
            "train.threads=0", "--set", "train.seeds=[0, 1]", "--set", "train.epochs=5" });
        QVERIFY2(measured.code == 0, qPrintable(measured.err));
        auto measuredAgain = cli({ "run", file, "--out", d.filePath("measured"), "--workers", "2", "--resume",
            "--quiet", "--set", "train.threads=0", "--set", "train.seeds=[0, 1]", "--set", "train.epochs=5" });
        QVERIFY2(measuredAgain.code == 0, qPrintable(measuredAgain.err));
        QCOMPARE(finishedJobs(d.filePath("measured/jobs.journal")), 2);

        // Wrong uses are refused before anything runs.
        auto zero = cli({ "run", file, "--workers", "0" });
        QCOMPARE(zero.code, 2);
        QCOMPARE(zero.err, QString("error: --workers: expected a number of processes from 1 to 256, got '0'\n"));
        auto both = cli({ "run", file, "--workers", "2", "--cell", "0/2" });
        QCOMPARE(both.code, 2);
        QCOMPARE(both.err,
            QString("error: --workers: splits the run into cells itself; give --workers or --cell, not both\n"));
        auto misplaced = cli({ "merge", d.filePath("m"), d.filePath("whole"), "--workers", "2" });
        QCOMPARE(misplaced.code, 2);
        QCOMPARE(misplaced.err, QString("error: --workers: belongs to the run command\n"));

        // A worker that fails (here: a data file found bad only when a worker reads it) stops the
        // run with its message and exit code; its cell and log stay, and nothing is merged.
        QFile csv(d.filePath("m.csv"));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("num,name,smiles\n1,a,CCO\n");
        csv.close();
        const auto bad = QString::fromStdString(gsq::test::writeFile(d, "bad.yaml",
            "name: bad\ndataset: {name: csv, path: " + d.filePath("m.csv").toStdString()
                + ", label_column: p_np, split: random}\nmodel: {arch: gcn}\n"
                  "train: {epochs: 2, seeds: [0, 1], threads: 1}\n"));
        auto failed = cli({ "run", bad, "--out", d.filePath("failed"), "--workers", "2" });
        QCOMPARE(failed.code, 2);
        QVERIFY2(failed.err.contains("failed (exit code 2); the end of " + d.filePath("failed/cells/job-"))
                && failed.err.endsWith(
                    ": " + d.filePath("m.csv") + ":1: missing column 'p_np' in the header (found: num,name,smiles)\n"),
            qPrintable(failed.err));
        QVERIFY2(failed.err.contains("\nerror: worker of job "), qPrintable(failed.err));
        QVERIFY(QDir(d.filePath("failed/cells")).exists());
        QVERIFY(!QFile::exists(d.filePath("failed/results.csv")));
    }

    void cellsMergeIntoTheSingleRun()
    {
        QTemporaryDir d;
        const auto file = QString::fromStdString(gsq::test::writeFile(d, "sweep.yaml", kSweep));
        QCOMPARE(cli({ "run", file, "--out", d.filePath("whole"), "--quiet" }).code, 0);
        QStringList cells;
        for (int i = 0; i < 4; ++i) {
            cells << d.filePath(QString("cell%1").arg(i));
            QCOMPARE(cli({ "run", file, "--out", cells.back(), "--cell", QString("%1/4").arg(i), "--quiet" }).code, 0);
        }
        // 6 jobs over 4 cells: 1, 2, 1, 2 jobs (3 rows per job: base, and per setting pruned
        // and fine-tuned = 5 rows).
        QCOMPARE(withoutTiming(cells[0] + "/results.csv").size(), 1 + 5);
        QCOMPARE(withoutTiming(cells[1] + "/results.csv").size(), 1 + 10);
        // Missing a cell: refused, naming the missing jobs.
        auto partial = cli(QStringList { "merge", d.filePath("merged") } + cells.mid(0, 3));
        QCOMPARE(partial.code, 2);
        QVERIFY2(partial.err.contains("the cells hold 4 of 6 jobs; missing: 5, 6 (did every cell finish?)"),
            qPrintable(partial.err));
        auto twice = cli({ "merge", d.filePath("merged"), cells[0], cells[0] });
        QCOMPARE(twice.code, 2);
        QVERIFY2(twice.err.contains("job 1 is also in"), qPrintable(twice.err));
        auto merged = cli(QStringList { "merge", d.filePath("merged") } + cells);
        QCOMPARE(merged.code, 0);
        for (const char* f : { "results.csv", "summary.csv", "layers.csv" })
            QCOMPARE(
                withoutTiming(d.filePath(QString("merged/") + f)), withoutTiming(d.filePath(QString("whole/") + f)));
        QVERIFY(QFile::exists(d.filePath("merged/run.json")));
        QVERIFY(QFile::exists(d.filePath("merged/models/base.gsqm")));
        // The merged run has its own journal of all 6 jobs: paired and report read it as a
        // run made on one machine.
        QVERIFY2(merged.out.contains("run.json, jobs.journal"), qPrintable(merged.out));
        QCOMPARE(cli({ "paired", d.filePath("merged") }).out, cli({ "paired", d.filePath("whole") }).out);
        auto mergedReport = cli({ "report", d.filePath("merged") });
        QVERIFY2(mergedReport.code == 0, qPrintable(mergedReport.err));
        QVERIFY(QFile::exists(d.filePath("merged/report.html")));

        // Paired differences: the cells together give the whole run's table; the numbers are the
        // per-seed differences of results.csv.
        auto pairedWhole = cli({ "paired", d.filePath("whole") });
        QCOMPARE(pairedWhole.code, 0);
        QCOMPARE(cli(QStringList { "paired" } + cells).out, pairedWhole.out);
        QFile csv(d.filePath("whole/results.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = QString(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        const auto header = lines[0].split(',');
        const int method = header.indexOf("method"), setting = header.indexOf("setting"),
                  stage = header.indexOf("stage"), seed = header.indexOf("seed"), test = header.indexOf("test_value");
        QMap<QString, double> base, tuned;
        for (const auto& line : lines.mid(1)) {
            const auto c = line.split(',');
            if (c[method] == "none")
                base[c[seed]] = c[test].toDouble();
            if (c[setting] == "sparsity=0.9" && c[stage] == "finetuned")
                tuned[c[seed]] = c[test].toDouble();
        }
        double sum = 0;
        int wins = 0, ties = 0, losses = 0;
        for (const auto& k : base.keys()) {
            const double diff = tuned[k] - base[k];
            sum += diff;
            (diff > 0 ? wins : diff < 0 ? losses : ties)++;
        }
        const QString expected = QString("%1 +-").arg(100 * sum / 6, 0, 'f', 2);
        const QString row = pairedWhole.out.split('\n').filter("finegrained sparsity=0.9 (finetuned)").value(0);
        QVERIFY2(row.contains(QString("   6 ")) && row.contains(QString(sum >= 0 ? "+" : "") + expected)
                && row.contains(QString("%1/%2/%3").arg(wins).arg(ties).arg(losses)),
            qPrintable(row + " | expected " + expected));
        QVERIFY(pairedWhole.out.contains("over 6 of 6 jobs"));
        // One cell alone (a sweep still running): its finished jobs, said so.
        auto oneCell = cli({ "paired", cells[1] });
        QCOMPARE(oneCell.code, 0);
        QVERIFY2(oneCell.out.contains("over 2 of 6 jobs") && oneCell.out.contains("   2 "), qPrintable(oneCell.out));
        auto badBaseline = cli({ "paired", d.filePath("whole"), "--baseline", "qat bits=4" });
        QCOMPARE(badBaseline.code, 2);
        QVERIFY2(badBaseline.err.startsWith("error: --baseline: no rows are labelled 'qat bits=4'; this run has: none "
                                            "(base); finegrained sparsity=0.5 (pruned);"),
            qPrintable(badBaseline.err));
        auto badCell = cli({ "run", file, "--cell", "4/4" });
        QCOMPARE(badCell.code, 2);
        QCOMPARE(badCell.err, QString("error: --cell: expected I/N with 0 <= I < N (e.g. 0/4), got '4/4'\n"));
    }

    void reportDrawsAFinishedRunWithoutADisplay()
    {
        // The merged sweep of a cluster has no window: `report` draws it offscreen.
        QTemporaryDir d;
        const auto file = QString::fromStdString(gsq::test::writeFile(d, "sweep.yaml", kSweep));
        const QString run = d.filePath("run");
        QCOMPARE(cli({ "run", file, "--out", run, "--quiet" }).code, 0);
        auto r = cli({ "report", run, "--charts", d.filePath("charts") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("wrote " + run + "/report.html and the charts in " + d.filePath("charts")),
            qPrintable(r.out));
        QFile html(run + "/report.html");
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(html.readAll());
        QVERIFY(text.startsWith("<!DOCTYPE html>"));
        QVERIFY(text.count("data:image/png;base64,") >= 5); // training, sparsity, weights, Pareto
        const QStringList pngs = QDir(d.filePath("charts")).entryList({ "*.png" });
        QVERIFY2(pngs.contains("01-training-loss.png"), qPrintable(pngs.join(' ')));
        // At the export size (the PNG header's width and height), not the offscreen window's.
        QFile png(d.filePath("charts/01-training-loss.png"));
        QVERIFY(png.open(QIODevice::ReadOnly));
        const QByteArray head = png.read(24);
        auto be32 = [&](int at) {
            return (static_cast<uchar>(head[at]) << 24) | (static_cast<uchar>(head[at + 1]) << 16)
                | (static_cast<uchar>(head[at + 2]) << 8) | static_cast<uchar>(head[at + 3]);
        };
        QCOMPARE(head.mid(1, 3), QByteArray("PNG"));
        QCOMPARE(be32(16), 960);
        QCOMPARE(be32(20), 600);
        // --html elsewhere; bad input named.
        QCOMPARE(cli({ "report", run, "--html", d.filePath("r.html") }).code, 0);
        QVERIFY(QFile::exists(d.filePath("r.html")));
        auto missing = cli({ "report", d.filePath("nothing") });
        QCOMPARE(missing.code, 2);
        QVERIFY2(missing.err.contains("nothing: no jobs.journal here"), qPrintable(missing.err));
        auto misplaced = cli({ "merge", d.filePath("m"), run, "--html", "x.html" });
        QCOMPARE(misplaced.code, 2);
        QVERIFY2(misplaced.err.contains("--html: belongs to the report command"), qPrintable(misplaced.err));
    }

    void validateReportsFileLineAndKey()
    {
        QTemporaryDir d;
        const auto path
            = QString::fromStdString(gsq::test::writeFile(d, "bad.yaml", "name: b\ntrain:\n  epochs: -3\n"));
        auto r = cli({ "validate", path });
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, "error: " + path + ":3: key 'train.epochs': expected an integer in [1, 100000], found -3\n");
        auto ok = cli({ "validate", preset("quickstart.yaml") });
        QCOMPARE(ok.code, 0);
        QVERIFY(ok.out.contains("arch: gcn"));
    }

    void badInputLeavesNoOutputFiles()
    {
        QTemporaryDir d;
        const QString out = d.filePath("out");
        auto r = cli(
            { "run", preset("proteins-gin.yaml"), "--set", "dataset.path=/nonexistent/p", "--out", out, "--quiet" });
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err,
            QString("error: /nonexistent/p: expected a directory holding NAME_A.txt, NAME_graph_indicator.txt, ...\n"));
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 0);
        auto unwritable = cli({ "run", preset("quickstart.yaml"), "--out", "/proc/x/y", "--quiet" });
        QCOMPARE(unwritable.code, 2);
        QVERIFY2(unwritable.err.startsWith("error: /proc/x/y: cannot create output directory: "),
            qPrintable(unwritable.err));
        auto split = cli({ "run", preset("quickstart.yaml"), "--set", "dataset.split=random", "--set",
            "dataset.test_size=3000", "--out", out, "--quiet" });
        QCOMPARE(split.code, 2);
        QVERIFY2(split.err.contains("key 'dataset.val_size': split sizes (train 0, val 500, test 3000) do not fit the "
                                    "dataset's 2708 nodes"),
            qPrintable(split.err));
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 0);
    }

    void runWritesResults()
    {
        QTemporaryDir d;
        const QString out = d.filePath("q");
        auto r = cli({ "run", preset("quickstart.yaml"), "--set", "train.epochs=3", "--set", "train.seeds=[0, 1]",
            "--threads", "1", "--out", out });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains("job 2/2 seed 1 fold 0: test accuracy"), qPrintable(r.err));
        QVERIFY(r.out.contains("summary (quickstart)"));
        QVERIFY(r.out.contains("gcn-2x16 base: test accuracy"));
        QFile f(out + "/results.csv");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto lines = QString(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[2].startsWith("quickstart,cora,node_classification,gcn-2x16,none,,1,0,base,accuracy,"));
        QFile j(out + "/run.json");
        QVERIFY(j.open(QIODevice::ReadOnly));
        const QString json = j.readAll();
        QVERIFY(json.contains(
            "\"columns\": [\"epoch\", \"loss\", \"train\", \"val\", \"test\", \"val_loss\", \"lr\", \"seconds\"]"));
        QVERIFY(json.contains("epochs: 3"));

        // The base model was saved; inspect prints its tensors.
        auto inspect = cli({ "inspect", out + "/models/base.gsqm" });
        QCOMPARE(inspect.code, 0);
        QVERIFY2(inspect.out.contains("stack.conv0.weight                [16, 1433]    dense    22928"),
            qPrintable(inspect.out));
        QVERIFY(inspect.out.contains("total: 23063 values"));
        // export writes a torch.load-able dict with PyG's names, atomically.
        auto exported = cli({ "export", out + "/models/base.gsqm", out + "/base.pt" });
        QCOMPARE(exported.code, 0);
        QCOMPARE(
            exported.out, "wrote " + out + "/base.pt: 4 tensors (load with torch.load; names in docs/interop.md)\n");
        QFile pt(out + "/base.pt");
        QVERIFY(pt.open(QIODevice::ReadOnly));
        const QByteArray pickle = pt.readAll();
        QVERIFY(pickle.contains("convs.0.lin.weight") && pickle.contains("convs.1.bias"));
        QVERIFY(!pickle.contains("stack.conv0"));
        // --example: a model file that does not fit the experiment, or a task without an
        // example, is refused before anything is written.
        auto misfit = cli({ "export", out + "/models/base.gsqm", out + "/m.pt", "--example", preset("quickstart.yaml"),
            "--set", "model.hidden=32" });
        QCOMPARE(misfit.code, 2);
        QCOMPARE(misfit.err,
            "error: " + out
                + "/models/base.gsqm: tensor 'stack.conv0.weight' has shape [16, 1433], the model expects "
                  "[32, 1433]\n");
        auto link = cli({ "export", out + "/models/base.gsqm", out + "/m.pt", "--example", preset("cora-link-gcn.yaml"),
            "--set", "model.hidden=16", "--set", "model.layers=2" });
        QCOMPARE(link.code, 2);
        QVERIFY2(link.err.endsWith("key 'dataset.task': this task has no example forward pass (node and graph "
                                   "classification only)\n"),
            qPrintable(link.err));
        QVERIFY(!QFile::exists(out + "/m.pt") && !QFile::exists(out + "/m.example.pt"));
        auto example
            = cli({ "export", out + "/models/base.gsqm", out + "/m.pt", "--example", preset("quickstart.yaml") });
        QCOMPARE(example.code, 0);
        QVERIFY2(
            example.out.startsWith("wrote " + out + "/m.example.pt: inputs and logits of one forward pass on cora"),
            qPrintable(example.out));
        QVERIFY(QFile::exists(out + "/m.pt"));
        QCOMPARE(cli({ "validate", preset("quickstart.yaml"), "--example", "x.yaml" }).err,
            QString("error: --example: belongs to the export command\n"));
        auto usage = cli({ "export", out + "/models/base.gsqm" });
        QCOMPARE(usage.code, 2);
        QCOMPARE(usage.err, QString("error: export: usage: graphsqueeze-cli export MODEL.gsqm OUT.pt [--codes]\n"));
        QCOMPARE(cli({ "run", preset("quickstart.yaml"), "--codes" }).code, 2);
        QFile::resize(out + "/models/base.gsqm", 100);
        auto bad = cli({ "inspect", out + "/models/base.gsqm" });
        QCOMPARE(bad.code, 2);
        QCOMPARE(bad.err,
            "error: " + out + "/models/base.gsqm: checksum mismatch: the model file is corrupt or truncated\n");
    }

    void paretoSpansEveryStageOfAPipeline()
    {
        QTemporaryDir d;
        const std::string yaml
            = "name: chain\ntrain:\n  epochs: 3\n  threads: 1\ncompression:\n"
              "  - prune:\n      name: pruned\n      method: global\n      sparsity: [0.9]\n"
              "      finetune_epochs: 2\n"
              "  - quantize:\n      from: pruned\n      method: qat\n      epochs: 2\n      storage: huffman\n";
        const QString file = QString::fromStdString(gsq::test::writeFile(d, "chain.yaml", yaml));
        QCOMPARE(cli({ "run", file, "--out", d.filePath("run"), "--quiet" }).code, 0);
        QFile results(d.filePath("run/results.csv"));
        QVERIFY(results.open(QIODevice::ReadOnly));
        const auto rows = QString::fromUtf8(results.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 5); // header, base, pruned, finetuned, quantized
        QVERIFY(rows[0].endsWith(
            ",lineage,quant_bits,target_bits,observer,granularity,storage,start,method_options,chain"));
        QVERIFY2(
            rows[4].contains(",qat,global sparsity=0.9 → bits=8 storage=huffman,0,0,quantized,"), qPrintable(rows[4]));
        // The lineage, then the step's setting typed and the chain it came from, short.
        QVERIFY2(
            rows[4].endsWith(",global sparsity=0.9 → qat bits=8 storage=huffman,8,0,minmax,per_tensor,huffman,base,,"
                             "global 0.9"),
            qPrintable(rows[4]));

        auto r = cli({ "pareto", d.filePath("run"), "--out", d.filePath("p.csv") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("wrote " + d.filePath("p.csv") + ": 4 points, "), qPrintable(r.out));
        QFile csv(d.filePath("p.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0],
            QString("dataset,task,metric,experiment,model,method,setting,stage,lineage,n,mean,std,size_disk_bytes,"
                    "on_front"));
        // The smallest file first: the quantized pipeline (its pruned zeros skipped, the rest
        // Huffman-coded), on the front since nothing is smaller.
        QVERIFY2(lines[1].startsWith("cora,node_classification,accuracy,chain,gcn-2x16,qat,global sparsity=0.9 → "
                                     "bits=8 storage=huffman,quantized,global sparsity=0.9 → qat bits=8 "
                                     "storage=huffman,1,"),
            qPrintable(lines[1]));
        QVERIFY(lines[1].endsWith(",1"));
        QVERIFY(lines[4].contains(",none,,base,base,1,"));

        // Journals written before the typed setting columns (8 fields fewer per row) and before
        // the lineage (9 fewer) still read; a row of another width is refused at its line.
        QFile journal(d.filePath("run/jobs.journal"));
        QVERIFY(journal.open(QIODevice::ReadOnly));
        const QStringList journalLines = QString::fromUtf8(journal.readAll()).split('\n');
        for (int dropped : { 8, 9, 10 }) {
            const QString dir = d.filePath(QString("old%1").arg(dropped));
            QVERIFY(QDir().mkpath(dir));
            QStringList out;
            int rowLine = 0;
            for (int i = 0; i < journalLines.size(); ++i) {
                QStringList f = journalLines[i].split('\t');
                if (f.front() == "row") {
                    f.remove(f.size() - 1 - dropped, dropped); // the columns before train seconds
                    rowLine = rowLine ? rowLine : i + 1;
                }
                out << f.join('\t');
            }
            QFile old(dir + "/jobs.journal");
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write(out.join('\n').toUtf8());
            old.close();
            auto read = cli({ "pareto", dir, "--out", dir + "/p.csv" });
            if (dropped == 10) {
                QCOMPARE(read.code, 2);
                QVERIFY2(
                    read.err.contains(QString("jobs.journal:%1: 'row' line has ").arg(rowLine)), qPrintable(read.err));
                continue;
            }
            QCOMPARE(read.code, 0);
            QVERIFY2(read.out.contains(": 4 points, "), qPrintable(read.out));
            QFile points(dir + "/p.csv");
            QVERIFY(points.open(QIODevice::ReadOnly));
            const auto pointLines = QString::fromUtf8(points.readAll()).split('\n', Qt::SkipEmptyParts);
            // Without a lineage column the quantized row's lineage is its method and setting.
            QVERIFY2(
                pointLines[1].contains(dropped == 8 ? ",quantized,global sparsity=0.9 → qat bits=8 storage=huffman,"
                                                    : ",quantized,qat global sparsity=0.9 → bits=8 storage=huffman,"),
                qPrintable(pointLines[1]));
        }

        // The hybrid file: inspect shows each coded tensor's parts; export still writes it for
        // PyTorch (dequantized values, the integer codes beside them).
        const QString hybrid
            = d.filePath("run/models/qat-global_sparsity_0.9_to_bits_8_storage_huffman-quantized.gsqm");
        auto inspect = cli({ "inspect", hybrid });
        QCOMPARE(inspect.code, 0);
        QVERIFY2(inspect.out.contains(QRegularExpression("stack\\.conv0\\.weight +\\[16, 1433\\] +coded ")),
            qPrintable(inspect.out));
        QVERIFY2(inspect.out.contains("    header "), qPrintable(inspect.out));
        auto exported = cli({ "export", hybrid, d.filePath("hybrid.pt"), "--codes" });
        QCOMPARE(exported.code, 0);
        QVERIFY(QFileInfo(d.filePath("hybrid.pt")).size() > 0);

        auto missing = cli({ "pareto", d.filePath("nothing") });
        QCOMPARE(missing.code, 2);
        QCOMPARE(missing.err,
            "error: " + d.filePath("nothing")
                + ": no jobs.journal here; is it the --out directory of a finished run or cell?\n");
        QVERIFY(!QFile::exists(d.filePath("pareto.csv")));
    }

    void resultsTableFitsLongSettings()
    {
        // A setting longer than the method/setting column's 26 characters ran into the stage
        // ("...per_channelquantized"); the column is now as wide as its longest entry.
        QTemporaryDir d;
        const QString yaml = QString::fromStdString(gsq::test::writeFile(d, "long.yaml",
            "name: long\ndataset: {name: cora}\nmodel: {arch: gcn, hidden: 8, layers: 2}\n"
            "train: {epochs: 2, seeds: [0], threads: 1}\ncompression:\n"
            "  - quantize: {method: qat, bits: 8, epochs: 1, observer: percentile, granularity: per_channel}\n"));
        auto r = cli({ "run", yaml, "--out", d.filePath("out"), "--quiet" });
        QCOMPARE(r.code, 0);
        const auto lines = r.out.split('\n');
        const auto header = lines.filter(QRegularExpression("^seed  fold  method/setting"));
        QCOMPARE(header.size(), 1);
        QVERIFY2(header[0].startsWith("seed  fold  method/setting                              stage      test"),
            qPrintable(header[0]));
        const auto row = lines.filter("qat bits=8 observer=percentile per_channel");
        QCOMPARE(row.size(), 2); // the table's row and the summary's line
        QVERIFY2(row[0].startsWith("0     0     qat bits=8 observer=percentile per_channel  quantized  "),
            qPrintable(row[0]));
    }

    void datasetsPrintsPinnedCounts()
    {
        auto r = cli({ "datasets" });
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("graphs 1, nodes 2708, undirected edges 5278, features 1433, classes 7"));
        QVERIFY(r.out.contains("graphs 1113, nodes 43471, undirected edges 81044, features 3, classes 2"));
        QVERIFY(r.out.contains("graphs 2039,"));
        QVERIFY(r.out.contains("skipped 11 row(s)"));
    }
};

QTEST_GUILESS_MAIN(CliTest)
#include "CliTest.moc"
