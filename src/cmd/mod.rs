//! One module per subcommand. `run` turns clap's arguments into a checked
//! [`crate::config::Config`] and hands a [`crate::pipeline::Pipeline`] the work: load, run,
//! emit. The analysis commands split that work in two: `compute` runs the analysis once on
//! the selected series ([`Selected`]: the typed result and the series' units), `describe`
//! makes its tables (an [`crate::output::Output`] from the result's frames and column
//! descriptions); `build` is both. Reports and charts call `compute` once and draw from the
//! same result. Past `run`, nothing sees clap types.

mod backtest;
mod chart;
mod check;
mod growth;
mod index;
mod inspect;
mod panel;
mod project;
mod report;
mod share;
mod shell;
mod show;
mod sql;

pub use crate::analysis::Selected;
use crate::cli::{Cli, Command};
use anyhow::Result;

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
