//! The bad-input corpus under tests/inputs/corpus: every file gives either exit status 1 with
//! exactly the message below (and no output file), or a correct result when the file is odd
//! but valid. Never a panic.

use super::{cell, input, parse_csv, run, stderr, stdout, temp_dir};

/// Files that must fail, with the exact message.
const FAILURES: &[(&str, &str)] = &[
    ("01-empty.csv", "tradestat: error: tests/inputs/corpus/01-empty.csv: the file is empty (expected a header row such as `year,cbec,trade` or `year,series,value,unit`)"),
    ("02-whitespace-only.csv", "tradestat: error: tests/inputs/corpus/02-whitespace-only.csv: the file is empty (expected a header row such as `year,cbec,trade` or `year,series,value,unit`)"),
    ("03-header-only.csv", "tradestat: error: tests/inputs/corpus/03-header-only.csv: the file has a header but no data rows (expected one row per year)"),
    ("06-duplicate-year.csv", "tradestat: error: tests/inputs/corpus/06-duplicate-year.csv:4: series \"trade\", year 2016 appears twice (first on line 3; expected one value per group, series and year; if the file has several regions or partners, name the column with --by)"),
    ("08-non-numeric.csv", "tradestat: error: tests/inputs/corpus/08-non-numeric.csv:3:2: value \"six\" in column \"cbec\": it is not a number (expected a decimal like 12.5 or \"1,234.5\", or an empty cell for a missing value)"),
    ("10-bad-thousands.csv", "tradestat: error: tests/inputs/corpus/10-bad-thousands.csv:2:2: value \"1,23\" in column \"exports\": its commas are not thousands separators (expected groups of three digits, like 1,234.5)"),
    ("12-nan-text.csv", "tradestat: error: tests/inputs/corpus/12-nan-text.csv:3:2: value \"NaN\" in column \"cbec\": it is not a number (expected a decimal like 12.5 or \"1,234.5\", or an empty cell for a missing value)"),
    ("13-inf-text.csv", "tradestat: error: tests/inputs/corpus/13-inf-text.csv:2:2: value \"inf\" in column \"cbec\": it is not a number (expected a decimal like 12.5 or \"1,234.5\", or an empty cell for a missing value)"),
    ("15-ragged.csv", "tradestat: error: tests/inputs/corpus/15-ragged.csv:3: the row has 2 fields but the header has 3 (expected every row to have as many fields as the header)"),
    ("16-huge-number.csv", "tradestat: error: tests/inputs/corpus/16-huge-number.csv:2:2: value \"1e400\" in column \"cbec\": it is too large to represent (expected a finite number)"),
    ("18-very-long-line.csv", "tradestat: error: tests/inputs/corpus/18-very-long-line.csv:2:2: value \"9999999999999999999999999999999999999999\"… (200000 characters) in column \"cbec\": it is too large to represent (expected a finite number)"),
    ("19-unknown-text-column.csv", "tradestat: error: tests/inputs/corpus/19-unknown-text-column.csv:2:3: value \"first year\" in column \"notes\": it is not a number (expected a decimal like 12.5 or \"1,234.5\", or an empty cell for a missing value)"),
    ("20-year-with-decimals.csv", "tradestat: error: tests/inputs/corpus/20-year-with-decimals.csv:2:1: year \"2015.0\" in column \"year\": it is not an integer year (expected an integer like 2019)"),
    ("21-empty-year.csv", "tradestat: error: tests/inputs/corpus/21-empty-year.csv:2:1: year \"\" in column \"year\": the year is empty (expected an integer year like 2019)"),
    ("22-duplicate-header.csv", "tradestat: error: tests/inputs/corpus/22-duplicate-header.csv:1:3: column \"CBEC\" appears twice in the header (first as column 2; expected unique names)"),
    ("23-empty-header-cell.csv", "tradestat: error: tests/inputs/corpus/23-empty-header-cell.csv:1:2: column 2 of the header has no name (expected a name for every column)"),
    ("24-long-without-value.csv", "tradestat: error: tests/inputs/corpus/24-long-without-value.csv:1: a long table needs a `value` column (found: year, series, amount; expected year, series, value and optionally unit)"),
    ("25-two-units.csv", "tradestat: error: tests/inputs/corpus/25-two-units.csv:3: series \"cbec\" is in \"100 million CNY\" here but in \"trillion CNY\" on line 2 (expected one unit per series)"),
    ("33-internal-column-name.csv", "tradestat: error: tests/inputs/corpus/33-internal-column-name.csv:1:4: column \"__line\" cannot be a group column (year, series, value and unit have fixed meanings, and __line is tradestat's own)"),
    ("34-unterminated-quote.csv", "tradestat: error: tests/inputs/corpus/34-unterminated-quote.csv:3: a quote opens a field on this line and is never closed (expected a closing \" before the end of the file)"),
    ("35-two-currencies.csv", "tradestat: error: tests/inputs/corpus/35-two-currencies.csv:1:2: unit \"yuan dollars\" names more than one currency (CNY and USD; expected one, e.g. \"billion USD\")"),
    ("36-unknown-unit-word.csv", "tradestat: error: tests/inputs/corpus/36-unknown-unit-word.csv:3:4: unit \"trillion yuan foo\": \"foo\" is neither a scale nor a currency (expected scales such as thousand, million, billion, trillion, bn, 万, 亿 and currencies such as yuan, 元, dollars, 美元, euro or a three-letter ISO code)"),
    ("a-directory", "tradestat: error: cannot read tests/inputs/corpus/a-directory: it is a directory with no .parquet file in it (expected a CSV file, or a directory of Parquet files)"),
    ("missing.csv", "tradestat: error: cannot read tests/inputs/corpus/missing.csv: No such file or directory (os error 2)"),
];

