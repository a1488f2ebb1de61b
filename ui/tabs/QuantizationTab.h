#pragma once

#include "core/results/SessionEvents.h"

#include "ui/tabs/LiveView.h"
#include <QMap>
#include <QStringList>

#include <QWidget>

class QBarCategoryAxis;
class QValueAxis;

namespace gsq::ui {

class ChartView;

/// Quantization results side by side with the fp32 base: test metric (mean ± std over seeds and
/// folds) per method and bit-width, and what each costs — size on disk relative to the fp32 file
/// and measured speed-up of the int8 kernels over the same model in fp32.
class QuantizationTab : public QWidget, public LiveView {
    Q_OBJECT
public:
    explicit QuantizationTab(QWidget* parent = nullptr);
    void clear() override;
    void addEvents(const std::vector<gsq::core::results::SessionEvent>& events) override;
    QList<ChartView*> charts() const override;
    /// The categories as named (A²Q's with the mean weight bits its jobs learned), in order, the
    /// base first.
    QStringList categories() const;
    /// What every quantized category's own setting shares ("percentile per-ch huff" when all
    /// use them): said once in the chart's title, not in every axis label (at 1280 × 720 the
    /// labels are cut after about 12 characters). Empty with fewer than two quantized categories.
    QStringList sharedSetting() const;
    /// The axis labels: categories() without sharedSetting()'s words, on one line each.
    QStringList axisCategories() const;
    /// The learned bit-width chart (A²Q); for tests.
    ChartView* bitsView() const { return m_bitsView; }

private:
    struct Entry {
        QList<double> test, deployed, diskRatio, speedup, bits;
    };
    /// One bar group: a step (and its chain), named from the rows' typed setting.
    struct Category {
        QString key; ///< the rows' lineage ("base" for the fp32 base)
        QString head; ///< method and bits: "qat 4b", "a2q 8b→4"
        QStringList words; ///< what else sets it apart: "percentile", "per-ch", "huff", "penalty=0.5"
        QString chain; ///< the model it started from, short ("global 0.9 → qat 8b"); empty: the base
    };
    static Category categoryOf(const gsq::core::results::ResultRow& row);
    QString shown(const Category& c, const QStringList& hidden = {}) const;
    QString axisLabel(const Category& c, const QStringList& hidden) const;
    void refresh();

    void refreshBits();

    ChartView* m_accView;
    ChartView* m_costView;
    ChartView* m_bitsView; ///< A²Q's learned bit-widths (seed 0), shown once an A²Q stage finished
    QBarCategoryAxis *m_accX, *m_costX, *m_bitsX;
    QValueAxis *m_accY, *m_costY, *m_bitsY;
    QValueAxis* m_costLineX; ///< hidden: places the 1× reference line across the cost chart's categories
    /// A²Q stages of job 0: category key -> bit-width -> weight output channels / feature rows.
    QMap<QString, QMap<int, qint64>> m_weightWidths, m_featureWidths;
    QStringList m_order; ///< category keys, in the order their first row came
    QMap<QString, Category> m_categories;
    QMap<QString, Entry> m_entries;
    QMap<std::pair<int64_t, int>, double> m_baseDisk; ///< (seed, fold) -> fp32 file bytes
};

} // namespace gsq::ui
