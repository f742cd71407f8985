//! Projecting the selected series: every method fitted to every series, the forecasts with
//! their intervals (and the history, when asked) and the fitted models as frames, and notes on
//! what could not be projected.

use super::{series_names, unit_of, KeyedSeries, Method, Model, Series};
use crate::analysis::{key_label, RowFrame};
use crate::notes::{self, Note, Subject, What};
use crate::schema::columns::key_columns;
use crate::schema::{ColumnDef, Kind, UnitOf, UNIT, YEAR};
use anyhow::{bail, Result};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// Most years a projection runs past the last observed year, for `--horizon` and `--to` alike
/// (`--horizon` cannot ask for more; `--to` further out is an error). Two centuries is far
/// past any use of these methods, and it bounds the rows a command line can ask for.
pub const MAX_HORIZON: u16 = 200;

/// The `method` of the observed values in [`Projection::forecasts`].
pub const HISTORY: &str = "history";

/// What to project: with which methods, how far, at which interval levels.
#[derive(Debug, Clone)]
pub struct Plan {
    pub methods: Vec<Method>,
    /// Last year to project; else `horizon` years past each series' last.
    pub to: Option<i32>,
    pub horizon: u16,
    /// Interval levels in percent, in any order and with repeats.
    pub levels: Vec<f64>,
    /// Whether the forecasts start each series with its observed values.
    pub with_history: bool,
}

impl Plan {
    /// What a figure draws: each series' history, then `horizon` years of each method's
    /// forecasts with 80 % and 95 % intervals.
    pub fn figure(methods: &[Method], horizon: u16) -> Self {
        Plan {
            methods: methods.to_vec(),
            to: None,
            horizon,
            levels: vec![80.0, 95.0],
            with_history: true,
        }
    }
}

/// The projections of the selected series.
#[derive(Debug, Clone)]
pub struct Projection {
    /// Per series: its observed values (`method` = `history`, no bounds) when the plan asks
    /// for them, then each method's forecasts by year. Columns as [`forecast_columns`]
    /// describes them: keys, `year`, `method`, `unit`, `point`, then `lower_L` and `upper_L`
    /// for each level L of [`Projection::levels`] ([`bound_columns`]; null for a method
    /// without an interval). A point or bound too large to represent is not finite.
    pub forecasts: DataFrame,
    /// One row per fitted model: keys, `method`, its parameters and fit statistics, as
    /// [`model_columns`] describes them.
    pub models: DataFrame,
    /// The interval levels in percent, ascending, without repeats.
    pub levels: Vec<f64>,
    pub methods: Vec<Method>,
    /// How the intervals are built, in words: one per method that was fitted.
    pub conventions: Vec<&'static str>,
    pub notes: Vec<Note>,
    /// What the fitted models say against their own intervals.
    pub warnings: Vec<Note>,
    /// Distinct series names selected, projected or not.
    pub series: usize,
}

/// `80` → `80`, `99.5` → `99.5`: a level as it appears in column names.
pub fn level_name(level: f64) -> String {
    if level.fract() == 0.0 {
        format!("{level:.0}")
    } else {
        format!("{level}")
    }
}

/// The names of the lower and upper bound columns at `level` (percent): `lower_80`,
/// `upper_80`.
pub fn bound_columns(level: f64) -> [String; 2] {
    let name = level_name(level);
    [format!("lower_{name}"), format!("upper_{name}")]
}

/// One row of [`Projection::forecasts`].
struct ForecastRow<'a> {
    key: &'a [String],
    year: i32,
    method: &'static str,
    point: f64,
    /// (lower, upper) at each level; `None` without an interval.
    bounds: Vec<Option<(f64, f64)>>,
}

/// Rows and notes, gathered series after series.
#[derive(Default)]
struct Gathered<'a> {
    forecasts: Vec<ForecastRow<'a>>,
    models: Vec<(&'a [String], Model)>,
    conventions: Vec<&'static str>,
    notes: Vec<Note>,
    warnings: Vec<Note>,
    overflows: Vec<Note>,
}

/// Projects every series of `all` (split by [`super::series_of`]; units by series name)
/// as `plan` says. Errors when `plan.to` is not after the data, or too far past it.
pub fn run(
    all: &[KeyedSeries],
    keys: &[String],
    units: &BTreeMap<String, String>,
    plan: &Plan,
) -> Result<Projection> {
    if let Some(to) = plan.to {
        check_to(all, keys, to)?;
    }
    let mut levels = plan.levels.clone();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let mut gathered = Gathered::default();
    for (key, series) in all {
        gathered.series(keys, key, series, plan, &levels);
    }
    let Gathered {
        forecasts,
        models,
        conventions,
        mut notes,
        warnings,
        overflows,
    } = gathered;
    notes.extend(notes::cap(overflows));
    Ok(Projection {
        forecasts: forecast_frame(keys, units, &forecasts, &levels)?,
        models: model_frame(keys, &models)?,
        levels,
        methods: plan.methods.clone(),
        conventions,
        notes,
        warnings,
        series: series_names(all),
    })
}

