//! Property tests of the analysis functions: invariants that must hold for any data, not just
//! the seed's five years.

use super::growth::{cagr, growth};
use super::index::index;
use super::panel::{panel, PanelSpec};
use super::share::share;
use crate::schema::{in_order, Span, SERIES, UNIT, VALUE, YEAR};
use polars::prelude::*;
use proptest::prelude::*;

/// A frame in canonical long form from (group, series, year, value) rows, in the given order.
fn frame(rows: &[(String, String, i32, f64)]) -> DataFrame {
    df!(
        "region" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        SERIES => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        YEAR => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        VALUE => rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>(),
        UNIT => rows.iter().map(|_| Some("CNY".to_string())).collect::<Vec<_>>(),
    )
    .unwrap()
}

fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().f64().unwrap().iter().collect()
}

fn close(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-12),
            (None, None) => true,
            _ => false,
        })
}

/// One series: increasing years with gaps, positive values.
fn series() -> impl Strategy<Value = Vec<(i32, f64)>> {
    prop::collection::vec((1..=3i32, 0.01f64..1e6), 2..12).prop_map(|steps| {
        let mut year = 1990;
        steps
            .into_iter()
            .map(|(step, value)| {
                year += step;
                (year, value)
            })
            .collect()
    })
}

fn rows(region: &str, name: &str, points: &[(i32, f64)]) -> Vec<(String, String, i32, f64)> {
    points
        .iter()
        .map(|(y, v)| (region.to_string(), name.to_string(), *y, *v))
        .collect()
}

fn keys() -> Vec<String> {
    vec!["region".to_string(), SERIES.to_string()]
}

/// Growth as the loader would give it rows: in canonical order, whatever the input's.
fn run_growth(df: &DataFrame) -> DataFrame {
    growth(
        in_order(df.clone().lazy(), &keys()),
        &keys(),
        Span::default(),
    )
    .unwrap()
    .collect()
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn scaling_leaves_rates_unchanged(points in series(), scale in 1e-3f64..1e3) {
        let base = frame(&rows("r", "s", &points));
        let scaled: Vec<(i32, f64)> = points.iter().map(|(y, v)| (*y, v * scale)).collect();
        let scaled = frame(&rows("r", "s", &scaled));
        for column in ["yoy", "gap_growth", "cagr_since_first"] {
            prop_assert!(close(&f64s(&run_growth(&base), column), &f64s(&run_growth(&scaled), column)), "{}", column);
        }
        let c = |df: &DataFrame| f64s(&cagr(df.clone().lazy(), &keys(), Span::default()).unwrap().collect().unwrap(), "cagr");
        prop_assert!(close(&c(&base), &c(&scaled)));
        let ix = |df: &DataFrame| f64s(&index(df.clone().lazy(), &keys(), Span::default(), None).unwrap().collect().unwrap(), "index");
        prop_assert!(close(&ix(&base), &ix(&scaled)));
    }

    #[test]
    fn cagr_agrees_with_the_index(points in series()) {
        let df = frame(&rows("r", "s", &points));
        let c = f64s(&cagr(df.clone().lazy(), &keys(), Span::default()).unwrap().collect().unwrap(), "cagr")[0].unwrap();
        let ix = f64s(&index(df.lazy(), &keys(), Span::default(), None).unwrap().collect().unwrap(), "index");
        let years = f64::from(points.last().unwrap().0 - points[0].0);
        let from_index = (ix.last().unwrap().unwrap() / 100.0).powf(1.0 / years) - 1.0;
        prop_assert!((c - from_index).abs() <= 1e-9 * c.abs().max(1e-9), "{} vs {}", c, from_index);
    }

    #[test]
    fn share_is_a_fraction_when_part_is_within_whole(points in series(), fractions in prop::collection::vec(0.0f64..=1.0, 12)) {
        let whole = rows("r", "whole", &points);
        let part: Vec<(i32, f64)> = points.iter().zip(&fractions).map(|((y, v), f)| (*y, v * f)).collect();
        let mut all = whole;
        all.extend(rows("r", "part", &part));
        let df = share(frame(&all).lazy(), &["region".to_string()], "part", "whole", Span::default()).unwrap().collect().unwrap();
        for s in f64s(&df, "share") {
            let s = s.unwrap();
            prop_assert!((0.0..=1.0).contains(&s), "{}", s);
        }
    }

    #[test]
    fn row_order_does_not_matter(points in series(), other in series(), seed in any::<u64>()) {
        let mut all = rows("a", "x", &points);
        all.extend(rows("b", "x", &other));
        all.extend(rows("a", "y", &other));
        let sorted = run_growth(&frame(&all));
        // A deterministic shuffle from the seed.
        let mut shuffled = all.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let from_shuffled = run_growth(&frame(&shuffled));
        prop_assert!(sorted.equals_missing(&from_shuffled));
    }

    #[test]
    fn a_panel_gives_what_each_group_gives_alone(a in series(), b in series()) {
        let mut all = rows("a", "x", &a);
        all.extend(rows("b", "x", &b));
        let panel = run_growth(&frame(&all));
        for (region, points) in [("a", &a), ("b", &b)] {
            let alone = run_growth(&frame(&rows(region, "x", points)));
            let part = panel.clone().lazy().filter(col("region").eq(lit(region))).collect().unwrap();
            prop_assert!(part.equals_missing(&alone), "{}", region);
        }
    }

    #[test]
    fn the_panel_agrees_with_growth_cagr_and_share(a in series(), b in series(), c in series()) {
        // Two regions, two series with their own years: rows line up only sometimes.
        let mut all = rows("a", "x", &a);
        all.extend(rows("a", "y", &b));
        all.extend(rows("b", "x", &c));
        all.extend(rows("b", "y", &a));
        let df = in_order(frame(&all).lazy(), &keys());
        let groups = ["region".to_string()];
        let spec = PanelSpec {
            series: vec!["x".to_string(), "y".to_string()],
            share: Some(("x".to_string(), "y".to_string())),
        };
        let (wide, _) = panel(df.clone(), None, &groups, &spec, Span::default()).unwrap();
        let long = growth(df.clone(), &keys(), Span::default()).unwrap().collect().unwrap();
        let cagrs = cagr(df.clone(), &keys(), Span::default()).unwrap().collect().unwrap();
        for name in ["x", "y"] {
            let mine = wide.clone().lazy().filter(col(name).is_not_null()).collect().unwrap();
            let theirs = long.clone().lazy().filter(col(SERIES).eq(lit(name))).collect().unwrap();
            prop_assert!(close(&f64s(&mine, &format!("{name}_yoy")), &f64s(&theirs, "yoy")), "{}", name);
            for region in ["a", "b"] {
                let at = |df: &DataFrame, column: &str| f64s(&df.clone().lazy().filter(col("region").eq(lit(region))).collect().unwrap(), column);
                let expected = at(&cagrs.clone().lazy().filter(col(SERIES).eq(lit(name))).collect().unwrap(), "cagr")[0];
                for got in at(&mine, &format!("{name}_cagr")) {
                    prop_assert!(close(&[got], &[expected]), "{} {}: {:?} vs {:?}", name, region, got, expected);
                }
            }
        }
        let shares = share(df, &groups, "x", "y", Span::default()).unwrap().collect().unwrap();
        prop_assert!(close(&f64s(&wide, "share"), &f64s(&shares, "share")));
    }
}
