//! Checking a claim "series S reaches V in year Y" against history and every projection
//! (METHODS.md, "Claim check").

use super::project::{Method, Model, Series};

/// The two interval levels a claim is judged at.
pub const CHECK_LEVELS: [f64; 2] = [0.80, 0.95];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Inside every trusted 95 % interval.
    Plausible,
    /// Outside every trusted 95 % interval.
    Implausible,
    /// Inside some, outside others.
    Mixed,
    /// No method gave a trusted interval.
    Undetermined,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Plausible => "plausible",
            Verdict::Implausible => "implausible",
            Verdict::Mixed => "mixed",
            Verdict::Undetermined => "undetermined",
        }
    }
}

/// How one method sees the claim.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCheck {
    pub method: Method,
    pub point: f64,
    /// (lower, upper) at each of [`CHECK_LEVELS`]; `None` for point-only methods.
    pub intervals: Option<[(f64, f64); 2]>,
    /// The level (0..1) of the interval whose boundary passes through the claimed value.
    pub boundary_level: Option<f64>,
    /// Whether the interval is trusted (no warning on the model); untrusted ones are shown
    /// but not counted in the verdict.
    pub trusted: bool,
    pub warning: Option<String>,
}

impl MethodCheck {
    /// Inside the interval at level index `i` (0: 80 %, 1: 95 %).
    pub fn inside(&self, i: usize, value: f64) -> Option<bool> {
        self.intervals
            .map(|iv| iv[i].0 <= value && value <= iv[i].1)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCheck {
    pub last_year: i32,
    pub last_value: f64,
    /// (V / y_last)^(1/(Y − last year)) − 1.
    pub implied_growth: Option<f64>,
    /// CAGR over the whole history.
    pub cagr: Option<f64>,
    pub methods: Vec<MethodCheck>,
    pub verdict: Verdict,
}

/// Judges `value` in `year` against `series` with the given fitted models.
pub fn check(
    series: &Series,
    year: i32,
    value: f64,
    models: &[Model],
) -> Result<ClaimCheck, String> {
    let last_year = series.last_year();
    if year <= last_year {
        return Err(format!(
            "the claim is for {year}, but the data already runs to {last_year} (expected a year after {last_year})"
        ));
    }
    let last_value = series.last_value();
    let span = f64::from(year - last_year);
    let implied_growth =
        (last_value > 0.0 && value >= 0.0).then(|| (value / last_value).powf(1.0 / span) - 1.0);
    let (first, years) = (series.values[0], series.last_year() - series.years[0]);
    let cagr = (years > 0 && first > 0.0 && last_value >= 0.0)
        .then(|| (last_value / first).powf(1.0 / f64::from(years)) - 1.0);
    let methods: Vec<MethodCheck> = models
        .iter()
        .map(|model| {
            let p = model.predict(year);
            MethodCheck {
                method: model.method,
                point: p.point,
                intervals: p.spread.map(|s| CHECK_LEVELS.map(|l| s.interval(l))),
                boundary_level: p.spread.and_then(|s| s.level_of(value)),
                trusted: p.spread.is_some() && model.warning.is_none(),
                warning: model.warning.clone(),
            }
        })
        .collect();
    let judged: Vec<bool> = methods
        .iter()
        .filter(|m| m.trusted)
        .filter_map(|m| m.inside(1, value))
        .collect();
    let verdict = if judged.is_empty() {
        Verdict::Undetermined
    } else if judged.iter().all(|&inside| inside) {
        Verdict::Plausible
    } else if judged.iter().all(|&inside| !inside) {
        Verdict::Implausible
    } else {
        Verdict::Mixed
    };
    Ok(ClaimCheck {
        last_year,
        last_value,
        implied_growth,
        cagr,
        methods,
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::super::project::tests::{cbec, close};
    use super::*;

    fn models() -> Vec<Model> {
        [
            Method::Linear,
            Method::LogLinear,
            Method::Drift,
            Method::Holt,
            Method::Cagr,
        ]
        .iter()
        .map(|m| m.fit(&cbec()).unwrap())
        .collect()
    }

    #[test]
    fn sixteen_trillion_in_2020_is_implausible() {
        let c = check(&cbec(), 2020, 16.0, &models()).unwrap();
        close(c.implied_growth.unwrap(), 16.0 / 10.8 - 1.0, 1e-12);
        close(c.implied_growth.unwrap(), 0.48148, 5e-6);
        close(c.cagr.unwrap(), 0.18921, 5e-6);
        for m in &c.methods {
            if let Some(inside) = m.inside(1, 16.0) {
                assert!(!inside, "{:?} contains 16", m.method);
            }
        }
        assert_eq!(c.verdict, Verdict::Implausible);
        // Holt's interval is shown but not trusted on 5 points.
        let holt = c.methods.iter().find(|m| m.method == Method::Holt).unwrap();
        assert!(!holt.trusted && holt.warning.is_some());
        // The log-linear 95 % interval [11.36, 15.72] misses 16 just barely: level > 95 %.
        let log = c
            .methods
            .iter()
            .find(|m| m.method == Method::LogLinear)
            .unwrap();
        assert!(log.boundary_level.unwrap() > 0.95 && log.boundary_level.unwrap() < 0.99);
    }

    #[test]
    fn twelve_and_a_half_is_plausible() {
        let c = check(&cbec(), 2020, 12.5, &models()).unwrap();
        for method in [Method::Linear, Method::LogLinear] {
            let m = c.methods.iter().find(|m| m.method == method).unwrap();
            assert_eq!(m.inside(1, 12.5), Some(true));
        }
        assert_eq!(c.verdict, Verdict::Plausible);
    }

    #[test]
    fn claims_about_observed_years_are_refused() {
        assert!(check(&cbec(), 2019, 11.0, &models())
            .unwrap_err()
            .contains("already runs to 2019"));
    }
}
