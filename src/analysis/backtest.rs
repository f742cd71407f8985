//! Rolling-origin evaluation (METHODS.md, "Backtest"; FPP3 §5.10).
//!
//! For each training window of the first k years (k from the minimum window up), every method
//! is fitted and forecasts the year h observations later; errors are scored per method as MAE,
//! RMSE, MAPE and MASE, the last scaled, origin by origin, by the MAE of the one-step naive
//! forecast on that origin's training window.

use super::project::{series_names, unit_of, FitError, KeyedSeries, Method, Series};
use super::RowFrame;
use crate::notes::{Note, Subject, What};
use crate::schema::columns::key_columns;
use crate::schema::{ColumnDef, Kind, UnitOf, UNIT, YEAR};
use anyhow::Result;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// One forecast of one method from one training window.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    pub method: Method,
    /// Last training year.
    pub train_to: i32,
    pub train_size: usize,
    /// The year forecast.
    pub year: i32,
    pub actual: f64,
    pub forecast: f64,
    /// actual − forecast.
    pub error: f64,
    /// |error| / (MAE of the one-step naive forecast on the training window); `None` when
    /// that scale is 0.
    pub scaled: Option<f64>,
}

/// Accuracy of one method over all its trials.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub method: Method,
    pub origins: usize,
    /// The years forecast, one per origin, ascending.
    pub years: Vec<i32>,
    pub mae: f64,
    pub rmse: f64,
    /// Percent; `None` when an actual value is 0.
    pub mape: Option<f64>,
    pub mase: Option<f64>,
}

/// A training window a method could not be fitted to.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub method: Method,
    /// The window's last year.
    pub window_end: i32,
    pub why: FitError,
}

impl Skipped {
    /// The note about it, on the series `at`.
    pub fn note(&self, at: Subject) -> Note {
        let what = What::TrialSkipped {
            method: self.method.name().to_string(),
            window_end: self.window_end,
            why: self.why.to_string(),
        };
        Note::new(at, what)
    }
}

/// Runs the backtest. Methods that cannot fit a window (too short, a gap) skip it, and the
/// reasons are returned, one per method, window and reason.
pub fn backtest(
    series: &Series,
    methods: &[Method],
    min_train: usize,
    horizon: usize,
) -> (Vec<Trial>, Vec<Skipped>) {
    let mut trials = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    for &method in methods {
        let mut k = min_train;
        while k + horizon <= series.len() {
            let train = series.head(k);
            let target = k + horizon - 1;
            match method.fit(&train) {
                Ok(model) => {
                    let forecast = model.predict(series.years[target]).point;
                    let actual = series.values[target];
                    let error = actual - forecast;
                    let scale = naive_mae(&train.values);
                    trials.push(Trial {
                        method,
                        train_to: train.last_year(),
                        train_size: k,
                        year: series.years[target],
                        actual,
                        forecast,
                        error,
                        scaled: (scale > 0.0).then(|| error.abs() / scale),
                    });
                }
                Err(why) => {
                    let skip = Skipped {
                        method,
                        window_end: train.last_year(),
                        why,
                    };
                    if !skipped.contains(&skip) {
                        skipped.push(skip);
                    }
                }
            }
            k += 1;
        }
    }
    (trials, skipped)
}

/// MAE of the one-step naive forecast within a window: mean |y_t − y_(t−1)|.
fn naive_mae(values: &[f64]) -> f64 {
    let diffs: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    if diffs.is_empty() {
        return 0.0;
    }
    diffs.iter().sum::<f64>() / diffs.len() as f64
}

