// graphsqueeze: the desktop app. Entry point only: options, window, event loop.
#include "core/session/Session.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QIcon>
#include <QTimer>

#include <iostream>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("GraphSqueeze");
    QApplication::setApplicationName("GraphSqueeze");
    QApplication::setApplicationVersion(GSQ_APP_VERSION);
    QApplication::setWindowIcon(QIcon(":/icons/graphsqueeze.svg"));
    QApplication::setDesktopFileName("graphsqueeze");

    QCommandLineParser parser;
    parser.setApplicationDescription("GraphSqueeze: prune and quantize graph neural networks, and see what it costs.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption open("open", "Open an experiment YAML file.", "FILE");
    QCommandLineOption run("run", "Run the experiment right away.");
    QCommandLineOption shots("screenshots", "After the run, save one PNG per tab into DIR.", "DIR");
    QCommandLineOption charts("export-charts", "After the run, save every chart as PNG and SVG into DIR.", "DIR");
    QCommandLineOption report("export-report", "After the run, write a one-file HTML report of it to FILE.", "FILE");
    QCommandLineOption dark("dark", "Use the dark theme (also View → Dark theme).");
    QCommandLineOption classroom("classroom", "Start in classroom mode (also View → Classroom mode).");
    QCommandLineOption size("size", "Window size, e.g. 1280x720 (screenshots at a projector's size).", "WxH");
    QCommandLineOption showRun("show-run",
        "Show a finished run from its directory (graphsqueeze-cli run --out DIR) instead of running; with "
        "--export-report / --export-charts / --quit, e.g. under QT_QPA_PLATFORM=offscreen, makes its report "
        "without a display.",
        "DIR");
    QCommandLineOption quit("quit", "Quit when the run (and the screenshots) are done.");
    QCommandLineOption stalls(
        "report-stalls", "Print the longest gap between two ticks of a 10 ms timer (event-loop stall) at exit.");
    parser.addOptions({ open, run, shots, charts, report, dark, classroom, size, showRun, quit, stalls });
    parser.process(app);

    gsq::ui::MainWindow window;
    if (parser.isSet(dark))
        window.setDarkTheme(true, /*remember=*/false);
    if (parser.isSet(classroom))
        window.setClassroomMode(true, /*remember=*/false);
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split('x');
        bool okW = false, okH = false;
        const int w = wh.size() == 2 ? wh[0].toInt(&okW) : 0, h = wh.size() == 2 ? wh[1].toInt(&okH) : 0;
        if (!okW || !okH || w < 200 || h < 200) {
            std::cerr << "error: --size: expected WIDTHxHEIGHT such as 1280x720, got '"
                      << parser.value(size).toStdString() << "'\n";
            return 2;
        }
        window.resize(w, h);
    }
    window.show();

    // Event-loop responsiveness probe for bench/: a 10 ms timer whose longest gap is a stall.
    QElapsedTimer clock;
    qint64 lastTick = 0, worstGap = 0;
    QTimer probe;
    if (parser.isSet(stalls)) {
        clock.start();
        QObject::connect(&probe, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            if (lastTick > 0)
                worstGap = std::max(worstGap, now - lastTick);
            lastTick = now;
        });
        probe.start(10);
    }
    if (parser.isSet(open)) {
        const QString err = window.openExperiment(parser.value(open), /*interactive=*/false);
        if (!err.isEmpty()) {
            std::cerr << "error: " << err.toStdString() << "\n";
            return 2;
        }
    }
    if (parser.isSet(showRun)) {
        const QString err = window.showRunDirectory(parser.value(showRun));
        if (!err.isEmpty()) {
            std::cerr << "error: " << err.toStdString() << "\n";
            return 2;
        }
    }
    int exitCode = 0;
    auto afterRun = [&] {
        if (parser.isSet(shots))
            if (const QString err = window.saveScreenshots(parser.value(shots)); !err.isEmpty()) {
                std::cerr << "error: " << err.toStdString() << "\n";
                exitCode = 2;
            }
        if (parser.isSet(charts))
            if (const QString err = window.exportAllCharts(parser.value(charts)); !err.isEmpty()) {
                std::cerr << "error: " << err.toStdString() << "\n";
                exitCode = 2;
            }
        if (parser.isSet(report))
            if (const QString err = window.exportReport(parser.value(report)); !err.isEmpty()) {
                std::cerr << "error: " << err.toStdString() << "\n";
                exitCode = 2;
            }
        if (parser.isSet(quit))
            QTimer::singleShot(0, &app, [&] { app.exit(exitCode); });
    };
    QObject::connect(&window, &gsq::ui::MainWindow::runFinished, &app, afterRun);
    QObject::connect(&window, &gsq::ui::MainWindow::runFailed, &app, [&](const QString& message) {
        std::cerr << "error: run failed: " << message.toStdString() << "\n";
        exitCode = 1;
        afterRun();
    });
    const bool scripted = parser.isSet(open) || parser.isSet(run) || parser.isSet(shots) || parser.isSet(charts)
        || parser.isSet(report) || parser.isSet(quit) || parser.isSet(showRun);
    if (!scripted) // a run the app did not survive: offer to continue it
        QTimer::singleShot(0, &window, [&] { window.offerResume(); });
    if (parser.isSet(run))
        QTimer::singleShot(0, &window, [&] { window.run(); });
    else if (parser.isSet(shots) || parser.isSet(charts) || parser.isSet(report) || parser.isSet(quit))
        QTimer::singleShot(200, &window, afterRun);
    const int code = app.exec();
    if (parser.isSet(stalls))
        std::cout << "longest event-loop gap: " << worstGap << " ms (timer interval 10 ms)\n";
    return code;
}
