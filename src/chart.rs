//! SVG figures through plotters' SVG backend: lines (levels, shares, indices), grouped bars
//! (growth) and projections with shaded 80 % / 95 % bands.
//!
//! A [`Chart`] is neutral data built by the commands; this module only draws it, so the same
//! chart comes out of `tradestat chart` and `tradestat report`. Output depends only on the
//! input: no timestamps, fixed colours, fixed number formatting.

use anyhow::{anyhow, Result};
use plotters::prelude::*;

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

/// Draws `chart` as an SVG document.
pub fn render_svg(chart: &Chart) -> Result<String> {
    let (years, values) = extent(chart);
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        anyhow::bail!("nothing to draw: the chart has no data");
    };
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        hi.abs().max(1.0) * 0.1
    };
    // Head room above the data for the legend in the upper left.
    let (y0, y1) = (lo - pad, hi + 3.0 * pad);
    let decimals = match y1 - y0 {
        r if r >= 50.0 => 0,
        r if r >= 5.0 => 1,
        _ => 2,
    };
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
            .build_cartesian_2d(x0..x1, y0..y1)
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
            .y_label_formatter(&|y: &f64| format_tick(*y, decimals))
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
                    let mut points: Vec<(f64, f64)> = band
                        .points
                        .iter()
                        .map(|f| (f64::from(f.year), f.point))
                        .collect();
                    if let Some(last_obs) = history.points.last() {
                        points.insert(0, (f64::from(last_obs.0), last_obs.1));
                    }
                    plot.draw_series(LineSeries::new(points, c.stroke_width(2)))
                        .map_err(err)?
                        .label(band.label.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                        });
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

/// Axis numbers, with as many decimals as the axis range needs (the same on every tick).
fn format_tick(y: f64, decimals: usize) -> String {
    let s = format!("{y:.decimals$}");
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
