//! Year-on-year growth, absolute change and CAGR (METHODS.md, "Growth, change, CAGR").
//!
//! Growth is keyed on the *year*, not the row: the rate for year t exists only when year t−1
//! is in the data. When the previous present year is t−k (k > 1) the one-year rate is null
//! and `gap_growth` carries the annualised rate over the gap, (y_t / y_{t−k})^{1/k} − 1, so
//! a multi-year change never poses as a "YoY". A non-positive base gives null, never ±inf.

use super::{first_in_run, prev_in_run, with_runs, KeyLabels};
use crate::notes::{self, Note, What};
use crate::schema::columns::{canonical_columns, key_columns};
use crate::schema::{
    ColumnDef, Span, FIRST_VALUE, FIRST_YEAR, PREV_VALUE, PREV_YEAR, RUN, UNIT, VALUE, YEAR,
};
use anyhow::Result;
use polars::prelude::*;

/// Annualised rate from `base` to `value` over `years` years, null unless both are usable
/// (base > 0, value ≥ 0, years > 0). +inf when `value / base` overflows (a base of 1e-320);
/// [`super::overflow_notes`] says so.
pub(crate) fn annualised(value: Expr, base: Expr, years: Expr) -> Expr {
    let years = years.cast(DataType::Float64);
    when(
        base.clone()
            .gt(lit(0.0))
            .and(value.clone().gt_eq(lit(0.0)))
            .and(years.clone().gt(lit(0.0))),
    )
    .then((value / base).pow(lit(1.0) / years) - lit(1.0))
    .otherwise(lit(NULL))
}

/// `prev_year` and `prev_value`: the previous present year of the row's run and its value
/// (null on a run's first row). Needs [`RUN`].
pub(crate) fn previous() -> [Expr; 2] {
    [
        prev_in_run(col(YEAR)).alias(PREV_YEAR),
        prev_in_run(col(VALUE)).alias(PREV_VALUE),
    ]
}

/// Year-on-year growth from [`previous`]: only when the previous present year is t−1 and its
/// value is positive, else null.
pub(crate) fn yoy() -> Expr {
    when(
        (col(YEAR) - col(PREV_YEAR))
            .eq(lit(1))
            .and(col(PREV_VALUE).gt(lit(0.0))),
    )
    .then(col(VALUE) / col(PREV_VALUE) - lit(1.0))
    .otherwise(lit(NULL))
    .alias("yoy")
}

/// Per key and year: `value`, `change`, `yoy`, `gap_growth`, `cagr_since_first` (fractions),
/// plus `prev_year`/`prev_value` for notes. Rows with a null value are dropped (an empty cell
/// is a missing year). `lf` is in canonical order (see [`super`]), and so is the result.
pub fn growth(lf: LazyFrame, keys: &[String], span: Span) -> Result<LazyFrame> {
    let gap = col(YEAR) - col(PREV_YEAR);
    let one_year = gap.clone().eq(lit(1));
    Ok(with_runs(lf.filter(col(VALUE).is_not_null()), keys)
        .with_columns(previous())
        .filter(span.contains())
        .with_columns([
            // Years and (after the filter) values have no nulls.
            first_in_run(col(YEAR)).alias(FIRST_YEAR),
            first_in_run(col(VALUE)).alias(FIRST_VALUE),
        ])
        .with_columns([
            when(one_year.clone())
                .then(col(VALUE) - col(PREV_VALUE))
                .otherwise(lit(NULL))
                .alias("change"),
            yoy(),
            when(gap.clone().gt(lit(1)))
                .then(annualised(col(VALUE), col(PREV_VALUE), gap))
                .otherwise(lit(NULL))
                .alias("gap_growth"),
            annualised(col(VALUE), col(FIRST_VALUE), col(YEAR) - col(FIRST_YEAR))
                .alias("cagr_since_first"),
        ])
        .drop(by_name([RUN], true, false)))
}

/// [`growth`] with the documented columns only ([`yearly_columns`]), lazily: what SQL reads.
pub fn growth_documented(lf: LazyFrame, keys: &[String], span: Span) -> Result<LazyFrame> {
    Ok(growth(lf, keys, span)?.drop(by_name(
        [PREV_YEAR, PREV_VALUE, FIRST_YEAR, FIRST_VALUE],
        true,
        false,
    )))
}

