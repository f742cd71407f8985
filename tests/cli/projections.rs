//! Projections, backtests and claim checks through the binary, against METHODS.md.

use super::{assert_close, cell, input, ok, parse_csv, run, stderr, stdout};

#[test]
fn projections_match_methods() {
    let csv = ok(&["project", "--to", "2022", "--format", "csv"]);
    let check = |series: &str, year: &str, method: &str, expected: [f64; 3]| {
        let key = [series, year, method];
        assert_close(cell(&csv, &key, "point"), expected[0], 1e-4);
        assert_close(cell(&csv, &key, "lower_95"), expected[1], 1e-4);
        assert_close(cell(&csv, &key, "upper_95"), expected[2], 1e-4);
    };
    check("cbec", "2020", "linear", [12.2720, 11.6620, 12.8820]);
    check("cbec", "2021", "linear", [13.6520, 12.9477, 14.3563]);
    check("cbec", "2022", "linear", [15.0320, 14.2223, 15.8417]);
    check("cbec", "2020", "loglinear", [13.3606, 11.3557, 15.7196]);
    check("cbec", "2021", "loglinear", [15.9258, 13.1997, 19.2150]);
    check("cbec", "2022", "loglinear", [18.9836, 15.2985, 23.5564]);
    check("cbec", "2020", "drift", [12.1500, 11.6613, 12.6387]);
    check("cbec", "2021", "drift", [13.5000, 12.7429, 14.2571]);
    check("cbec", "2022", "drift", [14.8500, 13.8485, 15.8515]);
    check("trade", "2020", "linear", [33.7320, 28.6723, 38.7917]);
    check("trade", "2020", "loglinear", [34.2302, 28.3076, 41.3919]);
    check("trade", "2020", "drift", [33.2500, 29.4366, 37.0634]);
    for (method, lo, hi) in [
        ("linear", 11.9581, 12.5859),
        ("loglinear", 12.2882, 14.5267),
        ("drift", 11.8305, 12.4695),
    ] {
        assert_close(cell(&csv, &["cbec", "2020", method], "lower_80"), lo, 1e-4);
        assert_close(cell(&csv, &["cbec", "2020", method], "upper_80"), hi, 1e-4);
    }
    for (year, point) in [("2020", 12.8434), ("2021", 15.2735), ("2022", 18.1634)] {
        assert_close(cell(&csv, &["cbec", year, "cagr"], "point"), point, 1e-4);
        assert_eq!(cell(&csv, &["cbec", year, "cagr"], "lower_95"), None);
    }
    // Holt collapses to the OLS line on 5 points.
    assert_close(cell(&csv, &["cbec", "2020", "holt"], "point"), 12.272, 1e-3);
    assert_close(cell(&csv, &["cbec", "2022", "holt"], "point"), 15.032, 1e-3);
}

#[test]
fn drift_intervals_follow_rwf() {
    // METHODS.md's drift rows, R's forecast::rwf convention sqrt(h(1 + h/(T − 1))).
    let csv = ok(&[
        "project", "--method", "drift", "--to", "2022", "--format", "csv",
    ]);
    let (_, rows) = parse_csv(&csv);
    assert_eq!(rows.len(), 6, "{csv}");
    for (series, year, point, lo95, hi95) in [
        ("cbec", "2020", 12.1500, 11.6613, 12.6387),
        ("cbec", "2021", 13.5000, 12.7429, 14.2571),
        ("cbec", "2022", 14.8500, 13.8485, 15.8515),
        ("trade", "2020", 33.2500, 29.4366, 37.0634),
    ] {
        let key = [series, year, "drift"];
        assert_close(cell(&csv, &key, "point"), point, 5e-5);
        assert_close(cell(&csv, &key, "lower_95"), lo95, 5e-5);
        assert_close(cell(&csv, &key, "upper_95"), hi95, 5e-5);
    }
    assert_close(
        cell(&csv, &["cbec", "2020", "drift"], "lower_80"),
        11.8305,
        5e-5,
    );
    assert_close(
        cell(&csv, &["cbec", "2020", "drift"], "upper_80"),
        12.4695,
        5e-5,
    );
    // The convention is stated in the metadata.
    let json = ok(&["project", "--method", "drift", "--format", "json"]);
    assert!(json.contains("sqrt(h(1 + h/(T-1)))"), "{json}");
}

