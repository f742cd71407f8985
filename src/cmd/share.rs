//! `tradestat share`: share of a part in a whole, its change and contribution to growth.

use super::{ensure_rows, group_columns};
use crate::analysis::overflow_notes;
use crate::analysis::share::{share, share_notes};
use crate::cli::ShareArgs;
use crate::config::Config;
use crate::data::{Dataset, Unit, SERIES, UNIT, YEAR};
use crate::output::{frame::table_from_frame, Column, Kind, Output};
use crate::pipeline::Pipeline;
use anyhow::{bail, Result};
use polars::prelude::*;

pub fn run(args: ShareArgs) -> Result<()> {
    let config = Config::new(args.data, args.span, args.output)?;
    Pipeline::new(config).run_by_groups(|config: &Config, dataset: Dataset| {
        build(config, dataset, &args.part, &args.whole)
    })
}

/// Puts `whole` in `part`'s unit when the two differ (by scale, or with --fx), and says so.
pub fn one_unit(
    common: &Config,
    dataset: &mut Dataset,
    part: &str,
    whole: &str,
) -> Result<Option<String>> {
    let units = dataset.units()?;
    let (Some(p), Some(w)) = (units.get(part), units.get(whole)) else {
        same_unit_per_group(dataset, part, whole)?;
        return Ok(None);
    };
    if p == w {
        return Ok(None);
    }
    common
        .convert(dataset, &Unit::parse(p), Some(whole))
        .map_err(|e| {
            anyhow::anyhow!("--part {part} is in {p} but --whole {whole} is in {w}: {e:#}")
        })?;
    Ok(Some(format!(
        "{whole} converted from {w} to {p} for the share"
    )))
}

/// When a series has no single unit (a publisher's table where each group reports in its
/// own), a share needs part and whole in one unit within each group: an error names the
/// first group where they differ.
fn same_unit_per_group(dataset: &Dataset, part: &str, whole: &str) -> Result<()> {
    // Series without any unit (a null unit column, known at no cost) have nothing to check.
    let unit = dataset.frame.column(UNIT)?;
    if unit.null_count() == unit.len() {
        return Ok(());
    }
    let mut keys: Vec<Expr> = dataset.groups.iter().map(|g| col(g.as_str())).collect();
    keys.extend([col(SERIES), col(UNIT)]);
    let pairs = dataset
        .frame
        .clone()
        .lazy()
        .filter(col(SERIES).eq(lit(part)).or(col(SERIES).eq(lit(whole))))
        .select(keys)
        .unique_stable(None, UniqueKeepStrategy::First)
        .collect()?;
    let text = |name: &str| -> Result<Vec<Option<String>>> {
        Ok(pairs
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let groups: Vec<Vec<Option<String>>> = dataset
        .groups
        .iter()
        .map(|g| text(g))
        .collect::<Result<_>>()?;
    let (series, units) = (text(SERIES)?, text(UNIT)?);
    // Per group: the units of the part's rows and of the whole's.
    type Units = (Vec<String>, Vec<String>);
    let mut seen: std::collections::BTreeMap<Vec<Option<String>>, Units> = Default::default();
    for i in 0..pairs.height() {
        let group: Vec<Option<String>> = groups.iter().map(|g| g[i].clone()).collect();
        let entry = seen.entry(group).or_default();
        let unit = units[i].clone().unwrap_or_else(|| "no unit".to_string());
        if series[i].as_deref() == Some(part) {
            entry.0.push(unit);
        } else {
            entry.1.push(unit);
        }
    }
    for (group, (p, w)) in seen {
        if !p.is_empty() && !w.is_empty() && p != w {
            let label: Vec<String> = dataset
                .groups
                .iter()
                .zip(&group)
                .map(|(g, v)| format!("{g}={}", v.as_deref().unwrap_or("")))
                .collect();
            bail!(
                "--part {part} is in {} but --whole {whole} is in {} in {} (expected one unit within each group; --unit brings every series into one)",
                p.join(", "),
                w.join(", "),
                label.join(", ")
            );
        }
    }
    Ok(())
}

/// The share of `part` in `whole` (the whole converted to the part's unit when needed).
pub fn build(common: &Config, mut dataset: Dataset, part: &str, whole: &str) -> Result<Output> {
    let part = dataset
        .resolve_series("--part", &[part.to_string()])?
        .remove(0);
    let whole = dataset
        .resolve_series("--whole", &[whole.to_string()])?
        .remove(0);
    if part == whole {
        bail!("--part and --whole are both {part:?} (expected two different series)");
    }
    let converted = one_unit(common, &mut dataset, &part, &whole)?;
    let mut units = dataset.units()?;
    units.retain(|s, _| *s == part || *s == whole);
    let unit = units.get(&part).or(units.get(&whole)).cloned();

    let df = share(
        dataset.frame.clone().lazy(),
        &dataset.groups,
        &part,
        &whole,
        common.span,
    )?
    .collect()?;
    ensure_rows(df.height(), common.span)?;
    let mut meta = common.meta("share", &dataset, &units);
    meta.param("part", &part);
    meta.param("whole", &whole);
    // Notes about the data first: they stay in view when a large file's notes are capped.
    meta.notes.extend(converted);
    if unit.is_none() {
        let per_group = dataset
            .frame
            .column(UNIT)
            .is_ok_and(|u| u.null_count() < u.len());
        meta.notes.push(if per_group {
            format!("{part} and {whole} are in each group's own unit, the same for both")
        } else {
            format!("{part} and {whole} carry no unit; they are assumed to be in the same one")
        });
    }
    meta.notes
        .extend(share_notes(&df, &dataset.groups, &part, &whole)?);
    meta.notes.extend(overflow_notes(
        &df,
        &dataset.groups,
        Some(YEAR),
        &[
            ("share", "share"),
            ("share_change_pp", "share change"),
            ("contribution_pp", "contribution"),
        ],
    )?);
    meta.conventions = vec![
        "share = part / whole, after checking both are in one unit".to_string(),
        "share_change_pp = 100 × (share_t - share_(t-1)), only when year t-1 is present".to_string(),
        "contribution_pp = 100 × (part_t - part_(t-1)) / whole_(t-1), only when year t-1 is present".to_string(),
    ];

    let suffix = unit.as_ref().map(|u| format!(" ({u})")).unwrap_or_default();
    let mut columns = group_columns(&dataset, &mut meta);
    meta.describe(YEAR, "calendar year");
    meta.describe("part", format!("value of {part}"));
    meta.describe("whole", format!("value of {whole}"));
    meta.describe(UNIT, "unit of part and whole");
    meta.describe("share", "part / whole, a unitless fraction (0.3 = 30 %)");
    meta.describe(
        "share_change_pp",
        "change in share since the previous year, percentage points",
    );
    meta.describe(
        "contribution_pp",
        "points of the whole's growth contributed by the part, percentage points",
    );
    columns.extend([
        Column::new(YEAR, YEAR, Kind::Integer),
        Column::new("part", format!("{part}{suffix}"), Kind::Number),
        Column::new("whole", format!("{whole}{suffix}"), Kind::Number),
        Column::new(UNIT, UNIT, Kind::Text).machine_only(),
        Column::new("share", "share (%)", Kind::Percent),
        Column::new("share_change_pp", "change (pp)", Kind::Points),
        Column::new("contribution_pp", "contribution (pp)", Kind::Points),
    ]);
    let title = format!("Share of {part} in {whole}");
    let table = table_from_frame("rows", &title, &df, columns)?;
    Ok(Output {
        tables: vec![table],
        meta,
    })
}
