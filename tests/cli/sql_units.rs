//! SQL over the data, unit conversion and shell integration.

use super::{assert_close, cell, input, ok, parse_csv, root, run, stderr};

#[test]
fn sql_answers_questions_with_the_right_numbers() {
    // Which years did CBEC grow faster than trade? All four.
    let csv = ok(&[
        "sql",
        "SELECT c.year FROM growth c JOIN growth t ON c.year = t.year WHERE c.series = 'cbec' AND t.series = 'trade' AND c.yoy > t.yoy ORDER BY c.year",
        "--format",
        "csv",
    ]);
    assert_eq!(csv, "year\n2016\n2017\n2018\n2019\n");
    // Share above 30 %: 2018 and 2019.
    let csv = ok(&[
        "sql",
        "SELECT year, share FROM shares WHERE part_series = 'cbec' AND whole_series = 'trade' AND share > 0.3 ORDER BY year",
        "--format",
        "csv",
    ]);
    assert_close(cell(&csv, &["2019"], "share"), 10.8 / 31.54, 1e-15);
    assert_eq!(parse_csv(&csv).1.len(), 2);
    let lag = ok(&["sql", "SELECT year, LAG(value) OVER (PARTITION BY series ORDER BY year) AS prev FROM data WHERE series = 'cbec' ORDER BY year", "--format", "csv"]);
    assert_eq!(
        lag,
        "year,prev\n2015,\n2016,5.4\n2017,6.7\n2018,8.06\n2019,9.7\n"
    );
    let from_file = ok(&["sql", "--file", &input("query.sql"), "--format", "csv"]);
    assert_eq!(from_file, "series,year,value\ncbec,2019,10.8\ntrade,2015,24.7\ntrade,2016,24.3\ntrade,2017,27.8\ntrade,2018,30.5\ntrade,2019,31.54\n");
}

#[test]
fn malformed_queries_quote_the_query() {
    for (query, fragment) in [
        ("SELECT yoyy FROM growth", "unable to find column \"yoyy\""),
        ("SELEC year FROM data", "sql parser error"),
        ("SELECT * FROM nowhere", "nowhere"),
    ] {
        let out = run(&["sql", query]);
        assert_eq!(out.status.code(), Some(1), "{query}");
        let message = stderr(&out);
        assert!(message.contains(fragment), "{message}");
        assert!(message.contains(&format!("  query: {query}")), "{message}");
        assert!(out.stdout.is_empty());
    }
    let message = stderr(&run(&["sql", "SELECT yoyy FROM growth"]));
    assert!(
        message.ends_with("  query: SELECT yoyy FROM growth\n                ^^^^\n"),
        "{message:?}"
    );
}

#[test]
fn units_convert_what_is_shown() {
    // The paper's own label: 100 million yuan (亿元). Trade in 2019 reads 315,400.
    let csv = ok(&["show", "--unit", "100 million CNY", "--format", "csv"]);
    assert_close(cell(&csv, &["trade", "2019"], "value"), 315_400.0, 1e-6);
    assert!(csv.contains(",100 million CNY,"), "{csv}");
    let table = ok(&["show", "--unit", "亿元", "--format", "table"]);
    assert!(
        table.contains("value (100 million CNY)") && table.contains("315,400.00"),
        "{table}"
    );
    // Rates do not change with the unit.
    let plain = ok(&["growth", "--format", "csv"]);
    let converted = ok(&["growth", "--unit", "billion CNY", "--format", "csv"]);
    for (series, year) in [("cbec", "2016"), ("trade", "2019")] {
        let a = cell(&plain, &[series, year], "yoy").unwrap();
        assert_close(cell(&converted, &[series, year], "yoy"), a, 1e-12);
    }
    assert_close(cell(&converted, &["cbec", "2019"], "value"), 10_800.0, 1e-9);
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "growth",
        "--unit",
        "billion CNY",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["meta"]["units"]["cbec"], "billion CNY");
}

