//! `tradestat panel`: every series side by side per group and year, with YoY growth, an
//! optional share and each series' CAGR — one row per group and year.

use super::share::one_unit;
use super::{ensure_rows, group_columns, select};
use crate::analysis::panel::{cagr_column, panel, yoy_column, PanelSpec, SHARE};
use crate::analysis::{missing_value_notes, overflow_notes};
use crate::cli::PanelArgs;
use crate::config::Config;
use crate::data::{Dataset, YEAR};
use crate::output::{frame::table_from_frame, Column, Kind, Output};
use crate::pipeline::Pipeline;
use anyhow::{bail, Result};
use polars::prelude::*;

pub fn run(args: PanelArgs) -> Result<()> {
    let config = Config::new(args.data, args.span, args.output)?;
    let share = args.part.zip(args.whole);
    Pipeline::new(config).run_by_groups(|config: &Config, dataset: Dataset| {
        build(config, dataset, &args.series, share.as_ref())
    })
}

/// The panel of `series` (all when empty), with the share of `part` in `whole` when given.
pub fn build(
    common: &Config,
    dataset: Dataset,
    series: &[String],
    share: Option<&(String, String)>,
) -> Result<Output> {
    let mut series = if series.is_empty() {
        dataset.series_names()?
    } else {
        dataset.resolve_series("--series", series)?
    };
    // `--series cbec,CBEC` names one series: one set of columns.
    let mut seen = std::collections::BTreeSet::new();
    series.retain(|s| seen.insert(s.clone()));
    let mut converted = None;
    let mut share_frame = None;
    let share = match share {
        None => None,
        Some((part, whole)) => {
            let part = dataset.resolve_series("--part", std::slice::from_ref(part))?;
            let whole = dataset.resolve_series("--whole", std::slice::from_ref(whole))?;
            let (part, whole) = (part[0].clone(), whole[0].clone());
            if part == whole {
                bail!("--part and --whole are both {part:?} (expected two different series)");
            }
            // The share reads the whole in the part's unit; every column keeps its own.
            let mut in_one_unit = dataset.clone();
            converted = one_unit(common, &mut in_one_unit, &part, &whole)?;
            if converted.is_some() {
                share_frame = Some(in_one_unit.frame.lazy());
            }
            Some((part, whole))
        }
    };
    let spec = PanelSpec {
        series: series.clone(),
        share: share.clone(),
    };
    let groups = dataset.groups.clone();
    let (df, mut notes) = panel(
        dataset.frame.clone().lazy(),
        share_frame,
        &groups,
        &spec,
        common.span,
    )?;
    ensure_rows(df.height(), common.span)?;

    let mut units = dataset.units()?;
    units.retain(|s, _| series.contains(s) || spec.share.iter().any(|(p, w)| s == p || s == w));
    let mut meta = common.meta("panel", &dataset, &units);
    let (shown, _) = select(&dataset, "--series", &series)?;
    let shown = shown.filter(common.span.contains());
    // Notes about the data first: they stay in view when a large file's notes are capped.
    meta.notes.extend(converted);
    if let Some((part, whole)) = &share {
        meta.param("part", part);
        meta.param("whole", whole);
        if !units.contains_key(part) && !units.contains_key(whole) {
            meta.notes.push(format!(
                "{part} and {whole} carry no unit; they are assumed to be in the same one"
            ));
        }
    }
    meta.notes
        .extend(missing_value_notes(shown, &dataset.keys())?);
    meta.notes.append(&mut notes);
    let mut computed: Vec<(String, String)> = series
        .iter()
        .map(|s| (yoy_column(s), format!("{s} YoY growth")))
        .collect();
    if share.is_some() {
        computed.push((SHARE.to_string(), "share".to_string()));
    }
    let pairs: Vec<(&str, &str)> = computed
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    meta.notes
        .extend(overflow_notes(&df, &groups, Some(YEAR), &pairs)?);
    let cagrs: Vec<(String, String)> = series
        .iter()
        .map(|s| (cagr_column(s), format!("{s} CAGR")))
        .collect();
    let pairs: Vec<(&str, &str)> = cagrs
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    meta.notes
        .extend(overflow_notes(&df, &groups, None, &pairs)?);
    meta.conventions = vec![
        "<series>_yoy = y_t / y_(t-1) - 1, only when year t-1 is present and y_(t-1) > 0"
            .to_string(),
        "<series>_cagr = (y_last / y_first)^(1 / (last year - first year)) - 1 over the group's years in the span"
            .to_string(),
    ];
    if share.is_some() {
        meta.conventions.push(
            "share = part / whole with the whole in the part's unit; every value column keeps its own unit"
                .to_string(),
        );
    }

    let mut columns = group_columns(&dataset, &mut meta);
    // A column with its header for people and its description in the metadata.
    let mut add = |key: &str, label: String, kind: Kind, about: String| {
        meta.describe(key, about);
        columns.push(Column::new(key, label, kind));
    };
    add(
        YEAR,
        YEAR.to_string(),
        Kind::Integer,
        "calendar year".to_string(),
    );
    for s in &series {
        let (label, about) = match units.get(s) {
            Some(u) => (format!("{s} ({u})"), format!("value of {s} ({u})")),
            None => (s.clone(), format!("value of {s} (no unit given)")),
        };
        add(s, label, Kind::Number, about);
    }
    for s in &series {
        add(
            &yoy_column(s),
            format!("{s} YoY (%)"),
            Kind::Percent,
            format!("year-on-year growth of {s}, a unitless fraction (0.1 = 10 %); null without the previous year"),
        );
    }
    if let Some((part, whole)) = &share {
        add(
            SHARE,
            format!("{part} in {whole} (%)"),
            Kind::Percent,
            format!("{part} / {whole}, a unitless fraction (0.3 = 30 %)"),
        );
    }
    for s in &series {
        add(
            &cagr_column(s),
            format!("{s} CAGR (%)"),
            Kind::Percent,
            format!("CAGR of {s} from its first to its last year in the span, per group (unitless fraction)"),
        );
    }
    let table = table_from_frame("rows", "Panel: values, growth and CAGR", &df, columns)?;
    Ok(Output {
        tables: vec![table],
        meta,
    })
}
