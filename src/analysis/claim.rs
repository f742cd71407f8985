//! Checking a claim "series S reaches V in year Y" against history and every projection
//! (METHODS.md, "Claim check").

use super::project::{KeyedSeries, Method, Model, Series, Spread};
use super::RowFrame;
use crate::notes::{Note, Subject, What};
use crate::schema::columns::key_columns;
use crate::schema::{ColumnDef, Kind, UnitOf, UNIT, YEAR};
use anyhow::Result;
use polars::prelude::DataFrame;
use std::collections::BTreeSet;

/// The level of the intervals that decide a verdict.
pub const LEVEL_95: f64 = 0.95;
/// The level of the narrower intervals shown beside them.
pub const LEVEL_80: f64 = 0.80;

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// The intervals of a forecast that a claim is judged at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intervals {
    pub at_80: Interval,
    pub at_95: Interval,
}

impl Intervals {
    fn of(spread: &Spread) -> Self {
        let at = |level| {
            let (lower, upper) = spread.interval(level);
            Interval { lower, upper }
        };
        Intervals {
            at_80: at(LEVEL_80),
            at_95: at(LEVEL_95),
        }
    }
}

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
    /// `None` for point-only methods.
    pub intervals: Option<Intervals>,
    /// The level (0..1) of the interval whose boundary passes through the claimed value.
    pub boundary_level: Option<f64>,
    /// Whether the interval is trusted (no warning on the model); untrusted ones are shown
    /// but not counted in the verdict.
    pub trusted: bool,
    pub warning: Option<String>,
}

impl MethodCheck {
    /// Whether `value` is inside the 80 % interval (`None` without one).
    pub fn inside_80(&self, value: f64) -> Option<bool> {
        self.intervals.map(|iv| iv.at_80.contains(value))
    }

    /// Whether `value` is inside the 95 % interval, the one that counts (`None` without one).
    pub fn inside_95(&self, value: f64) -> Option<bool> {
        self.intervals.map(|iv| iv.at_95.contains(value))
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

impl ClaimCheck {
    /// Implied growth over the historical CAGR, when both are defined and the CAGR is not 0.
    pub fn growth_ratio(&self) -> Option<f64> {
        match (self.implied_growth, self.cagr) {
            (Some(g), Some(c)) if c != 0.0 => Some(g / c),
            _ => None,
        }
    }
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
                intervals: p.spread.as_ref().map(Intervals::of),
                boundary_level: p.spread.and_then(|s| s.level_of(value)),
                trusted: p.spread.is_some() && model.warning.is_none(),
                warning: model.warning.clone(),
            }
        })
        .collect();
    let judged: Vec<bool> = methods
        .iter()
        .filter(|m| m.trusted)
        .filter_map(|m| m.inside_95(value))
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

/// A claim about one series name, with the series of that name (one per group).
pub struct Claimed<'a> {
    /// The series name.
    pub name: &'a str,
    pub year: i32,
    /// The value as claimed, in `claimed_unit`.
    pub value: f64,
    /// The unit the claim is in, if it names one.
    pub claimed_unit: Option<&'a str>,
    /// What brings the claimed value into the series' unit (1 when it is in it).
    pub factor: f64,
    /// The series' unit.
    pub unit: Option<&'a str>,
    pub series: &'a [KeyedSeries],
}

impl Claimed<'_> {
    /// The claimed value in the series' unit.
    pub fn converted(&self) -> f64 {
        self.value * self.factor
    }
}

/// The checks of the claims, as frames.
pub struct Checks {
    /// One row per claim and series of its name: the verdict and the numbers behind it, as
    /// [`claim_columns`] describes them.
    pub claims: DataFrame,
    /// One row per claim, series and method: the forecast, its intervals and where the claim
    /// falls, as [`method_columns`] describes them.
    pub methods: DataFrame,
    pub notes: Vec<Note>,
    /// Intervals shown but not counted in a verdict.
    pub warnings: Vec<Note>,
    /// Whether some claim is implausible.
    pub rejected: bool,
    /// Distinct series names checked.
    pub series: usize,
}

