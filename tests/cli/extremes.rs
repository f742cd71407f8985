//! Values at the edges of f64 (near f64::MAX, subnormal, all equal), data too short for a
//! figure, series names that are not file names, and the projection limit: every command
//! returns promptly with a result or a clean error, and an empty cell always has a note.

use super::{cell, ok, root, run, stderr, stdout, temp_dir};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Longest a run may take here (debug build, loaded machine); the charts these tests guard
/// against never returned at all.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs `tradestat` like [`super::run`], on `data` written to a file in `dir`, and fails the
/// test — killing the process — when it does not finish within [`DEADLINE`].
fn run_promptly(dir: &Path, data: &str, args: &[&str]) -> Output {
    let file = dir.join("data.csv");
    std::fs::write(&file, data).unwrap();
    let file = file.display().to_string();
    let (out_path, err_path) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tradestat"))
        .args(args)
        .args(["--data", &file])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("spawn tradestat");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tradestat {args:?} on {data:?} still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    }
}

const EXTREMES: [&str; 6] = [
    "year,x\n2015,1.6e308\n2016,1.7e308\n",
    "year,x\n2015,1.6e308\n2016,1.7e308\n2017,1.65e308\n2018,1.7e308\n",
    "year,x\n2015,-1.7e308\n2016,1.7e308\n2017,0\n",
    "year,x\n2015,1e-320\n2016,2e-320\n2017,3e-320\n",
    "year,x\n2015,7\n2016,7\n2017,7\n2018,7\n",
    "year,x\n2015,1.7e308\n",
];

#[test]
fn charts_of_extreme_values_return_promptly() {
    let dir = temp_dir();
    for data in EXTREMES {
        for kind in ["series", "growth", "index", "projection"] {
            let out = run_promptly(dir.path(), data, &["chart", "--kind", kind]);
            let (text, message) = (stdout(&out), stderr(&out));
            match out.status.code() {
                Some(0) => {
                    let doc = roxmltree::Document::parse(&text)
                        .unwrap_or_else(|e| panic!("{kind} on {data:?}: not XML: {e}"));
                    let texts: Vec<&str> = doc
                        .descendants()
                        .filter_map(|n| n.text())
                        .map(str::trim)
                        .collect();
                    assert!(
                        !texts.iter().any(|t| t.contains("inf") || t.contains("NaN")),
                        "{kind} on {data:?}: {texts:?}"
                    );
                }
                Some(1) => assert!(
                    message.starts_with("tradestat: error: nothing to draw: "),
                    "{kind} on {data:?}: {message}"
                ),
                code => panic!("{kind} on {data:?}: exit {code:?}: {message}"),
            }
        }
        // A report draws what it can and notes the rest.
        let report = dir.path().join("report").display().to_string();
        let out = run_promptly(dir.path(), data, &["report", "--out", &report]);
        assert!(out.status.success(), "report on {data:?}: {}", stderr(&out));
    }
    // The axis of the values that looped forever reads in scientific notation.
    let out = run_promptly(dir.path(), EXTREMES[0], &["chart"]);
    assert!(stdout(&out).contains("1.70e308"), "{}", stdout(&out));
}

/// The figures report.md shows: (caption, file) in order.
fn figures(md: &str) -> Vec<(String, String)> {
    md.lines()
        .filter_map(|line| line.strip_prefix("!["))
        .filter_map(|rest| rest.split_once("](figures/"))
        .map(|(caption, file)| (caption.to_string(), file.trim_end_matches(')').to_string()))
        .collect()
}

