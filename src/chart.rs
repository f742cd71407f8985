//! SVG figures through plotters' SVG backend: lines (levels, shares, indices), grouped bars
//! (growth) and projections with shaded 80 % / 95 % bands.
//!
//! A [`Chart`] is neutral data built by the commands; this module only draws it, so the same
//! chart comes out of `tradestat chart` and `tradestat report`. Output depends only on the
//! input: no timestamps, fixed colours, fixed number formatting.

use anyhow::{anyhow, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use std::ops::Range;

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

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the chart: {e:?}")
}

/// Years and values that the axes must cover.
fn extent(chart: &Chart) -> (Vec<i32>, Vec<f64>) {
    let mut years = Vec::new();
    let mut values = Vec::new();
    let mut add = |points: &mut dyn Iterator<Item = (i32, f64)>| {
        for (x, y) in points {
            years.push(x);
            values.push(y);
        }
    };
    match &chart.body {
        Body::Lines { lines, baseline } => {
            for line in lines {
                add(&mut line.points.iter().copied());
            }
            if let Some(b) = baseline {
                values.push(*b);
            }
        }
        Body::Bars { bars } => {
            for bar in bars {
                add(&mut bar.points.iter().copied());
            }
            values.push(0.0);
        }
        Body::Projection { history, methods } => {
            add(&mut history.points.iter().copied());
            for band in methods {
                for f in &band.points {
                    add(&mut std::iter::once((f.year, f.point)));
                    for (lo, hi) in f.b80.iter().chain(f.b95.iter()) {
                        add(&mut [(f.year, *lo), (f.year, *hi)].into_iter());
                    }
                }
            }
        }
    }
    (
        years,
        values.into_iter().filter(|v| v.is_finite()).collect(),
    )
}

/// Most key points an axis hands to plotters, whatever the hint asks for (the mesh asks for at
/// most 25 labels × 10 light lines).
const MAX_TICKS: usize = 1000;

/// Refinements of the tick step (each a tenth of the one before) before [`nice_ticks`] gives
/// up; a well-behaved range needs two or three.
const MAX_REFINEMENTS: usize = 32;

/// A numeric axis from `lo` to `hi` (finite, `lo < hi`), drawn like plotters' own `f64` axis
/// but safe on any finite values: plotters' tick search loops forever when the span overflows
/// to infinity or is too narrow for its arithmetic (it divides the step by ten until the tick
/// count grows, which NaN never does). Here the span is taken in halves when it overflows, the
/// search is bounded and falls back to evenly spaced ticks, and a range plotters handles gets
/// exactly plotters' ticks, so ordinary figures are unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Axis {
    lo: f64,
    hi: f64,
}

