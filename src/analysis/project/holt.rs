//! Holt's linear trend (damped when φ < 1), fitted by minimising the one-step SSE.
//!
//! The one-step errors are linear in the initial level and trend, so for given smoothing
//! parameters those two are solved exactly by least squares; argmin's Nelder–Mead searches
//! only α, β* (and φ) within their bounds, from several starting simplices. On short series the
//! optimum sits at α = β* = 0: Holt becomes the OLS line and its interval stops widening with
//! the horizon. We say so (a warning on the model) instead of printing a falsely narrow band.

use super::{FitError, Method, Model, Params, Predictor, Quantile, Series};
use argmin::core::{CostFunction, Error, Executor, State};
use argmin::solver::neldermead::NelderMead;

/// Bounds of the damping parameter (those of R's `forecast::ets` and statsmodels).
const PHI_BOUNDS: (f64, f64) = (0.8, 0.98);
/// A fitted parameter this close to a bound counts as on it.
const ON_BOUND: f64 = 1e-4;
/// R's `ets` refuses to fit a model by likelihood on this many points or fewer.
const FEW_POINTS: usize = 8;

/// Smoothing parameters, clamped into their bounds.
#[derive(Debug, Clone, Copy)]
struct Smoothing {
    alpha: f64,
    beta_star: f64,
    phi: f64,
}

impl Smoothing {
    fn from_vec(p: &[f64], damped: bool) -> Self {
        Smoothing {
            alpha: p[0].clamp(0.0, 1.0),
            beta_star: p[1].clamp(0.0, 1.0),
            phi: if damped {
                p[2].clamp(PHI_BOUNDS.0, PHI_BOUNDS.1)
            } else {
                1.0
            },
        }
    }
}

/// One-step errors of the filter started at (level, trend); returns the errors and the final
/// state.
fn filter(y: &[f64], s: Smoothing, level: f64, trend: f64) -> (Vec<f64>, f64, f64) {
    let beta = s.alpha * s.beta_star;
    let (mut l, mut b) = (level, trend);
    let mut errors = Vec::with_capacity(y.len());
    for &yt in y {
        let forecast = l + s.phi * b;
        let e = yt - forecast;
        l = forecast + s.alpha * e;
        b = s.phi * b + beta * e;
        errors.push(e);
    }
    (errors, l, b)
}

/// The SSE-minimising initial state for `s` (exact: the errors are linear in it), the SSE,
/// and the final state.
fn best_start(y: &[f64], s: Smoothing) -> (f64, f64, f64, f64, f64) {
    let zeros = vec![0.0; y.len()];
    let (e0, _, _) = filter(y, s, 0.0, 0.0);
    let (e1, _, _) = filter(&zeros, s, 1.0, 0.0);
    let (e2, _, _) = filter(&zeros, s, 0.0, 1.0);
    // e(l0, b0) = e0 + l0·e1 + b0·e2; solve the 2×2 normal equations.
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let (a11, a12, a22) = (dot(&e1, &e1), dot(&e1, &e2), dot(&e2, &e2));
    let (r1, r2) = (-dot(&e1, &e0), -dot(&e2, &e0));
    let det = a11 * a22 - a12 * a12;
    let (l0, b0) = if det.abs() > 1e-12 * (a11 * a22).max(1e-300) {
        ((r1 * a22 - r2 * a12) / det, (a11 * r2 - a12 * r1) / det)
    } else {
        (y[0], 0.0)
    };
    let (errors, level, trend) = filter(y, s, l0, b0);
    let sse = dot(&errors, &errors);
    (l0, b0, sse, level, trend)
}

struct Sse<'a> {
    y: &'a [f64],
    damped: bool,
}

impl CostFunction for Sse<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Self::Param) -> Result<f64, Error> {
        let s = Smoothing::from_vec(p, self.damped);
        Ok(best_start(self.y, s).2)
    }
}

fn minimise(y: &[f64], damped: bool) -> Smoothing {
    let starts: &[[f64; 3]] = &[
        [0.5, 0.1, 0.9],
        [0.1, 0.01, 0.95],
        [0.9, 0.5, 0.85],
        [0.01, 0.0, 0.98],
    ];
    let mut best: Option<(f64, Vec<f64>)> = None;
    for start in starts {
        let dims = if damped { 3 } else { 2 };
        let x0: Vec<f64> = start[..dims].to_vec();
        let mut simplex = vec![x0.clone()];
        for d in 0..dims {
            let mut v = x0.clone();
            v[d] += if v[d] > 0.5 { -0.2 } else { 0.2 };
            simplex.push(v);
        }
        let Ok(solver) = NelderMead::new(simplex).with_sd_tolerance(1e-12) else {
            continue;
        };
        let result = Executor::new(Sse { y, damped }, solver)
            .configure(|state| state.max_iters(2000))
            .run();
        if let Ok(result) = result {
            let state = result.state();
            if let Some(p) = state.get_best_param() {
                let cost = state.get_best_cost();
                if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                    best = Some((cost, p.clone()));
                }
            }
        }
    }
    let p = best.map_or(vec![0.0, 0.0, PHI_BOUNDS.1], |(_, p)| p);
    let mut p = p;
    p.resize(3, PHI_BOUNDS.1);
    Smoothing::from_vec(&p, damped)
}

