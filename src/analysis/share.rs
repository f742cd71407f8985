//! Share of a part in a whole, its change in percentage points and the part's contribution to
//! the whole's growth (METHODS.md, "Share").

use super::{overflow_notes, prev_in_run, with_runs, KeyLabels};
use crate::notes::{self, Note, Subject, What};
use crate::schema::{
    sort_keys, ColumnDef, Span, UnitOf, PART_UNIT, PREV_PART, PREV_SHARE, PREV_WHOLE, PREV_YEAR,
    SERIES, UNIT, VALUE, WHOLE_UNIT, YEAR,
};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Columns of a share, besides the groups and `year` (see [`columns`]).
pub const PART: &str = "part";
pub const WHOLE: &str = "whole";
pub const SHARE: &str = "share";
pub const SHARE_CHANGE: &str = "share_change_pp";
pub const CONTRIBUTION: &str = "contribution_pp";

/// The share of a part in a whole by group and year, and notes on every share left
/// undefined. The frame holds the columns [`columns`] describes, no helper columns.
pub struct Share {
    /// The part's and the whole's series names.
    pub part: String,
    pub whole: String,
    pub frame: DataFrame,
    pub notes: Vec<Note>,
}

/// What `share` computes, in words (JSON's `meta.conventions`).
pub const CONVENTIONS: [&str; 3] = [
    "share = part / whole, after checking both are in one unit",
    "share_change_pp = 100 × (share_t - share_(t-1)), only when year t-1 is present",
    "contribution_pp = 100 × (part_t - part_(t-1)) / whole_(t-1), only when year t-1 is present",
];

/// The share of `part` in `whole` in `lf` (canonical order, both series in one unit) over
/// `span`, with its notes: undefined shares, then values too large to represent.
pub fn run(lf: LazyFrame, groups: &[String], part: &str, whole: &str, span: Span) -> Result<Share> {
    let frame = share(lf, groups, part, whole, span)?.collect()?;
    let mut notes = share_notes(&frame, groups, part, whole)?;
    let computed = [
        (SHARE, "share"),
        (SHARE_CHANGE, "share change"),
        (CONTRIBUTION, "contribution"),
    ];
    notes.extend(overflow_notes(&frame, groups, Some(YEAR), &computed)?);
    Ok(Share {
        part: part.to_string(),
        whole: whole.to_string(),
        frame,
        notes,
    })
}

/// The title of the share table and figure of `part` in `whole`.
pub fn title(part: &str, whole: &str) -> String {
    format!("Share of {part} in {whole}")
}

/// The columns of [`Share::frame`] for `part` in `whole` (their names head the value
/// columns), in the order people read them.
pub fn columns(groups: &[String], part: &str, whole: &str) -> Vec<ColumnDef> {
    let points = |key, meaning| ColumnDef::points(key, meaning).unit(UnitOf::PercentagePoints);
    let mut columns: Vec<ColumnDef> = groups.iter().map(|g| ColumnDef::group(g)).collect();
    columns.extend([
        ColumnDef::year(),
        ColumnDef::quantity(PART, format!("value of {part}")).header(part.to_string()),
        ColumnDef::quantity(WHOLE, format!("value of {whole}")).header(whole.to_string()),
        ColumnDef::text(UNIT, "unit of part and whole").machine_only(),
        ColumnDef::fraction(SHARE, "part / whole, a unitless fraction (0.3 = 30 %)")
            .header("share (%)"),
        points(
            SHARE_CHANGE,
            "change in share since the previous year, percentage points",
        )
        .header("change (pp)"),
        points(
            CONTRIBUTION,
            "points of the whole's growth contributed by the part, percentage points",
        )
        .header("contribution (pp)"),
    ]);
    columns
}

/// Notes about the units of `part` and `whole` (`units`: those of the series that carry one),
/// which come before a share's other notes so that they stay in view when a large file's
/// notes are capped: `converted`, the whole brought into the part's unit; else, when neither
/// carries a unit, that they are taken to be in one (`per_group`: each group's own).
pub fn unit_notes(
    converted: Option<Note>,
    units: &BTreeMap<String, String>,
    part: &str,
    whole: &str,
    per_group: bool,
) -> Vec<Note> {
    let mut notes: Vec<Note> = converted.into_iter().collect();
    if !units.contains_key(part) && !units.contains_key(whole) {
        let what = What::UnitsAssumed {
            part: part.to_string(),
            whole: whole.to_string(),
            per_group,
        };
        notes.push(Note::new(Subject::none(), what));
    }
    notes
}