#[test]
fn report_figures_of_names_that_are_no_file_names_are_distinct() {
    let dir = temp_dir();
    let data = "year,外贸,出口,a b,a/b,cbec\n\
                2015,10,4,1,9,5.4\n2016,11,5,2,8,6.7\n2017,13,5,3,8,8.06\n\
                2018,14,6,4,7,9.7\n2019,15,7,5,6,10.8\n";
    let out_dir = dir.path().join("report");
    let out = run_promptly(
        dir.path(),
        data,
        &["report", "--out", &out_dir.display().to_string()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    let projections: Vec<(String, String)> = figures(&md)
        .into_iter()
        .filter(|(_, file)| file.starts_with("projection-"))
        .collect();
    let names = ["外贸", "出口", "a b", "a/b", "cbec"];
    assert_eq!(projections.len(), names.len(), "{projections:?}");
    // A plain ASCII name keeps its file name.
    assert!(projections.iter().any(|(_, f)| f == "projection-cbec.svg"));
    for name in names {
        let (caption, file) = projections
            .iter()
            .find(|(caption, _)| caption.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no figure for {name}: {projections:?}"));
        assert_eq!(
            md.matches(&format!("(figures/{file})")).count(),
            1,
            "{file} referenced more than once"
        );
        // The file holds this series' figure, and the HTML links the same file under the
        // same caption.
        let svg = std::fs::read_to_string(out_dir.join("figures").join(file)).unwrap();
        let title = format!("{name}: projections with 80 % and 95 % intervals");
        assert!(svg.contains(&title), "{file} is not {name}'s figure");
        assert!(
            html.contains(&format!("{caption} (<a href=\"figures/{file}\">SVG</a>)")),
            "html lacks {caption} → {file}"
        );
    }
    let mut files: Vec<&String> = projections.iter().map(|(_, f)| f).collect();
    files.sort();
    files.dedup();
    assert_eq!(files.len(), names.len(), "{files:?}");
}

#[test]
fn projection_chart_draws_cagr_without_a_band() {
    let legend = |args: &[&str]| -> (Vec<String>, usize, usize) {
        let mut full = vec!["chart", "--kind", "projection", "--series", "cbec"];
        full.extend(args);
        let text = ok(&full);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let texts = doc
            .descendants()
            .filter_map(|n| n.text())
            .map(|t| t.trim().to_string())
            .collect();
        let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
        (texts, count("polygon"), count("circle"))
    };
    let (texts, polygons, circles) = legend(&["--method", "cagr"]);
    assert!(texts.contains(&"cagr".to_string()), "{texts:?}");
    assert_eq!(polygons, 0, "cagr has no band");
    // 5 observed years, 3 cagr points and the cagr legend's marker.
    assert_eq!(circles, 5 + 3 + 1);
    let (texts, polygons, _) = legend(&["--method", "all"]);
    for method in ["linear", "loglinear", "drift", "holt", "cagr", "observed"] {
        assert!(
            texts.contains(&method.to_string()),
            "no {method}: {texts:?}"
        );
    }
    assert_eq!(
        polygons,
        2 * 4,
        "an 80 % and a 95 % band for each method but cagr"
    );
    let help = stdout(&run(&["chart", "--help"]));
    assert!(
        help.contains("cagr has no interval: marked points without a band"),
        "{help}"
    );
}

#[test]
fn report_on_one_year_notes_the_figures_it_cannot_draw() {
    let dir = temp_dir();
    let out_dir = dir.path().join("report");
    let out = run_promptly(
        dir.path(),
        "year,x\n2019,5\n",
        &["report", "--out", &out_dir.display().to_string()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(
        md.contains("No growth figure: nothing to draw: no year has a year-on-year growth rate"),
        "{md}"
    );
    assert!(
        md.contains("No projections: no method could project"),
        "{md}"
    );
    assert!(md.contains("No backtest: "), "{md}");
    let figures: Vec<String> = figures(&md).into_iter().map(|(_, f)| f).collect();
    assert_eq!(figures, ["series.svg", "index.svg"]);
    for file in &figures {
        assert!(out_dir.join("figures").join(file).is_file(), "{file}");
    }
    assert!(!out_dir.join("figures/growth.svg").exists());
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        html.contains("<p>No growth figure: nothing to draw"),
        "{html}"
    );
    assert_eq!(html.matches("<svg").count(), 2);
    // A series the user names is still checked: a typo is an error, not a note.
    let out = run_promptly(
        dir.path(),
        "year,x,y\n2019,5,6\n",
        &[
            "report",
            "--out",
            &out_dir.display().to_string(),
            "--part",
            "z",
            "--whole",
            "y",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--part"), "{}", stderr(&out));
}

/// The notes on stderr of a CSV run (one per line, without the `note: ` prefix).
fn notes(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter_map(|l| l.strip_prefix("note: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn values_that_overflow_leave_empty_cells_with_a_note() {
    let dir = temp_dir();
    const WHY: &str = "overflows: the result is too large to represent";

    // Growth from a subnormal base: YoY = 1 / 1e-320 - 1 is above f64::MAX.
    let out = run_promptly(
        dir.path(),
        "year,x\n2015,1e-320\n2016,1\n2017,2\n",
        &["growth", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(cell(&stdout(&out), &["x", "2016"], "yoy"), None);
    assert_eq!(cell(&stdout(&out), &["x", "2017"], "yoy"), Some(1.0));
    let expected =
        "x 2016: YoY growth and CAGR since first overflow: the result is too large to represent";
    assert!(
        notes(&out).iter().any(|n| n == expected),
        "{:?}",
        notes(&out)
    );
    // A change from -1.7e308 to 1.7e308.
    let out = run_promptly(
        dir.path(),
        "year,x\n2015,-1.7e308\n2016,1.7e308\n",
        &["growth", "--format", "csv"],
    );
    assert_eq!(cell(&stdout(&out), &["x", "2016"], "change"), None);
    assert!(
        notes(&out).contains(&format!("x 2016: change {WHY}")),
        "{:?}",
        notes(&out)
    );

    // Index: 100 × 1.7e308 overflows, but the index, 106.25, does not ...
    let out = run_promptly(
        dir.path(),
        "year,x\n2015,1.6e308\n2016,1.7e308\n",
        &["index", "--format", "csv"],
    );
    assert_eq!(cell(&stdout(&out), &["x", "2016"], "index"), Some(106.25));
    assert!(notes(&out).is_empty(), "{:?}", notes(&out));
    // ... while 1.7e308 on a base of 1e-300 does.
    let out = run_promptly(
        dir.path(),
        "year,x\n2015,1e-300\n2016,1.7e308\n",
        &["index", "--format", "csv"],
    );
    assert_eq!(cell(&stdout(&out), &["x", "2016"], "index"), None);
    assert_eq!(notes(&out), [format!("x 2016: index {WHY}")]);

    // Shares and panel rates on a whole (or a base) of 1e-320.
    let data = "year,x,y\n2015,1,1e-320\n2016,1e-320,1\n2017,1,2\n";
    let out = run_promptly(
        dir.path(),
        data,
        &["share", "--part", "x", "--whole", "y", "--format", "csv"],
    );
    assert_eq!(cell(&stdout(&out), &["2015"], "share"), None);
    assert!(
        notes(&out).contains(&format!("2015: share {WHY}")),
        "{:?}",
        notes(&out)
    );
    let out = run_promptly(
        dir.path(),
        data,
        &["panel", "--part", "x", "--whole", "y", "--format", "csv"],
    );
    assert_eq!(cell(&stdout(&out), &["2017"], "x_yoy"), None);
    for note in [
        format!("2015: share {WHY}"),
        format!("2016: y YoY growth {WHY}"),
        format!("2017: x YoY growth {WHY}"),
    ] {
        assert!(notes(&out).contains(&note), "{:?}", notes(&out));
    }

    // Projections that outgrow f64 within the limit.
    let out = run_promptly(
        dir.path(),
        "year,x\n2015,1e300\n2016,1e302\n2017,1e304\n2018,1e306\n",
        &[
            "project",
            "--method",
            "loglinear,cagr",
            "--horizon",
            "10",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(cell(&csv, &["x", "2019", "cagr"], "point").is_some_and(|p| p > 9e307));
    assert_eq!(cell(&csv, &["x", "2020", "cagr"], "point"), None);
    assert!(
        notes(&out).contains(&format!("x cagr 2020–2028: the point forecast {WHY}")),
        "{:?}",
        notes(&out)
    );
    assert!(
        notes(&out)
            .iter()
            .any(|n| n.starts_with("x loglinear 20") && n.ends_with(WHY)),
        "{:?}",
        notes(&out)
    );
}

#[test]
fn to_and_horizon_share_one_limit_of_200_years() {
    let out = run(&["project", "--to", "9999"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    for fragment in [
        "--to 9999",
        "2019",
        "at most 200 years",
        "--to 2219 or earlier",
    ] {
        assert!(message.contains(fragment), "{message} lacks {fragment}");
    }
    let csv = ok(&[
        "project", "--series", "cbec", "--method", "linear", "--to", "2219",
    ]);
    assert_eq!(csv.lines().count(), 1 + 200);
    let csv = ok(&[
        "project",
        "--series",
        "cbec",
        "--method",
        "linear",
        "--horizon",
        "200",
    ]);
    assert_eq!(csv.lines().count(), 1 + 200);
    assert_eq!(run(&["project", "--horizon", "201"]).status.code(), Some(2));
    assert_eq!(run(&["project", "--to", "2220"]).status.code(), Some(1));
}

/// Found in review: repeated axis labels from 1e15 up, a projection chart with no
/// projection, a backtest hint that named a failing --min-train, rates that make no sense.
#[test]
fn review_findings_on_charts_backtest_and_rates() {
    let dir = super::temp_dir();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    // Korea's GDP in won: every y-axis label its own.
    let krw = file(
        "krw.csv",
        "year,gdp\n2015,1658020400000000\n2016,1740779600000000\n2017,1835698200000000\n2018,1898192600000000\n2019,1924498100000000\n",
    );
    let svg = super::ok(&["chart", "--data", &krw]);
    let labels: Vec<&str> = svg
        .split("</text>")
        .filter_map(|t| t.rsplit('>').next())
        .map(str::trim)
        .filter(|t| t.ends_with("e15"))
        .collect();
    assert!(labels.len() >= 4, "{labels:?}");
    let mut unique = labels.clone();
    unique.dedup();
    assert_eq!(unique, labels, "repeated labels");
    // One year: nothing to project, so no chart titled with intervals.
    let one = file("one.csv", "year,x\n2015,5\n");
    let out = super::run(&["chart", "--data", &one, "--kind", "projection"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(super::stderr(&out).contains("no method gives a projection"));
    // The hint names a --min-train that works.
    let bt = file(
        "bt.csv",
        "year,x\n2010,1\n2011,2\n2012,3\n2016,4\n2017,5\n2018,6\n",
    );
    let out = super::run(&[
        "backtest",
        "--data",
        &bt,
        "--min-train",
        "2",
        "--method",
        "linear",
    ]);
    assert!(out.status.success());
    let notes = super::stderr(&out);
    assert!(
        notes.contains("(--min-train 3 scores every method"),
        "{notes}"
    );
    let out = super::run(&[
        "backtest",
        "--data",
        &bt,
        "--min-train",
        "3",
        "--method",
        "linear",
    ]);
    assert!(out.status.success(), "{}", super::stderr(&out));
    // Rates: a currency into itself other than 1, and a rate whose inverse overflows.
    for (name, text, fragment) in [
        (
            "same.csv",
            "year,from,to,rate\n2015,CNY,yuan,6.2\n",
            "a currency is worth 1 of itself",
        ),
        (
            "tiny.csv",
            "year,from,to,rate\n2015,CNY,USD,1e-320\n",
            "whose inverse is a number too",
        ),
    ] {
        let fx = file(name, text);
        let out = super::run(&["show", "--fx", &fx, "--unit", "trillion USD"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            super::stderr(&out).contains(fragment),
            "{}",
            super::stderr(&out)
        );
    }
}
