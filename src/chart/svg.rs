//! Drawing a [`Chart`] as SVG through plotters' SVG backend.

use super::axis::{format_tick, tick_format, value_axis, Axis, TickFormat};
use super::{Band, Body, Chart, Line};
use anyhow::{anyhow, Result};
use plotters::prelude::*;

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

/// The plotting area of a chart: years across, values up.
type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>;

/// Draws `chart` as an SVG document.
pub fn render_svg(chart: &Chart) -> Result<String> {
    let (years, values) = extent(chart);
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        anyhow::bail!("nothing to draw: the chart has no data");
    };
    let y_axis = value_axis(&values);
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
        draw_mesh(
            &mut plot,
            &chart.y_label,
            (first, last),
            tick_format(y_axis),
        )?;
        match &chart.body {
            Body::Lines { lines, baseline } => draw_lines(&mut plot, lines, *baseline, (x0, x1))?,
            Body::Bars { bars } => draw_bars(&mut plot, bars, (x0, x1))?,
            Body::Projection { history, methods } => {
                for (i, band) in methods.iter().enumerate() {
                    let last_observed = history.points.last().copied();
                    draw_band_areas(&mut plot, band, color(i + 1), last_observed)?;
                    draw_forecasts(&mut plot, band, color(i + 1), last_observed)?;
                }
                draw_history(&mut plot, history)?;
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

/// The grid, the axes' descriptions and their numbers (years `first` to `last` across).
fn draw_mesh<'a, 'b: 'a>(
    plot: &mut Plot<'a, 'b>,
    y_label: &str,
    (first, last): (i32, i32),
    format: TickFormat,
) -> Result<()> {
    let year_label = |x: &f64| {
        if (x - x.round()).abs() < 1e-6 {
            format!("{}", x.round() as i64)
        } else {
            String::new()
        }
    };
    plot.configure_mesh()
        .x_desc("year")
        .y_desc(y_label)
        .x_labels(((last - first) as usize + 2).min(25))
        .x_label_formatter(&year_label)
        .y_label_formatter(&|y: &f64| format_tick(*y, format))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)
}

/// Lines with their points marked, and the horizontal `baseline` across `x0..x1` when given.
fn draw_lines<'a, 'b: 'a>(
    plot: &mut Plot<'a, 'b>,
    lines: &[Line],
    baseline: Option<f64>,
    (x0, x1): (f64, f64),
) -> Result<()> {
    if let Some(b) = baseline {
        plot.draw_series(LineSeries::new([(x0, b), (x1, b)], BLACK.mix(0.4)))
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
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        plot.draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))
            .map_err(err)?;
    }
    Ok(())
}

/// Bars per year, one per line side by side, on a zero line across `x0..x1`.
fn draw_bars<'a, 'b: 'a>(
    plot: &mut Plot<'a, 'b>,
    bars: &[Line],
    (x0, x1): (f64, f64),
) -> Result<()> {
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
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
    }
    Ok(())
}

/// A method's 95 % band, then its 80 % band over it, each shaded in `c` from the last
/// observation (`last_observed`), where the band has no width yet.
fn draw_band_areas<'a, 'b: 'a>(
    plot: &mut Plot<'a, 'b>,
    band: &Band,
    c: RGBColor,
    last_observed: Option<(i32, f64)>,
) -> Result<()> {
    for (pick, opacity) in [(3usize, 0.12), (2, 0.25)] {
        let bounds: Vec<(f64, f64, f64)> = band
            .points
            .iter()
            .filter_map(|f| {
                let b = if pick == 2 { f.b80 } else { f.b95 };
                b.map(|(lo, hi)| (f64::from(f.year), lo, hi))
            })
            .collect();
        if bounds.is_empty() {
            continue;
        }
        let mut polygon: Vec<(f64, f64)> = bounds.iter().map(|(x, _, hi)| (*x, *hi)).collect();
        polygon.extend(bounds.iter().rev().map(|(x, lo, _)| (*x, *lo)));
        if let (Some(last_obs), Some(first_band)) = (last_observed, bounds.first()) {
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
    Ok(())
}

/// A method's point forecasts as a line in `c` from the last observation, with its legend;
/// a method without bands (cagr) gets its points marked, here and in the legend.
fn draw_forecasts<'a, 'b: 'a>(
    plot: &mut Plot<'a, 'b>,
    band: &Band,
    c: RGBColor,
    last_observed: Option<(i32, f64)>,
) -> Result<()> {
    let forecasts: Vec<(f64, f64)> = band
        .points
        .iter()
        .map(|f| (f64::from(f.year), f.point))
        .collect();
    let mut points = forecasts.clone();
    if let Some(last_obs) = last_observed {
        points.insert(0, (f64::from(last_obs.0), last_obs.1));
    }
    let line = plot
        .draw_series(LineSeries::new(points, c.stroke_width(2)))
        .map_err(err)?
        .label(band.label.as_str());
    if band.has_bands() {
        line.legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    } else {
        // Point forecasts only (cagr): marked points, here and in the legend, so the
        // missing band reads as intended rather than as lost.
        line.legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (20, 0)], c.stroke_width(2))
                + Circle::new((10, 0), 3, c.filled())
        });
        plot.draw_series(forecasts.into_iter().map(|p| Circle::new(p, 3, c.filled())))
            .map_err(err)?;
    }
    Ok(())
}

/// The observed history in black, its points marked.
fn draw_history<'a, 'b: 'a>(plot: &mut Plot<'a, 'b>, history: &Line) -> Result<()> {
    let points: Vec<(f64, f64)> = history
        .points
        .iter()
        .map(|(x, y)| (f64::from(*x), *y))
        .collect();
    plot.draw_series(LineSeries::new(points.clone(), BLACK.stroke_width(2)))
        .map_err(err)?
        .label(history.label.as_str())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    plot.draw_series(
        points
            .into_iter()
            .map(|p| Circle::new(p, 3, BLACK.filled())),
    )
    .map_err(err)?;
    Ok(())
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
    fn empty_charts_are_an_error() {
        let mut chart = lines();
        chart.body = Body::Lines {
            lines: vec![],
            baseline: None,
        };
        assert!(render_svg(&chart).is_err());
    }
}
