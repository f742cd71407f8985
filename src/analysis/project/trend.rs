//! Linear and log-linear trends (OLS), random walk with drift, CAGR extrapolation.

use super::{FitError, Method, Model, Params, Predictor, Quantile, Series};

/// OLS of `y` on x = year − first year + 1 (the actual year, so gaps are handled).
struct Ols {
    intercept: f64,
    slope: f64,
    s: f64,
    r2: Option<f64>,
    mean_x: f64,
    sxx: f64,
}

fn ols(years: &[i32], y: &[f64]) -> Ols {
    let first = years[0];
    let x: Vec<f64> = years.iter().map(|&t| f64::from(t - first + 1)).collect();
    let n = y.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|xi| (xi - mean_x).powi(2)).sum();
    let sxy: f64 = x
        .iter()
        .zip(y)
        .map(|(xi, yi)| (xi - mean_x) * (yi - mean_y))
        .sum();
    let syy: f64 = y.iter().map(|yi| (yi - mean_y).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(xi, yi)| (yi - intercept - slope * xi).powi(2))
        .sum();
    Ols {
        intercept,
        slope,
        s: (sse / (n - 2.0)).sqrt(),
        // A constant series has no variance to explain.
        r2: (syy > 0.0).then(|| 1.0 - sse / syy),
        mean_x,
        sxx,
    }
}

fn trend(series: &Series, log: bool) -> Result<Model, FitError> {
    let method = if log {
        Method::LogLinear
    } else {
        Method::Linear
    };
    if series.len() < 3 {
        return Err(FitError::TooShort {
            method,
            years: series.len(),
        });
    }
    let y: Vec<f64> = if log {
        if let Some(i) = series.values.iter().position(|&v| v <= 0.0) {
            return Err(FitError::NotPositive {
                year: series.years[i],
                value: series.values[i],
            });
        }
        series.values.iter().map(|v| v.ln()).collect()
    } else {
        series.values.clone()
    };
    let fit = ols(&series.years, &y);
    let n = series.len() as f64;
    Ok(Model {
        method,
        params: Params {
            observations: series.len(),
            intercept: Some(fit.intercept),
            slope: Some(fit.slope),
            r2: fit.r2,
            sigma: Some(fit.s),
            growth: log.then(|| fit.slope.exp() - 1.0),
            ..Params::default()
        },
        quantile: Some(Quantile::T(n - 2.0)),
        convention: if log {
            "OLS on ln(value), x = 1 in the first year; point = exp(fit) (the median); interval = OLS prediction interval on the log scale (t, T-2 df), exponentiated"
        } else {
            "OLS on x = 1 in the first year; prediction interval ŷ ± t(T-2) · s · sqrt(1 + 1/T + (x0 - x̄)²/Sxx)"
        },
        warning: None,
        note: None,
        last_year: series.last_year(),
        predict: Predictor::Trend {
            first_year: series.years[0],
            intercept: fit.intercept,
            slope: fit.slope,
            s: fit.s,
            n,
            mean_x: fit.mean_x,
            sxx: fit.sxx,
            log,
        },
    })
}

/// Linear trend: ŷ = b0 + b1·x0 with a t prediction interval (statsmodels' obs_ci).
pub fn fit_linear(series: &Series) -> Result<Model, FitError> {
    trend(series, false)
}

/// Log-linear (constant growth) trend: exp of the OLS line on ln y, asymmetric interval.
pub fn fit_loglinear(series: &Series) -> Result<Model, FitError> {
    trend(series, true)
}

/// Random walk with drift: b = (y_T − y_1)/(T − 1), ŷ = y_T + h·b, interval
/// ŷ ± z·σ·sqrt(h(1 + h/(T − 1))), σ the sd of the first differences around b (T − 2).
///
/// h/(T − 1) is the convention of R's `forecast::rwf`, fable and statsforecast (and the current
/// FPP3 text): the drift is the mean of T − 1 differences, so its variance is σ²/(T − 1). The
/// h/T of FPP2's table is the older, narrower variant.
pub fn fit_drift(series: &Series) -> Result<Model, FitError> {
    if series.len() < 2 {
        return Err(FitError::TooShort {
            method: Method::Drift,
            years: series.len(),
        });
    }
    if let Some(missing) = series.first_gap() {
        return Err(FitError::Gap {
            method: Method::Drift,
            missing,
        });
    }
    let t = series.len();
    let b = (series.last_value() - series.values[0]) / (t as f64 - 1.0);
    let sigma = (t >= 3).then(|| {
        let ss: f64 = series
            .values
            .windows(2)
            .map(|w| (w[1] - w[0] - b).powi(2))
            .sum();
        (ss / (t as f64 - 2.0)).sqrt()
    });
    Ok(Model {
        method: Method::Drift,
        params: Params {
            observations: t,
            slope: Some(b),
            sigma,
            ..Params::default()
        },
        quantile: sigma.map(|_| Quantile::Normal),
        convention: "random walk with drift; interval ŷ ± z · σ · sqrt(h(1 + h/(T-1))) (R's forecast::rwf, fable, statsforecast)",
        warning: sigma
            .is_none()
            .then(|| "2 years: no variance of the differences, so no interval".to_string()),
        note: None,
        last_year: series.last_year(),
        predict: Predictor::Drift {
            last: series.last_value(),
            b,
            sigma,
            differences: t as f64 - 1.0,
        },
    })
}