/// Refuses a `--to` the data already reaches, or one past [`MAX_HORIZON`] from a series'
/// last year.
fn check_to(all: &[KeyedSeries], keys: &[String], to: i32) -> Result<()> {
    let last_year = all.iter().map(|(_, s)| s.last_year()).max().unwrap_or(0);
    if to <= last_year {
        bail!(
            "--to {to}: the data already runs to {last_year} (expected a later year to project to)"
        );
    }
    // Every series that gets projected is bound by the limit, counted from its own last
    // year; the one that ends first (and still before --to) binds.
    let Some((key, first_end)) = all
        .iter()
        .map(|(key, s)| (key, s.last_year()))
        .filter(|(_, end)| *end < to)
        .min_by_key(|(_, end)| *end)
    else {
        return Ok(());
    };
    if i64::from(to) - i64::from(first_end) > i64::from(MAX_HORIZON) {
        let whose = if all.len() > 1 {
            format!("{}'s last observed year", key_label(keys, key))
        } else {
            "the last observed year".to_string()
        };
        bail!(
            "--to {to} is {} years past {whose}, {first_end}; projections run at most {MAX_HORIZON} years ahead (expected --to {} or earlier)",
            to - first_end,
            first_end + i32::from(MAX_HORIZON)
        );
    }
    Ok(())
}

impl<'a> Gathered<'a> {
    /// The history (when asked) and every method's forecasts of one series.
    fn series(
        &mut self,
        keys: &[String],
        key: &'a [String],
        series: &Series,
        plan: &Plan,
        levels: &[f64],
    ) {
        let at = || Subject::new(keys, key, None);
        let last_year = series.last_year();
        let end = plan.to.unwrap_or(last_year + i32::from(plan.horizon));
        if end <= last_year {
            self.notes
                .push(Note::new(at(), What::NothingToProject { last_year }));
            return;
        }
        if plan.with_history {
            let history = series.years.iter().zip(&series.values);
            self.forecasts
                .extend(history.map(|(&year, &point)| ForecastRow {
                    key,
                    year,
                    method: HISTORY,
                    point,
                    bounds: vec![None; levels.len()],
                }));
        }
        for &method in &plan.methods {
            match method.fit_or_note(series, at) {
                Ok(model) => self.model(at(), key, model, end, levels),
                Err(note) => self.notes.push(note),
            }
        }
    }

    /// The forecasts of one fitted model to `end`, its notes, and its row in the summary.
    fn model(&mut self, at: Subject, key: &'a [String], model: Model, end: i32, levels: &[f64]) {
        let method = model.method.name();
        if !self.conventions.contains(&model.convention) {
            self.conventions.push(model.convention);
        }
        let said = |text: &String| {
            let what = What::Model {
                method: method.to_string(),
                text: text.clone(),
            };
            Note::new(at.clone(), what)
        };
        self.warnings.extend(model.warning.as_ref().map(said));
        self.notes.extend(model.note.as_ref().map(said));
        // Years whose point or bounds are not finite: their cells print empty, and a note
        // says why (values that overflow, far out or from huge data).
        let (mut points_over, mut bounds_over) = (Vec::new(), Vec::new());
        for year in model.last_year + 1..=end {
            let p = model.predict(year);
            let bounds: Vec<Option<(f64, f64)>> = levels
                .iter()
                .map(|level| p.spread.map(|s| s.interval(level / 100.0)))
                .collect();
            if !p.point.is_finite() {
                points_over.push(year);
            }
            if bounds
                .iter()
                .flatten()
                .any(|(lo, hi)| !(lo.is_finite() && hi.is_finite()))
            {
                bounds_over.push(year);
            }
            self.forecasts.push(ForecastRow {
                key,
                year,
                method,
                point: p.point,
                bounds,
            });
        }
        for (years, bounds) in [(points_over, false), (bounds_over, true)] {
            if !years.is_empty() {
                let what = What::ForecastOverflow {
                    method: method.to_string(),
                    years,
                    bounds,
                };
                self.overflows.push(Note::new(at.clone(), what));
            }
        }
        self.models.push((key, model));
    }
}