/// CAGR per key from the first to the last present year in the span (years, not rows, count).
/// Columns: keys, `unit`, `from_year`, `to_year`, `years`, `observations`, `first_value`,
/// `last_value`, `cagr`. `lf` is in canonical order (see [`super`]); so is the result.
pub fn cagr(lf: LazyFrame, keys: &[String], span: Span) -> Result<LazyFrame> {
    let key_values = keys.iter().map(|k| col(k.as_str()).first());
    Ok(with_runs(
        lf.filter(col(VALUE).is_not_null().and(span.contains())),
        keys,
    )
    .group_by([col(RUN)])
    .agg(
        key_values
            .chain([
                col(UNIT).first(),
                col(YEAR).first().alias("from_year"),
                col(YEAR).last().alias("to_year"),
                col(YEAR)
                    .count()
                    .cast(DataType::Int64)
                    .alias("observations"),
                col(VALUE).first().alias("first_value"),
                col(VALUE).last().alias("last_value"),
            ])
            .collect::<Vec<_>>(),
    )
    .sort([RUN], Default::default())
    .drop(by_name([RUN], true, false))
    .with_columns([(col("to_year") - col("from_year")).alias("years")])
    .with_columns([annualised(col("last_value"), col("first_value"), col("years")).alias("cagr")]))
}

/// The result of `growth`: the rates by year, the CAGR per series, and notes on every value
/// left undefined. Each frame holds the columns its description names
/// ([`yearly_columns`], [`summary_columns`]), no helper columns.
pub struct Growth {
    pub yearly: DataFrame,
    pub summary: DataFrame,
    pub notes: Vec<Note>,
}

/// What `growth` computes, in words (JSON's `meta.conventions`).
pub const CONVENTIONS: [&str; 3] = [
    "yoy = y_t / y_(t-1) - 1, only when year t-1 is present and y_(t-1) > 0",
    "gap_growth = (y_t / y_(t-k))^(1/k) - 1 when the previous present year is t-k, k > 1",
    "cagr = (y_last / y_first)^(1 / (last year - first year)) - 1: years, not rows, count",
];

/// Growth by year and the CAGR summary of `lf` (canonical order) over `span`.
pub fn run(lf: LazyFrame, keys: &[String], span: Span) -> Result<Growth> {
    let yearly = growth(lf.clone(), keys, span)?.collect()?;
    let summary = cagr(lf.clone(), keys, span)?.collect()?;
    let mut notes = super::missing_value_notes(lf.filter(span.contains()), keys)?;
    notes.extend(growth_notes(&yearly, keys)?);
    notes.extend(cagr_notes(&summary, keys)?);
    notes.extend(super::overflow_notes(
        &yearly,
        keys,
        Some(YEAR),
        &[
            ("change", "change"),
            ("yoy", "YoY growth"),
            ("gap_growth", "gap growth"),
            ("cagr_since_first", "CAGR since first"),
        ],
    )?);
    notes.extend(super::overflow_notes(
        &summary,
        keys,
        None,
        &[("cagr", "CAGR")],
    )?);
    Ok(Growth {
        yearly: yearly.drop_many([PREV_YEAR, PREV_VALUE, FIRST_YEAR, FIRST_VALUE]),
        summary,
        notes,
    })
}

/// The columns of [`Growth::yearly`], in the order people read them.
pub fn yearly_columns(groups: &[String]) -> Vec<ColumnDef> {
    let mut columns = canonical_columns(groups);
    columns.extend([
        ColumnDef::quantity(
            "change",
            "value minus the previous year's value, in the series' unit",
        ),
        ColumnDef::fraction(
            "yoy",
            "year-on-year growth, a unitless fraction (0.1 = 10 %); null without the previous year",
        )
        .header("YoY (%)"),
        ColumnDef::fraction(
            "gap_growth",
            "annualised growth since the previous present year, only after missing years (unitless fraction)",
        )
        .header("gap growth (%/yr)"),
        ColumnDef::fraction(
            "cagr_since_first",
            "annualised growth from the first year of the span to this year (unitless fraction)",
        )
        .header("CAGR since first (%)"),
    ]);
    columns
}

