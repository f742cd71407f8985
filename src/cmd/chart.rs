//! `tradestat chart`: SVG figures of levels, growth, shares, indices and projections, each
//! drawn ([`crate::chart`]) from the result its command computes.

use super::project::{self, ProjectRequest};
use super::{growth, index, share, show};
use crate::analysis::project::{Method, Plan};
use crate::chart;
use crate::chart::ChartKind;
use crate::cli::ChartArgs;
use crate::config::Config;
use crate::data::Dataset;
use crate::pipeline::Pipeline;
use crate::render::write_atomic;
use crate::schema::Reads;
use anyhow::{anyhow, Result};
use std::io::Write;

/// What to draw, after the command line is checked.
pub struct ChartRequest {
    pub kind: ChartKind,
    pub series: Vec<String>,
    pub part: Option<String>,
    pub whole: Option<String>,
    pub base: Option<i32>,
    pub methods: Vec<Method>,
    pub horizon: u16,
    pub title: Option<String>,
    pub width: u32,
    pub height: u32,
}

pub fn run(args: ChartArgs) -> Result<()> {
    let mut config = Config::new(args.data, args.span, Default::default())?;
    // What --unit converts: growth and share read each series' base year, an index its --base.
    config.reads = match args.kind {
        ChartKind::Growth | ChartKind::Share => Reads::default(),
        ChartKind::Index => Reads {
            year: args.base,
            ..Reads::SPAN
        },
        ChartKind::Series | ChartKind::Projection => Reads::SPAN,
    };
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
    let request = ChartRequest {
        kind: args.kind,
        series: args.series,
        part: args.part,
        whole: args.whole,
        base: args.base,
        methods: crate::cli::resolve_methods(&args.methods),
        horizon: args.horizon,
        title: args.title,
        width: args.width,
        height: args.height,
    };
    let svg = build(pipeline.config(), &dataset, &request)?;
    match args.output {
        Some(path) => write_atomic(&path, svg.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(svg.as_bytes())?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// The SVG for `request`: its command's result, computed once, as a figure.
pub fn build(config: &Config, dataset: &Dataset, request: &ChartRequest) -> Result<String> {
    let (c, d, keys, series) = (config, dataset, &dataset.keys(), &request.series);
    let figure = match request.kind {
        ChartKind::Series => chart::series(&show::compute(c, d, series)?, keys, &d.source),
        ChartKind::Growth => chart::growth(&growth::compute(c, d, series)?, keys),
        ChartKind::Index => {
            let base = request.base;
            chart::index(&index::compute(c, d, series, base)?, keys, base)
        }
        ChartKind::Share => {
            let (part, whole) = (request.part.as_deref(), request.whole.as_deref());
            let (part, whole) = &d.part_whole_or_default(part, whole).map_err(|_| {
                anyhow!("--kind share needs --part and --whole (e.g. --part cbec --whole trade)")
            })?;
            let shares = share::compute(c, d, part, whole)?;
            chart::share(&shares, &d.groups, part, whole)
        }
        ChartKind::Projection => {
            // cagr too: it has no interval, so it is drawn as marked points without a band.
            let plan = Plan::figure(&request.methods, request.horizon);
            let request = ProjectRequest {
                series: series.clone(),
                plan,
            };
            let projected = project::compute(c, d, &request)?;
            chart::projection(&projected.result.forecasts, keys, &projected.units)
        }
    }?;
    figure.draw(request.title.as_deref(), request.width, request.height)
}
