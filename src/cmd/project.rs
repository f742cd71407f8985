//! `tradestat project`: forecasts with prediction intervals, and the model summary.

use super::{
    key_cells, key_columns, level_name, load_series, resolve_methods, unit_column, unit_label,
};
use crate::analysis::project::{KeyedSeries, Method, Model};
use crate::analysis::{cap_notes, key_label, Reads, OVERFLOWS};
use crate::cli::{ProjectArgs, SpanArgs};
use crate::config::Config;
use crate::data::Dataset;
use crate::data::{UNIT, YEAR};
use crate::output::{Column, Kind, Output, Table, Value};
use crate::pipeline::Pipeline;
use anyhow::{bail, Result};

/// Most years a projection runs past the last observed year, for `--horizon` and `--to` alike
/// (`--horizon` cannot ask for more; `--to` further out is an error). Two centuries is far
/// past any use of these methods, and it bounds the rows a command line can ask for.
pub const MAX_HORIZON: u16 = 200;

/// What to project, after the command line is checked.
pub struct ProjectRequest {
    pub series: Vec<String>,
    pub methods: Vec<Method>,
    /// Last year to project; else `horizon` years past each series' last.
    pub to: Option<i32>,
    pub horizon: u16,
    /// Levels in percent.
    pub levels: Vec<f64>,
    pub with_history: bool,
    pub models_only: bool,
}

pub fn run(args: ProjectArgs) -> Result<()> {
    let span = SpanArgs {
        from: args.from,
        to: None,
    };
    let mut config = Config::new(args.data, span, args.output)?;
    config.reads = Reads::SPAN;
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
    let request = ProjectRequest {
        series: args.series,
        methods: resolve_methods(&args.methods),
        to: args.to,
        horizon: args.horizon.unwrap_or(1),
        levels: args.level,
        with_history: args.with_history,
        models_only: args.models,
    };
    pipeline.emit(&build(pipeline.config(), &dataset, &request)?)
}