/// The columns of [`Growth::summary`], in the order people read them.
pub fn summary_columns(groups: &[String]) -> Vec<ColumnDef> {
    let mut columns = key_columns(groups);
    columns.extend([
        ColumnDef::unit_column("unit of value (and of change)"),
        ColumnDef::year_like("from_year", "first year with a value in the span").header("from"),
        ColumnDef::year_like("to_year", "last year with a value in the span").header("to"),
        ColumnDef::integer(
            "years",
            "to_year - from_year: the number of years the CAGR spans",
        ),
        ColumnDef::integer("observations", "number of years with a value in the span"),
        ColumnDef::quantity("first_value", "value in from_year").header("first"),
        ColumnDef::quantity("last_value", "value in to_year").header("last"),
        ColumnDef::fraction(
            "cagr",
            "compound annual growth rate from from_year to to_year (unitless fraction)",
        )
        .header("CAGR (%)"),
    ]);
    columns
}

/// Notes for a collected [`growth`] result: every year whose rate is undefined, and why.
pub fn growth_notes(df: &DataFrame, keys: &[String]) -> Result<Vec<Note>> {
    growth_notes_with(df, keys, Some("gap_growth"))
}

/// [`growth_notes`] for a frame with `year`, `prev_year`, `prev_value` and `gap_growth`,
/// naming the column that shows the gap's annualised rate when the output has one.
pub fn growth_notes_with(
    df: &DataFrame,
    keys: &[String],
    gap_column: Option<&str>,
) -> Result<Vec<Note>> {
    let flagged = df
        .clone()
        .lazy()
        .filter(
            col(PREV_YEAR).is_not_null().and(
                (col(YEAR) - col(PREV_YEAR))
                    .gt(lit(1))
                    .or(col(PREV_VALUE).lt_eq(lit(0.0))),
            ),
        )
        .collect()?;
    let rows = KeyLabels::new(&flagged, keys)?;
    let years = flagged.column(YEAR)?.i32()?;
    let prev_years = flagged.column(PREV_YEAR)?.i32()?;
    let prev_values = flagged.column(PREV_VALUE)?.f64()?;
    let gap_growth = flagged.column("gap_growth")?.f64()?;
    let mut notes = Vec::new();
    for i in 0..flagged.height() {
        let (Some(year), Some(prev_year)) = (years.get(i), prev_years.get(i)) else {
            continue;
        };
        let what = if year - prev_year > 1 {
            What::GrowthAfterGap {
                prev_year,
                rate: gap_growth.get(i),
                column: gap_column.map(str::to_string),
            }
        } else {
            What::GrowthFromNonPositive {
                prev_year,
                prev_value: prev_values.get(i).unwrap_or(0.0),
            }
        };
        notes.push(Note::new(rows.at(i, Some(year)), what));
    }
    Ok(notes::cap(notes))
}

