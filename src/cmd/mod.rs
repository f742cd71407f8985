//! One module per subcommand, each a thin `run`: clap's arguments → a checked [`Config`] →
//! a [`crate::pipeline::Pipeline`] that loads, runs `build` and emits the result. Past `run`,
//! nothing sees clap types.

mod backtest;
mod chart;
pub use chart::ChartKind;
mod check;
mod growth;
mod index;
mod inspect;
mod panel;
mod project;
pub use project::MAX_HORIZON;
mod report;
mod share;
mod shell;
mod show;
pub mod sql;

use crate::analysis::project::{series_of, KeyedSeries, Method};
use crate::analysis::sort_keys;
use crate::analysis::Span;
use crate::cli::{Cli, Command, MethodArgs};
use crate::config::Config;
use crate::data::{Dataset, SERIES, UNIT, VALUE, YEAR};
use crate::output::Value;
use crate::output::{Column, Kind, Meta};
use anyhow::{bail, Result};
use polars::prelude::*;
use std::collections::BTreeMap;

/// How a successful run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// `check --strict` found an implausible claim (exit status 3).
    ClaimRejected,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    let done = |result: Result<()>| result.map(|()| Status::Success);
    match cli.command {
        Command::Show(args) => done(show::run(args)),
        Command::Inspect(args) => done(inspect::run(args)),
        Command::Growth(args) => done(growth::run(args)),
        Command::Index(args) => done(index::run(args)),
        Command::Share(args) => done(share::run(args)),
        Command::Panel(args) => done(panel::run(args)),
        Command::Project(args) => done(project::run(args)),
        Command::Backtest(args) => done(backtest::run(args)),
        Command::Check(args) => check::run(args),
        Command::Sql(args) => done(sql::run(args)),
        Command::Chart(args) => done(chart::run(args)),
        Command::Report(args) => done(report::run(args)),
        Command::Completions { shell } => done(shell::completions(shell)),
        Command::Man => done(shell::man()),
    }
}

/// The data restricted to the named series (all when none are named), and the units of those.
pub fn select(
    dataset: &Dataset,
    flag: &str,
    series: &[String],
) -> Result<(LazyFrame, BTreeMap<String, String>)> {
    let mut units = dataset.units()?;
    let lf = dataset.frame.clone().lazy();
    if series.is_empty() {
        return Ok((lf, units));
    }
    let names = dataset.resolve_series(flag, series)?;
    units.retain(|s, _| names.contains(s));
    let wanted = names
        .iter()
        .fold(lit(false), |any, n| any.or(col(SERIES).eq(lit(n.clone()))));
    Ok((lf.filter(wanted), units))
}

/// Why the selection is empty, when it is: better than printing an empty table.
pub fn ensure_rows(height: usize, span: Span) -> Result<()> {
    if height > 0 {
        return Ok(());
    }
    match (span.from, span.to) {
        (None, None) => bail!("no values to analyse (every selected value is empty)"),
        (from, to) => bail!(
            "no values between --from {} and --to {} (expected a span that overlaps the data)",
            from.map_or("(first)".to_string(), |y| y.to_string()),
            to.map_or("(last)".to_string(), |y| y.to_string())
        ),
    }
}

/// How units show in human headers.
pub struct UnitLabel {
    /// ` (trillion CNY)` when every series shown has that one unit, else empty.
    pub suffix: String,
    /// Whether people need the `unit` column: only when series differ in unit.
    pub column_for_people: bool,
}

pub fn unit_label(units: &BTreeMap<String, String>, series_count: usize) -> UnitLabel {
    let mut distinct = units.values();
    match distinct.next() {
        None => UnitLabel {
            suffix: String::new(),
            column_for_people: false,
        },
        Some(first) if units.len() == series_count && distinct.all(|u| u == first) => UnitLabel {
            suffix: format!(" ({first})"),
            column_for_people: false,
        },
        Some(_) => UnitLabel {
            suffix: String::new(),
            column_for_people: true,
        },
    }
}

/// The `unit` column, hidden from people when the headers already say it.
pub fn unit_column(label: &UnitLabel) -> Column {
    let unit = Column::new(UNIT, UNIT, Kind::Text);
    if label.column_for_people {
        unit
    } else {
        unit.machine_only()
    }
}

/// The group columns of the input.
pub fn group_columns(dataset: &Dataset, meta: &mut Meta) -> Vec<Column> {
    dataset
        .groups
        .iter()
        .map(|g| {
            meta.describe(g, "group key from the input");
            Column::new(g, g.clone(), Kind::Text)
        })
        .collect()
}

/// Group columns, then `series`.
pub fn key_columns(dataset: &Dataset, meta: &mut Meta) -> Vec<Column> {
    let mut columns = group_columns(dataset, meta);
    meta.describe(SERIES, "series name");
    columns.push(Column::new(SERIES, SERIES, Kind::Text));
    columns
}

pub fn year_column(meta: &mut Meta) -> Column {
    meta.describe(YEAR, "calendar year");
    Column::new(YEAR, YEAR, Kind::Integer)
}

/// `unit` (hidden from people when the headers say it) and `value` columns.
pub fn unit_value_columns(label: &UnitLabel, meta: &mut Meta) -> Vec<Column> {
    meta.describe(UNIT, "unit of value (and of change)");
    meta.describe(VALUE, "the series' value in its unit");
    vec![
        unit_column(label),
        Column::new(VALUE, format!("value{}", label.suffix), Kind::Number),
    ]
}

/// The methods named on the command line, in a fixed order; `all` is every projection method.
pub fn resolve_methods(args: &MethodArgs) -> Vec<Method> {
    let named: Vec<Method> = args
        .method
        .iter()
        .flat_map(|m| match m {
            None => Method::all(false),
            Some(m) => vec![*m],
        })
        .collect();
    Method::resolve(&named, args.damped)
}

/// The selected series within the span, sorted by keys and year, with their units.
pub fn selected_frame(
    common: &Config,
    dataset: &Dataset,
    series: &[String],
) -> Result<(DataFrame, BTreeMap<String, String>)> {
    let (lf, units) = select(dataset, "--series", series)?;
    let df = lf
        .filter(common.span.contains())
        .sort(sort_keys(&dataset.keys()), Default::default())
        .collect()?;
    Ok((df, units))
}

/// The selected data split into series (keys: groups, then series name), with units.
pub fn load_series(
    common: &Config,
    dataset: &Dataset,
    series: &[String],
) -> Result<(Vec<KeyedSeries>, BTreeMap<String, String>)> {
    let (df, units) = selected_frame(common, dataset, series)?;
    let all = series_of(&df, &dataset.keys())?;
    ensure_rows(all.len(), common.span)?;
    Ok((all, units))
}

/// Key cells of a row: group values, then the series name.
pub fn key_cells(key: &[String]) -> Vec<Value> {
    key.iter().map(|k| Value::text(k.as_str())).collect()
}

/// `80` → `80`, `99.5` → `99.5`: the level as it appears in column names.
pub fn level_name(level: f64) -> String {
    if level.fract() == 0.0 {
        format!("{level:.0}")
    } else {
        format!("{level}")
    }
}
