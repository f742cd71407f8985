//! SVG figures through plotters' SVG backend: lines (levels, shares, indices), grouped bars
//! (growth) and projections with shaded 80 % / 95 % bands.
//!
//! The figure functions ([`series`], [`growth`], [`index`], [`share`], [`projection`]) take
//! an analysis' typed result and read its frame by column name (`lines.rs`); a [`Chart`] is
//! the neutral data they make, which `svg.rs` draws, so the same figure comes out of
//! `tradestat chart` and `tradestat report`. Output depends only on the input: no
//! timestamps, fixed colours, fixed number formatting.

mod axis;
mod figures;
mod lines;
mod svg;

pub use figures::{growth, index, projection, series, share, Figure};
pub use svg::render_svg;

/// What a chart shows (`--kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartKind {
    Series,
    Growth,
    Share,
    Index,
    Projection,
}

/// One line: a label and its points.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<(i32, f64)>,
}

/// A projection method: point forecasts and, where the method has them, 80 % and 95 % bands.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub label: String,
    pub points: Vec<Forecast>,
}

impl Band {
    /// Whether any year has an interval (cagr has none: its points are drawn marked).
    pub fn has_bands(&self) -> bool {
        self.points
            .iter()
            .any(|f| f.b80.is_some() || f.b95.is_some())
    }
}

/// One projected year: the point and its (lower, upper) bounds at 80 % and 95 %.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    pub year: i32,
    pub point: f64,
    pub b80: Option<(f64, f64)>,
    pub b95: Option<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Lines over years; `baseline` draws a horizontal reference (100 for indices).
    Lines {
        lines: Vec<Line>,
        baseline: Option<f64>,
    },
    /// Bars per year, one per line, side by side.
    Bars { bars: Vec<Line> },
    /// The observed history and each method's forecasts with their bands.
    Projection { history: Line, methods: Vec<Band> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub y_label: String,
    pub width: u32,
    pub height: u32,
    pub body: Body,
}
