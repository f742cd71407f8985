//! Valid inputs in every accepted shape, with values a person can check against METHODS.md.

use super::{
    assert_close, cell, input, ok, parse_csv, run, run_with_stdin, stderr, stdout, temp_dir,
};

#[test]
fn bundled_growth_matches_methods() {
    let csv = ok(&["growth", "--format", "csv"]);
    assert_close(cell(&csv, &["cbec", "2016"], "yoy"), 0.24074, 5e-6);
    assert_close(cell(&csv, &["cbec", "2016"], "yoy"), 6.7 / 5.4 - 1.0, 1e-9);
    assert_close(cell(&csv, &["cbec", "2019"], "yoy"), 10.8 / 9.7 - 1.0, 1e-9);
    assert_close(cell(&csv, &["cbec", "2019"], "yoy"), 0.11340, 5e-6);
    assert_close(
        cell(&csv, &["trade", "2016"], "yoy"),
        24.3 / 24.7 - 1.0,
        1e-9,
    );
    assert_close(cell(&csv, &["trade", "2016"], "yoy"), -0.01619, 5e-6);
    assert_eq!(cell(&csv, &["cbec", "2015"], "yoy"), None);
    // The CAGR over 2015-2019 is the last year's running CAGR and the summary's.
    assert_close(
        cell(&csv, &["cbec", "2019"], "cagr_since_first"),
        2f64.powf(0.25) - 1.0,
        1e-9,
    );
    assert_close(
        cell(&csv, &["trade", "2019"], "cagr_since_first"),
        0.06302,
        5e-6,
    );
    let summary = ok(&["growth", "--summary", "--format", "csv"]);
    assert_close(cell(&summary, &["cbec"], "cagr"), 0.18921, 5e-6);
    assert_close(
        cell(&summary, &["cbec"], "cagr"),
        2f64.powf(0.25) - 1.0,
        1e-9,
    );
    assert_close(
        cell(&summary, &["trade"], "cagr"),
        (31.54f64 / 24.7).powf(0.25) - 1.0,
        1e-9,
    );
    assert_close(cell(&summary, &["trade"], "cagr"), 0.06302, 5e-6);
}

#[test]
fn bundled_share_and_index_match_methods() {
    let csv = ok(&[
        "share", "--part", "cbec", "--whole", "trade", "--format", "csv",
    ]);
    assert_close(cell(&csv, &["2015"], "share"), 0.21862, 5e-6);
    assert_close(cell(&csv, &["2019"], "share"), 0.34242, 5e-6);
    assert_close(
        cell(&csv, &["2016"], "share_change_pp"),
        100.0 * (6.7 / 24.3 - 5.4 / 24.7),
        1e-9,
    );
    assert_close(
        cell(&csv, &["2016"], "contribution_pp"),
        100.0 * (6.7 - 5.4) / 24.7,
        1e-9,
    );
    let csv = ok(&["index", "--base", "2015", "--format", "csv"]);
    assert_close(cell(&csv, &["cbec", "2019"], "index"), 200.0, 1e-9);
    assert_close(cell(&csv, &["trade", "2019"], "index"), 127.69, 0.005);
    let table = ok(&["index", "--base", "2015", "--format", "table"]);
    assert!(
        table.contains("200.00") && table.contains("127.69"),
        "{table}"
    );
}

#[test]
fn gap_year_gives_null_yoy_with_note_and_cagr_over_years() {
    let gap = input("gap.csv");
    let out = run(&["growth", "--data", &gap, "--format", "csv"]);
    let csv = stdout(&out);
    assert_eq!(cell(&csv, &["cbec", "2018"], "yoy"), None);
    assert_close(
        cell(&csv, &["cbec", "2018"], "gap_growth"),
        (9.7f64 / 6.7).sqrt() - 1.0,
        1e-9,
    );
    assert!(
        stderr(&out).contains("note: cbec 2018: no value for 2017"),
        "{}",
        stderr(&out)
    );
    let summary = ok(&["growth", "--data", &gap, "--summary", "--format", "csv"]);
    assert_close(
        cell(&summary, &["cbec"], "cagr"),
        (9.7f64 / 5.4).powf(1.0 / 3.0) - 1.0,
        1e-9,
    );
    assert_eq!(cell(&summary, &["cbec"], "years"), Some(3.0));
    // --quiet keeps stderr clean; the table carries the note inline.
    let quiet = run(&["growth", "--data", &gap, "--format", "csv", "--quiet"]);
    assert!(quiet.stderr.is_empty());
    let table = ok(&["growth", "--data", &gap, "--format", "table"]);
    assert!(
        table.contains("Notes:\n  - cbec 2018: no value for 2017"),
        "{table}"
    );
}

