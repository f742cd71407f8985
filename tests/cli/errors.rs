//! Bad input: exit code 1, a message naming the file, line/column or flag, what was found and
//! what was expected, and no output file left behind (nor an old one damaged).

use super::{input, run, stderr, temp_dir};

/// Runs with `--output` into an empty directory and into an existing file; asserts exit 1,
/// that stderr contains every `expected` fragment, that no file appears, and that an existing
/// output file keeps its bytes.
fn fails(args: &[&str], expected: &[&str]) {
    let dir = temp_dir();
    let target = dir.path().join("out.csv");
    let target_str = target.display().to_string();
    let mut full = args.to_vec();
    full.extend(["--output", &target_str]);
    let out = run(&full);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "tradestat {args:?}: {message}");
    assert!(message.starts_with("tradestat: error: "), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    for fragment in expected {
        assert!(
            message.contains(fragment),
            "message {message:?} lacks {fragment:?}"
        );
    }
    assert!(out.stdout.is_empty());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");

    std::fs::write(&target, "previous\n").unwrap();
    let out = run(&full);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "previous\n");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "temporary file left behind"
    );
}

#[test]
fn empty_file() {
    let f = input("bad/empty.csv");
    fails(
        &["growth", "--data", &f],
        &[&f, "the file is empty", "expected a header row"],
    );
}

#[test]
fn header_only() {
    let f = input("bad/header-only.csv");
    fails(&["growth", "--data", &f], &[&f, "no data rows"]);
}

#[test]
fn no_year_column() {
    let f = input("bad/no-year.csv");
    fails(
        &["growth", "--data", &f],
        &[
            &format!("{f}:1:"),
            "no `year` column",
            "found: period, cbec, trade",
            "expected a column named year",
        ],
    );
}

#[test]
fn year_not_an_integer() {
    let f = input("bad/bad-year.csv");
    fails(
        &["growth", "--data", &f],
        &[
            &format!("{f}:3:1:"),
            "\"2016a\"",
            "not an integer year",
            "expected an integer like 2019",
        ],
    );
}

#[test]
fn duplicate_series_year() {
    let f = input("bad/duplicate.csv");
    fails(
        &["growth", "--data", &f],
        &[
            &format!("{f}:4:"),
            "series \"cbec\", year 2015 appears twice",
            "first on line 2",
            "--by",
        ],
    );
}

#[test]
fn duplicate_group_series_year() {
    let f = input("bad/duplicate-panel.csv");
    fails(
        &["growth", "--data", &f],
        &[
            &format!("{f}:5:"),
            "region \"north\", series \"cbec\", year 2015 appears twice",
            "first on line 2",
        ],
    );
}

#[test]
fn value_not_a_number() {
    let f = input("bad/not-a-number.csv");
    fails(
        &["growth", "--data", &f],
        &[
            &format!("{f}:3:3:"),
            "value \"24.3 est.\"",
            "column \"trade\"",
            "not a number",
            "expected a decimal",
        ],
    );
}

#[test]
fn ragged_row() {
    let f = input("bad/ragged.csv");
    fails(
        &["growth", "--data", &f],
        &[
            &format!("{f}:3:"),
            "the row has 2 fields but the header has 3",
        ],
    );
}

#[test]
fn unknown_series() {
    fails(
        &["growth", "--series", "cbec,exports"],
        &[
            "--series exports",
            "no series \"exports\"",
            "known series: cbec, trade",
        ],
    );
    fails(
        &["share", "--part", "b2b", "--whole", "trade"],
        &["--part b2b", "known series: cbec, trade"],
    );
    fails(
        &["panel", "--series", "cbec,b2c"],
        &["--series b2c", "known series: cbec, trade"],
    );
    fails(
        &["panel", "--part", "cbec", "--whole", "b2b"],
        &["--whole b2b", "known series: cbec, trade"],
    );
}

#[test]
fn panel_share_of_a_series_in_itself() {
    fails(
        &["panel", "--part", "cbec", "--whole", "CBEC"],
        &["--part and --whole are both \"cbec\" (expected two different series)"],
    );
}

#[test]
fn from_after_to() {
    fails(
        &["growth", "--from", "2019", "--to", "2015"],
        &["--from 2019 is after --to 2015"],
    );
}

#[test]
fn missing_file_and_directory() {
    fails(
        &["growth", "--data", "no/such/file.csv"],
        &["cannot read no/such/file.csv"],
    );
    fails(
        &["growth", "--data", "tests"],
        &["cannot read tests: it is a directory"],
    );
}

#[test]
fn span_without_data() {
    fails(
        &["growth", "--from", "2030"],
        &["no values between --from 2030"],
    );
}

#[test]
fn base_year_without_data() {
    fails(
        &["index", "--base", "2010"],
        &["--base 2010: no selected series has a value in 2010"],
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["growth", "--format", "xml"][..],
        &["growth", "--nope"],
        &["share", "--part", "cbec"],
        &["panel", "--part", "cbec"],
        &["panel", "--whole", "trade"],
        &["bogus"],
    ] {
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "tradestat {args:?}: {}",
            stderr(&out)
        );
    }
}