/// Scores per method, best (lowest MASE, then MAE) first.
pub fn scores(trials: &[Trial]) -> Vec<Score> {
    let mut methods: Vec<Method> = trials.iter().map(|t| t.method).collect();
    methods.sort();
    methods.dedup();
    let mut scores: Vec<Score> = methods
        .into_iter()
        .map(|method| {
            let mine: Vec<&Trial> = trials.iter().filter(|t| t.method == method).collect();
            let n = mine.len() as f64;
            let mean = |f: &dyn Fn(&Trial) -> Option<f64>| -> Option<f64> {
                mine.iter()
                    .map(|t| f(t))
                    .sum::<Option<f64>>()
                    .map(|s| s / n)
            };
            let mut years: Vec<i32> = mine.iter().map(|t| t.year).collect();
            years.sort_unstable();
            Score {
                method,
                origins: mine.len(),
                years,
                mae: mean(&|t| Some(t.error.abs())).unwrap_or(f64::NAN),
                rmse: mean(&|t| Some(t.error * t.error))
                    .unwrap_or(f64::NAN)
                    .sqrt(),
                mape: mean(&|t| (t.actual != 0.0).then(|| (100.0 * t.error / t.actual).abs())),
                mase: mean(&|t| t.scaled),
            }
        })
        .collect();
    scores.sort_by(|a, b| {
        let key = |s: &Score| (s.mase.unwrap_or(f64::INFINITY), s.mae);
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    scores
}

/// Ranks scores (best first, as [`scores`] returns them) among the methods scored on every
/// origin any method was scored on. Errors on different forecasts are not comparable — a
/// method that needs 3 years misses the earliest, hardest origin of `--min-train 2` — so
/// methods scored on fewer origins get no rank and come after the ranked ones, in the same
/// order. Returns each score with its rank (1 = best).
pub fn ranked(scores: &[Score]) -> Vec<(Option<usize>, &Score)> {
    let mut all: Vec<i32> = scores.iter().flat_map(|s| s.years.clone()).collect();
    all.sort_unstable();
    all.dedup();
    let (full, fewer): (Vec<&Score>, Vec<&Score>) = scores.iter().partition(|s| s.years == all);
    full.into_iter()
        .enumerate()
        .map(|(i, s)| (Some(i + 1), s))
        .chain(fewer.into_iter().map(|s| (None, s)))
        .collect()
}

/// The training windows and the horizon of a backtest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Years ahead each forecast is, counted in observations.
    pub horizon: usize,
    /// Observations in the smallest training window.
    pub min_train: usize,
}

/// A backtest of the selected series.
pub struct Backtest {
    /// Per series, the scores of each method, ranked ones first (best first), as
    /// [`score_columns`] describes them.
    pub scores: DataFrame,
    /// Per series, every forecast of every method from every origin, as [`trial_columns`]
    /// describes them.
    pub trials: DataFrame,
    /// The methods backtested, the naive baseline last.
    pub methods: Vec<Method>,
    pub window: Window,
    /// Whether some method is left unranked (scored on fewer forecasts than others).
    pub any_unranked: bool,
    pub notes: Vec<Note>,
    /// Distinct series names selected, backtested or not.
    pub series: usize,
}

/// What `backtest` computes, in words (JSON's `meta.conventions`); `any_unranked`: whether
/// some method is left unranked.
pub fn conventions(any_unranked: bool) -> Vec<String> {
    let mut conventions = CONVENTIONS.map(String::from).to_vec();
    if any_unranked {
        conventions.push(UNRANKED_CONVENTION.to_string());
    }
    conventions
}

const CONVENTIONS: [&str; 3] = [
    "origins: training windows of the first k years, k = min_train .. T - horizon; each forecasts the year `horizon` observations later",
    "MAE = mean |e|, RMSE = sqrt(mean e²), MAPE = mean |100·e/y|, MASE = mean over origins of |e| / (MAE of the one-step naive forecast on that origin's training window); e = actual - forecast",
    "ranked by MASE, then MAE",
];

/// Why some methods have no rank, in words.
const UNRANKED_CONVENTION: &str = "only methods scored on every origin are ranked: errors on different forecasts are not comparable; the others have an empty rank and a note";

/// A row of [`Backtest::scores`]: the series' key values, the rank and the score.
type ScoreRow<'a> = (&'a [String], Option<usize>, Score);