/// What `check` computes, in words (JSON's `meta.conventions`).
pub const CONVENTIONS: [&str; 3] = [
    "implied growth = (claimed / last observed value)^(1 / (claim year - last year)) - 1; CAGR over the whole history",
    "plausible: inside every trusted 95 % interval; implausible: outside every one; mixed: otherwise; untrusted intervals (model warnings) are not counted",
    "boundary_level: the level of the two-sided interval whose edge passes through the claimed value",
];

/// One claim on one series, judged.
struct Judged {
    key: Vec<String>,
    year: i32,
    claimed: f64,
    unit: Option<String>,
    check: ClaimCheck,
}

/// Checks claims one after another ([`Checker::add`]), then gives their frames
/// ([`Checker::finish`]).
#[derive(Default)]
pub struct Checker {
    judged: Vec<Judged>,
    notes: Vec<Note>,
    warnings: Vec<Note>,
    names: BTreeSet<String>,
}

impl Checker {
    /// Judges `claim` on each series of its name with every method of `methods` that fits.
    /// Errors (in words) when the claim cannot be judged, e.g. for a year already observed.
    pub fn add(
        &mut self,
        claim: &Claimed,
        keys: &[String],
        methods: &[Method],
    ) -> Result<(), String> {
        let value = claim.converted();
        if let (Some(unit), Some(series_unit)) = (claim.claimed_unit, claim.unit) {
            if claim.factor != 1.0 {
                let what = What::ClaimConverted {
                    value: claim.value,
                    unit: unit.to_string(),
                    converted: value,
                    series_unit: series_unit.to_string(),
                };
                self.notes
                    .push(Note::new(Subject::series(claim.name), what));
            }
        }
        for (key, series) in claim.series {
            let at = || Subject::new(keys, key, None);
            let mut models = Vec::new();
            for method in methods {
                match method.fit_or_note(series, at) {
                    Ok(model) => models.push(model),
                    Err(note) => self.notes.push(note),
                }
            }
            let check = check(series, claim.year, value, &models)?;
            self.notes
                .push(Note::new(at(), verdict(claim.year, value, &check)));
            for m in check
                .methods
                .iter()
                .filter(|m| !m.trusted && m.intervals.is_some())
            {
                let what = What::IntervalNotCounted {
                    method: m.method.name().to_string(),
                    why: m.warning.clone().unwrap_or_default(),
                };
                let warning = Note::new(at(), what);
                if !self.warnings.contains(&warning) {
                    self.warnings.push(warning);
                }
            }
            self.names.extend(key.last().cloned());
            self.judged.push(Judged {
                key: key.clone(),
                year: claim.year,
                claimed: value,
                unit: claim.unit.map(str::to_string),
                check,
            });
        }
        Ok(())
    }

    /// The frames of every claim judged.
    pub fn finish(self, keys: &[String]) -> Result<Checks> {
        let rows = &self.judged;
        let claims = RowFrame::keyed(keys, rows, |j| &j.key)
            .column(YEAR, |j| j.year)
            .column("claimed", |j| j.claimed)
            .column(UNIT, |j| j.unit.clone())
            .column("last_year", |j| j.check.last_year)
            .column("last_value", |j| j.check.last_value)
            .column("implied_growth", |j| j.check.implied_growth)
            .column("cagr", |j| j.check.cagr)
            .column("growth_ratio", |j| j.check.growth_ratio())
            .column("verdict", |j| j.check.verdict.name())
            .finish()?;
        let per_method: Vec<(&Judged, &MethodCheck)> = rows
            .iter()
            .flat_map(|j| j.check.methods.iter().map(move |m| (j, m)))
            .collect();
        let methods = RowFrame::keyed(keys, &per_method, |(j, _)| &j.key)
            .column(YEAR, |(j, _)| j.year)
            .column("claimed", |(j, _)| j.claimed)
            .column("method", |(_, m)| m.method.name())
            .column(UNIT, |(j, _)| j.unit.clone())
            .column("point", |(_, m)| m.point)
            .column("lower_80", |(_, m)| m.intervals.map(|iv| iv.at_80.lower))
            .column("upper_80", |(_, m)| m.intervals.map(|iv| iv.at_80.upper))
            .column("lower_95", |(_, m)| m.intervals.map(|iv| iv.at_95.lower))
            .column("upper_95", |(_, m)| m.intervals.map(|iv| iv.at_95.upper))
            .column("inside_80", |(j, m)| m.inside_80(j.claimed))
            .column("inside_95", |(j, m)| m.inside_95(j.claimed))
            .column("boundary_level", |(_, m)| m.boundary_level)
            .column("counted", |(_, m)| m.trusted)
            .finish()?;
        Ok(Checks {
            claims,
            methods,
            rejected: rows.iter().any(|j| j.check.verdict == Verdict::Implausible),
            notes: self.notes,
            warnings: self.warnings,
            series: self.names.len(),
        })
    }
}