/// Forecasts and the model summary.
pub fn build(common: &Config, dataset: &Dataset, args: &ProjectRequest) -> Result<Output> {
    let (all, units) = load_series(common, dataset, &args.series)?;
    let keys = dataset.keys();
    let methods = &args.methods;
    let mut levels = args.levels.clone();
    levels.sort_by(f64::total_cmp);
    levels.dedup();

    let last_year = all.iter().map(|(_, s)| s.last_year()).max().unwrap_or(0);
    if let Some(to) = args.to {
        if to <= last_year {
            bail!("--to {to}: the data already runs to {last_year} (expected a later year to project to)");
        }
        // Every series that gets projected is bound by the limit, counted from its own last
        // year; the one that ends first (and still before --to) binds.
        if let Some((key, first_end)) = all
            .iter()
            .map(|(key, s)| (key, s.last_year()))
            .filter(|(_, end)| *end < to)
            .min_by_key(|(_, end)| *end)
        {
            if i64::from(to) - i64::from(first_end) > i64::from(MAX_HORIZON) {
                let whose = if all.len() > 1 {
                    format!("{}'s last observed year", key_label(&keys, key))
                } else {
                    "the last observed year".to_string()
                };
                bail!(
                    "--to {to} is {} years past {whose}, {first_end}; projections run at most {MAX_HORIZON} years ahead (expected --to {} or earlier)",
                    to - first_end,
                    first_end + i32::from(MAX_HORIZON)
                );
            }
        }
    }

    let mut meta = common.meta("project", dataset, &units);
    meta.param(
        "methods",
        methods.iter().map(|m| m.name()).collect::<Vec<_>>(),
    );
    meta.param("levels", &levels);
    let unit = unit_label(&units, series_names(&all));
    let mut forecasts = Vec::new();
    let mut summaries = Vec::new();
    let mut conventions: Vec<&str> = Vec::new();
    let mut overflows = Vec::new();
    for (key, series) in &all {
        let label = key_label(&keys, key);
        let series_unit =
            Value::opt_text(units.get(key.last().map_or("", String::as_str)).cloned());
        let end = match args.to {
            Some(to) => to,
            None => series.last_year() + i32::from(args.horizon),
        };
        if end <= series.last_year() {
            meta.notes.push(format!(
                "{label}: the data already runs to {}, nothing to project",
                series.last_year()
            ));
            continue;
        }
        if args.with_history {
            for (year, value) in series.years.iter().zip(&series.values) {
                let mut row = key_cells(key);
                row.extend([
                    Value::Int(i64::from(*year)),
                    Value::text("history"),
                    series_unit.clone(),
                    Value::float(*value),
                ]);
                row.extend(levels.iter().flat_map(|_| [Value::Null, Value::Null]));
                forecasts.push(row);
            }
        }
        for &method in methods {
            let model = match method.fit(series) {
                Ok(model) => model,
                Err(why) => {
                    meta.notes
                        .push(format!("{label}: no {} projection: {why}", method.name()));
                    continue;
                }
            };
            if !conventions.contains(&model.convention) {
                conventions.push(model.convention);
            }
            if let Some(warning) = &model.warning {
                meta.warnings
                    .push(format!("{label} {}: {warning}", method.name()));
            }
            if let Some(note) = &model.note {
                meta.notes
                    .push(format!("{label} {}: {note}", method.name()));
            }
            // Years whose point or bounds are not finite: their cells print empty, and a
            // note says why (values that overflow, far out or from huge data).
            let (mut points_over, mut bounds_over) = (Vec::new(), Vec::new());
            for year in series.last_year() + 1..=end {
                let p = model.predict(year);
                let mut row = key_cells(key);
                row.extend([
                    Value::Int(i64::from(year)),
                    Value::text(method.name()),
                    series_unit.clone(),
                    Value::float(p.point),
                ]);
                if !p.point.is_finite() {
                    points_over.push(year);
                }
                let mut bounds_finite = true;
                for &level in &levels {
                    let bounds = p.spread.map(|s| s.interval(level / 100.0));
                    if let Some((lo, hi)) = bounds {
                        bounds_finite &= lo.is_finite() && hi.is_finite();
                    }
                    row.push(Value::opt_float(bounds.map(|b| b.0)));
                    row.push(Value::opt_float(bounds.map(|b| b.1)));
                }
                if !bounds_finite {
                    bounds_over.push(year);
                }
                forecasts.push(row);
            }
            for (years, what) in [
                (points_over, "the point forecast overflows"),
                (bounds_over, "interval bounds overflow"),
            ] {
                if !years.is_empty() {
                    overflows.push(format!(
                        "{label} {} {}: {what}: {OVERFLOWS}",
                        method.name(),
                        year_runs(&years)
                    ));
                }
            }
            summaries.push(summary_row(key, &model));
        }
    }
    meta.notes.extend(cap_notes(overflows));
    if forecasts.is_empty() {
        bail!(
            "no method could project any selected series ({})",
            meta.notes.join("; ")
        );
    }
    meta.conventions = conventions.iter().map(|c| c.to_string()).collect();

    let mut columns = key_columns(dataset, &mut meta);
    meta.describe(
        YEAR,
        "calendar year (observed with --with-history, else projected)",
    );
    meta.describe(
        "method",
        "projection method, or `history` for observed values",
    );
    meta.describe(UNIT, "unit of point and bounds");
    meta.describe(
        "point",
        "point forecast (the median for loglinear), or the observed value",
    );
    columns.extend([
        Column::new(YEAR, YEAR, Kind::Integer),
        Column::new("method", "method", Kind::Text),
        unit_column(&unit),
        Column::new("point", format!("point{}", unit.suffix), Kind::Number),
    ]);
    for &level in &levels {
        let name = level_name(level);
        meta.describe(
            &format!("lower_{name}"),
            format!("lower bound of the two-sided {name} % prediction interval"),
        );
        meta.describe(
            &format!("upper_{name}"),
            format!("upper bound of the two-sided {name} % prediction interval"),
        );
        columns.push(Column::new(
            &format!("lower_{name}"),
            format!("{name} % low"),
            Kind::Number,
        ));
        columns.push(Column::new(
            &format!("upper_{name}"),
            format!("{name} % high"),
            Kind::Number,
        ));
    }
    let forecasts = Table {
        key: "rows".to_string(),
        title: "Projections with prediction intervals".to_string(),
        columns,
        rows: forecasts.into(),
    };
    let models = models_table(dataset, &mut meta, summaries);
    let tables = if args.models_only {
        vec![models]
    } else {
        vec![forecasts, models]
    };
    Ok(Output { tables, meta })
}

