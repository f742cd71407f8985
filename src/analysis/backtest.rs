//! Rolling-origin evaluation (METHODS.md, "Backtest"; FPP3 §5.10).
//!
//! For each training window of the first k years (k from the minimum window up), every method
//! is fitted and forecasts the year h observations later; errors are scored per method as MAE,
//! RMSE, MAPE and MASE, the last scaled, origin by origin, by the MAE of the one-step naive
//! forecast on that origin's training window.

use super::project::{Method, Series};

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

/// Runs the backtest. Methods that cannot fit a window (too short, a gap) skip it, and the
/// reasons are returned, one per method and reason.
pub fn backtest(
    series: &Series,
    methods: &[Method],
    min_train: usize,
    horizon: usize,
) -> (Vec<Trial>, Vec<String>) {
    let mut trials = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
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
                    let note = format!(
                        "{}: no forecast from the window ending {}: {why}",
                        method.name(),
                        train.last_year()
                    );
                    if !skipped.contains(&note) {
                        skipped.push(note);
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
            skipped[0].starts_with("holt: no forecast from the window ending 2017"),
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