#[test]
fn model_summary_and_holt_warning() {
    let csv = ok(&["project", "--models", "--format", "csv"]);
    assert_close(cell(&csv, &["cbec", "linear"], "intercept"), 3.992, 1e-9);
    assert_close(cell(&csv, &["cbec", "linear"], "slope"), 1.380, 1e-9);
    assert_close(cell(&csv, &["cbec", "linear"], "sigma"), 0.132262, 1e-6);
    assert_close(cell(&csv, &["cbec", "linear"], "r2"), 0.997252, 1e-6);
    assert_close(cell(&csv, &["trade", "linear"], "intercept"), 21.804, 1e-9);
    assert_close(cell(&csv, &["trade", "linear"], "slope"), 1.988, 1e-9);
    assert_close(cell(&csv, &["trade", "linear"], "sigma"), 1.097124, 1e-6);
    assert_close(cell(&csv, &["cbec", "loglinear"], "slope"), 0.175631, 1e-6);
    assert_close(cell(&csv, &["cbec", "loglinear"], "growth"), 0.19200, 1e-5);
    assert!(cell(&csv, &["cbec", "holt"], "alpha").unwrap() < 1e-3);
    let (header, rows) = parse_csv(&csv);
    let warning = header.iter().position(|h| h == "warning").unwrap();
    let holt = rows
        .iter()
        .find(|r| r[0] == "cbec" && r[1] == "holt")
        .unwrap();
    assert!(holt[warning].contains("only 5 years"), "{holt:?}");
    // α = 0: β* has no effect, so it is empty (not the optimiser's arbitrary start value).
    assert_eq!(cell(&csv, &["cbec", "holt"], "alpha"), Some(0.0));
    assert_eq!(cell(&csv, &["cbec", "holt"], "beta"), Some(0.0));
    assert_eq!(cell(&csv, &["cbec", "holt"], "beta_star"), None);
    let out = run(&["project", "--models", "--format", "csv"]);
    assert!(
        stderr(&out).contains("note: cbec holt: β* left empty: with α = 0"),
        "{}",
        stderr(&out)
    );

    let out = run(&["project", "--format", "csv"]);
    assert!(
        stderr(&out).contains("warning: cbec holt: interval not trustworthy"),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["project", "--format", "json"])).unwrap();
    let warnings = json["meta"]["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w["text"]
        .as_str()
        .unwrap()
        .starts_with("cbec holt: interval not trustworthy")
        && w["code"] == "model"
        && w["series"] == "cbec"));
    assert!(json["models"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["method"] == "holt" && m["warning"].is_string()));
    for m in json["models"].as_array().unwrap() {
        if m["method"] == "holt" {
            assert_eq!(m["alpha"], serde_json::json!(0.0), "{m}");
            assert_eq!(m["beta_star"], serde_json::Value::Null, "{m}");
        }
    }
    assert!(json["meta"]["notes"]
        .to_string()
        .contains("trade holt: β* left empty"));
    // In a table, the empty β* is a dash.
    let table = ok(&[
        "project", "--models", "--series", "cbec", "--format", "table",
    ]);
    let holt = table.lines().find(|l| l.contains(" holt ")).unwrap();
    let cells: Vec<&str> = holt.split('┆').map(str::trim).collect();
    assert_eq!(&cells[8..11], ["0.00", "0.00", "–"], "{holt}");
    assert_eq!(json["meta"]["levels"], serde_json::Value::Null);
    assert_eq!(
        json["meta"]["parameters"]["levels"],
        serde_json::json!([80.0, 95.0])
    );
}

