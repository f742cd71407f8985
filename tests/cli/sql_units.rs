//! SQL over the data, unit conversion and shell integration.

use super::{assert_close, cell, input, ok, parse_csv, root, run, stderr, temp_dir};

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
    super::matches_golden("man.1", &page);
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

/// Writes `text` to `name` in `dir` and returns its path.
fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn conversion_needs_rates_only_for_the_years_read() {
    let dir = temp_dir();
    let only_2015 = write(&dir, "fx-2015.csv", "year,from,to,rate\n2015,USD,CNY,6.2\n");
    // One year shown, one rate: 5.4 trillion CNY at 6.2 CNY/USD. (Was: "no CNY→USD rate for 2016".)
    let one_year = [
        "--from",
        "2015",
        "--to",
        "2015",
        "--fx",
        &only_2015,
        "--unit",
        "trillion USD",
        "--format",
        "csv",
    ];
    let csv = ok(&[&["show"][..], &one_year].concat());
    assert_close(cell(&csv, &["cbec", "2015"], "value"), 5.4 / 6.2, 1e-15);
    assert_close(cell(&csv, &["trade", "2015"], "value"), 24.7 / 6.2, 1e-15);
    assert_eq!(parse_csv(&csv).1.len(), 2);
    let csv = ok(&[&["index"][..], &one_year].concat());
    assert_close(cell(&csv, &["cbec", "2015"], "index"), 100.0, 1e-12);
    // project reads the span from --from on: 2018 and 2019 here, at 6.5 and 6.75 CNY/USD.
    let late = write(
        &dir,
        "fx-2018-2019.csv",
        "year,from,to,rate\n2018,USD,CNY,6.5\n2019,USD,CNY,6.75\n",
    );
    let csv = ok(&[
        "project",
        "--from",
        "2018",
        "--method",
        "drift",
        "--fx",
        &late,
        "--unit",
        "trillion USD",
        "--format",
        "csv",
        "-q",
    ]);
    let (last, before) = (10.8 / 6.75, 9.7 / 6.5);
    assert_close(
        cell(&csv, &["cbec", "2020", "drift"], "point"),
        last + (last - before),
        1e-12,
    );

    // Growth in 2017 is measured against 2016: the base year is read, the years before not.
    let fx = write(
        &dir,
        "fx-2016-2017.csv",
        "year,from,to,rate\n2016,USD,CNY,6.7\n2017,CNY,USD,0.125\n",
    );
    let span = [
        "--from",
        "2017",
        "--to",
        "2017",
        "--fx",
        &fx,
        "--unit",
        "billion USD",
    ];
    let csv = ok(&[&["growth"][..], &span, &["--format", "csv"]].concat());
    assert_close(
        cell(&csv, &["cbec", "2017"], "yoy"),
        1007.5 / 1000.0 - 1.0,
        1e-12,
    );
    assert_close(
        cell(&csv, &["trade", "2017"], "change"),
        3475.0 - 24_300.0 / 6.7,
        1e-9,
    );
    let csv = ok(&[
        &["share", "--part", "cbec", "--whole", "trade"][..],
        &span,
        &["--format", "csv"],
    ]
    .concat());
    assert_close(cell(&csv, &["2017"], "share"), 8.06 / 27.8, 1e-12);
    // The contribution reads 2016's whole: 100 · (1007.5 − 1000) / (24,300 / 6.7).
    assert_close(
        cell(&csv, &["2017"], "contribution_pp"),
        100.0 * 7.5 / (24_300.0 / 6.7),
        1e-9,
    );
    let csv = ok(&[&["panel"][..], &span, &["--format", "csv"]].concat());
    assert_close(cell(&csv, &["2017"], "cbec_yoy"), 0.0075, 1e-12);
    // An index on a base outside the span reads the base year.
    let csv = ok(&[
        &["index", "--base", "2016"][..],
        &span,
        &["--format", "csv"],
    ]
    .concat());
    assert_close(cell(&csv, &["cbec", "2017"], "index"), 100.75, 1e-9);
    // Without the base year's rate, growth says which year it needs.
    let out = run(&[
        "growth",
        "--from",
        "2016",
        "--to",
        "2017",
        "--fx",
        &fx,
        "--unit",
        "billion USD",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "--fx {fx}: no CNY→USD rate for 2015 (expected a row `2015,CNY,USD,RATE`)"
        )),
        "{}",
        stderr(&out)
    );

    // A share across currencies converts the whole for the years it reads.
    let data = write(
        &dir,
        "two-currencies.csv",
        "year,series,value,unit\n2015,cbec,0.9,trillion USD\n2016,cbec,1.0,trillion USD\n2017,cbec,1.0075,trillion USD\n2015,trade,24.7,trillion CNY\n2016,trade,24.3,trillion CNY\n2017,trade,27.8,trillion CNY\n",
    );
    let csv = ok(&[
        "share", "--data", &data, "--part", "cbec", "--whole", "trade", "--from", "2017", "--fx",
        &fx, "--format", "csv",
    ]);
    assert_close(cell(&csv, &["2017"], "share"), 1.0075 / 3.475, 1e-12);
    // An empty cell is no value to convert, so it needs no rate.
    let data = write(
        &dir,
        "empty-2016.csv",
        "year,series,value,unit\n2016,cbec,,trillion CNY\n2017,cbec,8.06,trillion CNY\n",
    );
    let only_2017 = write(&dir, "fx-2017.csv", "year,from,to,rate\n2017,USD,CNY,8\n");
    let csv = ok(&[
        "show",
        "--data",
        &data,
        "--fx",
        &only_2017,
        "--unit",
        "billion USD",
        "--format",
        "csv",
    ]);
    assert_eq!(cell(&csv, &["cbec", "2016"], "value"), None);
    assert_close(cell(&csv, &["cbec", "2017"], "value"), 1007.5, 1e-9);
}

#[test]
fn conflicting_exchange_rates_are_errors() {
    let dir = temp_dir();
    let conflict = write(
        &dir,
        "fx.csv",
        "year,from,to,rate\n2019,USD,CNY,6.9\n2019,USD,CNY,7.1\n",
    );
    let out = run(&["show", "--fx", &conflict, "--unit", "trillion USD"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        format!("tradestat: error: {conflict}:3:4: USD→CNY rate 7.1 for 2019 conflicts with line 2, which gives 6.9 (expected one rate per year and currency pair; a repeated identical row is accepted)")
    );
    let inverse = write(
        &dir,
        "fx-inverse.csv",
        "year,from,to,rate\n2019,USD,CNY,6.9\n2019,CNY,USD,0.2\n",
    );
    let out = run(&["show", "--fx", &inverse, "--unit", "trillion USD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("{inverse}:3:4: CNY→USD rate 0.2 for 2019 is not the inverse of line 2's USD→CNY rate 6.9")),
        "{}",
        stderr(&out)
    );
    // The same row twice is harmless.
    let repeated = write(
        &dir,
        "fx-repeated.csv",
        "year,from,to,rate\n2019,USD,CNY,6.9\n2019,USD,CNY,6.9\n",
    );
    let csv = ok(&[
        "show",
        "--from",
        "2019",
        "--fx",
        &repeated,
        "--unit",
        "trillion USD",
        "--format",
        "csv",
    ]);
    assert_close(cell(&csv, &["cbec", "2019"], "value"), 10.8 / 6.9, 1e-15);
}