/// The verdict on `claimed` in `year`, with the numbers behind it, as a note.
fn verdict(year: i32, claimed: f64, check: &ClaimCheck) -> What {
    What::Verdict {
        claim_year: year,
        claimed,
        implied_growth: check.implied_growth,
        last_year: check.last_year,
        last_value: check.last_value,
        cagr: check.cagr,
        verdict: check.verdict.name().to_string(),
    }
}

/// The `year`, `claimed` and `unit` columns of both frames.
fn claim_key_columns(groups: &[String]) -> Vec<ColumnDef> {
    let mut columns = key_columns(groups);
    columns.extend([
        ColumnDef::year_like(YEAR, "the year of the claim"),
        ColumnDef::quantity("claimed", "the claimed value"),
    ]);
    columns
}

fn unit_column() -> ColumnDef {
    ColumnDef::unit_column("unit of the claimed value, the data and the forecasts")
}

/// The columns of [`Checks::claims`].
pub fn claim_columns(groups: &[String]) -> Vec<ColumnDef> {
    let mut columns = claim_key_columns(groups);
    columns.extend([
        unit_column(),
        ColumnDef::year_like("last_year", "last observed year").header("last year"),
        ColumnDef::quantity("last_value", "value in last_year").header("last value"),
        ColumnDef::fraction(
            "implied_growth",
            "growth per year the claim implies from last_year (fraction)",
        )
        .header("implied growth (%/yr)"),
        ColumnDef::fraction("cagr", "historical compound annual growth rate (fraction)")
            .header("CAGR (%)"),
        ColumnDef::points("growth_ratio", "implied_growth / cagr").header("ratio"),
        ColumnDef::text("verdict", "plausible, implausible, mixed or undetermined"),
    ]);
    columns
}

/// The columns of [`Checks::methods`]. The interval bounds are not described in
/// `meta.columns` (as `check` has always published them).
pub fn method_columns(groups: &[String]) -> Vec<ColumnDef> {
    let bound = |key: &'static str, header: &'static str| {
        ColumnDef::new(key, Kind::Number, "")
            .header(header)
            .unit(UnitOf::Series)
    };
    let mut columns = claim_key_columns(groups);
    columns.extend([
        ColumnDef::text("method", "projection method"),
        unit_column(),
        ColumnDef::quantity("point", "point forecast for the year"),
        bound("lower_80", "80 % low"),
        bound("upper_80", "80 % high"),
        bound("lower_95", "95 % low"),
        bound("upper_95", "95 % high"),
        ColumnDef::text("inside_80", "claimed value inside the 80 % interval").header("in 80 %"),
        ColumnDef::text("inside_95", "claimed value inside the 95 % interval").header("in 95 %"),
        ColumnDef::fraction(
            "boundary_level",
            "level (fraction) of the interval whose boundary passes through the claim",
        )
        .header("on boundary at (%)"),
        ColumnDef::text(
            "counted",
            "whether this method's interval counts in the verdict",
        ),
    ]);
    columns
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
            if let Some(inside) = m.inside_95(16.0) {
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
            assert_eq!(m.inside_95(12.5), Some(true));
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
