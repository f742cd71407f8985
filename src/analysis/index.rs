//! Index numbers: 100 · y_t / y_base (METHODS.md, "Index").

use super::{first_in_run, per_run, with_runs, KeyLabels};
use crate::notes::{self, Note, What};
use crate::schema::columns::canonical_columns;
use crate::schema::{ColumnDef, Span, UnitOf, BASE_VALUE, RUN, VALUE, YEAR};
use anyhow::Result;
use polars::prelude::*;

/// Per key and year: `value`, `base_year`, `base_value`, `index`. With `base` given, the base
/// may lie outside the span (`--base 2015 --from 2017`); without it each series is based on
/// its first year in the span. A missing or non-positive base gives a null index; an index
/// too large for a float is ±inf (see [`super::overflow_notes`]). `lf` is in
/// canonical order (see [`super`]), and so is the result.
pub fn index(lf: LazyFrame, keys: &[String], span: Span, base: Option<i32>) -> Result<LazyFrame> {
    let lf = with_runs(lf.filter(col(VALUE).is_not_null()), keys);
    let base_value = || -> Result<Expr> {
        Ok(per_run(col(VALUE).filter(col(YEAR).eq(col("base_year"))).first())?.alias(BASE_VALUE))
    };
    let lf = match base {
        Some(year) => lf
            .with_column(lit(year).alias("base_year"))
            .with_column(base_value()?)
            .filter(span.contains()),
        None => lf
            .filter(span.contains())
            .with_column(first_in_run(col(YEAR)).alias("base_year"))
            .with_column(base_value()?),
    };
    // 100 × value overflows for values above f64::MAX / 100 although the index is small
    // (1.7e308 on a base of 1.6e308 is 106.25); there the ratio is taken first. Elsewhere the
    // usual order, so ordinary results keep their last digit.
    let direct = lit(100.0) * col(VALUE) / col(BASE_VALUE);
    let ratio_first = lit(100.0) * (col(VALUE) / col(BASE_VALUE));
    Ok(lf
        .with_column(
            when(col(BASE_VALUE).gt(lit(0.0)))
                .then(
                    when(direct.clone().is_finite())
                        .then(direct)
                        .otherwise(ratio_first),
                )
                .otherwise(lit(NULL))
                .alias("index"),
        )
        .drop(by_name([RUN], true, false)))
}

/// [`index`] with the documented columns only ([`columns`]), lazily: what SQL reads.
pub fn index_documented(
    lf: LazyFrame,
    keys: &[String],
    span: Span,
    base: Option<i32>,
) -> Result<LazyFrame> {
    Ok(index(lf, keys, span, base)?.drop(by_name([BASE_VALUE], true, false)))
}

/// The result of `index`: index numbers by year (the columns of [`columns`]) and notes on
/// series without a usable base.
pub struct Indexed {
    pub frame: DataFrame,
    pub notes: Vec<Note>,
}

/// What `index` computes, in words.
pub const CONVENTIONS: [&str; 1] =
    ["index = 100 × y_t / y_base; empty when the base year has no positive value"];

/// Index numbers of `lf` (canonical order) against `base` (default: each series' first year
/// in `span`).
pub fn run(lf: LazyFrame, keys: &[String], span: Span, base: Option<i32>) -> Result<Indexed> {
    let frame = index(lf, keys, span, base)?.collect()?;
    let mut notes = index_notes(&frame, keys)?;
    notes.extend(super::overflow_notes(
        &frame,
        keys,
        Some(YEAR),
        &[("index", "index")],
    )?);
    Ok(Indexed {
        frame: frame.drop(BASE_VALUE)?,
        notes,
    })
}

/// The title of the index table and figure on `base` (default: each series' first year).
pub fn title(base: Option<i32>) -> String {
    match base {
        Some(base) => format!("Index numbers ({base} = 100)"),
        None => "Index numbers (first year = 100)".to_string(),
    }
}