impl Axis {
    /// Half the span, `hi / 2 - lo / 2`: finite for any finite ends, where `hi - lo` may
    /// overflow.
    fn half_span(&self) -> f64 {
        self.hi / 2.0 - self.lo / 2.0
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    /// plotters' linear mapping (`RangedCoordf64::map`), with the span taken in halves when
    /// it overflows.
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.1 - limit.0) / 2;
        }
        let span = self.hi - self.lo;
        let logic = if span.is_finite() {
            (v - self.lo) / span
        } else {
            (v / 2.0 - self.lo / 2.0) / self.half_span()
        };
        let actual = limit.1 - limit.0;
        if actual == 0 {
            return limit.1;
        }
        if logic.is_infinite() {
            return if logic > 0.0 { limit.1 } else { limit.0 };
        }
        // `as i32` saturates (and maps NaN to 0): no coordinate can panic.
        if actual > 0 {
            limit.0 + (f64::from(actual) * logic + 1e-3).floor() as i32
        } else {
            limit.0 + (f64::from(actual) * logic - 1e-3).ceil() as i32
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        ticks(self.lo, self.hi, hint.max_num_points())
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Up to `max_points` tick values from `lo` to `hi`, in bounded work for any input: plotters'
/// choice where its arithmetic holds, ticks for half the values (doubled) when the span
/// overflows, and evenly spaced ticks when the search fails. Never more than [`MAX_TICKS`]
/// and never a non-finite value.
fn ticks(lo: f64, hi: f64, max_points: usize) -> Vec<f64> {
    let max_points = max_points.min(MAX_TICKS);
    if max_points == 0 || !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let (lo, hi) = (lo.min(hi), hi.max(lo));
    let span = hi - lo;
    let mut ticks = if !span.is_finite() {
        // hi / 2 - lo / 2 is finite, and ticks for it double to values within lo..hi.
        ticks(lo / 2.0, hi / 2.0, max_points)
            .into_iter()
            .map(|t| t * 2.0)
            .collect()
    } else if span < f64::EPSILON {
        vec![lo]
    } else {
        nice_ticks(lo, hi, max_points).unwrap_or_else(|| even_ticks(lo, hi, max_points))
    };
    // plotters' rounding leaves ticks a hair past the ends (1.0000000000000002 on 0..1), and
    // far past them on extreme ranges; keep the first, which land on the end's pixel.
    let slack = (hi / 2.0 - lo / 2.0) * 2e-6;
    ticks.retain(|t| t.is_finite() && *t >= lo - slack && *t <= hi + slack);
    ticks
}

/// `lo`, `hi` and evenly spaced values between them, at most `max_points` (≥ 1) and distinct.
fn even_ticks(lo: f64, hi: f64, max_points: usize) -> Vec<f64> {
    let steps = max_points.clamp(2, 11) - 1;
    let step = hi / steps as f64 - lo / steps as f64;
    let mut out: Vec<f64> = (0..=steps)
        .map(|i| if i == steps { hi } else { lo + step * i as f64 })
        .filter(|t| t.is_finite())
        .collect();
    out.dedup();
    out.truncate(max_points);
    out
}

/// plotters' tick search (`compute_f64_key_points` in plotters 0.3.7): multiples of 1, 2 or
/// 5 times a power of ten, as many as fit in `max_points`. `None` where its arithmetic breaks
/// down (a NaN count, a step that underflows, more refinements or ticks than any sane range
/// needs) instead of looping.
fn nice_ticks(lo: f64, hi: f64, max_points: usize) -> Option<Vec<f64>> {
    fn rem_euclid(a: f64, b: f64) -> f64 {
        let ret = if b > 0.0 {
            a - (a / b).floor() * b
        } else {
            a - (a / b).ceil() * b
        };
        if (ret - b).abs() < f64::EPSILON {
            0.0
        } else {
            ret
        }
    }
    let span = hi - lo;
    let mut scale = 10f64.powf(span.log10().floor());
    let mut granularity = scale / 10.0;
    if 1 + (span / scale).floor() as usize > max_points {
        scale *= 10.0;
        granularity *= 10.0;
    }
    let mut found = false;
    'outer: for _ in 0..MAX_REFINEMENTS {
        let old = scale;
        for next in [2.0, 5.0, 10.0] {
            let step = old / next;
            if !(step.is_finite() && step > 0.0) {
                return None;
            }
            let mut left = lo - rem_euclid(lo, step);
            if left < lo {
                left += step;
            }
            let right = hi - rem_euclid(hi, step);
            let count = 1.0 + ((right - left) / old * next);
            if !count.is_finite() {
                return None;
            }
            if count.round() as usize > max_points {
                found = true;
                break 'outer;
            }
            scale = step;
        }
        scale = old / 10.0;
        granularity /= 10.0;
    }
    if !(found && scale.is_finite() && scale > 0.0 && granularity > 0.0) {
        return None;
    }
    let left = {
        let mut value = lo - rem_euclid(lo, scale);
        if value < lo {
            value += scale;
        }
        value
    };
    let left_base = (left / granularity).floor() * granularity;
    let mut left_relative = left - left_base;
    let right = hi - rem_euclid(hi, scale);
    let mut out = Vec::new();
    while (right - left_relative - left_base) >= -f64::EPSILON {
        if out.len() > max_points + 1 {
            return None;
        }
        let rounded = (left_relative / granularity).round() * granularity;
        if rounded < 0.0 {
            left_relative += granularity;
        }
        out.push(left_relative + left_base);
        left_relative += scale;
    }
    out.iter().all(|t| t.is_finite()).then_some(out)
}