#[test]
fn bad_files_fail_with_exact_messages_and_leave_nothing() {
    for (file, expected) in FAILURES {
        let path = input(&format!("corpus/{file}"));
        let dir = temp_dir();
        let target = dir.path().join("out.csv").display().to_string();
        let out = run(&["growth", "--data", &path, "--output", &target]);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim_end(), *expected, "{file}");
        assert!(out.stdout.is_empty(), "{file}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{file} left a file"
        );
    }
}

/// Files that are odd but valid: each has its checks in
/// `odd_but_valid_files_give_the_right_numbers`.
const VALID: &[&str] = &[
    "04-bom.csv",
    "05-crlf.csv",
    "07-missing-years.csv",
    "09-thousands.csv",
    "11-zero-and-negative.csv",
    "14-semicolons.csv",
    "17-non-utf8.csv",
    "26-same-unit-two-spellings.csv",
    "27-quoted-newline.csv",
    "28-negative-year.csv",
    "29-empty-cells.csv",
    "30-huge-but-finite.csv",
    "31-tab-separated.csv",
    "32-long-group-no-by.csv",
    "37-opaque-unit.csv",
    "38-subnormal-base.csv",
    "39-near-max.csv",
];

/// Runs growth on a corpus file that must succeed; returns (CSV, stderr).
fn valid(file: &str) -> (String, String) {
    assert!(VALID.contains(&file), "{file} is not listed in VALID");
    let out = run(&[
        "growth",
        "--data",
        &input(&format!("corpus/{file}")),
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
    (stdout(&out), stderr(&out))
}

#[test]
fn odd_but_valid_files_give_the_right_numbers() {
    for file in ["04-bom.csv", "05-crlf.csv"] {
        let (csv, _) = valid(file);
        assert_eq!(
            cell(&csv, &["cbec", "2016"], "yoy"),
            Some(6.7 / 5.4 - 1.0),
            "{file}"
        );
    }
    let (csv, notes) = valid("07-missing-years.csv");
    assert_eq!(cell(&csv, &["cbec", "2018"], "yoy"), None);
    assert!(notes.contains("no value for 2016–2017"), "{notes}");
    let (csv, _) = valid("09-thousands.csv");
    assert_eq!(cell(&csv, &["exports", "2015"], "value"), Some(1234.5));
    assert_eq!(
        cell(&csv, &["exports", "2016"], "yoy"),
        Some(1500.0 / 1234.5 - 1.0)
    );
    let (csv, notes) = valid("11-zero-and-negative.csv");
    assert_eq!(cell(&csv, &["balance", "2016"], "yoy"), None);
    assert_eq!(cell(&csv, &["balance", "2017"], "yoy"), Some(-1.5));
    assert!(
        notes.contains("growth undefined because the 2015 value is 0"),
        "{notes}"
    );
    let (csv, _) = valid("26-same-unit-two-spellings.csv");
    assert!(csv.contains(",100 million CNY,"), "{csv}");
    let (csv, _) = valid("27-quoted-newline.csv");
    assert_eq!(parse_csv(&csv).1[1][0], "cross\nborder");
    let (csv, _) = valid("28-negative-year.csv");
    assert_eq!(cell(&csv, &["x", "1"], "yoy"), Some(1.0));
    let (csv, notes) = valid("29-empty-cells.csv");
    assert!(
        notes.contains("cbec 2016: empty value, treated as a missing year"),
        "{notes}"
    );
    assert_eq!(
        cell(&csv, &["trade", "2017"], "yoy"),
        Some(27.8 / 24.3 - 1.0)
    );
    let (csv, _) = valid("30-huge-but-finite.csv");
    assert_eq!(cell(&csv, &["x", "2016"], "yoy"), Some(1.0));
    // Not UTF-8 but plainly windows-1252 (Latin-1): decoded, with a note.
    let (csv, notes) = valid("17-non-utf8.csv");
    assert!(notes.contains("read as windows-1252 (detected"), "{notes}");
    assert!(!csv.is_empty());
    // Semicolons and tabs are sniffed (they used to be errors with a hint).
    let (csv, _) = valid("14-semicolons.csv");
    assert_eq!(cell(&csv, &["trade", "2015"], "value"), Some(24.7));
    let (csv, _) = valid("31-tab-separated.csv");
    assert_eq!(cell(&csv, &["cbec", "2015"], "value"), Some(5.4));
    // Words that name no currency are an opaque unit, carried as written.
    let (csv, _) = valid("37-opaque-unit.csv");
    assert!(csv.contains(",foo bar,"), "{csv}");
    assert_eq!(cell(&csv, &["cbec", "2016"], "yoy"), Some(6.7 / 5.4 - 1.0));
    let (csv, notes) = valid("38-subnormal-base.csv");
    assert_eq!(cell(&csv, &["x", "2016"], "yoy"), None);
    assert!(notes.contains("overflows"), "{notes}");
    let (csv, _) = valid("39-near-max.csv");
    assert_eq!(
        cell(&csv, &["x", "2016"], "yoy"),
        Some(1.7e308 / 1.6e308 - 1.0)
    );
    // A long file's extra column is a group, even without --by.
    let (csv, _) = valid("32-long-group-no-by.csv");
    assert!(csv.starts_with("region,series,year,"), "{csv}");
    assert_eq!(
        cell(&csv, &["north", "cbec", "2016"], "yoy"),
        Some(6.7 / 5.4 - 1.0)
    );
}

/// Every file of the corpus is listed, with its message (FAILURES) or as valid (VALID), and
/// every listed file exists (but `missing.csv`, whose absence is the test).
#[test]
fn every_corpus_file_is_listed() {
    use std::collections::BTreeSet;
    let present: BTreeSet<String> = std::fs::read_dir(super::root().join("tests/inputs/corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = FAILURES
        .iter()
        .map(|(f, _)| *f)
        .chain(VALID.iter().copied())
        .filter(|f| *f != "missing.csv")
        .map(str::to_string)
        .collect();
    let unlisted: Vec<_> = present.difference(&listed).collect();
    let absent: Vec<_> = listed.difference(&present).collect();
    assert!(
        unlisted.is_empty(),
        "corpus files without an expectation: {unlisted:?}"
    );
    assert!(
        absent.is_empty(),
        "listed corpus files that do not exist: {absent:?}"
    );
    assert!(present.len() >= 25, "{}", present.len());
}