/// The parameters Holt estimates: α, β*, the initial level and trend (and φ when `damped`).
pub(super) fn parameters(damped: bool) -> usize {
    if damped {
        5
    } else {
        4
    }
}

/// Why the interval of a fit with smoothing `s` on `years` points should not be trusted,
/// when that is so.
fn warning(s: Smoothing, damped: bool, years: usize) -> Option<String> {
    // β* only acts through β = α·β*: with α = 0 it is not identified (see [`fit_holt`]) and
    // never cited as on a bound.
    let mut smoothing = vec![("α", s.alpha)];
    if s.alpha > 0.0 {
        smoothing.push(("β*", s.beta_star));
    }
    let mut on_bound = Vec::new();
    for (name, value) in smoothing {
        if value < ON_BOUND || 1.0 - value < ON_BOUND {
            on_bound.push(format!("{name} = {value:.4}"));
        }
    }
    if damped && (s.phi - PHI_BOUNDS.0 < ON_BOUND || PHI_BOUNDS.1 - s.phi < ON_BOUND) {
        on_bound.push(format!("φ = {:.4}", s.phi));
    }
    let mut reasons = Vec::new();
    if !on_bound.is_empty() {
        reasons.push(format!(
            "the fit lands on a bound ({})",
            on_bound.join(", ")
        ));
    }
    if years <= FEW_POINTS {
        reasons.push(format!(
            "only {years} years (R's ets refuses to fit ≤ {FEW_POINTS})"
        ));
    }
    let collapsed = s.alpha < ON_BOUND;
    (!reasons.is_empty()).then(|| {
        let mut w = format!("interval not trustworthy: {}", reasons.join("; "));
        if collapsed {
            w.push_str("; with α ≈ 0 Holt is a fixed straight line and its interval hardly widens with the horizon");
        }
        w
    })
}

