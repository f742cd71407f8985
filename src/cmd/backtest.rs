//! `tradestat backtest`: rolling-origin accuracy of the projection methods.

use super::Selected;
use crate::analysis::backtest::{self, Backtest, Window};
use crate::analysis::project::Method;
use crate::cli::resolve_methods;
use crate::cli::BacktestArgs;
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::Reads;
use anyhow::{bail, Result};

/// What to backtest: the methods (the naive baseline is always added) on the named series
/// (all when none are named).
pub struct BacktestRequest<'a> {
    pub series: &'a [String],
    pub methods: &'a [Method],
    pub window: Window,
}

pub fn run(args: BacktestArgs) -> Result<()> {
    let mut config = Config::new(args.data, args.span, args.output)?;
    config.reads = Reads::SPAN;
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
    let methods = resolve_methods(&args.methods);
    let output = build(
        pipeline.config(),
        &dataset,
        &args.series,
        &methods,
        (usize::from(args.horizon), usize::from(args.min_train)),
        args.trials,
    )?;
    pipeline.emit(&output)
}

/// The backtest of the selected series; an error when none is long enough.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    request: &BacktestRequest,
) -> Result<Selected<Backtest>> {
    let (all, units) = config.load_series(dataset, request.series)?;
    let keys = dataset.keys();
    let result = backtest::run(&all, &keys, &units, request.methods, request.window)?;
    if result.scores.height() == 0 {
        bail!(
            "nothing to backtest ({})",
            dataset.joined_notes(&result.notes)
        );
    }
    Ok(Selected { result, units })
}

/// The tables of `computed`: scores per method and every trial (only the trials when
/// `trials_only`).
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<Backtest>,
    trials_only: bool,
) -> Result<Output> {
    let Selected { result, units } = computed;
    let Window { horizon, min_train } = result.window;
    let mut meta = config.meta("backtest", dataset, units);
    meta.param("horizon", horizon);
    meta.param("min_train", min_train);
    meta.param("methods", Method::names(&result.methods));
    meta.conventions = backtest::conventions(result.any_unranked);
    meta.notes.extend(result.notes.iter().cloned());
    let unit = UnitLabel::new(units, result.series);
    let mut output = Output::new(meta);
    let title = format!("Backtest scores ({horizon}-year-ahead, training from {min_train} years)");
    let scores = backtest::score_columns(&dataset.groups, result.any_unranked);
    output.push_if(
        !trials_only,
        ("rows", &title),
        &result.scores,
        &scores,
        &unit,
    )?;
    let trials = backtest::trial_columns(&dataset.groups);
    output.push(
        ("trials", "Forecasts by origin"),
        &result.trials,
        &trials,
        &unit,
    )?;
    Ok(output)
}

/// Scores per method (and every trial; only the trials when `trials_only`). `window` is the
/// horizon and the smallest training window.
pub fn build(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
    methods: &[Method],
    (horizon, min_train): (usize, usize),
    trials_only: bool,
) -> Result<Output> {
    let window = Window { horizon, min_train };
    let request = BacktestRequest {
        series,
        methods,
        window,
    };
    describe(
        config,
        dataset,
        &compute(config, dataset, &request)?,
        trials_only,
    )
}
