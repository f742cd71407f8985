//! `tradestat backtest`: rolling-origin accuracy of the projection methods.

use super::project::series_names;
use super::{key_cells, key_columns, load_series, resolve_methods, unit_column, unit_label};
use crate::analysis::backtest::{backtest, ranked, scores, Score};
use crate::analysis::project::Method;
use crate::analysis::{key_label, Reads};
use crate::cli::BacktestArgs;
use crate::config::Config;
use crate::data::{Dataset, UNIT, YEAR};
use crate::output::{Column, Kind, Output, Table, Value};
use crate::pipeline::Pipeline;
use anyhow::{bail, Result};

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

/// Scores per method (and every trial; only the trials when `trials_only`). `window` is the
/// horizon and the smallest training window.
pub fn build(
    common: &Config,
    dataset: &Dataset,
    series: &[String],
    methods: &[Method],
    window: (usize, usize),
    trials_only: bool,
) -> Result<Output> {
    let (all, units) = load_series(common, dataset, series)?;
    let keys = dataset.keys();
    let mut methods = methods.to_vec();
    methods.push(Method::Naive);
    let (horizon, min_train) = window;

    let mut meta = common.meta("backtest", dataset, &units);
    meta.param("horizon", horizon);
    meta.param("min_train", min_train);
    meta.param(
        "methods",
        methods.iter().map(|m| m.name()).collect::<Vec<_>>(),
    );
    meta.conventions = vec![
        "origins: training windows of the first k years, k = min_train .. T - horizon; each forecasts the year `horizon` observations later".to_string(),
        "MAE = mean |e|, RMSE = sqrt(mean e²), MAPE = mean |100·e/y|, MASE = mean over origins of |e| / (MAE of the one-step naive forecast on that origin's training window); e = actual - forecast".to_string(),
        "ranked by MASE, then MAE".to_string(),
    ];
    let mut score_rows = Vec::new();
    let mut trial_rows = Vec::new();
    let mut any_unranked = false;
    for (key, series) in &all {
        let label = key_label(&keys, key);
        let unit = Value::opt_text(units.get(key.last().map_or("", String::as_str)).cloned());
        if series.len() < min_train + horizon {
            meta.notes.push(format!(
                "{label}: {} years are too few for a {min_train}-year training window and a {horizon}-year horizon",
                series.len()
            ));
            continue;
        }
        let (trials, skipped) = backtest(series, &methods, min_train, horizon);
        meta.notes
            .extend(skipped.into_iter().map(|s| format!("{label} {s}")));
        let targets: Vec<i32> = trials
            .iter()
            .filter(|t| t.method == Method::Naive)
            .map(|t| t.year)
            .collect();
        if let (Some(first), Some(last)) = (targets.first(), targets.last()) {
            meta.notes.push(format!(
                "{label}: scores rest on {} forecast{} ({first}–{last}){}",
                targets.len(),
                if targets.len() == 1 { "" } else { "s" },
                if targets.len() < 5 {
                    "; with so few, differences between methods are weak evidence"
                } else {
                    ""
                }
            ));
        }
        let scores = scores(&trials);
        let ranked = ranked(&scores);
        if let Some(note) = unranked_note(&label, &ranked, min_train) {
            meta.notes.push(note);
            any_unranked = true;
        }
        for (rank, s) in ranked {
            let mut row = key_cells(key);
            row.extend([
                rank.map_or(Value::Null, |r| Value::Int(r as i64)),
                Value::text(s.method.name()),
                Value::Int(s.origins as i64),
                unit.clone(),
                Value::float(s.mae),
                Value::float(s.rmse),
                Value::opt_float(s.mape),
                Value::opt_float(s.mase),
            ]);
            score_rows.push(row);
        }
        for t in &trials {
            let mut row = key_cells(key);
            row.extend([
                Value::text(t.method.name()),
                Value::Int(i64::from(t.train_to)),
                Value::Int(t.train_size as i64),
                Value::Int(i64::from(t.year)),
                unit.clone(),
                Value::float(t.actual),
                Value::float(t.forecast),
                Value::float(t.error),
                Value::opt_float((t.actual != 0.0).then(|| (100.0 * t.error / t.actual).abs())),
                Value::opt_float(t.scaled),
            ]);
            trial_rows.push(row);
        }
    }
    if score_rows.is_empty() {
        bail!("nothing to backtest ({})", meta.notes.join("; "));
    }

    if any_unranked {
        meta.conventions.push("only methods scored on every origin are ranked: errors on different forecasts are not comparable; the others have an empty rank and a note".to_string());
    }
    let unit = unit_label(&units, series_names(&all));
    for (key, description) in [
        (
            "rank",
            if any_unranked {
                "1 = most accurate by MASE, among the methods scored on every origin (empty: scored on fewer)"
            } else {
                "1 = most accurate by MASE"
            },
        ),
        ("method", "projection method (naive: the last value, the baseline)"),
        ("origins", "number of forecasts the scores rest on"),
        (UNIT, "unit of the data, MAE, RMSE, actual, forecast and error"),
        ("mae", "mean absolute error"),
        ("rmse", "root mean squared error"),
        ("mape", "mean absolute percentage error, in percent"),
        ("mase", "mean absolute scaled error (below 1: better than the one-step naive forecast in-sample)"),
        ("train_to", "last year of the training window"),
        ("train_size", "years in the training window"),
        (YEAR, "the year forecast"),
        ("actual", "observed value"),
        ("forecast", "point forecast"),
        ("error", "actual - forecast"),
        ("ape", "absolute percentage error, in percent"),
        ("scaled_error", "|error| / MAE of the one-step naive forecast on the training window"),
    ] {
        meta.describe(key, description);
    }
    let mut columns = key_columns(dataset, &mut meta);
    columns.extend([
        Column::new("rank", "rank", Kind::Integer),
        Column::new("method", "method", Kind::Text),
        Column::new("origins", "origins", Kind::Integer),
        unit_column(&unit),
        Column::new("mae", format!("MAE{}", unit.suffix), Kind::Number),
        Column::new("rmse", format!("RMSE{}", unit.suffix), Kind::Number),
        Column::new("mape", "MAPE (%)", Kind::Points),
        Column::new("mase", "MASE", Kind::Points),
    ]);
    let scores = Table {
        key: "rows".to_string(),
        title: format!("Backtest scores ({horizon}-year-ahead, training from {min_train} years)"),
        columns,
        rows: score_rows.into(),
    };
    let mut columns = key_columns(dataset, &mut meta);
    columns.extend([
        Column::new("method", "method", Kind::Text),
        Column::new("train_to", "trained to", Kind::Integer),
        Column::new("train_size", "years", Kind::Integer),
        Column::new(YEAR, "forecast year", Kind::Integer),
        unit_column(&unit),
        Column::new("actual", format!("actual{}", unit.suffix), Kind::Number),
        Column::new("forecast", format!("forecast{}", unit.suffix), Kind::Number),
        Column::new("error", "error", Kind::Number),
        Column::new("ape", "APE (%)", Kind::Points),
        Column::new("scaled_error", "scaled error", Kind::Points),
    ]);
    let trials = Table {
        key: "trials".to_string(),
        title: "Forecasts by origin".to_string(),
        columns,
        rows: trial_rows.into(),
    };
    let tables = if trials_only {
        vec![trials]
    } else {
        vec![scores, trials]
    };
    Ok(Output { tables, meta })
}

