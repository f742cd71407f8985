//! Detail data summed (`--sum-by`, `--part-where`, `--strict-duplicates`) on a small BACI-like
//! file whose numbers are worked out by hand in tests/inputs/detail/EXPECTED.md.

use super::{assert_close, cell, input, ok, run, stderr, stdout};

/// The file and the columns it is read by, then `rest`.
fn args<'a>(command: &'a str, file: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec![
        command,
        "--data",
        file,
        "--year-col",
        "t",
        "--value-col",
        "v",
        "--format",
        "csv",
    ];
    all.extend_from_slice(rest);
    all
}

/// Each exporter's total by year, worked out in EXPECTED.md: 156: 300, 360, 432 (2022 counts
/// the duplicate record 31 twice); 842: 200, 250, 288 (2020 leaves out the empty value).
const TOTALS: [(&str, &str, f64); 6] = [
    ("156", "2020", 300.0),
    ("156", "2021", 360.0),
    ("156", "2022", 432.0),
    ("842", "2020", 200.0),
    ("842", "2021", 250.0),
    ("842", "2022", 288.0),
];

fn baci() -> String {
    input("detail/baci-small.csv")
}

/// `command` on the detail file with --sum-by i and `rest`, as CSV.
fn summed(command: &str, rest: &[&str]) -> String {
    let file = baci();
    let mut all = vec!["--sum-by", "i"];
    all.extend_from_slice(rest);
    ok(&args(command, &file, &all))
}

#[test]
fn growth_of_exporters_summed_over_importers_and_products() {
    let csv = summed("growth", &[]);
    let value = |i: &str, year: &str| cell(&csv, &[i, "v", year], "value");
    for (i, year, v) in TOTALS {
        assert_close(value(i, year), v, 1e-9);
    }
    let yoy = |i: &str, year: &str| cell(&csv, &[i, "v", year], "yoy");
    assert_close(yoy("156", "2021"), 0.2, 1e-12);
    assert_close(yoy("156", "2022"), 0.2, 1e-12);
    assert_close(yoy("842", "2021"), 0.25, 1e-12);
    assert_close(yoy("842", "2022"), 0.152, 1e-12);
    assert_eq!(yoy("842", "2020"), None);
    assert_close(cell(&csv, &["842", "v", "2022"], "change"), 38.0, 1e-9);
    let summary = summed("growth", &["--summary"]);
    // (432/300)^(1/2) - 1 and (288/200)^(1/2) - 1: both 0.2.
    assert_close(cell(&summary, &["156"], "cagr"), 0.2, 1e-12);
    assert_close(cell(&summary, &["842"], "cagr"), 0.2, 1e-12);
    assert_eq!(
        csv.lines().next(),
        Some("i,series,year,unit,value,change,yoy,gap_growth,cagr_since_first")
    );
}

#[test]
fn share_of_products_85_in_each_exporters_total() {
    let csv = summed("share", &["--part-where", "k=85*"]);
    let at = |i: &str, year: &str, column: &str| cell(&csv, &[i, year], column);
    assert_close(at("156", "2020", "part"), 240.0, 1e-9);
    assert_close(at("156", "2020", "whole"), 300.0, 1e-9);
    assert_close(at("156", "2020", "share"), 0.8, 1e-12);
    assert_close(at("156", "2021", "share"), 29.0 / 36.0, 1e-12);
    assert_close(at("156", "2022", "share"), 20.0 / 27.0, 1e-12);
    assert_close(at("842", "2020", "share"), 0.55, 1e-12);
    assert_close(at("842", "2021", "share"), 0.56, 1e-12);
    assert_close(at("842", "2022", "share"), 89.0 / 144.0, 1e-12);
    assert_close(
        at("156", "2021", "contribution_pp"),
        100.0 * 50.0 / 300.0,
        1e-9,
    );
    assert_close(at("842", "2022", "contribution_pp"), 15.2, 1e-9);
    assert_close(at("842", "2021", "share_change_pp"), 1.0, 1e-9);
    // The default part and whole are the ones --part and --whole would name.
    let named = summed(
        "share",
        &[
            "--part-where",
            "k=85*",
            "--part",
            "v[k=85*]",
            "--whole",
            "v",
        ],
    );
    assert_eq!(named, csv);
    // Alternatives: the two chapter-85 products listed.
    let listed = summed("share", &["--part-where", "k=850440,851712"]);
    assert_close(cell(&listed, &["842", "2022"], "part"), 178.0, 1e-9);
}

