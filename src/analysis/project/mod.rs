//! Projections with prediction intervals (METHODS.md, "Projections").
//!
//! A model is fitted to one series (its years and values, sorted, no missing values) and then
//! gives, for any later year, a point forecast and its predictive distribution, from which
//! intervals at any level and the level at which a value would sit on the boundary follow.
//! Quantiles come from statrs (Student's t, normal); nothing here is a hand-written table.
//!
//! Per-series fitting is plain Rust on slices: each fit is a handful of sums (or, for Holt, a
//! small optimisation), and the frames are split into series in one place ([`series_of`]).

mod forecast;
mod holt;
mod trend;

pub use forecast::{
    bound_columns, forecast_columns, level_name, model_columns, run, Plan, Projection, HISTORY,
    MAX_HORIZON,
};
pub use holt::fit_holt;
pub use trend::{fit_cagr, fit_drift, fit_linear, fit_loglinear, fit_naive};

use crate::notes::{Note, Subject, What};
use crate::schema::{VALUE, YEAR};
use anyhow::Result;
use polars::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A projection method. The command line names the first five (`--method`; `holt` with
/// `--damped` is [`Method::HoltDamped`]); the baseline is not for choosing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Method {
    Linear,
    #[value(name = "loglinear")]
    LogLinear,
    Drift,
    Holt,
    #[value(skip)]
    HoltDamped,
    Cagr,
    /// The last value carried forward: the baseline of backtests (and of MASE).
    #[value(skip)]
    Naive,
}

impl Method {
    /// Every projection method (`--method all`), Holt damped or not.
    pub fn all(damped: bool) -> Vec<Method> {
        use Method::*;
        Method::resolve(&[Linear, LogLinear, Drift, Holt, Cagr], damped)
    }

    /// The methods `named`, in a fixed order without repeats; `damped` makes Holt damped.
    pub fn resolve(named: &[Method], damped: bool) -> Vec<Method> {
        let mut methods: Vec<Method> = named
            .iter()
            .map(|&m| match m {
                Method::Holt if damped => Method::HoltDamped,
                m => m,
            })
            .collect();
        methods.sort();
        methods.dedup();
        methods
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Linear => "linear",
            Method::LogLinear => "loglinear",
            Method::Drift => "drift",
            Method::Holt => "holt",
            Method::HoltDamped => "holt-damped",
            Method::Cagr => "cagr",
            Method::Naive => "naive",
        }
    }

    /// The names of `methods`, in order.
    pub fn names(methods: &[Method]) -> Vec<&'static str> {
        methods.iter().map(|m| m.name()).collect()
    }

    /// Fits this method to one series.
    pub fn fit(self, series: &Series) -> Result<Model, FitError> {
        match self {
            Method::Linear => fit_linear(series),
            Method::LogLinear => fit_loglinear(series),
            Method::Drift => fit_drift(series),
            Method::Holt => fit_holt(series, false),
            Method::HoltDamped => fit_holt(series, true),
            Method::Cagr => fit_cagr(series),
            Method::Naive => fit_naive(series),
        }
    }

    /// This method fitted to `series`, or the note on `at` that says why it cannot be.
    pub fn fit_or_note(self, series: &Series, at: impl FnOnce() -> Subject) -> Result<Model, Note> {
        self.fit(series).map_err(|why| {
            let what = What::NoProjection {
                method: self.name().to_string(),
                why: why.to_string(),
            };
            Note::new(at(), what)
        })
    }
}