/// The value axis for `values` (finite): their range with 8 % padding below and 24 % above
/// (head room for the legend in the upper left), or ±10 % around a single value; clamped to
/// finite floats, so values near ±f64::MAX give a finite axis.
fn value_axis(values: &[f64]) -> Axis {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 0.0) };
    // Values equal but for rounding (a flat series' forecast of 4.999999999999999) are one
    // value: an axis over 1e-15 would label rounding noise.
    let (lo, hi) = if hi - lo <= 1e-12 * lo.abs().max(hi.abs()) {
        (hi, hi)
    } else {
        (lo, hi)
    };
    let pad = if hi > lo {
        let span = hi - lo;
        if span.is_finite() {
            span * 0.08
        } else {
            (hi / 2.0 - lo / 2.0) * 0.16
        }
    } else {
        hi.abs().max(1.0) * 0.1
    };
    Axis {
        lo: (lo - pad).max(-f64::MAX),
        hi: (hi + 3.0 * pad).min(f64::MAX),
    }
}

/// How the value axis writes its numbers: the same on every tick.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TickFormat {
    /// This many decimals.
    Fixed(usize),
    /// Scientific notation with this many decimals in the mantissa (`1.60e308`).
    Exp(usize),
}

/// Decimals for ordinary ranges as before (0 from a range of 50, 1 from 5, else 2, more for
/// ranges below 0.05); scientific notation where fixed decimals would run past 15 digits
/// before the point or 6 after it.
fn tick_format(axis: Axis) -> TickFormat {
    let magnitude = axis.lo.abs().max(axis.hi.abs());
    let half = axis.half_span();
    let span = axis.hi - axis.lo;
    // A tick step is about a tenth of the range.
    let step = half / 5.0;
    if magnitude < 1e15 {
        match span {
            r if r >= 50.0 => return TickFormat::Fixed(0),
            r if r >= 5.0 => return TickFormat::Fixed(1),
            r if r >= 0.05 => return TickFormat::Fixed(2),
            _ => {
                let decimals = (-step.log10()).ceil();
                if decimals.is_finite() && decimals <= 6.0 {
                    return TickFormat::Fixed(decimals.max(2.0) as usize);
                }
            }
        }
    }
    // Enough mantissa decimals to tell neighbouring ticks apart: the fewest that give every
    // tick of the finest spacing the axis may use its own label (an estimate from the
    // magnitude and the step is one short when their leading digits differ: 1.99e15 against
    // a step of 5e13 needs two).
    let candidates = ticks(axis.lo, axis.hi, 20);
    let distinct = |d: usize| {
        let labels: Vec<String> = candidates
            .iter()
            .map(|t| format_tick(*t, TickFormat::Exp(d)))
            .collect();
        labels.windows(2).all(|w| w[0] != w[1])
    };
    let _ = step;
    TickFormat::Exp((1..=16).find(|&d| distinct(d)).unwrap_or(16))
}

