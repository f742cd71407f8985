//! `tradestat report --out DIR`: every table and figure for the data in one directory, as
//! [`crate::report`] assembles them from the commands' own analyses ([`Commands`]).

use super::project::ProjectRequest;
use super::{backtest, check, growth, index, project, share, show, Selected};
use crate::analysis::project::{Method, Plan, Projection, HISTORY};
use crate::analysis::{growth::Growth, index::Indexed, share::Share};
use crate::cli::ReportArgs;
use crate::config::Config;
use crate::data::{load_claims, parse_claim, Claim, Dataset};
use crate::output::Output;
use crate::pipeline::Pipeline;
use crate::report::{self, Analyses, Described, Settings};
use anyhow::Result;
use polars::prelude::*;
use std::io::Write;

pub fn run(args: ReportArgs) -> Result<()> {
    let config = Config::new(args.data, Default::default(), Default::default())?;
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
    let mut claims = Vec::new();
    for claim in &args.claim {
        claims.push(parse_claim(claim)?);
    }
    if let Some(path) = &args.claims {
        claims.extend(load_claims(path)?);
    }
    let share = match (args.part, args.whole) {
        (Some(p), Some(w)) => Some((p, w)),
        (None, None) => None,
        _ => anyhow::bail!("--part and --whole go together (e.g. --part cbec --whole trade)"),
    };
    let timestamp = args
        .timestamp
        .then(|| humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string());
    let settings = Settings {
        share,
        claims,
        claim_source: None,
        horizon: args.horizon,
        precision: usize::from(args.precision),
        timestamp,
    }
    .or_defaults(&dataset.report, args.claims.is_some());
    let report = report::build(&Commands(pipeline.config(), &dataset), &dataset, &settings)?;
    let files = report::files(&report)?;
    report::write_dir_atomic(&args.out, &files, args.force)?;
    // A closed stderr is no reason to fail a report that is already written.
    let _ = writeln!(
        std::io::stderr(),
        "tradestat: wrote {} files to {}",
        files.len(),
        args.out.display()
    );
    Ok(())
}

/// The commands' analyses, as the report asks for them: one computation each.
pub struct Commands<'a>(pub &'a Config, pub &'a Dataset);

impl Analyses for Commands<'_> {
    fn data(&self) -> Result<Described<DataFrame>> {
        let Commands(c, d) = *self;
        let data = show::compute(c, d, &[])?;
        Ok(Described::new(show::describe(c, d, &data)?, data))
    }

    fn growth(&self) -> Result<Described<Growth>> {
        let Commands(c, d) = *self;
        let g = growth::compute(c, d, &[])?;
        Ok(Described::new(growth::describe(c, d, &g, false)?, g))
    }

    fn index(&self) -> Result<Described<Indexed>> {
        let Commands(c, d) = *self;
        let index = index::compute(c, d, &[], None)?;
        Ok(Described::new(index::describe(c, d, &index, None)?, index))
    }

    fn share(&self, part: &str, whole: &str) -> Result<Described<Share>> {
        let Commands(c, d) = *self;
        let share = share::compute(c, d, part, whole)?;
        Ok(Described::new(share::describe(c, d, &share)?, share))
    }

    fn project(&self, methods: &[Method], horizon: u16) -> Result<Described<Projection>> {
        let Commands(c, d) = *self;
        let request = ProjectRequest {
            series: Vec::new(),
            plan: Plan::figure(methods, horizon),
        };
        let projected = project::compute(c, d, &request)?;
        let forecasts = without_history(&projected)?;
        if forecasts.result.forecasts.height() == 0 {
            return Err(project::nothing_projected(d, &projected.result));
        }
        let tables = project::describe(c, d, &forecasts, false)?;
        Ok(Described::new(tables, projected))
    }

    fn backtest(&self, methods: &[Method]) -> Result<Output> {
        backtest::build(self.0, self.1, &[], methods, (1, 3), false)
    }

    fn check(&self, claims: &[Claim], methods: &[Method]) -> Result<Output> {
        let flag = "--claim";
        let request = check::CheckRequest {
            claims,
            methods,
            flag,
        };
        check::describe(
            self.0,
            self.1,
            &check::compute(self.0, self.1, &request)?,
            false,
        )
    }
}

/// `projected` without its history rows: the projection table as `project` prints it.
fn without_history(projected: &Selected<Projection>) -> Result<Selected<Projection>> {
    let mut result = projected.result.clone();
    result.forecasts = result
        .forecasts
        .lazy()
        .filter(col("method").neq(lit(HISTORY)))
        .collect()?;
    Ok(Selected {
        result,
        units: projected.units.clone(),
    })
}