/// Why a method cannot be fitted to a series.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    /// Fewer years than the method needs (`years` is how many the series has).
    TooShort { method: Method, years: usize },
    /// A missing year where the method needs consecutive ones.
    Gap { method: Method, missing: i32 },
    /// `loglinear`: a value that is not positive.
    NotPositive { year: i32, value: f64 },
    /// `cagr`: a first value that is not positive, or a last one that is negative.
    CagrEnds { first: f64, last: f64 },
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FitError::TooShort { method, years } => {
                let name = method.name();
                match method {
                    Method::Linear | Method::LogLinear => write!(
                        f,
                        "{name} needs at least 3 years (a residual variance needs one degree of freedom), has {years}"
                    ),
                    Method::Holt | Method::HoltDamped => {
                        let k = holt::parameters(method == Method::HoltDamped);
                        write!(
                            f,
                            "{name} estimates {k} parameters and needs more than {k} years, has {years}"
                        )
                    }
                    Method::Cagr => write!(f, "cagr needs at least 2 years"),
                    Method::Drift | Method::Naive => {
                        write!(f, "{name} needs at least 2 years, has {years}")
                    }
                }
            }
            FitError::Gap {
                method: Method::Drift,
                missing,
            } => write!(
                f,
                "drift needs consecutive years, but {missing} is missing (its differences would span several years)"
            ),
            FitError::Gap { method, missing } => write!(
                f,
                "{} needs consecutive years, but {missing} is missing",
                method.name()
            ),
            FitError::NotPositive { year, value } => {
                write!(f, "loglinear needs every value > 0, but {year} is {value}")
            }
            FitError::CagrEnds { first, last } => write!(
                f,
                "cagr needs a positive first value and a non-negative last one, has {first} and {last}"
            ),
        }
    }
}

impl std::error::Error for FitError {}

/// One series: strictly increasing years, each with a finite value.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub years: Vec<i32>,
    pub values: Vec<f64>,
}

impl Series {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn last_year(&self) -> i32 {
        self.years.last().copied().unwrap_or(0)
    }

    pub fn last_value(&self) -> f64 {
        self.values.last().copied().unwrap_or(f64::NAN)
    }

    /// The first `n` observations (a training window).
    pub fn head(&self, n: usize) -> Series {
        Series {
            years: self.years[..n].to_vec(),
            values: self.values[..n].to_vec(),
        }
    }

    /// The first missing year, if the years are not consecutive.
    pub fn first_gap(&self) -> Option<i32> {
        self.years
            .windows(2)
            .find(|w| w[1] - w[0] != 1)
            .map(|w| w[0] + 1)
    }
}

/// The quantile family of a predictive distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantile {
    /// Student's t with this many degrees of freedom.
    T(f64),
    Normal,
}

impl Quantile {
    pub fn label(self) -> String {
        match self {
            Quantile::T(df) => format!("t({df})"),
            Quantile::Normal => "normal".to_string(),
        }
    }

    /// The two-sided critical value for `level` in (0, 1).
    pub fn critical(self, level: f64) -> f64 {
        let p = 1.0 - (1.0 - level) / 2.0;
        match self {
            Quantile::T(df) => StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| d.inverse_cdf(p)),
            Quantile::Normal => Normal::standard().inverse_cdf(p),
        }
    }

    /// The two-sided level at which a standardised distance `z` lies on the boundary.
    pub fn level_at(self, z: f64) -> f64 {
        let cdf = match self {
            Quantile::T(df) => StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| d.cdf(z.abs())),
            Quantile::Normal => Normal::standard().cdf(z.abs()),
        };
        2.0 * cdf - 1.0
    }
}

/// A forecast's distribution: `center ± critical · scale`, on the log scale when `log`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub center: f64,
    pub scale: f64,
    pub quantile: Quantile,
    pub log: bool,
}

impl Spread {
    /// A normal distribution around `center` with standard deviation `scale`.
    fn normal(center: f64, scale: f64) -> Spread {
        Spread {
            center,
            scale,
            quantile: Quantile::Normal,
            log: false,
        }
    }

    /// The two-sided interval at `level` in (0, 1).
    pub fn interval(&self, level: f64) -> (f64, f64) {
        let half = self.quantile.critical(level) * self.scale;
        let (lo, hi) = (self.center - half, self.center + half);
        if self.log {
            (lo.exp(), hi.exp())
        } else {
            (lo, hi)
        }
    }

    /// The level (0..1) of the interval whose boundary passes through `value`: 0 at the
    /// center, near 1 far out. `None` when `value` cannot be placed (≤ 0 on a log scale).
    pub fn level_of(&self, value: f64) -> Option<f64> {
        let x = if self.log {
            if value <= 0.0 {
                return None;
            }
            value.ln()
        } else {
            value
        };
        let distance = (x - self.center).abs();
        if self.scale > 0.0 {
            let z = distance / self.scale;
            // Values near f64::MAX can make the distance infinite or NaN; the distribution
            // code must not see them (statrs does not expect them).
            if z.is_nan() {
                return None;
            }
            if z.is_infinite() {
                return Some(1.0);
            }
            Some(self.quantile.level_at(z))
        } else {
            Some(if distance == 0.0 { 0.0 } else { 1.0 })
        }
    }
}

