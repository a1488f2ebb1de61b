// Tests ui/models: one number format for tables, charts, reports (thousands separators, 3-4
// significant digits, no scientific notation for counts), durations, and the table model's
// display and sort roles.
#include "ui/models/NumberFormat.h"
#include "ui/models/RowTableModel.h"

#include <QtTest>
#include <cmath>

class NumberFormatTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneNumberFormatForTablesAndReports()
    {
        using gsq::ui::formatNumber;
        QCOMPARE(formatNumber(23063), QString("23,063"));
        using gsq::ui::formatDuration;
        QCOMPARE(formatDuration(40.4), QString("40 s"));
        QCOMPARE(formatDuration(59.6), QString("1.0 min"));
        QCOMPARE(formatDuration(175), QString("2.9 min"));
        QCOMPARE(formatDuration(1500), QString("25 min"));
        QCOMPARE(formatDuration(3600 + 5 * 60), QString("1 h 05 min"));
        QCOMPARE(formatDuration(-1), QString("–"));
        QCOMPARE(formatNumber(23063.0), QString("23,063")); // a mean of counts: no "2.306e+04"
        QCOMPARE(formatNumber(1475610.4), QString("1,475,610")); // bytes: no "1.47561e+06"
        QCOMPARE(formatNumber(0.00919239), QString("0.009192"));
        QCOMPARE(formatNumber(9.82143), QString("9.821"));
        QCOMPARE(formatNumber(82.28), QString("82.28"));
        QCOMPARE(formatNumber(0.5), QString("0.5"));
        QCOMPARE(formatNumber(12.0), QString("12"));
        QCOMPARE(formatNumber(-3), QString("-3"));
        QCOMPARE(formatNumber(0), QString("0"));
        QCOMPARE(formatNumber(1e-5), QString("1.0e-05"));
        QCOMPARE(formatNumber(std::nan("")), QString("–"));
        QCOMPARE(gsq::ui::displayText(QVariant(qlonglong(9239))), QString("9,239"));
        QCOMPARE(gsq::ui::displayText(QVariant(QString("sparse-csr"))), QString("sparse-csr"));
        gsq::ui::RowTableModel m({ "a", "b" });
        m.setRows({ { 23063.0, QString("x") } });
        QCOMPARE(m.data(m.index(0, 0)).toString(), QString("23,063"));
        QCOMPARE(m.data(m.index(0, 0), Qt::UserRole).toDouble(), 23063.0); // sorting keeps the number
        QVERIFY(m.toCsv().contains("23063")); // CSV keeps raw values
    }
};

QTEST_MAIN(NumberFormatTest)
#include "NumberFormatTest.moc"
