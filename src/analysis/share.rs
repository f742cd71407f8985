//! Share of a part in a whole, its change in percentage points and the part's contribution to
//! the whole's growth (METHODS.md, "Share").

use super::{prev_in_run, with_runs, KeyLabels};
use crate::notes::{self, Note, What};
use crate::schema::{
    sort_keys, Span, PART_UNIT, PREV_PART, PREV_SHARE, PREV_WHOLE, PREV_YEAR, RUN, SERIES, UNIT,
    VALUE, WHOLE_UNIT, YEAR,
};
use anyhow::Result;
use polars::prelude::*;

/// Per group and year: `part`, `whole`, `unit`, `share` (fraction), `share_change_pp` and
/// `contribution_pp` (percentage points). Years present in only one of the two series appear
/// with a null share. Changes need the previous year; a non-positive whole gives nulls.
/// Both series must already be in one unit (the caller checks). `lf` is in canonical order
/// (see [`super`]); the result is sorted by groups, then year.
pub fn share(
    lf: LazyFrame,
    groups: &[String],
    part: &str,
    whole: &str,
    span: Span,
) -> Result<LazyFrame> {
    let mut on: Vec<Expr> = groups.iter().map(|g| col(g.as_str())).collect();
    on.push(col(YEAR));
    let side = |name: &str, alias: &str, unit: &str| {
        lf.clone()
            .filter(
                col(SERIES)
                    .eq(lit(name.to_string()))
                    .and(col(VALUE).is_not_null()),
            )
            .select(
                groups
                    .iter()
                    .map(|g| col(g.as_str()))
                    .chain([col(YEAR), col(VALUE).alias(alias), col(UNIT).alias(unit)])
                    .collect::<Vec<_>>(),
            )
    };
    let (parts, wholes) = (
        side(part, "part", PART_UNIT).collect()?,
        side(whole, "whole", WHOLE_UNIT).collect()?,
    );
    // Both sides come sorted by groups and year. When they hold the same (group, year) rows
    // — a complete panel — they line up row for row and need no join and no sort.
    let key_names: Vec<&str> = groups.iter().map(String::as_str).chain([YEAR]).collect();
    let aligned = parts.height() == wholes.height()
        && key_names.iter().all(|k| {
            matches!((parts.column(k), wholes.column(k)), (Ok(a), Ok(b)) if a.as_materialized_series().equals(b.as_materialized_series()))
        });
    let joined = if aligned {
        let mut both = parts;
        both.hstack_mut(&[
            wholes.column("whole")?.clone(),
            wholes.column(WHOLE_UNIT)?.clone(),
        ])?;
        both.lazy()
    } else {
        parts
            .lazy()
            .join(
                wholes.lazy(),
                on.clone(),
                on,
                JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
            )
            .sort(sort_keys(groups), Default::default())
    };
    let prev = |c: &str| prev_in_run(col(c));
    let one_year = (col(YEAR) - col(PREV_YEAR)).eq(lit(1));
    Ok(with_runs(joined, groups)
        .with_columns([
            col(PART_UNIT).fill_null(col(WHOLE_UNIT)).alias(UNIT),
            when(col("whole").gt(lit(0.0)))
                .then(col("part") / col("whole"))
                .otherwise(lit(NULL))
                .alias("share"),
        ])
        .with_columns([
            prev(YEAR).alias(PREV_YEAR),
            prev("part").alias(PREV_PART),
            prev("whole").alias(PREV_WHOLE),
            prev("share").alias(PREV_SHARE),
        ])
        .filter(span.contains())
        .with_columns([
            when(one_year.clone())
                .then(lit(100.0) * (col("share") - col(PREV_SHARE)))
                .otherwise(lit(NULL))
                .alias("share_change_pp"),
            when(one_year.and(col(PREV_WHOLE).gt(lit(0.0))))
                .then(lit(100.0) * (col("part") - col(PREV_PART)) / col(PREV_WHOLE))
                .otherwise(lit(NULL))
                .alias("contribution_pp"),
        ])
        .drop(by_name([RUN], true, false)))
}

/// Notes for a collected [`share`] result: years where one side is missing or the whole is
/// not positive.
pub fn share_notes(
    df: &DataFrame,
    groups: &[String],
    part: &str,
    whole: &str,
) -> Result<Vec<Note>> {
    let flagged = df.clone().lazy().filter(col("share").is_null()).collect()?;
    let rows = KeyLabels::new(&flagged, groups)?;
    let years = flagged.column(YEAR)?.i32()?;
    let parts = flagged.column("part")?.f64()?;
    let wholes = flagged.column("whole")?.f64()?;
    let notes = (0..flagged.height())
        .map(|i| {
            let what = What::ShareUndefined {
                part: part.to_string(),
                whole: whole.to_string(),
                part_value: parts.get(i),
                whole_value: wholes.get(i),
            };
            Note::new(rows.at(i, Some(years.get(i).unwrap_or(0))), what)
        })
        .collect();
    Ok(notes::cap(notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{assert_close, f64s, frame, seed};

    #[test]
    fn seed_share_matches_methods() {
        let df = share(seed().lazy(), &[], "cbec", "trade", Span::default())
            .unwrap()
            .collect()
            .unwrap();
        let s = f64s(&df, "share");
        let expected = [0.21862, 0.27572, 0.28993, 0.31803, 0.34242];
        for (a, e) in s.iter().zip(expected) {
            assert_close(*a, e, 5e-6);
        }
        assert_close(s[4], 10.8 / 31.54, 1e-15);
        let pp = f64s(&df, "share_change_pp");
        assert_eq!(pp[0], None);
        assert_close(pp[1], 100.0 * (6.7 / 24.3 - 5.4 / 24.7), 1e-12);
        let contribution = f64s(&df, "contribution_pp");
        assert_close(contribution[1], 100.0 * 1.3 / 24.7, 1e-12);
        assert_close(contribution[4], 100.0 * 1.1 / 30.5, 1e-12);
    }

    #[test]
    fn missing_side_gives_null_share_and_a_note() {
        let df = frame(&[
            ("p", &[(2015, 1.0), (2016, 2.0)]),
            ("w", &[(2016, 10.0), (2017, 0.0)]),
        ]);
        let out = share(df.lazy(), &[], "p", "w", Span::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(f64s(&out, "share"), vec![None, Some(0.2), None]);
        let notes = share_notes(&out, &[], "p", "w").unwrap();
        assert_eq!(
            notes.iter().map(Note::text).collect::<Vec<_>>(),
            vec![
                "2015: share undefined, no w value",
                "2017: share undefined, no p value"
            ]
        );
    }
}