/// Fits Holt's linear trend (`damped`: with φ) to a series of consecutive years.
pub fn fit_holt(series: &Series, damped: bool) -> Result<Model, FitError> {
    let method = if damped {
        Method::HoltDamped
    } else {
        Method::Holt
    };
    let parameters = parameters(damped);
    if series.len() <= parameters {
        return Err(FitError::TooShort {
            method,
            years: series.len(),
        });
    }
    if let Some(missing) = series.first_gap() {
        return Err(FitError::Gap { method, missing });
    }
    let y = &series.values;
    let s = minimise(y, damped);
    let (_, _, sse, level, trend) = best_start(y, s);
    let sigma = (sse / (y.len() - parameters) as f64).sqrt();
    let beta = s.alpha * s.beta_star;

    // β* only acts through β = α·β*: with α = 0 the trend never updates, every β* fits
    // equally well, and the optimiser's value is an artefact of its start. `clamp` makes a
    // fitted α at or below its bound exactly 0, so the test is exact.
    let beta_star_identified = s.alpha > 0.0;
    let warning = warning(s, damped, series.len());
    let note = (!beta_star_identified).then(|| {
        "β* left empty: with α = 0 the trend update β·e = α·β*·e is 0 whatever β* is, so the data cannot determine it (β = 0 is reported)".to_string()
    });
    Ok(Model {
        method,
        params: Params {
            observations: series.len(),
            intercept: Some(level),
            slope: Some(trend),
            sigma: Some(sigma),
            alpha: Some(s.alpha),
            beta: Some(beta),
            beta_star: beta_star_identified.then_some(s.beta_star),
            phi: damped.then_some(s.phi),
            ..Params::default()
        },
        quantile: Some(Quantile::Normal),
        convention: "α, β* (and φ) minimise the one-step SSE, initial level and trend solved by least squares; interval ŷ ± z · σ · sqrt(1 + Σ_{j<h} (α + β φ_j)²), β = α·β*, σ² = SSE/(T - k) with k = 4 estimated parameters (α, β*, initial level and trend; 5 with φ), where statsmodels' ETSModel uses SSE/T (ETS(A,A,N) / (A,Ad,N) variance)",
        warning,
        note,
        last_year: series.last_year(),
        predict: Predictor::Holt {
            level,
            trend,
            alpha: s.alpha,
            beta,
            phi: s.phi,
            sigma,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cbec, close, trade};
    use super::super::{fit_linear, Series};
    use super::*;

    #[test]
    fn holt_on_the_seed_collapses_to_the_ols_line_and_says_so() {
        let holt = fit_holt(&cbec(), false).unwrap();
        let linear = fit_linear(&cbec()).unwrap();
        // α = β* = 0 and the least-squares start make Holt the OLS line: 12.272, 13.652, 15.032.
        for year in 2020..=2022 {
            close(holt.predict(year).point, linear.predict(year).point, 1e-3);
        }
        close(holt.predict(2020).point, 12.272, 1e-3);
        assert!(holt.params.alpha.unwrap() < 1e-3, "{:?}", holt.params);
        let warning = holt.warning.clone().expect("a warning on 5 points");
        assert!(warning.contains("only 5 years"), "{warning}");
        assert!(warning.contains("α ≈ 0"), "{warning}");
        // The interval barely widens: 2022's is no wider than 1.01 × 2020's.
        let width = |y| {
            let (lo, hi) = holt.predict(y).spread.unwrap().interval(0.95);
            hi - lo
        };
        assert!(width(2022) <= width(2020) * 1.01);
    }

    #[test]
    fn beta_star_is_empty_when_alpha_is_zero() {
        // α = 0 exactly (the clamp), so β = α·β* = 0 whatever β* is: β* is not reported,
        // a note says why, and the warning does not cite β* as "on a bound".
        for series in [cbec(), trade()] {
            let holt = fit_holt(&series, false).unwrap();
            assert_eq!(holt.params.alpha, Some(0.0), "{:?}", holt.params);
            assert_eq!(holt.params.beta, Some(0.0));
            assert_eq!(holt.params.beta_star, None);
            let note = holt.note.clone().expect("a note on β*");
            assert!(note.starts_with("β* left empty: with α = 0"), "{note}");
            let warning = holt.warning.clone().unwrap();
            assert!(!warning.contains("β*"), "{warning}");
        }
    }

    #[test]
    fn holt_tracks_a_changing_trend_on_a_longer_series() {
        // Level shifts make α > 0 worthwhile; no warning on 20 points away from the bounds.
        let values: Vec<f64> = (0..20)
            .map(|t| {
                let t = f64::from(t);
                10.0 + 2.0 * t
                    + if t >= 10.0 {
                        15.0 + 1.5 * (t - 10.0)
                    } else {
                        0.0
                    }
                    + (t * 1.7).sin()
            })
            .collect();
        let series = Series {
            years: (2000..2020).collect(),
            values,
        };
        let holt = fit_holt(&series, false).unwrap();
        assert!(holt.params.alpha.unwrap() > 0.1, "{:?}", holt.params);
        // With α > 0, β* matters and is reported: β = α·β*.
        let beta_star = holt.params.beta_star.expect("β* with α > 0");
        close(
            holt.params.beta.unwrap(),
            holt.params.alpha.unwrap() * beta_star,
            1e-12,
        );
        assert_eq!(holt.note, None);
        let sse_holt = holt.params.sigma.unwrap().powi(2) * 16.0;
        let linear = fit_linear(&series).unwrap();
        let sse_linear = linear.params.sigma.unwrap().powi(2) * 18.0;
        assert!(sse_holt < sse_linear, "{sse_holt} vs {sse_linear}");
        let damped = fit_holt(&series, true).unwrap();
        let phi = damped.params.phi.unwrap();
        assert!((PHI_BOUNDS.0..=PHI_BOUNDS.1).contains(&phi));
        // Damped forecasts flatten: the increment shrinks by φ each year.
        let step = |y: i32| damped.predict(y + 1).point - damped.predict(y).point;
        close(step(2021) / step(2020), phi, 1e-9);
    }

    #[test]
    fn too_short_or_gapped_series_are_refused() {
        let short = Series {
            years: (2016..=2019).collect(),
            values: vec![1.0, 2.0, 3.0, 4.0],
        };
        assert!(fit_holt(&short, false)
            .unwrap_err()
            .to_string()
            .contains("needs more than 4 years"));
        let mut gapped = cbec();
        gapped.years[4] = 2020;
        assert!(fit_holt(&gapped, false)
            .unwrap_err()
            .to_string()
            .contains("2019 is missing"));
    }
}