/// Draws `chart` as an SVG document.
pub fn render_svg(chart: &Chart) -> Result<String> {
    let (years, values) = extent(chart);
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        anyhow::bail!("nothing to draw: the chart has no data");
    };
    let y_axis = value_axis(&values);
    let format = tick_format(y_axis);
    let (x0, x1) = (f64::from(first) - 0.6, f64::from(last) + 0.6);

    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (chart.width, chart.height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut plot = ChartBuilder::on(&root)
            .caption(&chart.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(Axis { lo: x0, hi: x1 }, y_axis)
            .map_err(err)?;
        let year_label = |x: &f64| {
            if (x - x.round()).abs() < 1e-6 {
                format!("{}", x.round() as i64)
            } else {
                String::new()
            }
        };
        plot.configure_mesh()
            .x_desc("year")
            .y_desc(chart.y_label.as_str())
            .x_labels(((last - first) as usize + 2).min(25))
            .x_label_formatter(&year_label)
            .y_label_formatter(&|y: &f64| format_tick(*y, format))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;

        match &chart.body {
            Body::Lines { lines, baseline } => {
                if let Some(b) = baseline {
                    plot.draw_series(LineSeries::new([(x0, *b), (x1, *b)], BLACK.mix(0.4)))
                        .map_err(err)?;
                }
                for (i, line) in lines.iter().enumerate() {
                    let c = color(i);
                    let points: Vec<(f64, f64)> = line
                        .points
                        .iter()
                        .map(|(x, y)| (f64::from(*x), *y))
                        .collect();
                    plot.draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
                        .map_err(err)?
                        .label(line.label.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                        });
                    plot.draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))
                        .map_err(err)?;
                }
            }
            Body::Bars { bars } => {
                let n = bars.len().max(1) as f64;
                let width = 0.8 / n;
                plot.draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], BLACK.mix(0.6)))
                    .map_err(err)?;
                for (i, bar) in bars.iter().enumerate() {
                    let c = color(i);
                    let offset = -0.4 + width * i as f64;
                    plot.draw_series(bar.points.iter().map(|(x, y)| {
                        let left = f64::from(*x) + offset;
                        Rectangle::new([(left, 0.0), (left + width * 0.9, *y)], c.filled())
                    }))
                    .map_err(err)?
                    .label(bar.label.as_str())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled())
                    });
                }
            }
            Body::Projection { history, methods } => {
                for (i, band) in methods.iter().enumerate() {
                    let c = color(i + 1);
                    for (pick, opacity) in [(3usize, 0.12), (2, 0.25)] {
                        let bounds: Vec<(f64, f64, f64)> = band
                            .points
                            .iter()
                            .filter_map(|f| {
                                let b = if pick == 2 { f.b80 } else { f.b95 };
                                b.map(|(lo, hi)| (f64::from(f.year), lo, hi))
                            })
                            .collect();
                        if !bounds.is_empty() {
                            let mut polygon: Vec<(f64, f64)> =
                                bounds.iter().map(|(x, _, hi)| (*x, *hi)).collect();
                            polygon.extend(bounds.iter().rev().map(|(x, lo, _)| (*x, *lo)));
                            if let (Some(last_obs), Some(first_band)) =
                                (history.points.last(), bounds.first())
                            {
                                // Start the band at the last observation, where it has no width.
                                if f64::from(last_obs.0) < first_band.0 {
                                    polygon.insert(0, (f64::from(last_obs.0), last_obs.1));
                                    polygon.push((f64::from(last_obs.0), last_obs.1));
                                }
                            }
                            plot.draw_series(std::iter::once(Polygon::new(
                                polygon,
                                c.mix(opacity).filled(),
                            )))
                            .map_err(err)?;
                        }
                    }
                    let forecasts: Vec<(f64, f64)> = band
                        .points
                        .iter()
                        .map(|f| (f64::from(f.year), f.point))
                        .collect();
                    let mut points = forecasts.clone();
                    if let Some(last_obs) = history.points.last() {
                        points.insert(0, (f64::from(last_obs.0), last_obs.1));
                    }
                    let line = plot
                        .draw_series(LineSeries::new(points, c.stroke_width(2)))
                        .map_err(err)?
                        .label(band.label.as_str());
                    if band.has_bands() {
                        line.legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                        });
                    } else {
                        // Point forecasts only (cagr): marked points, here and in the legend,
                        // so the missing band reads as intended rather than as lost.
                        line.legend(move |(x, y)| {
                            EmptyElement::at((x, y))
                                + PathElement::new(vec![(0, 0), (20, 0)], c.stroke_width(2))
                                + Circle::new((10, 0), 3, c.filled())
                        });
                        plot.draw_series(
                            forecasts.into_iter().map(|p| Circle::new(p, 3, c.filled())),
                        )
                        .map_err(err)?;
                    }
                }
                let points: Vec<(f64, f64)> = history
                    .points
                    .iter()
                    .map(|(x, y)| (f64::from(*x), *y))
                    .collect();
                plot.draw_series(LineSeries::new(points.clone(), BLACK.stroke_width(2)))
                    .map_err(err)?
                    .label(history.label.as_str())
                    .legend(|(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2))
                    });
                plot.draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, BLACK.filled())),
                )
                .map_err(err)?;
            }
        }
        plot.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Axis numbers in the axis' [`TickFormat`] (the same on every tick); never `-0`.
