//! Every subcommand × every format against files in tests/golden. `UPDATE_GOLDEN=1 cargo test`
//! rewrites them; review the diff before committing.

use super::{ok, root};

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
        let path = root().join("tests/golden").join(format!("{name}.{ext}"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "missing golden file {} (run with UPDATE_GOLDEN=1)",
                path.display()
            )
        });
        assert_eq!(
            actual,
            expected,
            "tradestat {full:?} differs from {}",
            path.display()
        );
        // Byte-stable: a second run gives the same bytes.
        assert_eq!(ok(&full), actual, "tradestat {full:?} is not deterministic");
    }
}

#[test]
fn show() {
    check("show", &["show"]);
}

#[test]
fn show_modes() {
    check("show-modes", &["show", "modes"]);
}

#[test]
fn growth() {
    check("growth", &["growth"]);
}

#[test]
fn growth_summary() {
    check("growth-summary", &["growth", "--summary"]);
}

#[test]
fn growth_gap() {
    let gap = super::input("gap.csv");
    check("growth-gap", &["growth", "--data", &gap]);
}

#[test]
fn index() {
    check("index", &["index", "--base", "2015"]);
}

#[test]
fn share() {
    check("share", &["share", "--part", "cbec", "--whole", "trade"]);
}

#[test]
fn panel() {
    check("panel", &["panel", "--part", "cbec", "--whole", "trade"]);
}

#[test]
fn panel_regions() {
    let wide = super::input("panel-wide.csv");
    check(
        "panel-regions",
        &[
            "panel", "--data", &wide, "--by", "region", "--part", "cbec", "--whole", "trade",
        ],
    );
}

#[test]
fn panel_gap() {
    let gap = super::input("gap.csv");
    check("panel-gap", &["panel", "--data", &gap, "--from", "2016"]);
}

#[test]
fn growth_panel() {
    let panel = super::input("panel-long.csv");
    check("growth-panel", &["growth", "--data", &panel]);
}

#[test]
fn project() {
    check("project", &["project", "--to", "2022"]);
}

#[test]
fn project_models() {
    check("project-models", &["project", "--models"]);
}

#[test]
fn backtest() {
    check("backtest", &["backtest"]);
}

#[test]
fn check_claim() {
    check("check", &["check", "cbec", "2020", "16"]);
}

#[test]
fn check_claims_file() {
    let claims = super::input("claims.csv");
    check("check-claims", &["check", "--claims", &claims, "--methods"]);
}

#[test]
fn sql_filter() {
    check(
        "sql-filter",
        &[
            "sql",
            "SELECT year, yoy FROM growth WHERE series = 'cbec' AND yoy > 0.2 ORDER BY year",
        ],
    );
}

#[test]
fn sql_aggregate() {
    check(
        "sql-aggregate",
        &["sql", "SELECT series, COUNT(yoy) AS years, AVG(yoy) AS mean_yoy, MAX(value) AS peak FROM growth GROUP BY series ORDER BY series"],
    );
}

#[test]
fn sql_join() {
    check(
        "sql-join",
        &[
            "sql",
            "SELECT d.year, d.value, g.yoy FROM data d JOIN growth g ON d.series = g.series AND d.year = g.year WHERE d.series = 'trade' ORDER BY d.year",
        ],
    );
}

#[test]
fn sql_lag() {
    check(
        "sql-lag",
        &[
            "sql",
            "SELECT series, year, value, value - LAG(value) OVER (PARTITION BY series ORDER BY year) AS change FROM data ORDER BY series, year",
        ],
    );
}

#[test]
fn sql_modes() {
    check(
        "sql-modes",
        &[
            "sql",
            "SELECT mode, representative_websites FROM modes WHERE mode <> 'C2C' ORDER BY mode",
        ],
    );
}

#[test]
fn sql_schema() {
    check("sql-schema", &["sql", "--schema"]);
}