/// Backtests `methods` and the naive baseline on every series of `all` (split by
/// [`super::project::series_of`]; units by series name).
pub fn run(
    all: &[KeyedSeries],
    keys: &[String],
    units: &BTreeMap<String, String>,
    methods: &[Method],
    window: Window,
) -> Result<Backtest> {
    let Window { horizon, min_train } = window;
    let mut methods = methods.to_vec();
    methods.push(Method::Naive);
    let mut notes = Vec::new();
    let (mut score_rows, mut trial_rows): (Vec<ScoreRow>, Vec<(&[String], Trial)>) =
        Default::default();
    let mut any_unranked = false;
    for (key, series) in all {
        let at = || Subject::new(keys, key, None);
        if series.len() < min_train + horizon {
            let years = series.len();
            let what = What::TooShortToBacktest {
                years,
                min_train,
                horizon,
            };
            notes.push(Note::new(at(), what));
            continue;
        }
        let (trials, skipped) = backtest(series, &methods, min_train, horizon);
        notes.extend(skipped.iter().map(|s| s.note(at())));
        let targets: Vec<i32> = trials
            .iter()
            .filter(|t| t.method == Method::Naive)
            .map(|t| t.year)
            .collect();
        if let (Some(&first), Some(&last)) = (targets.first(), targets.last()) {
            let count = targets.len();
            notes.push(Note::new(at(), What::ScoresRestOn { count, first, last }));
        }
        let scores = scores(&trials);
        let ranked = ranked(&scores);
        if let Some(what) = unranked(&ranked, min_train) {
            notes.push(Note::new(at(), what));
            any_unranked = true;
        }
        score_rows.extend(
            ranked
                .into_iter()
                .map(|(rank, s)| (key.as_slice(), rank, s.clone())),
        );
        trial_rows.extend(trials.into_iter().map(|t| (key.as_slice(), t)));
    }
    Ok(Backtest {
        scores: score_frame(keys, units, &score_rows)?,
        trials: trial_frame(keys, units, &trial_rows)?,
        methods,
        window,
        any_unranked,
        notes,
        series: series_names(all),
    })
}

/// The note on methods left unranked because they were scored on fewer origins than the
/// ranked ones, grouped by the forecasts they rest on. When each group's forecasts are the
/// last of the ranked methods' (it only missed the first, too-short windows), it names the
/// `--min-train` that scores every method on the same forecasts.
fn unranked(ranked: &[(Option<usize>, &Score)], min_train: usize) -> Option<What> {
    let full = &ranked.iter().find(|(r, _)| r.is_some())?.1.years;
    let mut groups: Vec<(Vec<String>, Vec<i32>)> = Vec::new();
    for (_, s) in ranked.iter().filter(|(r, _)| r.is_none()) {
        let name = s.method.name().to_string();
        match groups.iter_mut().find(|(_, years)| *years == s.years) {
            Some((names, _)) => names.push(name),
            None => groups.push((vec![name], s.years.clone())),
        }
    }
    if groups.is_empty() {
        return None;
    }
    // A window one year longer drops the first origin: where every group's forecasts are the
    // tail of the full set, starting at the latest group's first year makes them all equal.
    let suffixes = groups.iter().all(|(_, y)| full.ends_with(y));
    let latest = groups.iter().filter_map(|(_, y)| y.first()).max();
    // --min-train counts observations, not years: skip as many origins as come before the
    // latest group's first one.
    let skipped = latest.and_then(|latest| full.iter().position(|y| y == latest));
    Some(What::Unranked {
        groups,
        ranked: full.clone(),
        min_train: skipped
            .filter(|_| suffixes)
            .map(|skipped| min_train + skipped),
    })
}