/// The note on methods left unranked because they were scored on fewer origins than the
/// ranked ones, grouped by the forecasts they rest on. When each group's forecasts are the
/// last of the ranked methods' (it only missed the first, too-short windows), it names the
/// `--min-train` that scores every method on the same forecasts.
fn unranked_note(
    label: &str,
    ranked: &[(Option<usize>, &Score)],
    min_train: usize,
) -> Option<String> {
    let full = &ranked.iter().find(|(r, _)| r.is_some())?.1.years;
    let mut groups: Vec<(&Vec<i32>, Vec<&str>)> = Vec::new();
    for (_, s) in ranked.iter().filter(|(r, _)| r.is_none()) {
        match groups.iter_mut().find(|(years, _)| **years == s.years) {
            Some((_, names)) => names.push(s.method.name()),
            None => groups.push((&s.years, vec![s.method.name()])),
        }
    }
    if groups.is_empty() {
        return None;
    }
    // Runs of consecutive years: `2012, 2016–2018`, never a range over years not forecast.
    let years = |years: &[i32]| super::project::year_runs(years);
    let fewer: Vec<String> = groups
        .iter()
        .map(|(y, names)| {
            let n = y.len();
            let plural = if n == 1 { "" } else { "s" };
            format!(
                "{} (scored on {n} forecast{plural}, {})",
                names.join(", "),
                years(y)
            )
        })
        .collect();
    // A window one year longer drops the first origin: where every group's forecasts are the
    // tail of the full set, starting at the latest group's first year makes them all equal.
    let suffixes = groups.iter().all(|(y, _)| full.ends_with(y));
    let latest = groups.iter().filter_map(|(y, _)| y.first()).max();
    // --min-train counts observations, not years: skip as many origins as come before the
    // latest group's first one.
    let skipped = latest.and_then(|latest| full.iter().position(|y| y == latest));
    let hint = match (suffixes, skipped) {
        (true, Some(skipped)) => format!(
            " (--min-train {} scores every method on the same ones)",
            min_train + skipped
        ),
        _ => String::new(),
    };
    Some(format!(
        "{label}: not ranked: {}; the ranked methods are scored on {} ({}), and errors on different forecasts are not comparable{hint}",
        fewer.join("; "),
        full.len(),
        years(full)
    ))
}