fn forecast_frame(
    keys: &[String],
    units: &BTreeMap<String, String>,
    rows: &[ForecastRow],
    levels: &[f64],
) -> Result<DataFrame> {
    let mut frame = RowFrame::keyed(keys, rows, |r| r.key)
        .column(YEAR, |r| r.year)
        .column("method", |r| r.method)
        .column(UNIT, |r| unit_of(units, r.key))
        .column("point", |r| r.point);
    for (i, &level) in levels.iter().enumerate() {
        let [lower, upper] = bound_columns(level);
        frame = frame
            .column(lower, |r| r.bounds[i].map(|b| b.0))
            .column(upper, |r| r.bounds[i].map(|b| b.1));
    }
    frame.finish()
}

fn model_frame(keys: &[String], rows: &[(&[String], Model)]) -> Result<DataFrame> {
    RowFrame::keyed(keys, rows, |(key, _)| *key)
        .column("method", |(_, m)| m.method.name())
        .column("observations", |(_, m)| m.params.observations as i64)
        .column("intercept", |(_, m)| m.params.intercept)
        .column("slope", |(_, m)| m.params.slope)
        .column("r2", |(_, m)| m.params.r2)
        .column("sigma", |(_, m)| m.params.sigma)
        .column("growth", |(_, m)| m.params.growth)
        .column("alpha", |(_, m)| m.params.alpha)
        .column("beta", |(_, m)| m.params.beta)
        .column("beta_star", |(_, m)| m.params.beta_star)
        .column("phi", |(_, m)| m.params.phi)
        .column("quantile", |(_, m)| {
            m.quantile.map_or("none".to_string(), |q| q.label())
        })
        .column("warning", |(_, m)| m.warning.clone())
        .finish()
}

/// The `method` column of both frames.
fn method_column() -> ColumnDef {
    ColumnDef::text(
        "method",
        "projection method, or `history` for observed values",
    )
}

/// The columns of [`Projection::forecasts`] with intervals at `levels` (percent, in order).
pub fn forecast_columns(groups: &[String], levels: &[f64]) -> Vec<ColumnDef> {
    let mut columns = key_columns(groups);
    columns.extend([
        ColumnDef::year_like(
            YEAR,
            "calendar year (observed with --with-history, else projected)",
        ),
        method_column(),
        ColumnDef::unit_column("unit of point and bounds"),
        ColumnDef::quantity(
            "point",
            "point forecast (the median for loglinear), or the observed value",
        ),
    ]);
    for &level in levels {
        let name = level_name(level);
        let [lower, upper] = bound_columns(level);
        let bound = |key: String, side: &str, header: &str| {
            let meaning = format!("{side} bound of the two-sided {name} % prediction interval");
            ColumnDef::new(key, Kind::Number, meaning)
                .header(format!("{name} % {header}"))
                .unit(UnitOf::Series)
        };
        columns.push(bound(lower, "lower", "low"));
        columns.push(bound(upper, "upper", "high"));
    }
    columns
}

/// The columns of [`Projection::models`].
pub fn model_columns(groups: &[String]) -> Vec<ColumnDef> {
    let number = |key: &'static str, header: &'static str, meaning: &'static str| {
        ColumnDef::new(key, Kind::Number, meaning).header(header)
    };
    let mut columns = key_columns(groups);
    columns.extend([
        method_column(),
        ColumnDef::integer("observations", "years the model was fitted on").header("years"),
        number("intercept", "intercept / level", "linear: value at x = 0 (x = 1 in the first year); loglinear: on ln(value); holt: final level"),
        number("slope", "slope / trend", "linear: change per year; loglinear: ln growth per year; drift: mean change; holt: final trend"),
        ColumnDef::points("r2", "coefficient of determination of the OLS fit").header("R²"),
        number("sigma", "σ", "residual standard deviation (OLS s; drift σ of the differences; holt one-step σ)"),
        ColumnDef::fraction("growth", "implied growth per year as a fraction (loglinear exp(slope) - 1; cagr)").header("growth (%/yr)"),
        ColumnDef::points("alpha", "holt: level smoothing α").header("α"),
        ColumnDef::points("beta", "holt: trend smoothing β = α·β* (as ETS / statsmodels ETSModel report it)").header("β"),
        ColumnDef::points("beta_star", "holt: trend smoothing β* (as statsmodels Holt reports it); empty when α = 0, where β* has no effect and is not determined by the data").header("β*"),
        ColumnDef::points("phi", "damped holt: damping φ").header("φ"),
        ColumnDef::text("quantile", "distribution of the interval's critical values: t(df), normal, or none"),
        ColumnDef::text("warning", "why the interval should not be trusted, if so").machine_only(),
    ]);
    columns
}