fn score_frame(
    keys: &[String],
    units: &BTreeMap<String, String>,
    rows: &[ScoreRow],
) -> Result<DataFrame> {
    RowFrame::keyed(keys, rows, |(key, _, _)| *key)
        .column("rank", |(_, rank, _)| rank.map(|r| r as i64))
        .column("method", |(_, _, s)| s.method.name())
        .column("origins", |(_, _, s)| s.origins as i64)
        .column(UNIT, |(key, _, _)| unit_of(units, key))
        .column("mae", |(_, _, s)| s.mae)
        .column("rmse", |(_, _, s)| s.rmse)
        .column("mape", |(_, _, s)| s.mape)
        .column("mase", |(_, _, s)| s.mase)
        .finish()
}

fn trial_frame(
    keys: &[String],
    units: &BTreeMap<String, String>,
    rows: &[(&[String], Trial)],
) -> Result<DataFrame> {
    RowFrame::keyed(keys, rows, |(key, _)| *key)
        .column("method", |(_, t)| t.method.name())
        .column("train_to", |(_, t)| t.train_to)
        .column("train_size", |(_, t)| t.train_size as i64)
        .column(YEAR, |(_, t)| t.year)
        .column(UNIT, |(key, _)| unit_of(units, key))
        .column("actual", |(_, t)| t.actual)
        .column("forecast", |(_, t)| t.forecast)
        .column("error", |(_, t)| t.error)
        .column("ape", |(_, t)| {
            (t.actual != 0.0).then(|| (100.0 * t.error / t.actual).abs())
        })
        .column("scaled_error", |(_, t)| t.scaled)
        .finish()
}

/// The `method` column of both frames.
fn method_column() -> ColumnDef {
    ColumnDef::text(
        "method",
        "projection method (naive: the last value, the baseline)",
    )
}

/// The columns of [`Backtest::scores`]; `any_unranked`: whether some rank is empty.
pub fn score_columns(groups: &[String], any_unranked: bool) -> Vec<ColumnDef> {
    let rank = if any_unranked {
        "1 = most accurate by MASE, among the methods scored on every origin (empty: scored on fewer)"
    } else {
        "1 = most accurate by MASE"
    };
    let mut columns = key_columns(groups);
    columns.extend([
        ColumnDef::integer("rank", rank),
        method_column(),
        ColumnDef::integer("origins", "number of forecasts the scores rest on"),
        unit_column(),
        ColumnDef::quantity("mae", "mean absolute error").header("MAE"),
        ColumnDef::quantity("rmse", "root mean squared error").header("RMSE"),
        ColumnDef::points("mape", "mean absolute percentage error, in percent").header("MAPE (%)"),
        ColumnDef::points("mase", "mean absolute scaled error (below 1: better than the one-step naive forecast in-sample)").header("MASE"),
    ]);
    columns
}

/// The columns of [`Backtest::trials`].
pub fn trial_columns(groups: &[String]) -> Vec<ColumnDef> {
    let mut columns = key_columns(groups);
    columns.extend([
        method_column(),
        ColumnDef::year_like("train_to", "last year of the training window").header("trained to"),
        ColumnDef::integer("train_size", "years in the training window").header("years"),
        ColumnDef::year_like(YEAR, "the year forecast").header("forecast year"),
        unit_column(),
        ColumnDef::quantity("actual", "observed value"),
        ColumnDef::quantity("forecast", "point forecast"),
        ColumnDef::new("error", Kind::Number, "actual - forecast").unit(UnitOf::Series),
        ColumnDef::points("ape", "absolute percentage error, in percent").header("APE (%)"),
        ColumnDef::points(
            "scaled_error",
            "|error| / MAE of the one-step naive forecast on the training window",
        )
        .header("scaled error"),
    ]);
    columns
}

fn unit_column() -> ColumnDef {
    ColumnDef::unit_column("unit of the data, MAE, RMSE, actual, forecast and error")
}

#[cfg(test)]
mod tests {
    use super::super::project::tests::{cbec, close};
    use super::*;

