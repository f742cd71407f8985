//! Figures from analysis results: each takes the typed result a command computed (its
//! frames, by column name) and gives a [`Figure`], so a figure never disagrees with the table
//! made from the same result, and `tradestat chart` and `tradestat report` draw alike.

use super::lines::{labels, lines, projection_body};
use super::{render_svg, Body, Chart};
use crate::analysis::growth::Growth;
use crate::analysis::index::{self, Indexed};
use crate::analysis::share::{self, Share, SHARE};
use crate::analysis::Selected;
use crate::data::SourceMeta;
use crate::schema::VALUE;
use anyhow::{bail, Result};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// A figure before it is drawn: its own title, the label of its value axis, what it shows,
/// and why there is nothing to draw when the body is empty.
#[derive(Debug, Clone)]
pub struct Figure {
    pub title: String,
    pub y_label: String,
    pub body: Body,
    pub empty: &'static str,
}

impl Figure {
    /// The SVG at `width` × `height` pixels, titled `title` or else its own title; an error
    /// saying why when the numbers it would draw are all empty.
    pub fn draw(self, title: Option<&str>, width: u32, height: u32) -> Result<String> {
        let empty = match &self.body {
            Body::Lines { lines, .. } | Body::Bars { bars: lines } => lines.is_empty(),
            // A projection figure needs a projection: history alone is a series figure.
            Body::Projection { methods, .. } => methods.iter().all(|m| m.points.is_empty()),
        };
        if empty {
            bail!("nothing to draw: {}", self.empty);
        }
        render_svg(&Chart {
            title: title.map_or(self.title, String::from),
            y_label: self.y_label,
            width,
            height,
            body: self.body,
        })
    }
}

/// The unit of every series in a result, when there is one.
fn single_unit(units: &BTreeMap<String, String>) -> Option<String> {
    let mut units = units.values();
    let first = units.next()?;
    units.all(|u| u == first).then(|| first.clone())
}

/// The series over time: one line per key (`keys`) of the data `show` selects.
pub fn series(data: &Selected<DataFrame>, keys: &[String], source: &SourceMeta) -> Result<Figure> {
    Ok(Figure {
        title: source.data_title(),
        y_label: single_unit(&data.units).unwrap_or_else(|| "value".to_string()),
        body: Body::Lines {
            lines: lines(&data.result, keys, VALUE, 1.0)?,
            baseline: None,
        },
        empty: "no selected year has a value",
    })
}

/// Year-on-year growth in percent: bars per year, one per key, from [`Growth::yearly`].
pub fn growth(growth: &Selected<Growth>, keys: &[String]) -> Result<Figure> {
    Ok(Figure {
        title: "Year-on-year growth".to_string(),
        y_label: "YoY growth (%)".to_string(),
        body: Body::Bars {
            bars: lines(&growth.result.yearly, keys, "yoy", 100.0)?,
        },
        empty: "no year has a year-on-year growth rate (each needs the year before with a positive value, and a result that fits in a float)",
    })
}

/// Index numbers on `base` (as the result was computed), with the line at 100.
pub fn index(indexed: &Selected<Indexed>, keys: &[String], base: Option<i32>) -> Result<Figure> {
    Ok(Figure {
        title: index::title(base),
        y_label: "index".to_string(),
        body: Body::Lines {
            lines: lines(&indexed.result.frame, keys, "index", 1.0)?,
            baseline: Some(100.0),
        },
        empty: "no year has an index number (each needs a positive value in the base year, and a result that fits in a float)",
    })
}

/// The share in percent, one line per group (`groups`); `part` and `whole` as the user named
/// them label the line and the axis.
pub fn share(
    share: &Selected<Share>,
    groups: &[String],
    part: &str,
    whole: &str,
) -> Result<Figure> {
    let result = &share.result;
    let mut shares = lines(&result.frame, groups, SHARE, 100.0)?;
    for line in &mut shares {
        if line.label.is_empty() {
            line.label = format!("{part} / {whole}");
        }
    }
    Ok(Figure {
        title: share::title(&result.part, &result.whole),
        y_label: format!("share of {whole} (%)"),
        body: Body::Lines {
            lines: shares,
            baseline: None,
        },
        empty: "no year has a share (each needs both series and a positive whole)",
    })
}

/// One series' history and projections with their 80 % and 95 % bands, from a forecast
/// frame (keys `keys`, `year`, `method`, `point` and the bounds) in `units`.
pub fn projection(
    forecasts: &DataFrame,
    keys: &[String],
    units: &BTreeMap<String, String>,
) -> Result<Figure> {
    let mut distinct = labels(forecasts, keys)?;
    distinct.sort();
    distinct.dedup();
    if distinct.len() != 1 {
        bail!(
            "--kind projection draws one series, but {} are selected ({}); pick one with --series",
            distinct.len(),
            distinct.join(", ")
        );
    }
    Ok(Figure {
        title: format!("{}: projections with 80 % and 95 % intervals", distinct[0]),
        y_label: single_unit(units).unwrap_or_else(|| "value".to_string()),
        body: projection_body(forecasts)?,
        empty: "no method gives a projection to draw (each needs enough years, and forecasts that fit in a float)",
    })
}
