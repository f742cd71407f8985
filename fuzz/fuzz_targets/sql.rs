//! Fuzzes `tradestat sql` over the registered tables: any query text, on the bundled data and
//! on a small panel with a group column, must give a result or an error, never a panic; and
//! no query may reach a file (the sandbox).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tradestat::sql::query;
use tradestat::data::{from_bytes, load, Dataset, Input, Layout};

const PANEL: &[u8] = b"region,year,cbec,trade\nnorth,2015,1,10\nnorth,2016,2,\nsouth,2015,3,30\nsouth,2017,-4,0\n";

fn datasets() -> &'static [Dataset] {
    static SETS: OnceLock<Vec<Dataset>> = OnceLock::new();
    SETS.get_or_init(|| {
        vec![
            load(&Input::Bundled, Layout::Auto, &[]).expect("bundled data"),
            from_bytes(PANEL, "panel.csv", Layout::Auto, &["region".to_string()])
                .expect("panel"),
        ]
    })
}

/// A file no query may read: its value must never appear in a result.
const SECRET: &str = "/tmp/tradestat-fuzz-secret.csv";
const SECRET_VALUE: f64 = 987_654_321.0;

fuzz_target!(|data: &[u8]| {
    static WRITE: OnceLock<()> = OnceLock::new();
    WRITE.get_or_init(|| {
        let _ = std::fs::write(SECRET, format!("year,secret\n2015,{SECRET_VALUE}\n"));
    });
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for dataset in datasets() {
        let Ok(df) = query(dataset, text) else {
            continue;
        };
        for column in df.columns() {
            if let Ok(floats) = column.cast(&polars::prelude::DataType::Float64) {
                let leaked = floats.f64().is_ok_and(|f| f.iter().any(|v| v == Some(SECRET_VALUE)));
                assert!(!leaked || text.contains("987654321"), "a query read {SECRET}: {text}");
            }
        }
    }
});
