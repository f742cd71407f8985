//! One module per subcommand, each a thin `run`: clap's arguments → a checked [`Config`] →
//! a [`crate::pipeline::Pipeline`] that loads, runs `build` and emits the result. Past `run`,
//! nothing sees clap types.

mod backtest;
mod chart;
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
mod sql;

use crate::analysis::project::{series_of, KeyedSeries};
pub use crate::analysis::Selected;
use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::data::Dataset;
use crate::notes::Note;
use crate::schema::{sort_keys, Span, SERIES};
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

/// The selected series within the span, sorted by keys and year, with their units.
pub fn selected_frame(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
) -> Result<(DataFrame, BTreeMap<String, String>)> {
    let (lf, units) = select(dataset, "--series", series)?;
    let df = lf
        .filter(config.span.contains())
        .sort(sort_keys(&dataset.keys()), Default::default())
        .collect()?;
    Ok((df, units))
}

/// The selected data split into series (keys: groups, then series name), with units.
pub fn load_series(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
) -> Result<(Vec<KeyedSeries>, BTreeMap<String, String>)> {
    let (df, units) = selected_frame(config, dataset, series)?;
    let all = series_of(&df, &dataset.keys())?;
    ensure_rows(all.len(), config.span)?;
    Ok((all, units))
}

/// The input's notes, then `notes`, joined: what an error says when a result is empty.
pub fn joined_notes(dataset: &Dataset, notes: &[Note]) -> String {
    let input = dataset.notes.iter().map(Note::input);
    crate::notes::joined(&input.chain(notes.iter().cloned()).collect::<Vec<_>>())
}
