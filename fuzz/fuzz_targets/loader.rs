//! Fuzzes the loader and validation: any bytes, in every layout, must give a dataset or an
//! error, never a panic; a dataset must survive every analysis (the panel view too); cutting
//! a file into pieces (as large panels are) must give pieces that load or fail cleanly; side
//! files (claims, units) likewise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polars::prelude::IntoLazy;
use tradestat::analysis::growth::{cagr, growth};
use tradestat::analysis::index::index;
use tradestat::analysis::panel::{panel, PanelSpec};
use tradestat::analysis::project::{series_of, Method};
use tradestat::data::{
    chunks, from_bytes, from_bytes_with, parse_claims, raw_from_bytes, Filter, Layout,
    ReadOptions, Unit,
};
use tradestat::schema::Span;

fuzz_target!(|data: &[u8]| {
    // The input front end with publishers' options: years as columns, decimal commas,
    // missing markers and flags kept, a filter; and the raw table.
    let published = [
        ReadOptions {
            layout: Layout::Years,
            keep_flags: true,
            ..Default::default()
        },
        ReadOptions {
            decimal: Some(','),
            na: vec!["x".to_string()],
            filters: vec![Filter {
                column: "geo".to_string(),
                values: vec!["DE".to_string()],
            }],
            ..Default::default()
        },
        ReadOptions {
            skip: Some(2),
            delimiter: Some(b';'),
            ..Default::default()
        },
    ];
    for options in &published {
        if let Ok(dataset) = from_bytes_with(data, "fuzz.csv", options) {
            let keys = dataset.keys();
            let _ = growth(dataset.frame.clone().lazy(), &keys, Span::default())
                .map(|q| q.collect());
        }
        let _ = raw_from_bytes(data, "fuzz.csv", options);
    }
    for layout in [Layout::Auto, Layout::Wide, Layout::Long, Layout::Years] {
        let Ok(dataset) = from_bytes(data, "fuzz.csv", layout, &[]) else {
            continue;
        };
        let keys = dataset.keys();
        let lf = || dataset.frame.clone().lazy();
        let _ = growth(lf(), &keys, Span::default()).map(|q| q.collect());
        let _ = cagr(lf(), &keys, Span::default()).map(|q| q.collect());
        let _ = index(lf(), &keys, Span::default(), None).map(|q| q.collect());
        // The panel of every series, with the share of the first two.
        if let Ok(series) = dataset.series_names() {
            let share = match series.as_slice() {
                [a, b, ..] => Some((a.clone(), b.clone())),
                _ => None,
            };
            let spec = PanelSpec { series, share };
            let _ = panel(lf(), None, &dataset.groups, &spec, Span::default());
        }
        if let Ok(all) = series_of(&dataset.frame, &keys) {
            for (_, series) in all.iter().take(4) {
                for method in [
                    Method::Linear,
                    Method::LogLinear,
                    Method::Drift,
                    Method::Cagr,
                    Method::Naive,
                ] {
                    if let Ok(model) = method.fit(series) {
                        let p = model.predict(series.last_year().saturating_add(1));
                        if let Some(spread) = p.spread {
                            let _ = spread.interval(0.95);
                        }
                    }
                }
            }
        }
    }
    // Group columns, and the cutting of a large panel into pieces of whole groups: every
    // piece must load or fail cleanly too.
    let by = ["region".to_string()];
    let _ = from_bytes(data, "fuzz.csv", Layout::Auto, &by);
    if let Ok(Some(pieces)) = chunks(data, "fuzz.csv", Layout::Auto, &by, 64) {
        for body in pieces.bodies {
            let _ = from_bytes(&[pieces.header, body].concat(), "fuzz.csv", Layout::Auto, &by);
        }
    }
    let _ = parse_claims(data, "claims.csv");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Unit::parse(text).to_string();
    }
});