/// Rows of a CSV with the first `drop` columns removed (e.g. the region).
fn rows_without(text: &str, drop: usize) -> Vec<Vec<String>> {
    parse_csv(text)
        .1
        .into_iter()
        .map(|r| r[drop..].to_vec())
        .collect()
}

#[test]
fn panel_by_region_equals_each_region_alone() {
    for command in [
        &["growth"][..],
        &["growth", "--summary"],
        &["index"],
        &["share", "--part", "cbec", "--whole", "trade"],
    ] {
        let mut args = command.to_vec();
        let long = input("panel-long.csv");
        args.extend(["--data", &long, "--format", "csv"]);
        let panel = parse_csv(&ok(&args)).1;
        let wide = input("panel-wide.csv");
        let mut wide_args = command.to_vec();
        wide_args.extend(["--data", &wide, "--by", "region", "--format", "csv"]);
        let wide_rows = parse_csv(&ok(&wide_args)).1;
        for region in ["north", "south"] {
            let alone = input(&format!("region-{region}.csv"));
            let mut alone_args = command.to_vec();
            alone_args.extend(["--data", &alone, "--format", "csv"]);
            let expected = rows_without(&ok(&alone_args), 0);
            let from_panel: Vec<Vec<String>> = panel
                .iter()
                .filter(|r| r[0] == region)
                .map(|r| r[1..].to_vec())
                .collect();
            assert_eq!(from_panel, expected, "{command:?} long panel, {region}");
            // The wide panel has no units, so compare everything but the unit column.
            let from_wide: Vec<Vec<String>> = wide_rows
                .iter()
                .filter(|r| r[0] == region)
                .map(|r| r[1..].to_vec())
                .collect();
            assert_eq!(from_wide.len(), expected.len());
        }
        // Sorted by group: north before south although the file lists south first.
        assert_eq!(panel.first().map(|r| r[0].as_str()), Some("north"));
    }
}

#[test]
fn messy_but_valid_input() {
    // BOM, CRLF, " Year " header, spaces around cells, quoted "24,700.0", an empty cell.
    let messy = input("messy.csv");
    let csv = ok(&["show", "--data", &messy, "--format", "csv"]);
    assert_eq!(
        csv,
        "series,year,unit,value\nCBEC,2015,,5.4\nCBEC,2016,,6.7\nCBEC,2017,,\nTrade,2015,,24700\nTrade,2016,,24300\nTrade,2017,,27800\n"
    );
    // Series names match case-insensitively on the command line; the empty cell is a gap.
    let growth = ok(&[
        "growth", "--data", &messy, "--series", "cbec", "--format", "csv",
    ]);
    assert_close(
        cell(&growth, &["CBEC", "2016"], "yoy"),
        6.7 / 5.4 - 1.0,
        1e-12,
    );
    assert_eq!(parse_csv(&growth).1.len(), 2);
}

#[test]
fn stdin_and_explicit_layouts() {
    let data = std::fs::read(input("gap.csv")).unwrap();
    let out = run_with_stdin(
        &[
            "growth", "--data", "-", "--format", "csv", "--layout", "wide",
        ],
        &data,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        ok(&["growth", "--data", &input("gap.csv"), "--format", "csv"])
    );
    let long = b"year,series,value\n2015,x,1\n2016,x,2\n";
    let out = run_with_stdin(
        &[
            "growth", "--data", "-", "--format", "csv", "--layout", "long",
        ],
        long,
    );
    assert_close(cell(&stdout(&out), &["x", "2016"], "yoy"), 1.0, 1e-12);
}

#[test]
fn output_file_is_written_whole_with_format_from_extension() {
    let dir = temp_dir();
    let path = dir.path().join("growth.json");
    let path_str = path.display().to_string();
    let out = run(&["growth", "--output", &path_str]);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["meta"]["units"]["cbec"], "trillion CNY");
    assert_eq!(json["rows"][1]["yoy"].as_f64(), Some(6.7 / 5.4 - 1.0));
    assert_eq!(json["rows"][0]["yoy"], serde_json::Value::Null);
    assert_eq!(
        json["summary"][0]["cagr"].as_f64(),
        Some(2f64.powf(0.25) - 1.0)
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn auto_format_is_csv_when_piped() {
    assert_eq!(ok(&["growth"]), ok(&["growth", "--format", "csv"]));
}

#[test]
fn closed_pipe_exits_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_tradestat"))
        .args(["growth", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}