/// Notes for a collected [`cagr`] result: spans too short or values unusable.
pub fn cagr_notes(df: &DataFrame, keys: &[String]) -> Result<Vec<Note>> {
    let flagged = df.clone().lazy().filter(col("cagr").is_null()).collect()?;
    let rows = KeyLabels::new(&flagged, keys)?;
    let years = flagged.column("years")?.i32()?;
    let notes = (0..flagged.height())
        .map(|i| {
            let what = if years.get(i).unwrap_or(0) == 0 {
                What::CagrOneYear
            } else {
                What::CagrNotPositive
            };
            Note::new(rows.at(i, None), what)
        })
        .collect();
    Ok(notes::cap(notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{assert_close, f64s, frame, keys, seed};

    #[test]
    fn seed_yoy_matches_methods() {
        let df = growth(seed().lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        let yoy = f64s(&df, "yoy");
        // cbec 2015..2019, then trade 2015..2019
        assert_eq!(yoy[0], None);
        assert_close(yoy[1], 6.7 / 5.4 - 1.0, 1e-12);
        assert_close(yoy[1], 0.24074, 1e-5);
        assert_close(yoy[2], 0.20299, 1e-5);
        assert_close(yoy[3], 0.20347, 1e-5);
        assert_close(yoy[4], 0.11340, 1e-5);
        assert_eq!(yoy[5], None);
        assert_close(yoy[6], -0.01619, 1e-5);
        assert_close(yoy[7], 0.14403, 1e-5);
        assert_close(yoy[8], 0.09712, 1e-5);
        assert_close(yoy[9], 0.03410, 1e-5);
        let change = f64s(&df, "change");
        assert_close(change[1], 1.3, 1e-12);
        assert_close(change[6], -0.4, 1e-12);
    }

    #[test]
    fn seed_cagr_matches_methods() {
        let df = cagr(seed().lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        let c = f64s(&df, "cagr");
        assert_close(c[0], 2f64.powf(0.25) - 1.0, 1e-12);
        assert_close(c[0], 0.18921, 1e-5);
        assert_close(c[1], 0.06302, 1e-5);
        // The growth table's running CAGR ends on the same number.
        let g = growth(seed().lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_close(
            f64s(&g, "cagr_since_first")[4],
            2f64.powf(0.25) - 1.0,
            1e-12,
        );
    }

    #[test]
    fn gap_year_gives_null_yoy_and_annualised_gap_growth() {
        let df = frame(&[("cbec", &[(2015, 5.4), (2016, 6.7), (2018, 9.7)])]);
        let g = growth(df.clone().lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        let yoy = f64s(&g, "yoy");
        assert_close(yoy[1], 6.7 / 5.4 - 1.0, 1e-12);
        assert_eq!(yoy[2], None);
        assert_eq!(f64s(&g, "change")[2], None);
        assert_close(
            f64s(&g, "gap_growth")[2],
            (9.7f64 / 6.7).sqrt() - 1.0,
            1e-12,
        );
        let notes = growth_notes(&g, &keys()).unwrap();
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].text().starts_with("cbec 2018: no value for 2017"),
            "{notes:?}"
        );
        let c = cagr(df.lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_close(
            f64s(&c, "cagr")[0],
            (9.7f64 / 5.4).powf(1.0 / 3.0) - 1.0,
            1e-12,
        );
    }

    #[test]
    fn span_selects_years_but_keeps_the_previous_year_as_base() {
        let span = Span {
            from: Some(2017),
            to: Some(2018),
        };
        let g = growth(seed().lazy(), &keys(), span)
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(g.height(), 4);
        assert_close(f64s(&g, "yoy")[0], 8.06 / 6.7 - 1.0, 1e-12);
        let c = cagr(seed().lazy(), &keys(), span)
            .unwrap()
            .collect()
            .unwrap();
        assert_close(f64s(&c, "cagr")[0], 9.7 / 8.06 - 1.0, 1e-12);
    }

    #[test]
    fn a_tiny_base_overflows_with_a_note() {
        let df = frame(&[("x", &[(2015, 1e-320), (2016, 1.0), (2017, 2.0)])]);
        let g = growth(df.lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        // 1 / 1e-320 is above f64::MAX: YoY and the running CAGR overflow to +inf (empty
        // cells), with a note; the base is positive, so no note calls them undefined.
        assert_eq!(f64s(&g, "yoy")[1], Some(f64::INFINITY));
        assert_eq!(f64s(&g, "yoy")[2], Some(1.0));
        assert!(growth_notes(&g, &keys()).unwrap().is_empty());
        assert_eq!(
            crate::analysis::overflow_notes(
                &g,
                &keys(),
                Some(YEAR),
                &[
                    ("yoy", "YoY growth"),
                    ("cagr_since_first", "CAGR since first")
                ]
            )
            .unwrap()
            .iter()
            .map(Note::text)
            .collect::<Vec<_>>(),
            [
                "x 2016: YoY growth and CAGR since first overflow: the result is too large to represent",
                "x 2017: CAGR since first overflows: the result is too large to represent"
            ]
        );
    }

    #[test]
    fn non_positive_base_gives_null_with_note() {
        let df = frame(&[("x", &[(2015, 0.0), (2016, 2.0), (2017, -1.0), (2018, 1.0)])]);
        let g = growth(df.clone().lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(f64s(&g, "yoy"), vec![None, None, Some(-1.5), None]);
        assert_eq!(growth_notes(&g, &keys()).unwrap().len(), 2);
        let c = cagr(df.lazy(), &keys(), Span::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(f64s(&c, "cagr"), vec![None]);
        assert_eq!(cagr_notes(&c, &keys()).unwrap().len(), 1);
    }
}