/// The columns of [`Indexed::frame`], in the order people read them.
pub fn columns(groups: &[String]) -> Vec<ColumnDef> {
    let mut columns = canonical_columns(groups);
    columns.extend([
        ColumnDef::year_like("base_year", "the year whose value is 100").header("base year"),
        ColumnDef::points("index", "100 × value / value in base_year (unitless)")
            .header("index (base = 100)")
            .unit(UnitOf::IndexPoints),
    ]);
    columns
}

/// Notes for a collected [`index`] result: keys whose base is missing or not positive.
pub fn index_notes(df: &DataFrame, keys: &[String]) -> Result<Vec<Note>> {
    let by: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
    let sort_by: Vec<PlSmallStr> = keys.iter().map(|k| PlSmallStr::from(k.as_str())).collect();
    let flagged = df
        .clone()
        .lazy()
        .filter(col("index").is_null())
        .group_by(by)
        .agg([col("base_year").first(), col(BASE_VALUE).first()])
        .sort(sort_by, Default::default())
        .collect()?;
    let rows = KeyLabels::new(&flagged, keys)?;
    let years = flagged.column("base_year")?.i32()?;
    let values = flagged.column(BASE_VALUE)?.f64()?;
    let notes = (0..flagged.height())
        .map(|i| {
            let base_year = years.get(i).unwrap_or(0);
            let what = match values.get(i) {
                None => What::NoBaseValue { base_year },
                Some(value) => What::BaseNotPositive { base_year, value },
            };
            Note::new(rows.at(i, None), what)
        })
        .collect();
    Ok(notes::cap(notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{assert_close, f64s, keys, seed};

    #[test]
    fn seed_index_matches_methods() {
        let df = index(seed().lazy(), &keys(), Span::default(), Some(2015))
            .unwrap()
            .collect()
            .unwrap();
        let ix = f64s(&df, "index");
        let expected = [
            100.0, 124.07, 149.26, 179.63, 200.00, 100.0, 98.38, 112.55, 123.48, 127.69,
        ];
        for (a, e) in ix.iter().zip(expected) {
            assert_close(*a, e, 0.005);
        }
        assert_close(ix[4], 200.0, 1e-12);
        // Default base: the first year.
        let default = index(seed().lazy(), &keys(), Span::default(), None)
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(f64s(&default, "index"), ix);
    }

    #[test]
    fn huge_values_index_without_spurious_overflow() {
        let df = crate::analysis::testing::frame(&[(
            "x",
            &[(2015, 1.6e308), (2016, 1.7e308), (2017, 1e-300)],
        )]);
        let ix = index(df.lazy(), &keys(), Span::default(), None)
            .unwrap()
            .collect()
            .unwrap();
        assert_close(f64s(&ix, "index")[1], 106.25, 1e-12);
        // A base of 1e-300 under 1.6e308 really overflows.
        let df = crate::analysis::testing::frame(&[("x", &[(2015, 1e-300), (2016, 1.6e308)])]);
        let ix = index(df.lazy(), &keys(), Span::default(), None)
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(f64s(&ix, "index")[1], Some(f64::INFINITY));
        assert_eq!(
            crate::analysis::overflow_notes(&ix, &keys(), Some(YEAR), &[("index", "index")])
                .unwrap()
                .iter()
                .map(Note::text)
                .collect::<Vec<_>>(),
            ["x 2016: index overflows: the result is too large to represent"]
        );
    }

    #[test]
    fn base_outside_span_and_missing_base() {
        let span = Span {
            from: Some(2018),
            to: None,
        };
        let df = index(seed().lazy(), &keys(), span, Some(2015))
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(df.height(), 4);
        assert_close(f64s(&df, "index")[1], 200.0, 1e-12);
        let df = index(seed().lazy(), &keys(), Span::default(), Some(2010))
            .unwrap()
            .collect()
            .unwrap();
        assert!(f64s(&df, "index").iter().all(Option::is_none));
        let notes = index_notes(&df, &keys()).unwrap();
        assert_eq!(
            notes.iter().map(Note::text).collect::<Vec<_>>(),
            vec![
                "cbec: no value in base year 2010, so no index",
                "trade: no value in base year 2010, so no index"
            ]
        );
    }
}