/// A point forecast and, where the method has one, its distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub point: f64,
    pub spread: Option<Spread>,
}

/// Parameters and fit statistics, for the model summary. Absent ones do not apply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    pub observations: usize,
    pub intercept: Option<f64>,
    pub slope: Option<f64>,
    pub r2: Option<f64>,
    pub sigma: Option<f64>,
    pub growth: Option<f64>,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
    pub beta_star: Option<f64>,
    pub phi: Option<f64>,
}

/// A fitted model.
#[derive(Debug, Clone)]
pub struct Model {
    pub method: Method,
    pub params: Params,
    /// The quantile family of its intervals, `None` for a point-only method.
    pub quantile: Option<Quantile>,
    /// How the interval is built, in words (for the summary and methods sections).
    pub convention: &'static str,
    /// Why the interval should not be trusted, when that is so.
    pub warning: Option<String>,
    /// A remark on the fitted parameters (not on the interval), e.g. why one is left empty.
    pub note: Option<String>,
    last_year: i32,
    predict: Predictor,
}

#[derive(Debug, Clone)]
enum Predictor {
    /// OLS on x = year − first year + 1 (on ln y when `log`).
    Trend {
        first_year: i32,
        intercept: f64,
        slope: f64,
        s: f64,
        n: f64,
        mean_x: f64,
        sxx: f64,
        log: bool,
    },
    /// Random walk with drift `b` estimated from `differences` (T − 1) first differences;
    /// `sigma` absent with two points.
    Drift {
        last: f64,
        b: f64,
        sigma: Option<f64>,
        differences: f64,
    },
    /// Holt (damped when phi < 1): final level and trend, ETS variance.
    Holt {
        level: f64,
        trend: f64,
        alpha: f64,
        beta: f64,
        phi: f64,
        sigma: f64,
    },
    /// y_T (1 + g)^h.
    Compound { last: f64, growth: f64 },
}

impl Model {
    /// The forecast for `year` (after the last observed year).
    pub fn predict(&self, year: i32) -> Prediction {
        let h = f64::from(year - self.last_year);
        match self.predict {
            Predictor::Trend {
                first_year,
                intercept,
                slope,
                s,
                n,
                mean_x,
                sxx,
                log,
            } => {
                let x0 = f64::from(year - first_year + 1);
                let center = intercept + slope * x0;
                let scale = s * (1.0 + 1.0 / n + (x0 - mean_x).powi(2) / sxx).sqrt();
                Prediction {
                    point: if log { center.exp() } else { center },
                    spread: Some(Spread {
                        center,
                        scale,
                        quantile: Quantile::T(n - 2.0),
                        log,
                    }),
                }
            }
            Predictor::Drift {
                last,
                b,
                sigma,
                differences,
            } => {
                let point = last + h * b;
                Prediction {
                    point,
                    // Var = hσ² (the walk) + h²σ²/(T − 1) (the estimated drift).
                    spread: sigma.map(|sigma| {
                        Spread::normal(point, sigma * (h * (1.0 + h / differences)).sqrt())
                    }),
                }
            }
            Predictor::Holt {
                level,
                trend,
                alpha,
                beta,
                phi,
                sigma,
            } => {
                let (phi_h, variance) = holt_horizon(phi, alpha, beta, year - self.last_year);
                let point = level + phi_h * trend;
                Prediction {
                    point,
                    spread: Some(Spread::normal(point, sigma * variance.sqrt())),
                }
            }
            Predictor::Compound { last, growth } => Prediction {
                point: last * (1.0 + growth).powf(h),
                spread: None,
            },
        }
    }
}

/// Holt's sums for `steps` years ahead: φ_h = φ + … + φ^h, and the variance in units of σ²,
/// 1 + Σ_{j<h} (α + β φ_j)² (ETS(A,Ad,N)), which for φ = 1 is METHODS.md's
/// (h−1){α² + αβh + β²h(2h−1)/6}.
fn holt_horizon(phi: f64, alpha: f64, beta: f64, steps: i32) -> (f64, f64) {
    let mut phi_h = 0.0;
    let mut power = 1.0;
    let mut variance = 1.0;
    for j in 1..=steps {
        power *= phi;
        if j < steps {
            let phi_j = phi_h + power;
            variance += (alpha + beta * phi_j).powi(2);
        }
        phi_h += power;
    }
    (phi_h, variance)
}

