//! Checks of the whole frame the careful reader read: a group, series and year once; one
//! unit per series; labels that differ only in their unit.

use super::keyed::{Keyed, SeriesFrom};
use super::plan::{ColumnsIn, Shape};
use super::{Catalog, LINE};
use crate::schema::{SERIES, UNIT, YEAR};
use anyhow::{bail, Result};
use polars::prelude::*;

/// Series labels that differ only in their unit (`Exports of goods and services (% of GDP)`
/// and `… (current US$)` in one World Bank table) are two series: when the unit is taken out
/// of the label, such labels keep it, `Exports of goods and services (% of GDP)` and
/// `Exports of goods and services (USD)`, with a note.
pub(super) fn keep_units_of_twin_labels(
    frame: DataFrame,
    plan: &ColumnsIn<'_>,
) -> Result<(DataFrame, Option<String>)> {
    let Shape::Keyed(Keyed {
        series: SeriesFrom::Column {
            label_unit: true, ..
        },
        ..
    }) = &plan.shape
    else {
        return Ok((frame, None));
    };
    let twins = frame
        .clone()
        .lazy()
        .group_by([col(SERIES)])
        .agg([col(UNIT).n_unique().alias("__units")])
        .filter(col("__units").gt(lit(1)))
        .sort([SERIES], Default::default())
        .collect()?;
    if twins.height() == 0 {
        return Ok((frame, None));
    }
    let twin_names: Vec<String> = twins
        .column(SERIES)?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let (series, units) = (frame.column(SERIES)?.str()?, frame.column(UNIT)?.str()?);
    let renamed: Vec<Option<String>> = series
        .iter()
        .zip(units.iter())
        .map(|(s, u)| {
            s.map(|s| match u {
                Some(u) if twin_names.iter().any(|t| t == s) => format!("{s} ({u})"),
                _ => s.to_string(),
            })
        })
        .collect();
    let mut frame = frame;
    frame.with_column(Column::new(SERIES.into(), renamed))?;
    Ok((
        frame,
        Some(format!(
            "labels that differ only in their unit keep it in the series name: {}",
            twin_names.join(", ")
        )),
    ))
}

/// The same (group, series, year) twice is an error naming both lines.
pub(super) fn check_duplicates(name: &str, frame: &DataFrame, groups: &[String]) -> Result<()> {
    let mut keys: Vec<Expr> = groups.iter().map(|g| col(g.as_str())).collect();
    keys.push(col(SERIES));
    keys.push(col(YEAR));
    let repeats = frame
        .clone()
        .lazy()
        .with_column(col(LINE).min().over(&keys)?.alias("__first"))
        .filter(col(LINE).neq(col("__first")))
        .sort([LINE], Default::default())
        .limit(1)
        .collect()?;
    if repeats.height() == 0 {
        return Ok(());
    }
    let line = repeats.column(LINE)?.i64()?.get(0).unwrap_or(0);
    let first = repeats.column("__first")?.i64()?.get(0).unwrap_or(0);
    let series = repeats
        .column(SERIES)?
        .str()?
        .get(0)
        .unwrap_or("")
        .to_string();
    let year = repeats.column(YEAR)?.i32()?.get(0).unwrap_or(0);
    let mut what = format!("series {series:?}, year {year}");
    for g in groups {
        let value = repeats.column(g)?.str()?.get(0).unwrap_or("").to_string();
        what = format!("{g} {value:?}, {what}");
    }
    bail!(
        "{name}:{line}: {what} appears twice (first on line {first}; expected one value per group, series and year{})",
        if groups.is_empty() {
            "; if the file has several regions or partners, name the column with --by"
        } else {
            ""
        }
    )
}

/// A series must have one unit throughout: mixing scales in one series would make every
/// growth rate wrong.
/// Returns each series' unit.
/// One unit per series, or with `per_group` (publishers' tables, where each country reports
/// in its own currency) one unit per series within each group: the catalog then has no unit
/// for a series whose groups differ, every row keeps its own, and a note says so.
pub(super) fn check_units(
    name: &str,
    frame: &DataFrame,
    groups: &[String],
    per_group: bool,
) -> Result<(Catalog, Vec<String>)> {
    let groups: &[String] = if per_group { groups } else { &[] };
    let pairs = unit_pairs(frame, groups)?;
    let series = pairs.column(SERIES)?.str()?;
    let units = pairs.column(UNIT)?.str()?;
    let lines = pairs.column(LINE)?.i64()?;
    let group_columns: Vec<&StringChunked> = groups
        .iter()
        .map(|g| pairs.column(g.as_str()).and_then(|c| c.str()))
        .collect::<PolarsResult<_>>()?;
    let same_key = |i: usize, j: usize| {
        series.get(i) == series.get(j) && group_columns.iter().all(|g| g.get(i) == g.get(j))
    };
    for i in 1..pairs.height() {
        if same_key(i, i - 1) {
            let show = |u: Option<&str>| u.map_or("no unit".to_string(), |u| format!("{u:?}"));
            bail!(
                "{name}:{}: series {:?} is in {} here but in {} on line {} (expected one unit per series{})",
                lines.get(i).unwrap_or(0),
                series.get(i).unwrap_or(""),
                show(units.get(i)),
                show(units.get(i - 1)),
                lines.get(i - 1).unwrap_or(0),
                if per_group { " in each group" } else { "" }
            );
        }
    }
    Ok(catalog_of(series, units))
}

/// Each (`groups`, series, unit) with the first line it is on, sorted by groups, series and
/// that line.
fn unit_pairs(frame: &DataFrame, groups: &[String]) -> Result<DataFrame> {
    let mut keys: Vec<Expr> = groups.iter().map(|g| col(g.as_str())).collect();
    keys.push(col(SERIES));
    keys.push(col(UNIT));
    let mut sort: Vec<PlSmallStr> = groups.iter().map(|g| g.as_str().into()).collect();
    sort.push(SERIES.into());
    sort.push(LINE.into());
    Ok(frame
        .clone()
        .lazy()
        .group_by(keys)
        .agg([col(LINE).min()])
        .sort(sort, Default::default())
        .collect()?)
}

/// The catalog of (series, unit) pairs: a series whose groups differ in their unit has none,
/// and a note says so.
fn catalog_of(series: &StringChunked, units: &StringChunked) -> (Catalog, Vec<String>) {
    let mut catalog = Catalog::new();
    let mut mixed: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (s, u) in series.iter().zip(units.iter()) {
        let Some(s) = s else { continue };
        let unit = u.map(str::to_string);
        match catalog.get(s) {
            Some(known) if *known != unit => {
                let set = mixed.entry(s.to_string()).or_default();
                set.extend(known.iter().cloned());
                set.extend(unit.iter().cloned());
            }
            Some(_) => {}
            None => {
                catalog.insert(s.to_string(), unit);
            }
        }
    }
    let mut notes = Vec::new();
    for (s, set) in mixed {
        catalog.insert(s.clone(), None);
        notes.push(format!(
            "{s}: the unit differs between groups ({}); each row keeps its own (--unit converts each from its own)",
            set.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    (catalog, notes)
}
