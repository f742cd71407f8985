//! Result frames as the lines of a figure: columns read by name, one line per key, in the
//! frame's order (canonical: by keys, then year).

use super::{Band, Body, Forecast, Line};
use crate::schema::YEAR;
use anyhow::{anyhow, Result};
use polars::prelude::*;

/// The column `key` of `df`, or an internal error naming it.
fn column<'a>(df: &'a DataFrame, key: &str) -> Result<&'a Column> {
    df.column(key)
        .map_err(|_| anyhow!("internal error: the result has no column {key:?}"))
}

/// Each row's year (null when missing).
fn years(df: &DataFrame) -> Result<Vec<Option<i32>>> {
    let years = column(df, YEAR)?.cast(&DataType::Int64)?;
    Ok(years.i64()?.iter().map(|y| y.map(|y| y as i32)).collect())
}

/// Each row's number in column `key`: null, NaN and ±inf read as no number, as in the tables.
fn numbers(df: &DataFrame, key: &str) -> Result<Vec<Option<f64>>> {
    let values = column(df, key)?.cast(&DataType::Float64)?;
    let values = values.f64()?.iter();
    Ok(values.map(|v| v.filter(|v| v.is_finite())).collect())
}

/// Each row's label: the text of its key columns `keys`, joined by spaces (null keys are
/// left out; so are key columns that are not text).
pub(super) fn labels(df: &DataFrame, keys: &[String]) -> Result<Vec<String>> {
    let mut parts: Vec<Vec<&str>> = vec![Vec::new(); df.height()];
    for key in keys {
        let Ok(text) = column(df, key)?.str() else {
            continue;
        };
        for (row, value) in parts.iter_mut().zip(text.iter()) {
            row.extend(value);
        }
    }
    Ok(parts.into_iter().map(|p| p.join(" ")).collect())
}

/// One line per key (`keys`) of column `key` × `scale` by year; rows without a number are
/// left out.
pub(super) fn lines(df: &DataFrame, keys: &[String], key: &str, scale: f64) -> Result<Vec<Line>> {
    let rows = years(df)?.into_iter().zip(numbers(df, key)?);
    let mut out: Vec<Line> = Vec::new();
    for ((year, value), label) in rows.zip(labels(df, keys)?) {
        let (Some(y), Some(v)) = (year, value) else {
            continue;
        };
        let point = (y, v * scale);
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

/// The observed history (rows of method `history`) and each method's forecasts with their
/// 80 % and 95 % bounds, from a forecast frame (`year`, `method`, `point`, `lower_80`,
/// `upper_80`, `lower_95`, `upper_95`).
pub(super) fn projection_body(df: &DataFrame) -> Result<Body> {
    let (years, points) = (years(df)?, numbers(df, "point")?);
    let methods = column(df, "method")?.str()?;
    let bounds = ["lower_80", "upper_80", "lower_95", "upper_95"]
        .map(|k| numbers(df, k))
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let mut history = Line {
        label: "observed".to_string(),
        points: Vec::new(),
    };
    let mut bands: Vec<Band> = Vec::new();
    for (row, ((year, method), point)) in years
        .into_iter()
        .zip(methods.iter())
        .zip(points)
        .enumerate()
    {
        let (Some(y), Some(m), Some(p)) = (year, method, point) else {
            continue;
        };
        if m == "history" {
            history.points.push((y, p));
            continue;
        }
        let pair = |lo: usize, hi: usize| bounds[lo][row].zip(bounds[hi][row]);
        let entry = Forecast {
            year: y,
            point: p,
            b80: pair(0, 1),
            b95: pair(2, 3),
        };
        match bands.iter_mut().find(|band| band.label == m) {
            Some(band) => band.points.push(entry),
            None => bands.push(Band {
                label: m.to_string(),
                points: vec![entry],
            }),
        }
    }
    Ok(Body::Projection {
        history,
        methods: bands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_the_keys_and_skip_rows_without_a_number() {
        let df = df!(
            "region" => [Some("north"), Some("north"), Some("north"), None],
            "series" => ["cbec", "cbec", "cbec", "cbec"],
            YEAR => [2015, 2016, 2017, 2015],
            "yoy" => [Some(0.1), None, Some(f64::INFINITY), Some(0.25)],
        )
        .unwrap();
        let keys = ["region".to_string(), "series".to_string()];
        let got = lines(&df, &keys, "yoy", 100.0).unwrap();
        let line = |label: &str, points: Vec<(i32, f64)>| Line {
            label: label.to_string(),
            points,
        };
        assert_eq!(
            got,
            [
                line("north cbec", vec![(2015, 10.0)]),
                line("cbec", vec![(2015, 25.0)])
            ]
        );
    }

    #[test]
    fn projections_split_history_from_each_method() {
        let df = df!(
            "series" => ["x", "x", "x", "x"],
            YEAR => [2019, 2020, 2021, 2021],
            "method" => ["history", "history", "linear", "cagr"],
            "point" => [1.0, 2.0, 3.0, 2.5],
            "lower_80" => [None, None, Some(2.5), None],
            "upper_80" => [None, None, Some(3.5), None],
            "lower_95" => [None, None, Some(2.0), None],
            "upper_95" => [None, None, Some(4.0), None],
        )
        .unwrap();
        let Body::Projection { history, methods } = projection_body(&df).unwrap() else {
            panic!("not a projection");
        };
        assert_eq!(history.points, [(2019, 1.0), (2020, 2.0)]);
        let forecast = |point, b80, b95| Forecast {
            year: 2021,
            point,
            b80,
            b95,
        };
        assert_eq!(methods.len(), 2);
        assert_eq!(
            methods[0].points,
            [forecast(3.0, Some((2.5, 3.5)), Some((2.0, 4.0)))]
        );
        assert_eq!(
            (methods[1].label.as_str(), methods[1].has_bands()),
            ("cagr", false)
        );
        assert_eq!(methods[1].points, [forecast(2.5, None, None)]);
    }
}