/// A series with its key values (group columns, then the series name).
pub type KeyedSeries = (Vec<String>, Series);

/// Number of distinct series names among keyed series.
pub fn series_names(all: &[KeyedSeries]) -> usize {
    let names: BTreeSet<&String> = all.iter().filter_map(|(k, _)| k.last()).collect();
    names.len()
}

/// The unit of the series whose key values are `key` (the series name last), if it has one.
pub fn unit_of<'u>(units: &'u BTreeMap<String, String>, key: &[String]) -> Option<&'u str> {
    units
        .get(key.last().map_or("", String::as_str))
        .map(String::as_str)
}

/// Splits a frame in canonical long form (sorted by keys and year) into series, dropping
/// missing values. Returns each series' key values (group columns, then the series name).
pub fn series_of(df: &DataFrame, keys: &[String]) -> Result<Vec<KeyedSeries>> {
    let df = df
        .clone()
        .lazy()
        .filter(col(VALUE).is_not_null())
        .collect()?;
    let key_columns = keys
        .iter()
        .map(|k| Ok(df.column(k)?.str()?.clone()))
        .collect::<Result<Vec<_>>>()?;
    let years = df.column(YEAR)?.i32()?;
    let values = df.column(VALUE)?.f64()?;
    let mut out: Vec<KeyedSeries> = Vec::new();
    for i in 0..df.height() {
        let key: Vec<String> = key_columns
            .iter()
            .map(|c| c.get(i).unwrap_or("").to_string())
            .collect();
        let (Some(year), Some(value)) = (years.get(i), values.get(i)) else {
            continue;
        };
        match out.last_mut() {
            Some((k, series)) if *k == key => {
                series.years.push(year);
                series.values.push(value);
            }
            _ => out.push((
                key,
                Series {
                    years: vec![year],
                    values: vec![value],
                },
            )),
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn cbec() -> Series {
        Series {
            years: (2015..=2019).collect(),
            values: vec![5.4, 6.7, 8.06, 9.7, 10.8],
        }
    }

    pub fn trade() -> Series {
        Series {
            years: (2015..=2019).collect(),
            values: vec![24.7, 24.3, 27.8, 30.5, 31.54],
        }
    }

    /// Point and bounds at `level` for `year`.
    pub fn forecast(model: &Model, year: i32, level: f64) -> (f64, f64, f64) {
        let p = model.predict(year);
        let (lo, hi) = p.spread.expect("interval").interval(level);
        (p.point, lo, hi)
    }

    pub fn close(actual: f64, expected: f64, tol: f64) {
        assert!(
            (actual - expected).abs() <= tol,
            "expected {expected}, got {actual}"
        );
    }

    #[test]
    fn quantiles_come_from_the_distributions() {
        close(Quantile::Normal.critical(0.95), 1.959963984540054, 1e-9);
        close(Quantile::T(3.0).critical(0.95), 3.182446305284263, 1e-9);
        close(Quantile::T(3.0).level_at(3.182446305284263), 0.95, 1e-9);
        close(Quantile::Normal.level_at(-1.2815515655446004), 0.80, 1e-9);
    }

    #[test]
    fn spread_levels_invert_intervals() {
        let s = Spread {
            center: 2.0,
            scale: 0.1,
            quantile: Quantile::T(4.0),
            log: true,
        };
        let (lo, hi) = s.interval(0.8);
        close(s.level_of(lo).unwrap(), 0.8, 1e-9);
        close(s.level_of(hi).unwrap(), 0.8, 1e-9);
        assert_eq!(s.level_of(-1.0), None);
    }

    #[test]
    fn series_split_by_key() {
        let df = crate::analysis::testing::seed();
        let series = series_of(&df, &["series".to_string()]).unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].0, vec!["cbec"]);
        assert_eq!(series[0].1, cbec());
        assert_eq!(series[1].1, trade());
    }
}
