//! Every subcommand × every format against files in tests/golden. `UPDATE_GOLDEN=1 cargo test`
//! rewrites them; review the diff before committing.

use super::{matches_golden, ok, root};

const FORMATS: [(&str, &str); 7] = [
    ("table", "txt"),
    ("csv", "csv"),
    ("tsv", "tsv"),
    ("json", "json"),
    ("ndjson", "ndjson"),
    ("markdown", "md"),
    ("latex", "tex"),
];

fn check(name: &str, args: &[&str]) {
    for (format, ext) in FORMATS {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--format", format]);
        let actual = ok(&full);
        if !matches_golden(&format!("{name}.{ext}"), &actual) {
            continue;
        }
        // Byte-stable: a second run gives the same bytes.
        assert_eq!(ok(&full), actual, "tradestat {full:?} is not deterministic");
    }
}

fn case(name: &str) {
    let (_, args) = CASES
        .iter()
        .find(|(stem, _)| *stem == name)
        .unwrap_or_else(|| panic!("no golden case {name}"));
    check(name, args);
}

/// Every golden case: (file stem, command line). Input paths are relative to the repository
/// root, the working directory of every run.
pub const CASES: &[(&str, &[&str])] = &[
    (
        "show",
        &["show"],
    ),
    (
        "show-modes",
        &["show", "modes"],
    ),
    (
        "growth",
        &["growth"],
    ),
    (
        "growth-summary",
        &["growth", "--summary"],
    ),
    (
        "growth-gap",
        &["growth", "--data", "tests/inputs/gap.csv"],
    ),
    (
        "index",
        &["index", "--base", "2015"],
    ),
    (
        "share",
        &["share", "--part", "cbec", "--whole", "trade"],
    ),
    (
        "panel",
        &["panel", "--part", "cbec", "--whole", "trade"],
    ),
    (
        "panel-regions",
        &["panel", "--data", "tests/inputs/panel-wide.csv", "--by", "region", "--part", "cbec", "--whole", "trade"],
    ),
    (
        "panel-gap",
        &["panel", "--data", "tests/inputs/gap.csv", "--from", "2016"],
    ),
    (
        "growth-panel",
        &["growth", "--data", "tests/inputs/panel-long.csv"],
    ),
    (
        "project",
        &["project", "--to", "2022"],
    ),
    (
        "project-models",
        &["project", "--models"],
    ),
    (
        "backtest",
        &["backtest"],
    ),
    (
        "check",
        &["check", "cbec", "2020", "16"],
    ),
    (
        "check-claims",
        &["check", "--claims", "tests/inputs/claims.csv", "--methods"],
    ),
    (
        "sql-filter",
        &["sql", "SELECT year, yoy FROM growth WHERE series = 'cbec' AND yoy > 0.2 ORDER BY year"],
    ),
    (
        "sql-aggregate",
        &["sql", "SELECT series, COUNT(yoy) AS years, AVG(yoy) AS mean_yoy, MAX(value) AS peak FROM growth GROUP BY series ORDER BY series"],
    ),
    (
        "sql-join",
        &["sql", "SELECT d.year, d.value, g.yoy FROM data d JOIN growth g ON d.series = g.series AND d.year = g.year WHERE d.series = 'trade' ORDER BY d.year"],
    ),
    (
        "sql-lag",
        &["sql", "SELECT series, year, value, value - LAG(value) OVER (PARTITION BY series ORDER BY year) AS change FROM data ORDER BY series, year"],
    ),
    (
        "sql-modes",
        &["sql", "SELECT mode, representative_websites FROM modes WHERE mode <> 'C2C' ORDER BY mode"],
    ),
    (
        "sql-schema",
        &["sql", "--schema"],
    ),
];

#[test]
fn show() {
    case("show");
}

#[test]
fn show_modes() {
    case("show-modes");
}

#[test]
fn growth() {
    case("growth");
}

#[test]
fn growth_summary() {
    case("growth-summary");
}

#[test]
fn growth_gap() {
    case("growth-gap");
}

#[test]
fn index() {
    case("index");
}

#[test]
fn share() {
    case("share");
}

#[test]
fn panel() {
    case("panel");
}

#[test]
fn panel_regions() {
    case("panel-regions");
}

#[test]
fn panel_gap() {
    case("panel-gap");
}

#[test]
fn growth_panel() {
    case("growth-panel");
}

#[test]
fn project() {
    case("project");
}

#[test]
fn project_models() {
    case("project-models");
}

#[test]
fn backtest() {
    case("backtest");
}

#[test]
fn check_claim() {
    case("check");
}

#[test]
fn check_claims_file() {
    case("check-claims");
}

#[test]
fn sql_filter() {
    case("sql-filter");
}

#[test]
fn sql_aggregate() {
    case("sql-aggregate");
}

#[test]
fn sql_join() {
    case("sql-join");
}

#[test]
fn sql_lag() {
    case("sql-lag");
}

#[test]
fn sql_modes() {
    case("sql-modes");
}

#[test]
fn sql_schema() {
    case("sql-schema");
}

/// Every file in tests/golden belongs to a case here, to `inspect`'s cases or to the man
/// page, and every case has its files: no orphan is left behind when a case goes.
#[test]
fn every_golden_file_is_used() {
    let mut expected: std::collections::BTreeSet<String> = CASES
        .iter()
        .flat_map(|(stem, _)| FORMATS.iter().map(move |(_, ext)| format!("{stem}.{ext}")))
        .collect();
    for file in super::published::PUBLISHED {
        for ext in ["txt", "json"] {
            expected.insert(format!("inspect-{}.{ext}", file.replace('.', "-")));
        }
    }
    expected.insert("man.1".to_string());
    let present: std::collections::BTreeSet<String> =
        std::fs::read_dir(root().join("tests/golden"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    let orphans: Vec<_> = present.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&present).collect();
    assert!(orphans.is_empty(), "golden files no test uses: {orphans:?}");
    assert!(
        missing.is_empty(),
        "golden files missing (UPDATE_GOLDEN=1): {missing:?}"
    );
}