#[test]
fn panel_takes_the_part_and_whole_of_part_where() {
    let csv = summed("panel", &["--part-where", "k=85*"]);
    assert_close(cell(&csv, &["842", "2022"], "share"), 89.0 / 144.0, 1e-12);
    // The part's CAGR: (320/240)^(1/2) - 1.
    let cagr = (320.0f64 / 240.0).sqrt() - 1.0;
    assert_close(cell(&csv, &["156", "2020"], "v[k=85*]_cagr"), cagr, 1e-12);
}

#[test]
fn notes_count_records_empty_values_and_duplicates() {
    let file = baci();
    let out = run(&args("growth", &file, &["--sum-by", "i"]));
    assert!(out.status.success());
    let notes = stderr(&out);
    for expected in [
        "note: 37 records summed into 6 values per i and year (summed over j, k, q)",
        "note: 1 record with an empty value left out of the sums",
        "note: 1 record equal in every column to an earlier one, summed as it is",
        "(the first: line 38, the same as line 31; --strict-duplicates makes this an error)",
    ] {
        assert!(notes.contains(expected), "{expected:?} not in {notes}");
    }
    let mut json_args = args("growth", &file, &["--sum-by", "i"]);
    json_args[8] = "json";
    let json = ok(&json_args);
    for code in ["summed", "empty_values_skipped", "exact_duplicates"] {
        assert!(json.contains(&format!("\"code\": \"{code}\"")), "{code}");
    }
    // inspect says what was summed and pins it in its command line.
    let about = summed("inspect", &[]);
    assert!(about.contains("summed,\"37 records summed into 6 values per i and year"));
    assert!(
        about.contains("--year-col t --value-col v --sum-by i"),
        "{about}"
    );
}

#[test]
fn strict_duplicates_is_an_error_naming_both_lines() {
    let file = baci();
    let out = run(&args(
        "growth",
        &file,
        &["--sum-by", "i", "--strict-duplicates"],
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let message = stderr(&out);
    assert!(
        message.contains(
            "tests/inputs/detail/baci-small.csv:38: the record is an exact duplicate of line 31"
        ),
        "{message}"
    );
}

#[test]
fn sum_by_a_missing_column_lists_the_columns() {
    let file = baci();
    let out = run(&args("growth", &file, &["--sum-by", "exporter"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "--sum-by exporter: tests/inputs/detail/baci-small.csv:1 has no column \"exporter\" (its columns are: t, i, j, k, v, q)"
        ),
        "{}",
        stderr(&out)
    );
    let value = run(&args("growth", &file, &["--sum-by", "v"]));
    assert_eq!(value.status.code(), Some(1));
    assert!(stderr(&value).contains("is not a key column"));
}

#[test]
fn part_where_needs_sum_by_and_a_good_pattern() {
    let file = baci();
    let alone = run(&args("share", &file, &["--part-where", "k=85*"]));
    assert_eq!(alone.status.code(), Some(2));
    assert!(stderr(&alone).contains("--sum-by"), "{}", stderr(&alone));
    for (pattern, why) in [
        ("k=8*5", "`*` is not at the end"),
        ("k=", "has an empty pattern"),
        ("k85", "has no `=`"),
    ] {
        let out = run(&args(
            "share",
            &file,
            &["--sum-by", "i", "--part-where", pattern],
        ));
        assert_eq!(out.status.code(), Some(1), "{pattern}");
        assert!(stderr(&out).contains(why), "{pattern}: {}", stderr(&out));
    }
    let column = run(&args(
        "share",
        &file,
        &["--sum-by", "i", "--part-where", "hs=85*"],
    ));
    assert_eq!(column.status.code(), Some(1));
    assert!(stderr(&column)
        .contains("--part-where hs: tests/inputs/detail/baci-small.csv:1 has no column \"hs\""));
}

/// The detail file cut in two (every other record in each, so every exporter and year has
/// records in both files, the duplicate pair split too) sums to the same values: the files'
/// sums add up. The values of growth_of_exporters_summed_over_importers_and_products.
#[test]
fn several_files_sum_together() {
    let dir = super::temp_dir();
    let text = std::fs::read_to_string(super::root().join(baci())).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut odd, mut even) = (vec![header], vec![header]);
    for (i, line) in lines.enumerate() {
        if i % 2 == 0 {
            odd.push(line)
        } else {
            even.push(line)
        }
    }
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, odd.join("\n") + "\n").unwrap();
    std::fs::write(&b, even.join("\n") + "\n").unwrap();
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let out = run(&[
        "growth",
        "--data",
        &a,
        "--data",
        &b,
        "--year-col",
        "t",
        "--value-col",
        "v",
        "--sum-by",
        "i",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    for (i, year, expected) in TOTALS {
        assert_close(cell(&csv, &[i, "v", year], "value"), expected, 1e-9);
    }
    assert!(
        stderr(&out).contains("records summed into"),
        "{}",
        stderr(&out)
    );
}
