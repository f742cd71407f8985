//! `tradestat chart`: SVG figures of levels, growth, shares, indices and projections.
//!
//! Each figure is drawn from the same result table the matching command prints, so a chart
//! never disagrees with the numbers.

use super::project::ProjectRequest;
use super::{growth, index, project, share, show};
use crate::analysis::project::Method;
use crate::chart::ChartKind;
use crate::chart::{render_svg, Band, Body, Chart, Forecast, Line};
use crate::cli::ChartArgs;
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, Table, Value};
use crate::pipeline::Pipeline;
use crate::render::write_atomic;
use crate::schema::Reads;
use anyhow::{bail, Context, Result};
use std::io::Write;

/// What to draw, after the command line is checked.
pub struct ChartRequest {
    pub kind: ChartKind,
    pub series: Vec<String>,
    pub part: Option<String>,
    pub whole: Option<String>,
    pub base: Option<i32>,
    pub methods: Vec<Method>,
    pub horizon: u16,
    pub title: Option<String>,
    pub width: u32,
    pub height: u32,
}

pub fn run(args: ChartArgs) -> Result<()> {
    let mut config = Config::new(args.data, args.span, Default::default())?;
    // What --unit converts: growth and share read each series' base year, an index its --base.
    config.reads = match args.kind {
        ChartKind::Growth | ChartKind::Share => Reads::default(),
        ChartKind::Index => Reads {
            year: args.base,
            ..Reads::SPAN
        },
        ChartKind::Series | ChartKind::Projection => Reads::SPAN,
    };
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
    let request = ChartRequest {
        kind: args.kind,
        series: args.series,
        part: args.part,
        whole: args.whole,
        base: args.base,
        methods: crate::cli::resolve_methods(&args.methods),
        horizon: args.horizon,
        title: args.title,
        width: args.width,
        height: args.height,
    };
    let svg = build(pipeline.config(), &dataset, &request)?;
    match args.output {
        Some(path) => write_atomic(&path, svg.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(svg.as_bytes())?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// The SVG for `request`.
pub fn build(common: &Config, dataset: &Dataset, request: &ChartRequest) -> Result<String> {
    let (title, y_label, body) = match request.kind {
        ChartKind::Series => {
            let out = show::build(common, dataset, &request.series)?;
            let y = single_unit(&out).unwrap_or_else(|| "value".to_string());
            let title = out.tables[0].title.clone();
            (
                title,
                y,
                Body::Lines {
                    lines: lines(&out.tables[0], "value", 1.0)?,
                    baseline: None,
                },
            )
        }
        ChartKind::Growth => {
            let out = growth::build(common, dataset, &request.series, false)?;
            (
                "Year-on-year growth".to_string(),
                "YoY growth (%)".to_string(),
                Body::Bars {
                    bars: lines(&out.tables[0], "yoy", 100.0)?,
                },
            )
        }
        ChartKind::Index => {
            let out = index::build(common, dataset, &request.series, request.base)?;
            let title = out.tables[0].title.clone();
            (
                title,
                "index".to_string(),
                Body::Lines {
                    lines: lines(&out.tables[0], "index", 1.0)?,
                    baseline: Some(100.0),
                },
            )
        }
        ChartKind::Share => {
            let (Some(part), Some(whole)) = (&request.part, &request.whole) else {
                bail!("--kind share needs --part and --whole (e.g. --part cbec --whole trade)");
            };
            let out = share::build(common, dataset, part, whole)?;
            let title = out.tables[0].title.clone();
            let mut shares = lines(&out.tables[0], "share", 100.0)?;
            for line in &mut shares {
                if line.label.is_empty() {
                    line.label = format!("{part} / {whole}");
                }
            }
            (
                title,
                format!("share of {whole} (%)"),
                Body::Lines {
                    lines: shares,
                    baseline: None,
                },
            )
        }
        ChartKind::Projection => {
            let request_p = ProjectRequest {
                series: request.series.clone(),
                // cagr too: it has no interval, so it is drawn as marked points without a band.
                methods: request.methods.clone(),
                to: None,
                horizon: request.horizon,
                levels: vec![80.0, 95.0],
                with_history: true,
                models_only: false,
            };
            let out = project::build(common, dataset, &request_p)?;
            let table = &out.tables[0];
            let labels = labels(table)?;
            let mut distinct = labels.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() != 1 {
                bail!(
                    "--kind projection draws one series, but {} are selected ({}); pick one with --series",
                    distinct.len(),
                    distinct.join(", ")
                );
            }
            let y = single_unit(&out).unwrap_or_else(|| "value".to_string());
            let title = format!("{}: projections with 80 % and 95 % intervals", distinct[0]);
            (title, y, projection_body(table)?)
        }
    };
    if let Some(why) = nothing_to_draw(request.kind, &body) {
        bail!("nothing to draw: {why}");
    }
    let chart = Chart {
        title: request.title.clone().unwrap_or(title),
        y_label,
        width: request.width,
        height: request.height,
        body,
    };
    render_svg(&chart)
}

/// Why `body` has nothing to draw, when it has not: the numbers it would draw are all empty.
fn nothing_to_draw(kind: ChartKind, body: &Body) -> Option<&'static str> {
    let empty = match body {
        Body::Lines { lines, .. } | Body::Bars { bars: lines } => lines.is_empty(),
        // A projection chart needs a projection: history alone is a series chart.
        Body::Projection { methods, .. } => methods.iter().all(|m| m.points.is_empty()),
    };
    empty.then_some(match kind {
        ChartKind::Series => "no selected year has a value",
        ChartKind::Growth => "no year has a year-on-year growth rate (each needs the year before with a positive value, and a result that fits in a float)",
        ChartKind::Index => "no year has an index number (each needs a positive value in the base year, and a result that fits in a float)",
        ChartKind::Share => "no year has a share (each needs both series and a positive whole)",
        ChartKind::Projection => "no method gives a projection to draw (each needs enough years, and forecasts that fit in a float)",
    })
}

/// The unit of every series in a result, when there is one.
fn single_unit(out: &Output) -> Option<String> {
    let mut units = out.meta.units.values();
    let first = units.next()?;
    units.all(|u| u == first).then(|| first.clone())
}

fn column(table: &Table, key: &str) -> Result<usize> {
    table
        .columns
        .iter()
        .position(|c| c.key == key)
        .with_context(|| format!("internal error: no column {key} in {}", table.title))
}

/// A label per row from the key columns (groups and series; `year` and after are not keys).
fn labels(table: &Table) -> Result<Vec<String>> {
    let year = column(table, "year")?;
    Ok(table
        .rows
        .iter()
        .map(|row| {
            row[..year]
                .iter()
                .filter_map(|v| match v {
                    Value::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect())
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Float(x) => Some(*x),
        Value::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// One line per key, of column `key` × `scale`; rows without a value are skipped.
fn lines(table: &Table, key: &str, scale: f64) -> Result<Vec<Line>> {
    let (year, value) = (column(table, "year")?, column(table, key)?);
    let mut out: Vec<Line> = Vec::new();
    for (row, label) in table.rows.iter().zip(labels(table)?) {
        let (Value::Int(y), Some(v)) = (&row[year], number(&row[value])) else {
            continue;
        };
        let point = (*y as i32, v * scale);
        match out.last_mut() {
            Some(line) if line.label == label => line.points.push(point),
            _ => out.push(Line {
                label,
                points: vec![point],
            }),
        }
    }
    Ok(out)
}

fn projection_body(table: &Table) -> Result<Body> {
    let (year, method, point) = (
        column(table, "year")?,
        column(table, "method")?,
        column(table, "point")?,
    );
    let bounds = ["lower_80", "upper_80", "lower_95", "upper_95"]
        .map(|k| column(table, k))
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let mut history = Line {
        label: "observed".to_string(),
        points: Vec::new(),
    };
    let mut methods: Vec<Band> = Vec::new();
    for row in &table.rows {
        let (Value::Int(y), Value::Text(m), Some(p)) =
            (&row[year], &row[method], number(&row[point]))
        else {
            continue;
        };
        let y = *y as i32;
        if m == "history" {
            history.points.push((y, p));
            continue;
        }
        let b = |i: usize| number(&row[bounds[i]]);
        let pair = |lo: Option<f64>, hi: Option<f64>| lo.zip(hi);
        let entry = Forecast {
            year: y,
            point: p,
            b80: pair(b(0), b(1)),
            b95: pair(b(2), b(3)),
        };
        match methods.iter_mut().find(|band| band.label == *m) {
            Some(band) => band.points.push(entry),
            None => methods.push(Band {
                label: m.clone(),
                points: vec![entry],
            }),
        }
    }
    Ok(Body::Projection { history, methods })
}