/// Per group and year: `part`, `whole`, `unit`, `share` (fraction), `share_change_pp` and
/// `contribution_pp` (percentage points), after the group columns and `year`: the columns
/// [`columns`] describes, in this order, and no others (`sql` registers it as is). Years
/// present in only one of the two series appear with a null share. Changes need the
/// previous year; a non-positive whole gives nulls.
/// Both series must already be in one unit (the caller checks). `lf` is in canonical order
/// (see [`super`]); the result is sorted by groups, then year.
pub fn share(
    lf: LazyFrame,
    groups: &[String],
    part: &str,
    whole: &str,
    span: Span,
) -> Result<LazyFrame> {
    let prev = |c: &str| prev_in_run(col(c));
    let one_year = (col(YEAR) - col(PREV_YEAR)).eq(lit(1));
    let documented = [YEAR, PART, WHOLE, UNIT, SHARE, SHARE_CHANGE, CONTRIBUTION];
    Ok(with_runs(side_by_side(lf, groups, part, whole)?, groups)
        .with_columns([
            col(PART_UNIT).fill_null(col(WHOLE_UNIT)).alias(UNIT),
            when(col(WHOLE).gt(lit(0.0)))
                .then(col(PART) / col(WHOLE))
                .otherwise(lit(NULL))
                .alias(SHARE),
        ])
        .with_columns([
            prev(YEAR).alias(PREV_YEAR),
            prev(PART).alias(PREV_PART),
            prev(WHOLE).alias(PREV_WHOLE),
            prev(SHARE).alias(PREV_SHARE),
        ])
        .filter(span.contains())
        .with_columns([
            when(one_year.clone())
                .then(lit(100.0) * (col(SHARE) - col(PREV_SHARE)))
                .otherwise(lit(NULL))
                .alias(SHARE_CHANGE),
            when(one_year.and(col(PREV_WHOLE).gt(lit(0.0))))
                .then(lit(100.0) * (col(PART) - col(PREV_PART)) / col(PREV_WHOLE))
                .otherwise(lit(NULL))
                .alias(CONTRIBUTION),
        ])
        .select(
            groups
                .iter()
                .map(|g| col(g.as_str()))
                .chain(documented.map(col))
                .collect::<Vec<_>>(),
        ))
}

/// Part and whole side by side per group and year (`part`, `part_unit`, `whole`,
/// `whole_unit`), sorted by groups and year; a year that only one of them has gets nulls on
/// the other side.
fn side_by_side(lf: LazyFrame, groups: &[String], part: &str, whole: &str) -> Result<LazyFrame> {
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
        side(part, PART, PART_UNIT).collect()?,
        side(whole, WHOLE, WHOLE_UNIT).collect()?,
    );
    // Both sides come sorted by groups and year. When they hold the same (group, year) rows
    // — a complete panel — they line up row for row and need no join and no sort.
    let key_names: Vec<&str> = groups.iter().map(String::as_str).chain([YEAR]).collect();
    let aligned = parts.height() == wholes.height()
        && key_names.iter().all(|k| {
            matches!((parts.column(k), wholes.column(k)), (Ok(a), Ok(b)) if a.as_materialized_series().equals(b.as_materialized_series()))
        });
    if aligned {
        let mut both = parts;
        both.hstack_mut(&[
            wholes.column(WHOLE)?.clone(),
            wholes.column(WHOLE_UNIT)?.clone(),
        ])?;
        return Ok(both.lazy());
    }
    Ok(parts
        .lazy()
        .join(
            wholes.lazy(),
            on.clone(),
            on,
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .sort(sort_keys(groups), Default::default()))
}

/// Notes for a collected [`share`] result: years where one side is missing or the whole is
/// not positive.
pub fn share_notes(
    df: &DataFrame,
    groups: &[String],
    part: &str,
    whole: &str,
) -> Result<Vec<Note>> {
    let flagged = df.clone().lazy().filter(col(SHARE).is_null()).collect()?;
    let rows = KeyLabels::new(&flagged, groups)?;
    let years = flagged.column(YEAR)?.i32()?;
    let parts = flagged.column(PART)?.f64()?;
    let wholes = flagged.column(WHOLE)?.f64()?;
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
    fn the_frame_holds_the_described_columns_in_order() {
        let groups = ["region".to_string()];
        let df = frame(&[("p", &[(2015, 1.0)]), ("w", &[(2015, 2.0)])])
            .lazy()
            .with_column(lit("north").alias("region"));
        let result = run(df, &groups, "p", "w", Span::default()).unwrap();
        let names: Vec<&str> = result
            .frame
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect();
        let described: Vec<String> = columns(&groups, "p", "w")
            .iter()
            .map(|c| c.key.to_string())
            .collect();
        assert_eq!(names, described);
        assert_eq!(result.frame.column(UNIT).unwrap().len(), 1);
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