fn format_tick(y: f64, format: TickFormat) -> String {
    let s = match format {
        TickFormat::Fixed(decimals) => format!("{y:.decimals$}"),
        TickFormat::Exp(_) if y == 0.0 => return "0".to_string(),
        TickFormat::Exp(decimals) => format!("{y:.decimals$e}"),
    };
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Chart {
        Chart {
            title: "Levels".to_string(),
            y_label: "trillion CNY".to_string(),
            width: 640,
            height: 400,
            body: Body::Lines {
                lines: vec![Line {
                    label: "cbec".to_string(),
                    points: vec![(2015, 5.4), (2016, 6.7), (2017, 8.06)],
                }],
                baseline: None,
            },
        }
    }

    #[test]
    fn svg_is_deterministic_and_labelled() {
        let a = render_svg(&lines()).unwrap();
        assert_eq!(a, render_svg(&lines()).unwrap());
        assert!(a.starts_with("<svg"), "{}", &a[..60]);
        for text in ["Levels", "trillion CNY", "cbec", "2015", "2017"] {
            assert!(a.contains(text), "missing {text}");
        }
    }

    fn lines_of(values: &[f64]) -> Chart {
        let mut chart = lines();
        chart.body = Body::Lines {
            lines: vec![Line {
                label: "x".to_string(),
                points: (2015..).zip(values.iter().copied()).collect(),
            }],
            baseline: None,
        };
        chart
    }

    /// The text of every `<text>` element.
    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(|t| t.trim().to_string())
            .collect()
    }

    #[test]
    fn extreme_values_draw_with_finite_axes() {
        // plotters' own axis looped forever on the first three (a span or padding that
        // overflows to infinity) and can on ranges too narrow for its arithmetic.
        for values in [
            &[1.6e308, 1.7e308][..],
            &[1.7e308],
            &[-1.7e308, 1.7e308],
            &[f64::MAX, -f64::MAX, 0.0],
            &[1e-320, 2e-320],
            &[1e-320],
            &[f64::MIN_POSITIVE, 5e-324],
            &[3.0, 3.0, 3.0],
            &[1e300, 1e300 * (1.0 + f64::EPSILON)],
            &[1e15, 1e15 + 0.125],
            &[-0.0, 0.0],
        ] {
            let svg = render_svg(&lines_of(values)).unwrap_or_else(|e| panic!("{values:?}: {e}"));
            let texts = texts(&svg);
            assert!(texts.contains(&"2015".to_string()), "{values:?}: {texts:?}");
            assert!(
                !texts
                    .iter()
                    .any(|t| t.contains("inf") || t.contains("NaN") || t.len() > 30),
                "{values:?}: {texts:?}"
            );
        }
        let svg = render_svg(&lines_of(&[1.6e308, 1.7e308])).unwrap();
        assert!(
            texts(&svg).contains(&"1.70e308".to_string()),
            "{:?}",
            texts(&svg)
        );
    }

    #[test]
    fn ticks_match_plotters_on_ordinary_ranges() {
        use plotters::coord::types::RangedCoordf64;
        for (lo, hi) in [
            (0.0, 1.0),
            (4.5, 21.3),
            (-3.2, 27.0),
            (2014.4, 2019.6),
            (92.0, 210.0),
            (0.31, 0.35),
            (-1e6, 3e9),
            (1e-9, 3e-9),
        ] {
            for n in [1, 5, 11, 25, 110, 250] {
                let theirs = RangedCoordf64::from(lo..hi).key_points(n);
                assert_eq!(ticks(lo, hi, n), theirs, "{lo}..{hi}, {n} points");
            }
        }
    }

    #[test]
    fn ticks_are_few_finite_and_within_any_range() {
        let ends = [
            -f64::MAX,
            -1.7e308,
            -1e300,
            -1.0,
            -5e-324,
            0.0,
            5e-324,
            1e-320,
            f64::MIN_POSITIVE,
            1e-9,
            1.0,
            1.0 + f64::EPSILON,
            1e15,
            1e300,
            1e300 * (1.0 + f64::EPSILON),
            1.5e308,
            f64::MAX,
        ];
        for lo in ends {
            for hi in ends.into_iter().filter(|hi| *hi > lo) {
                for n in [1, 11, 110, usize::MAX] {
                    let ticks = ticks(lo, hi, n);
                    assert!(ticks.len() <= n.min(MAX_TICKS) + 2, "{lo}..{hi}: {ticks:?}");
                    let slack = (hi / 2.0 - lo / 2.0) * 2e-6;
                    assert!(
                        ticks
                            .iter()
                            .all(|t| t.is_finite() && *t >= lo - slack && *t <= hi + slack),
                        "{lo}..{hi}: {ticks:?}"
                    );
                }
            }
        }
        assert!(ticks(f64::NAN, 1.0, 10).is_empty());
        assert!(ticks(0.0, f64::INFINITY, 10).is_empty());
    }

    #[test]
    fn axis_maps_any_finite_range_onto_the_pixels() {
        let axis = Axis {
            lo: -f64::MAX,
            hi: f64::MAX,
        };
        assert_eq!(axis.map(&-f64::MAX, (0, 400)), 0);
        assert_eq!(axis.map(&0.0, (0, 400)), 200);
        assert_eq!(axis.map(&f64::MAX, (400, 0)), 0);
        let value = value_axis(&[1.7e308]);
        assert!(value.lo.is_finite() && value.hi.is_finite() && value.lo < value.hi);
        let ordinary = value_axis(&[5.4, 10.8]);
        assert_eq!(
            (ordinary.lo, ordinary.hi),
            (5.4 - 0.432, 10.8 + 3.0 * 0.432)
        );
    }

    #[test]
    fn tick_labels_stay_short() {
        assert_eq!(tick_format(value_axis(&[5.4, 10.8])), TickFormat::Fixed(1));
        assert_eq!(
            tick_format(value_axis(&[100.0, 200.0])),
            TickFormat::Fixed(0)
        );
        assert_eq!(tick_format(value_axis(&[0.34, 0.35])), TickFormat::Fixed(3));
        assert_eq!(format_tick(1.6e308, TickFormat::Exp(2)), "1.60e308");
        assert_eq!(format_tick(-0.0, TickFormat::Exp(2)), "0");
        assert_eq!(format_tick(-0.0001, TickFormat::Fixed(2)), "0.00");
    }

    #[test]
    fn empty_charts_are_an_error() {
        let mut chart = lines();
        chart.body = Body::Lines {
            lines: vec![],
            baseline: None,
        };
        assert!(render_svg(&chart).is_err());
    }
}
