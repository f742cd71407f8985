//! Figures, reports, LaTeX and xlsx.

use super::{cell, input, ok, run, stderr, temp_dir};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir`, by relative path.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn report_is_complete_and_byte_identical_on_rerun() {
    let dir = temp_dir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let out = out.display().to_string();
        let result = run(&["report", "--out", &out]);
        assert!(result.status.success(), "{}", stderr(&result));
    }
    let (first, second) = (read_tree(&a), read_tree(&b));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} differs between runs");
    }
    for name in [
        "report.md",
        "report.html",
        "tables/data.csv",
        "tables/growth.csv",
        "tables/growth-summary.json",
        "tables/share.csv",
        "tables/index.json",
        "tables/projections.csv",
        "tables/projections-models.csv",
        "tables/backtest.csv",
        "tables/claims.csv",
        "figures/series.svg",
        "figures/growth.svg",
        "figures/share.svg",
        "figures/index.svg",
        "figures/projection-cbec.svg",
    ] {
        assert!(
            first.contains_key(name),
            "missing {name}; have {:?}",
            first.keys()
        );
    }
    // Rerunning into the same directory replaces it and leaves nothing else behind.
    let again = run(&["report", "--out", &a.display().to_string()]);
    assert!(again.status.success());
    assert_eq!(read_tree(&a), first);
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings.len(), 2, "{siblings:?}");

    let md = String::from_utf8(first["report.md"].clone()).unwrap();
    for heading in [
        "## Data",
        "## Growth and CAGR",
        "## Shares and contributions",
        "## Index",
        "## Projections",
        "## Backtest",
        "## Claim checks",
        "## Methods",
    ] {
        assert!(md.contains(heading), "no {heading}");
    }
    assert!(md.contains("SHA-256 of the input: "), "{md}");
    assert!(
        md.contains("implausible"),
        "the paper's claim is checked by default"
    );
    assert!(md.contains("![Year-on-year growth](figures/growth.svg)"));
    // The report's CSV is the command's CSV.
    let growth = String::from_utf8(first["tables/growth.csv"].clone()).unwrap();
    assert_eq!(growth, ok(&["growth", "--format", "csv"]));

    let html = String::from_utf8(first["report.html"].clone()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // series, growth, share, index and one projection per series
    assert_eq!(html.matches("<svg").count(), 6, "every figure inline");
    assert!(
        !html.contains("<script") && !html.contains("<link") && !html.contains("src=\"http"),
        "self-contained"
    );
}

#[test]
fn report_with_timestamp_and_claims_file() {
    let dir = temp_dir();
    let out = dir.path().join("r").display().to_string();
    let result = run(&[
        "report",
        "--out",
        &out,
        "--claims",
        &input("claims.csv"),
        "--timestamp",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    let md = std::fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(md.contains("- Generated: 20"), "{md}");
    let claims = std::fs::read_to_string(dir.path().join("r/tables/claims.csv")).unwrap();
    assert_eq!(claims.lines().count(), 5, "{claims}");
}

#[test]
fn failing_report_leaves_the_previous_one_intact() {
    let dir = temp_dir();
    let out = dir.path().join("report");
    let out_str = out.display().to_string();
    assert!(run(&["report", "--out", &out_str]).status.success());
    let before = read_tree(&out);
    for args in [
        vec!["report", "--out", &out_str, "--data", "no/such.csv"],
        vec!["report", "--out", &out_str, "--claim", "cbec 2019 11"],
        vec!["report", "--out", &out_str, "--part", "cbec"],
    ] {
        let result = run(&args);
        assert_eq!(
            result.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&result)
        );
        assert_eq!(read_tree(&out), before, "{args:?} changed the report");
        let entries = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(entries, 1, "{args:?} left files behind");
    }
}

fn svg(args: &[&str]) -> String {
    let mut full = vec!["chart"];
    full.extend(args);
    ok(&full)
}

#[test]
fn charts_are_well_formed_labelled_and_stable() {
    for (args, texts) in [
        (
            vec!["--kind", "series"],
            vec!["2015", "2019", "cbec", "trade", "trillion CNY"],
        ),
        (
            vec!["--kind", "growth"],
            vec!["2016", "2019", "YoY growth (%)", "cbec"],
        ),
        (
            vec!["--kind", "share", "--part", "cbec", "--whole", "trade"],
            vec!["Share of cbec in trade", "share of trade (%)"],
        ),
        (
            vec!["--kind", "index", "--base", "2015"],
            vec!["Index numbers (2015 = 100)", "trade"],
        ),
        (
            vec!["--kind", "projection", "--series", "cbec"],
            vec!["2022", "linear", "loglinear", "drift", "observed"],
        ),
    ] {
        let text = svg(&args);
        let doc =
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{args:?}: not XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let strings: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        for t in texts {
            assert!(
                strings.iter().any(|s| s.contains(t)),
                "{args:?}: no text {t:?} in {strings:?}"
            );
        }
        assert_eq!(svg(&args), text, "{args:?} is not byte-stable");
    }
    // The projection's bands: a 95 % and an 80 % polygon for each method with intervals.
    let text = svg(&[
        "--kind",
        "projection",
        "--series",
        "cbec",
        "--method",
        "linear",
    ]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("polygon"))
            .count(),
        2
    );
    let text = svg(&[
        "--kind",
        "projection",
        "--series",
        "cbec",
        "--method",
        "linear,drift",
        "--title",
        "T",
        "--width",
        "600",
        "--height",
        "300",
    ]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("polygon"))
            .count(),
        4
    );
    assert_eq!(doc.root_element().attribute("width"), Some("600"));
    // Written atomically to a file.
    let dir = temp_dir();
    let path = dir.path().join("c.svg");
    ok(&[
        "chart",
        "--kind",
        "series",
        "--output",
        &path.display().to_string(),
    ]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        svg(&["--kind", "series"])
    );
}

#[test]
fn chart_errors() {
    let out = run(&["chart", "--kind", "projection"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("draws one series, but 2 are selected"),
        "{}",
        stderr(&out)
    );
    let out = run(&["chart", "--kind", "share"]);
    assert!(stderr(&out).contains("--kind share needs --part and --whole"));
}

#[test]
fn xlsx_reads_back_with_the_csv_numbers() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = temp_dir();
    let path = dir.path().join("growth.xlsx");
    let result = run(&["growth", "--output", &path.display().to_string()]);
    assert!(result.status.success(), "{}", stderr(&result));
    let csv = ok(&["growth", "--format", "csv"]);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), vec!["growth", "summary", "notes"]);
    let range = book.worksheet_range("growth").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header.join(","), csv.lines().next().unwrap());
    assert_eq!(rows.len(), csv.lines().count());
    let yoy = header.iter().position(|h| h == "yoy").unwrap();
    let year = header.iter().position(|h| h == "year").unwrap();
    for row in &rows[1..] {
        let series = row[0].to_string();
        let y = match row[year] {
            Data::Float(f) => f,
            ref other => panic!("year is not numeric: {other:?}"),
        };
        let expected = cell(&csv, &[&series, &format!("{y}")], "yoy");
        match (&row[yoy], expected) {
            (Data::Float(f), Some(e)) => assert_eq!(*f, e, "{series} {y}"),
            (Data::Empty, None) => {}
            (got, want) => panic!("{series} {y}: {got:?} vs {want:?}"),
        }
    }
    // A workbook needs a file.
    let out = run(&["growth", "--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("give --output FILE.xlsx"));
}

#[test]
fn the_readme_figure_is_current() {
    let committed =
        std::fs::read_to_string(super::root().join("docs/projection-cbec.svg")).unwrap();
    assert_eq!(
        committed,
        svg(&["--kind", "projection", "--series", "cbec"]),
        "regenerate with: tradestat chart --kind projection --series cbec --output docs/projection-cbec.svg"
    );
}