/// `command` (share or panel) of cbec in trade on the file mixing 亿元 and trillion yuan.
fn on_mixed_units(command: &str, format: &str) -> std::process::Output {
    let mixed_units = input("mixed-units.csv");
    let out = run(&[
        command,
        "--data",
        &mixed_units,
        "--part",
        "cbec",
        "--whole",
        "trade",
        "--format",
        format,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

#[test]
fn mixed_units_give_the_same_shares() {
    let out = on_mixed_units("share", "csv");
    let mixed = String::from_utf8(out.stdout.clone()).unwrap();
    let single = ok(&[
        "share", "--part", "cbec", "--whole", "trade", "--format", "csv",
    ]);
    for year in ["2015", "2016", "2017", "2018", "2019"] {
        for column in ["share", "share_change_pp", "contribution_pp"] {
            match cell(&single, &[year], column) {
                Some(v) => assert_close(cell(&mixed, &[year], column), v, 1e-12),
                None => assert_eq!(cell(&mixed, &[year], column), None),
            }
        }
    }
    assert!(mixed.contains(",100 million CNY,"), "{mixed}");
    assert!(stderr(&out)
        .contains("note: trade converted from trillion CNY to 100 million CNY for the share"));
}

#[test]
fn panel_shares_take_the_whole_in_the_parts_unit_and_columns_keep_theirs() {
    let out = on_mixed_units("panel", "json");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Each value column in its own unit; the share with trade in cbec's unit (31.54 trillion
    // = 315,400 × 100 million), equal to the single-unit share.
    assert_eq!(json["meta"]["units"]["cbec"], "100 million CNY");
    assert_eq!(json["meta"]["units"]["trade"], "trillion CNY");
    let rows = json["rows"].as_array().unwrap();
    assert_close(rows[4]["cbec"].as_f64(), 108_000.0, 1e-9);
    assert_close(rows[4]["trade"].as_f64(), 31.54, 1e-12);
    assert_close(rows[4]["share"].as_f64(), 10.8 / 31.54, 1e-12);
    assert_close(rows[1]["trade_yoy"].as_f64(), 24.3 / 24.7 - 1.0, 1e-12);
    let notes = json["meta"]["notes"].to_string();
    assert!(
        notes.contains("trade converted from trillion CNY to 100 million CNY for the share"),
        "{notes}"
    );
}

#[test]
fn currencies_convert_with_exchange_rates_only() {
    // 5.4 trillion CNY at 6 CNY/USD = 900 billion USD; 6.7 at 6.7 = 1,000; 8.06 at 8 (0.125) = 1,007.5.
    let csv = ok(&[
        "show",
        "--unit",
        "billion USD",
        "--fx",
        &input("fx.csv"),
        "--series",
        "cbec",
        "--format",
        "csv",
    ]);
    assert_close(cell(&csv, &["cbec", "2015"], "value"), 900.0, 1e-9);
    assert_close(cell(&csv, &["cbec", "2016"], "value"), 1000.0, 1e-9);
    assert_close(cell(&csv, &["cbec", "2017"], "value"), 1007.5, 1e-9);
    assert_close(cell(&csv, &["cbec", "2018"], "value"), 9700.0 / 6.5, 1e-9);
    // Growth in dollars differs from growth in yuan by the exchange-rate change.
    let growth = ok(&[
        "growth",
        "--unit",
        "billion USD",
        "--fx",
        &input("fx.csv"),
        "--format",
        "csv",
    ]);
    assert_close(
        cell(&growth, &["cbec", "2016"], "yoy"),
        1000.0 / 900.0 - 1.0,
        1e-12,
    );

    let out = run(&["show", "--unit", "billion USD"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("is in trillion CNY and cannot become billion USD without exchange rates"),
        "{message}"
    );
    assert!(message.contains("--fx FILE"), "{message}");
    let out = run(&["show", "--unit", "tonnes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--unit \"tonnes\" is not a unit of money"));
}

#[test]
fn completions_load_in_bash_and_man_is_roff() {
    let script = ok(&["completions", "bash"]);
    let dir = super::temp_dir();
    let path = dir.path().join("tradestat.bash");
    std::fs::write(&path, &script).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -e; source {}; complete -p tradestat",
            path.display()
        ))
        .output()
        .expect("bash");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(String::from_utf8_lossy(&status.stdout).contains("-F _tradestat tradestat"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert!(ok(&["completions", shell]).contains("tradestat"), "{shell}");
    }
    let page = ok(&["man"]);
    assert!(page.contains(".TH tradestat 1"), "{page}");
    let golden = root().join("tests/golden/man.1");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &page).unwrap();
    } else {
        assert_eq!(page, std::fs::read_to_string(golden).unwrap());
    }
    // Rendered by man when it is installed.
    if let Ok(out) = std::process::Command::new("man")
        .arg("-l")
        .arg(root().join("tests/golden/man.1"))
        .env("MANWIDTH", "80")
        .output()
    {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("tradestat") && text.contains("SYNOPSIS"),
                "{text}"
            );
        }
    }
}
