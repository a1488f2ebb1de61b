// Projector and desktop layouts: at 1280x720 and 1920x1080, in normal and classroom mode, the
// window fits its screen and every chart of every tab keeps a readable size (the tab scrolls
// rather than squeezing it). GSQ_SCREENSHOT_DIR=DIR saves each tab as DIR/<size>-<mode>-NN-tab.png.
#include "MainWindowTestSupport.h"
#include "ui/MainWindow.h"

#include "ui/charts/ChartView.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/window/LessonPanel.h"
#include <QDir>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace gsq::ui;

namespace {
/// The widgets whose minimum size hint is widest, for a failure message.
QString widest(QWidget* root, bool byHeight)
{
    QList<QPair<int, QString>> all;
    for (auto* w : root->findChildren<QWidget*>()) {
        if (!w->isVisibleTo(root))
            continue;
        const QSize s = w->minimumSizeHint().expandedTo(w->minimumSize());
        all.append({ byHeight ? s.height() : s.width(),
            QString("%1(%2)").arg(w->metaObject()->className(), w->objectName()) });
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    QStringList out;
    for (int i = 0; i < std::min<int>(8, all.size()); ++i)
        out << QString("%1 %2").arg(all[i].second).arg(all[i].first);
    return out.join(", ");
}
} // namespace

class LayoutTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        gsq::ui::test::isolateApp(m_dir, "GraphSqueezeLayoutTest");
        // A lesson (its text above the charts) with a short run of every kind of stage, so
        // every tab has its charts and tables filled.
        m_window = std::make_unique<MainWindow>();
        auto& w = *m_window;
        QCOMPARE(
            w.openExperiment(GSQ_UI_TEST_EXPERIMENTS "/classroom/lesson1-what-pruning-does.yaml", false), QString());
        gsq::ui::test::configure(w, "finegrained", "0.5, 0.9", 5, 2);
        w.panel()->addStep(gsq::core::experiment::StepKind::Quantize, "ptq");
        QVERIFY2(w.panel()->isValid(), qPrintable(w.panel()->validationMessage()));
        w.show();
        QSignalSpy done(&w, &MainWindow::runFinished);
        w.run();
        QVERIFY(done.wait(gsq::ui::test::runWait()));
    }

    void everyTabFitsTheScreen_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<bool>("classroom");
        for (const QSize s : { QSize(1280, 720), QSize(1920, 1080) })
            for (const bool classroom : { false, true })
                QTest::addRow("%dx%d %s", s.width(), s.height(), classroom ? "classroom" : "normal") << s << classroom;
    }

    void everyTabFitsTheScreen()
    {
        QFETCH(QSize, size);
        QFETCH(bool, classroom);
        auto& w = *m_window;
        w.setClassroomMode(classroom);
        w.resize(size);
        QCoreApplication::processEvents();
        const QSize minimum = w.minimumSizeHint();
        QVERIFY2(minimum.width() <= size.width(),
            qPrintable(QString("minimum width %1: %2").arg(minimum.width()).arg(widest(&w, false))));
        QVERIFY2(minimum.height() <= size.height(),
            qPrintable(QString("minimum height %1: %2").arg(minimum.height()).arg(widest(&w, true))));
        QCOMPARE(w.size(), size);
        // The lesson's text leaves the charts most of the height.
        QVERIFY(w.lessonPanel()->isVisible());
        QVERIFY2(w.lessonPanel()->height() <= size.height() / 4,
            qPrintable(QString("lesson panel %1 px high").arg(w.lessonPanel()->height())));
        const double scale = ChartView::fontScale();
        const int minHeight = static_cast<int>(std::lround(ChartView::kMinimumHeight * scale));
        const QString shots = qEnvironmentVariable("GSQ_SCREENSHOT_DIR");
        for (int i = 0; i < w.tabs()->count(); ++i) {
            w.tabs()->setCurrentIndex(i);
            QTest::qWait(20); // a tab shown for the first time lays out (and may re-arrange) once more
            auto* tab = w.tabs()->currentWidget();
            int charts = 0;
            for (auto* chart : tab->findChildren<ChartView*>()) {
                if (!chart->isVisibleTo(tab))
                    continue;
                ++charts;
                // Inside the tab's visible width: scrolling is vertical only.
                auto* area = qobject_cast<QScrollArea*>(tab);
                QVERIFY(area);
                const int right = chart->mapTo(area->viewport(), QPoint(chart->width(), 0)).x();
                QVERIFY2(right <= area->viewport()->width(),
                    qPrintable(QString("%1: chart '%2' ends at x=%3, the tab is %4 px wide")
                                   .arg(w.tabs()->tabText(i), chart->chart()->title())
                                   .arg(right)
                                   .arg(area->viewport()->width())));
                QVERIFY2(chart->height() >= minHeight && chart->width() >= ChartView::kMinimumWidth,
                    qPrintable(QString("%1: chart '%2' is %3x%4 (at least %5x%6 expected)")
                                   .arg(w.tabs()->tabText(i), chart->chart()->title())
                                   .arg(chart->width())
                                   .arg(chart->height())
                                   .arg(ChartView::kMinimumWidth)
                                   .arg(minHeight)));
            }
            QVERIFY2(charts > 0 || w.tabs()->tabText(i) == "Layers", qPrintable(w.tabs()->tabText(i)));
            if (!shots.isEmpty()) {
                QDir().mkpath(shots);
                QVERIFY(w.grab().save(QString("%1/%2x%3-%4-%5-%6.png")
                                          .arg(shots)
                                          .arg(size.width())
                                          .arg(size.height())
                                          .arg(classroom ? "classroom" : "normal")
                                          .arg(i + 1, 2, 10, QChar('0'))
                                          .arg(w.tabs()->tabText(i).toLower())));
            }
        }
    }

    void theFormFitsItsDock()
    {
        // A preset with long step labels (seven quantize steps) made the form wider than its dock:
        // fields and the Browse… button were cut at the right and the form scrolled sideways.
        MainWindow w;
        QCOMPARE(w.openExperiment(GSQ_UI_TEST_EXPERIMENTS "/proteins-gin-qat4.yaml", false), QString());
        for (const QSize size : { QSize(1280, 720), QSize(1600, 1000) }) {
            w.resize(size);
            w.show();
            QTest::qWait(20);
            auto* area = w.panel()->findChild<QScrollArea*>();
            QVERIFY(area && area->widget());
            QVERIFY2(area->widget()->width() <= area->viewport()->width(),
                qPrintable(QString("at %1x%2 the form is %3 px wide in a %4 px dock: %5")
                               .arg(size.width())
                               .arg(size.height())
                               .arg(area->widget()->width())
                               .arg(area->viewport()->width())
                               .arg(widest(area->widget(), false))));
        }
    }

    void cleanupTestCase()
    {
        m_window->setClassroomMode(false); // a saved setting
        m_window.reset();
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(LayoutTest)
#include "LayoutTest.moc"