#[test]
fn the_papers_claim_is_implausible() {
    let out = run(&["check", "cbec", "2020", "16", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let csv = stdout(&out);
    assert_close(
        cell(&csv, &["cbec", "2020"], "implied_growth"),
        0.48148,
        5e-6,
    );
    assert_close(cell(&csv, &["cbec", "2020"], "cagr"), 0.18921, 5e-6);
    let (header, rows) = parse_csv(&csv);
    assert_eq!(
        rows[0][header.iter().position(|h| h == "verdict").unwrap()],
        "implausible"
    );
    let methods = ok(&[
        "check",
        "cbec",
        "2020",
        "16",
        "--methods",
        "--format",
        "csv",
    ]);
    let (header, rows) = parse_csv(&methods);
    let inside = header.iter().position(|h| h == "inside_95").unwrap();
    for row in &rows {
        assert_ne!(row[inside], "true", "{row:?}");
    }
    // --strict: the same output, then exit status 3.
    let strict = run(&["check", "cbec", "2020", "16", "--strict", "--format", "csv"]);
    assert_eq!(strict.status.code(), Some(3));
    assert_eq!(stdout(&strict), csv);
    // With the series' unit it is the same claim; with another unit it is refused.
    assert_eq!(
        ok(&[
            "check",
            "cbec",
            "2020",
            "16",
            "trillion CNY",
            "--format",
            "csv"
        ]),
        csv
    );
    // In 亿元 it converts by scale; in dollars it is refused.
    assert_eq!(
        ok(&["check", "cbec", "2020", "160000", "亿元", "--format", "csv"]),
        csv
    );
    let out = run(&["check", "cbec", "2020", "2.3", "trillion USD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is in \"trillion USD\", but cbec is in \"trillion CNY\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn twelve_and_a_half_is_plausible() {
    let csv = ok(&[
        "check",
        "cbec",
        "2020",
        "12.5",
        "--methods",
        "--format",
        "csv",
    ]);
    assert_eq!(
        cell(&csv, &["cbec", "2020", "12.5", "linear"], "lower_95").map(|v| v < 12.5),
        Some(true)
    );
    let (header, rows) = parse_csv(&csv);
    let inside = header.iter().position(|h| h == "inside_95").unwrap();
    for method in ["linear", "loglinear"] {
        let row = rows.iter().find(|r| r[3] == method).unwrap();
        assert_eq!(row[inside], "true");
    }
    let verdict = ok(&[
        "check", "cbec", "2020", "12.5", "--strict", "--format", "csv",
    ]);
    assert!(verdict.contains(",plausible\n"), "{verdict}");
}

#[test]
fn claims_file_checks_many_claims() {
    let out = run(&[
        "check",
        "--claims",
        &input("claims.csv"),
        "--strict",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let (_, rows) = parse_csv(&stdout(&out));
    let verdicts: Vec<&str> = rows.iter().map(|r| r.last().unwrap().as_str()).collect();
    assert_eq!(
        verdicts,
        vec!["implausible", "plausible", "plausible", "mixed"]
    );
    // A claim about a year already observed is an error naming it.
    let out = run(&["check", "cbec", "2019", "11"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already runs to 2019"),
        "{}",
        stderr(&out)
    );
}

#[test]
#[allow(clippy::approx_constant)] // 3.141 is drift's reference MAPE, not π
fn backtest_matches_methods() {
    let csv = ok(&["backtest", "--series", "cbec", "--format", "csv"]);
    for (method, mape, mase) in [
        ("naive", 13.546, 1.0003),
        ("drift", 3.141, 0.2328),
        ("linear", 2.714, 0.2005),
        ("loglinear", 5.884, 0.4409),
    ] {
        let (header, rows) = parse_csv(&csv);
        let m = header.iter().position(|h| h == "method").unwrap();
        let row = rows.iter().find(|r| r[m] == method).unwrap();
        let get = |name: &str| {
            row[header.iter().position(|h| h == name).unwrap()]
                .parse::<f64>()
                .unwrap()
        };
        assert_close(Some(get("mape")), mape, 5e-4);
        assert_close(Some(get("mase")), mase, 5e-5);
        assert_eq!(get("origins"), 2.0);
    }
    assert!(
        csv.starts_with("series,rank,method,origins,unit,mae,rmse,mape,mase\ncbec,1,linear,2,"),
        "{csv}"
    );
    let out = run(&["backtest", "--format", "csv"]);
    assert!(
        stderr(&out).contains("note: cbec: scores rest on 2 forecasts (2018–2019)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn backtest_ranks_only_methods_scored_on_the_same_origins() {
    // --min-train 2: naive, drift and cagr forecast 2017–2019; linear and loglinear need 3
    // years, so they forecast only 2018–2019 and are not ranked against the others.
    let out = run(&["backtest", "--min-train", "2", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let (header, rows) = parse_csv(&csv);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cbec: Vec<(&str, &str, &str)> = rows
        .iter()
        .filter(|r| r[0] == "cbec")
        .map(|r| {
            (
                r[at("rank")].as_str(),
                r[at("method")].as_str(),
                r[at("origins")].as_str(),
            )
        })
        .collect();
    assert_eq!(
        cbec,
        vec![
            ("1", "drift", "3"),
            ("2", "cagr", "3"),
            ("3", "naive", "3"),
            ("", "linear", "2"),
            ("", "loglinear", "2"),
        ]
    );
    // Linear's MASE on its own two forecasts (0.2005) is below cagr's and naive's on three,
    // yet ranking it between them would compare different forecasts.
    assert_close(cell(&csv, &["cbec", "", "linear"], "mase"), 0.2005, 5e-5);
    assert!(
        stderr(&out).contains(
            "note: cbec: not ranked: linear, loglinear (scored on 2 forecasts, 2018–2019); the ranked methods are scored on 3 (2017–2019), and errors on different forecasts are not comparable (--min-train 3 scores every method on the same ones)"
        ),
        "{}",
        stderr(&out)
    );
    // The JSON says so too: a null rank, and the column's description.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["backtest", "--min-train", "2", "--format", "json"])).unwrap();
    let linear = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["series"] == "trade" && r["method"] == "linear")
        .unwrap();
    assert_eq!(linear["rank"], serde_json::Value::Null);
    assert_eq!(linear["origins"], 2);
    assert!(json["meta"]["columns"]["rank"]
        .as_str()
        .unwrap()
        .contains("among the methods scored on every origin"));
    // The default window scores every method on 2018–2019: all ranked, no such note (the
    // golden files hold the rest).
    let out = run(&["backtest", "--format", "csv"]);
    let (_, rows) = parse_csv(&stdout(&out));
    assert!(rows.iter().all(|r| !r[1].is_empty()), "{rows:?}");
    assert!(!stderr(&out).contains("not ranked"), "{}", stderr(&out));
}

/// No output of any format may contain NaN or infinity.
fn finite_everywhere(args: &[&str]) -> String {
    let mut all = String::new();
    for format in ["csv", "json", "table"] {
        let mut full = args.to_vec();
        full.extend(["--format", format]);
        let out = run(&full);
        assert!(out.status.success(), "{full:?}: {}", stderr(&out));
        let text = stdout(&out).to_lowercase();
        assert!(
            !text.contains("nan") && !text.contains("inf"),
            "{full:?} printed NaN/inf:\n{text}"
        );
        all.push_str(&stderr(&out));
    }
    all
}

#[test]
fn edge_cases_give_notes_never_nan() {
    let constant = input("edge-constant.csv");
    finite_everywhere(&["project", "--data", &constant, "--horizon", "3"]);
    let csv = ok(&[
        "project",
        "--data",
        &constant,
        "--method",
        "linear,drift",
        "--format",
        "csv",
    ]);
    assert_eq!(
        cell(&csv, &["flat", "2020", "linear"], "upper_95"),
        Some(5.0)
    );
    finite_everywhere(&["backtest", "--data", &constant]);
    finite_everywhere(&["check", "--data", &constant, "flat", "2020", "6"]);

    let two = input("edge-two.csv");
    let notes = finite_everywhere(&["project", "--data", &two]);
    assert!(
        notes.contains("no linear projection: linear needs at least 3 years"),
        "{notes}"
    );
    assert!(notes.contains("no holt projection"), "{notes}");
    let csv = ok(&["project", "--data", &two, "--format", "csv", "-q"]);
    assert_eq!(cell(&csv, &["short", "2020", "drift"], "point"), Some(6.0));
    assert_eq!(cell(&csv, &["short", "2020", "drift"], "lower_95"), None);

    let swing = input("edge-zero.csv");
    let notes = finite_everywhere(&["project", "--data", &swing]);
    assert!(
        notes.contains("no loglinear projection: loglinear needs every value > 0, but 2015 is 0"),
        "{notes}"
    );
    assert!(notes.contains("no cagr projection"), "{notes}");
    finite_everywhere(&["growth", "--data", &swing]);
    finite_everywhere(&["backtest", "--data", &swing]);
}

#[test]
fn bad_horizons_and_levels_are_usage_errors() {
    for (args, expected) in [
        (&["project", "--horizon", "0"][..], "0 is not in 1..=200"),
        (
            &["project", "--level", "100"],
            "100 is not a level strictly between 0 and 100",
        ),
        (
            &["project", "--level", "0"],
            "0 is not a level strictly between 0 and 100",
        ),
        (&["project", "--level", "95,abc"], "\"abc\" is not a number"),
        (
            &["project", "--to", "2022", "--horizon", "2"],
            "cannot be used with",
        ),
        (&["backtest", "--horizon", "0"], "0 is not in 1..=200"),
        (
            &["check", "cbec", "2020", "inf"],
            "'inf' for '[VALUE]': it is not a number",
        ),
        (
            &["check", "cbec", "99999", "16"],
            "out of range (expected a year from -9999 to 9999)",
        ),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = run(&["project", "--to", "2019"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--to 2019: the data already runs to 2019"));
}

#[test]
fn gaps_use_actual_years_for_trends_and_refuse_drift() {
    let gap = input("gap.csv");
    let out = run(&[
        "project", "--data", &gap, "--series", "cbec", "--format", "csv",
    ]);
    let csv = stdout(&out);
    // OLS on x = 1, 2, 4 (2015, 2016, 2018), projected to 2019 (x = 5).
    let (x, y) = ([1.0, 2.0, 4.0], [5.4, 6.7, 9.7]);
    let (mx, my) = (7.0 / 3.0, (5.4 + 6.7 + 9.7) / 3.0);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let slope = sxy / sxx;
    assert_close(
        cell(&csv, &["cbec", "2019", "linear"], "point"),
        my + slope * (5.0 - mx),
        1e-9,
    );
    assert!(
        stderr(&out)
            .contains("no drift projection: drift needs consecutive years, but 2017 is missing"),
        "{}",
        stderr(&out)
    );
}