fn summary_row(key: &[String], model: &Model) -> Vec<Value> {
    let p = &model.params;
    let mut row = key_cells(key);
    row.extend([
        Value::text(model.method.name()),
        Value::Int(p.observations as i64),
        Value::opt_float(p.intercept),
        Value::opt_float(p.slope),
        Value::opt_float(p.r2),
        Value::opt_float(p.sigma),
        Value::opt_float(p.growth),
        Value::opt_float(p.alpha),
        Value::opt_float(p.beta),
        Value::opt_float(p.beta_star),
        Value::opt_float(p.phi),
        Value::text(model.quantile.map_or("none".to_string(), |q| q.label())),
        Value::opt_text(model.warning.clone()),
    ]);
    row
}

fn models_table(
    dataset: &crate::data::Dataset,
    meta: &mut crate::output::Meta,
    rows: Vec<Vec<Value>>,
) -> Table {
    let mut columns = key_columns(dataset, meta);
    for (key, description) in [
        ("observations", "years the model was fitted on"),
        ("intercept", "linear: value at x = 0 (x = 1 in the first year); loglinear: on ln(value); holt: final level"),
        ("slope", "linear: change per year; loglinear: ln growth per year; drift: mean change; holt: final trend"),
        ("r2", "coefficient of determination of the OLS fit"),
        ("sigma", "residual standard deviation (OLS s; drift σ of the differences; holt one-step σ)"),
        ("growth", "implied growth per year as a fraction (loglinear exp(slope) - 1; cagr)"),
        ("alpha", "holt: level smoothing α"),
        ("beta", "holt: trend smoothing β = α·β* (as ETS / statsmodels ETSModel report it)"),
        ("beta_star", "holt: trend smoothing β* (as statsmodels Holt reports it); empty when α = 0, where β* has no effect and is not determined by the data"),
        ("phi", "damped holt: damping φ"),
        ("quantile", "distribution of the interval's critical values: t(df), normal, or none"),
        ("warning", "why the interval should not be trusted, if so"),
    ] {
        meta.describe(key, description);
    }
    columns.extend([
        Column::new("method", "method", Kind::Text),
        Column::new("observations", "years", Kind::Integer),
        Column::new("intercept", "intercept / level", Kind::Number),
        Column::new("slope", "slope / trend", Kind::Number),
        Column::new("r2", "R²", Kind::Points),
        Column::new("sigma", "σ", Kind::Number),
        Column::new("growth", "growth (%/yr)", Kind::Percent),
        Column::new("alpha", "α", Kind::Points),
        Column::new("beta", "β", Kind::Points),
        Column::new("beta_star", "β*", Kind::Points),
        Column::new("phi", "φ", Kind::Points),
        Column::new("quantile", "quantile", Kind::Text),
        Column::new("warning", "warning", Kind::Text).machine_only(),
    ]);
    Table {
        key: "models".to_string(),
        title: "Models".to_string(),
        columns,
        rows: rows.into(),
    }
}

/// Sorted years as runs: `2150`, `2150–2219`, `2150–2160, 2170`.
pub(crate) fn year_runs(years: &[i32]) -> String {
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for &year in years {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == year => *end = year,
            _ => runs.push((year, year)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Number of distinct series names among keyed series.
pub fn series_names(all: &[KeyedSeries]) -> usize {
    let names: std::collections::BTreeSet<&String> =
        all.iter().filter_map(|(k, _)| k.last()).collect();
    names.len()
}

#[cfg(test)]
mod tests {
    use super::{year_runs, MAX_HORIZON};

    #[test]
    fn the_help_states_the_limit() {
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let project = cli.find_subcommand("project").unwrap();
        for flag in ["to", "horizon"] {
            let arg = project
                .get_arguments()
                .find(|a| a.get_id() == flag)
                .unwrap();
            let help = arg.get_help().unwrap().to_string();
            assert!(
                help.contains(&format!("at most {MAX_HORIZON}")),
                "--{flag}: {help}"
            );
        }
    }

    #[test]
    fn years_read_as_runs() {
        assert_eq!(year_runs(&[2150]), "2150");
        assert_eq!(year_runs(&[2150, 2151, 2152]), "2150–2152");
        assert_eq!(year_runs(&[2150, 2151, 2160]), "2150–2151, 2160");
        assert_eq!(year_runs(&[]), "");
    }
}