    #[test]
    #[allow(clippy::approx_constant)] // 3.141 is drift's reference MAPE, not π
    fn seed_backtest_matches_methods() {
        let methods = [
            Method::Naive,
            Method::Drift,
            Method::Linear,
            Method::LogLinear,
        ];
        let (trials, skipped) = backtest(&cbec(), &methods, 3, 1);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(trials.len(), 8);
        assert_eq!(
            trials
                .iter()
                .filter(|t| t.method == Method::Naive)
                .map(|t| t.year)
                .collect::<Vec<_>>(),
            vec![2018, 2019]
        );
        let scores = scores(&trials);
        let get = |m: Method| scores.iter().find(|s| s.method == m).unwrap().clone();
        for (method, mape, mase) in [
            (Method::Naive, 13.546, 1.0003),
            (Method::Drift, 3.141, 0.2328),
            (Method::Linear, 2.714, 0.2005),
            (Method::LogLinear, 5.884, 0.4409),
        ] {
            let s = get(method);
            assert_eq!(s.origins, 2);
            close(s.mape.unwrap(), mape, 5e-4);
            close(s.mase.unwrap(), mase, 5e-5);
        }
        // Ranked by MASE: linear, drift, log-linear, naive.
        let order: Vec<Method> = scores.iter().map(|s| s.method).collect();
        assert_eq!(
            order,
            vec![
                Method::Linear,
                Method::Drift,
                Method::LogLinear,
                Method::Naive
            ]
        );
    }

    #[test]
    fn methods_on_fewer_origins_are_not_ranked() {
        // --min-train 2: naive, drift and cagr forecast 2017–2019 from 2, 3 and 4 years;
        // linear and loglinear need 3 years, so only 2018–2019.
        let methods = [
            Method::Naive,
            Method::Drift,
            Method::Linear,
            Method::LogLinear,
            Method::Cagr,
        ];
        let (trials, _) = backtest(&cbec(), &methods, 2, 1);
        let scores = scores(&trials);
        let linear = scores.iter().find(|s| s.method == Method::Linear).unwrap();
        assert_eq!(linear.years, vec![2018, 2019]);
        let drift = scores.iter().find(|s| s.method == Method::Drift).unwrap();
        assert_eq!(drift.years, vec![2017, 2018, 2019]);
        // Errors 8.06 − 8.0, 9.7 − 9.39 and 10.8 − 11.1333…, each scaled by the naive MAE of
        // its window: 1.3, 1.33 and 4.3/3.
        close(
            drift.mase.unwrap(),
            (0.06 / 1.3 + 0.31 / 1.33 + 1.0 / 4.3) / 3.0,
            1e-9,
        );
        let ranked = ranked(&scores);
        let shown: Vec<(Option<usize>, Method)> =
            ranked.iter().map(|(r, s)| (*r, s.method)).collect();
        assert_eq!(
            shown,
            vec![
                (Some(1), Method::Drift),
                (Some(2), Method::Cagr),
                (Some(3), Method::Naive),
                (None, Method::Linear),
                (None, Method::LogLinear),
            ]
        );
        // With the default window every method has both origins and all are ranked.
        let (trials, _) = backtest(&cbec(), &methods, 3, 1);
        let scores = super::scores(&trials);
        assert!(super::ranked(&scores).iter().all(|(r, _)| r.is_some()));
    }

    #[test]
    fn holt_cannot_fit_short_windows_and_says_so() {
        let (trials, skipped) = backtest(&cbec(), &[Method::Holt], 3, 1);
        assert!(trials.is_empty());
        assert_eq!(skipped.len(), 2);
        assert!(
            skipped[0]
                .note(Subject::series("cbec"))
                .text()
                .starts_with("cbec holt: no forecast from the window ending 2017"),
            "{skipped:?}"
        );
    }

    #[test]
    fn longer_horizons_use_fewer_origins() {
        let (trials, _) = backtest(&cbec(), &[Method::Naive], 3, 2);
        assert_eq!(trials.len(), 1);
        assert_eq!((trials[0].train_to, trials[0].year), (2017, 2019));
        close(trials[0].error, 10.8 - 8.06, 1e-12);
    }
}