/// CAGR extrapolation y_T·(1 + CAGR)^h, the CAGR taken over the whole series (in years).
pub fn fit_cagr(series: &Series) -> Result<Model, FitError> {
    let (first, last) = (series.values[0], series.last_value());
    let years = series.last_year() - series.years[0];
    if years < 1 {
        return Err(FitError::TooShort {
            method: Method::Cagr,
            years: series.len(),
        });
    }
    if first <= 0.0 || last < 0.0 {
        return Err(FitError::CagrEnds { first, last });
    }
    let growth = (last / first).powf(1.0 / f64::from(years)) - 1.0;
    Ok(Model {
        method: Method::Cagr,
        params: Params {
            observations: series.len(),
            growth: Some(growth),
            ..Params::default()
        },
        quantile: None,
        convention: "y_T · (1 + CAGR)^h; no standard interval",
        warning: None,
        note: None,
        last_year: series.last_year(),
        predict: Predictor::Compound { last, growth },
    })
}

/// The naive forecast: the last value, for every horizon (a point-only baseline).
pub fn fit_naive(series: &Series) -> Result<Model, FitError> {
    Ok(Model {
        method: Method::Naive,
        params: Params {
            observations: series.len(),
            ..Params::default()
        },
        quantile: None,
        convention: "ŷ = y_T; a baseline without interval",
        warning: None,
        note: None,
        last_year: series.last_year(),
        predict: Predictor::Compound {
            last: series.last_value(),
            growth: 0.0,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cbec, close, forecast, trade};
    use super::*;

    /// Checks METHODS.md's reference rows for a model fitted to CBEC: the 95 % point and bounds
    /// for 2020–2022, the 80 % bounds for 2020, and the 95 % row for trade 2020.
    fn assert_reference(
        fit: fn(&Series) -> Result<Model, FitError>,
        rows95: [(i32, f64, f64, f64); 3],
        cbec80: (f64, f64),
        trade95: (f64, f64, f64),
    ) {
        let m = fit(&cbec()).unwrap();
        for (year, point, lo, hi) in rows95 {
            let (p, l, h) = forecast(&m, year, 0.95);
            close(p, point, 1e-4);
            close(l, lo, 1e-4);
            close(h, hi, 1e-4);
        }
        let (_, l, h) = forecast(&m, 2020, 0.80);
        close(l, cbec80.0, 1e-4);
        close(h, cbec80.1, 1e-4);
        let (p, l, h) = forecast(&fit(&trade()).unwrap(), 2020, 0.95);
        close(p, trade95.0, 1e-4);
        close(l, trade95.1, 1e-4);
        close(h, trade95.2, 1e-4);
    }

    #[test]
    fn linear_matches_methods() {
        let m = fit_linear(&cbec()).unwrap();
        close(m.params.intercept.unwrap(), 3.992, 1e-9);
        close(m.params.slope.unwrap(), 1.380, 1e-9);
        close(m.params.sigma.unwrap(), 0.132262, 1e-6);
        close(m.params.r2.unwrap(), 0.997252, 1e-6);
        let t = fit_linear(&trade()).unwrap();
        close(t.params.intercept.unwrap(), 21.804, 1e-9);
        close(t.params.slope.unwrap(), 1.988, 1e-9);
        close(t.params.sigma.unwrap(), 1.097124, 1e-6);
        assert_reference(
            fit_linear,
            [
                (2020, 12.2720, 11.6620, 12.8820),
                (2021, 13.6520, 12.9477, 14.3563),
                (2022, 15.0320, 14.2223, 15.8417),
            ],
            (11.9581, 12.5859),
            (33.7320, 28.6723, 38.7917),
        );
    }

    #[test]
    fn loglinear_matches_methods() {
        let m = fit_loglinear(&cbec()).unwrap();
        close(m.params.slope.unwrap(), 0.175631, 1e-6);
        close(m.params.growth.unwrap(), 0.19200, 1e-5);
        assert_reference(
            fit_loglinear,
            [
                (2020, 13.3606, 11.3557, 15.7196),
                (2021, 15.9258, 13.1997, 19.2150),
                (2022, 18.9836, 15.2985, 23.5564),
            ],
            (12.2882, 14.5267),
            (34.2302, 28.3076, 41.3919),
        );
    }

    #[test]
    fn drift_matches_methods() {
        // METHODS.md, with R's rwf convention h/(T − 1).
        assert_reference(
            fit_drift,
            [
                (2020, 12.1500, 11.6613, 12.6387),
                (2021, 13.5000, 12.7429, 14.2571),
                (2022, 14.8500, 13.8485, 15.8515),
            ],
            (11.8305, 12.4695),
            (33.2500, 29.4366, 37.0634),
        );
        let m = fit_drift(&cbec()).unwrap();
        close(m.params.slope.unwrap(), 1.35, 1e-12);
        // σ² = Σ(d − b)²/(T − 2) = 0.1492/3 on the differences 1.3, 1.36, 1.64, 1.1.
        close(m.params.sigma.unwrap(), (0.1492f64 / 3.0).sqrt(), 1e-12);
    }

    #[test]
    fn drift_interval_widens_by_h_over_t_minus_1() {
        // The half-width is z·σ·sqrt(h(1 + h/(T − 1))); with T = 5, h = 2: sqrt(2 · 1.5) = √3,
        // where h/T would give sqrt(2 · 1.4). Checked against the closed form, not a table.
        let m = fit_drift(&cbec()).unwrap();
        let sigma = m.params.sigma.unwrap();
        let z = Quantile::Normal.critical(0.95);
        for (year, h) in [(2020, 1.0), (2021, 2.0), (2024, 5.0)] {
            let (p, lo, hi) = forecast(&m, year, 0.95);
            close(p, 10.8 + h * 1.35, 1e-12);
            close(hi - p, z * sigma * (h * (1.0 + h / 4.0)).sqrt(), 1e-12);
            close(p - lo, hi - p, 1e-12);
        }
    }

    #[test]
    fn cagr_extrapolation_matches_methods() {
        let m = fit_cagr(&cbec()).unwrap();
        close(m.predict(2020).point, 12.8434, 1e-4);
        close(m.predict(2021).point, 15.2735, 1e-4);
        close(m.predict(2022).point, 18.1634, 1e-4);
        assert!(m.predict(2020).spread.is_none());
    }

    #[test]
    fn edge_cases_are_refused_or_finite() {
        let two = Series {
            years: vec![2018, 2019],
            values: vec![1.0, 2.0],
        };
        assert!(fit_linear(&two)
            .unwrap_err()
            .to_string()
            .contains("at least 3 years"));
        let drift = fit_drift(&two).unwrap();
        close(drift.predict(2020).point, 3.0, 1e-12);
        assert!(drift.predict(2020).spread.is_none() && drift.warning.is_some());
        let with_zero = Series {
            years: vec![2017, 2018, 2019],
            values: vec![0.0, 1.0, 2.0],
        };
        assert!(fit_loglinear(&with_zero)
            .unwrap_err()
            .to_string()
            .contains("every value > 0"));
        assert!(fit_cagr(&with_zero).is_err());
        let constant = Series {
            years: vec![2017, 2018, 2019],
            values: vec![5.0; 3],
        };
        let m = fit_linear(&constant).unwrap();
        assert_eq!(m.params.r2, None);
        let (p, l, h) = forecast(&m, 2021, 0.95);
        assert_eq!((p, l, h), (5.0, 5.0, 5.0));
        let gap = Series {
            years: vec![2015, 2016, 2018],
            values: vec![1.0, 2.0, 4.0],
        };
        assert!(fit_drift(&gap)
            .unwrap_err()
            .to_string()
            .contains("2017 is missing"));
        // The linear trend uses the actual years (x = 1, 2, 4): y = x exactly, so 2019 gives 5.
        close(fit_linear(&gap).unwrap().predict(2019).point, 5.0, 1e-12);
    }
}
