//! Several files and containers (`--data a.csv --data 'b_*.csv'`, `.gz`, `.zip`, `.xlsx`):
//! one small panel written every way gives the same `growth`, byte for byte; every way of
//! getting it wrong is exit 1 with the file and the reason, and no output file.

use super::{assert_close, cell, run_in, stderr, stdout, temp_dir};
use std::io::Write;
use std::path::Path;

const HEADER: &str = "region,year,series,value\n";
/// East grows 10 % a year (100, 110, 121); West falls 25 % and rises 20 % (200, 150, 180).
const Y2019: &str = "East,2019,exports,100\nWest,2019,exports,200\n";
const Y2020_21: &str =
    "East,2020,exports,110\nEast,2021,exports,121\nWest,2020,exports,150\nWest,2021,exports,180\n";

/// The panel as one file, as two files split by year, gzipped, zipped alone and zipped
/// beside another member, and as a workbook (a notes sheet after the data sheet).
fn write_inputs(dir: &Path) {
    let whole = format!("{HEADER}{Y2019}{Y2020_21}");
    std::fs::write(dir.join("whole.csv"), &whole).unwrap();
    std::fs::write(dir.join("y2019.csv"), format!("{HEADER}{Y2019}")).unwrap();
    std::fs::write(dir.join("y2020.csv"), format!("{HEADER}{Y2020_21}")).unwrap();
    let gz = std::fs::File::create(dir.join("whole.csv.gz")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(gz, flate2::Compression::default());
    encoder.write_all(whole.as_bytes()).unwrap();
    encoder.finish().unwrap();
    write_zip(&dir.join("one.zip"), &[("whole.csv", &whole)]);
    write_zip(
        &dir.join("two.zip"),
        &[("whole.csv", &whole), ("readme.csv", "note\nnot data\n")],
    );
    write_workbook(&dir.join("whole.xlsx"), &whole);
}

fn write_zip(path: &Path, members: &[(&str, &str)]) {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    // A macOS archive's resource copy and a dot file are never taken for data.
    for (name, text) in [("__MACOSX/._whole.csv", "x"), (".hidden.csv", "x")]
        .iter()
        .chain(members)
    {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// `csv` as a sheet named `data`: numbers as numbers (years too), text as text.
fn write_workbook(path: &Path, csv: &str) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("data").unwrap();
    for (row, line) in csv.lines().enumerate() {
        for (column, text) in line.split(',').enumerate() {
            let (r, c) = (row as u32, column as u16);
            match text.parse::<f64>() {
                Ok(number) => sheet.write_number(r, c, number).unwrap(),
                Err(_) => sheet.write_string(r, c, text).unwrap(),
            };
        }
    }
    book.add_worksheet()
        .set_name("about")
        .unwrap()
        .write_string(0, 0, "made by the test")
        .unwrap();
    book.save(path).unwrap();
}

/// `growth` as CSV on `data` (the --data values and other flags), in `dir`.
fn growth(dir: &Path, data: &[&str]) -> String {
    let mut args = vec!["growth", "--format", "csv"];
    args.extend_from_slice(data);
    let out = run_in(dir, &args);
    assert!(out.status.success(), "{data:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn every_container_gives_the_same_growth() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    let one = growth(dir, &["--data", "whole.csv"]);
    assert_close(cell(&one, &["East", "exports", "2021"], "yoy"), 0.1, 1e-12);
    assert_close(
        cell(&one, &["West", "exports", "2020"], "yoy"),
        -0.25,
        1e-12,
    );
    assert_close(cell(&one, &["West", "exports", "2021"], "yoy"), 0.2, 1e-12);
    assert_close(
        cell(&one, &["West", "exports", "2021"], "cagr_since_first"),
        (180.0f64 / 200.0).sqrt() - 1.0,
        1e-12,
    );
    for data in [
        &["--data", "y2019.csv", "--data", "y2020.csv"][..],
        &["--data", "y2020.csv", "--data", "y2019.csv"],
        &["--data", "y20*.csv"],
        &["--data", "y20[12]?.csv"],
        &["--data", "whole.csv.gz"],
        &["--data", "one.zip"],
        &["--data", "two.zip:whole.csv"],
        &["--data", "whole.xlsx"],
        &["--data", "whole.xlsx", "--sheet", "data"],
        &["--data", "whole.xlsx", "--sheet", "1"],
    ] {
        assert_eq!(growth(dir, data), one, "{data:?}");
    }
}

#[test]
fn file_col_keeps_the_files_apart_as_a_key() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    let csv = growth(dir, &["--data", "y20*.csv", "--file-col", "file"]);
    assert!(csv.starts_with("file,region,series,year,"), "{csv}");
    // 2020 is the first year of y2020.csv's East: no growth across files.
    assert_eq!(
        cell(&csv, &["y2020.csv", "East", "exports", "2020"], "yoy"),
        None
    );
    assert_close(
        cell(&csv, &["y2020.csv", "East", "exports", "2021"], "yoy"),
        0.1,
        1e-12,
    );
    assert_eq!(
        cell(&csv, &["y2019.csv", "West", "exports", "2019"], "value"),
        Some(200.0)
    );
    let zipped = growth(dir, &["--data", "two.zip:whole.csv", "--file-col", "src"]);
    assert!(
        zipped
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("two.zip:whole.csv,East,"),
        "{zipped}"
    );
}

/// Runs `args` in `dir` with `--output out.csv`: exit 1, a message holding every one of
/// `expected`, no panic and no output file.
fn fails(dir: &Path, args: &[&str], expected: &[&str]) {
    let mut all = vec!["growth", "--output", "out.csv"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for e in expected {
        assert!(err.contains(e), "{args:?}: expected {e:?} in {err}");
    }
    assert!(!dir.join("out.csv").exists(), "{args:?} wrote out.csv");
}

#[test]
fn wrong_inputs_name_the_file_and_the_reason() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    std::fs::write(
        dir.join("other.csv"),
        format!("region,year,series,v\n{Y2019}"),
    )
    .unwrap();
    fails(
        dir,
        &["--data", "y2020.csv", "--data", "other.csv"],
        &[
            "other.csv: the header differs from y2020.csv's in column 4",
            "\"v\"",
            "\"value\"",
        ],
    );
    fails(
        dir,
        &["--data", "nothing*.csv"],
        &["--data nothing*.csv: no file matches"],
    );
    fails(
        dir,
        &["--data", "whole.csv", "--data", "y2020.csv"],
        &[
            "y2020.csv: region \"East\", series \"exports\", year 2020 is also in whole.csv",
            "--file-col",
        ],
    );
    fails(
        dir,
        &["--data", "two.zip"],
        &[
            "two.zip: 2 members look like data (readme.csv, whole.csv)",
            "two.zip:MEMBER",
        ],
    );
    fails(
        dir,
        &["--data", "two.zip:nope.csv"],
        &["two.zip: no member \"nope.csv\"", "whole.csv"],
    );
    fails(
        dir,
        &["--data", "whole.xlsx", "--sheet", "Nope"],
        &["whole.xlsx: no sheet \"Nope\" (sheets: data, about"],
    );
    fails(
        dir,
        &["--data", "whole.csv", "--sheet", "2"],
        &["--sheet 2: no --data file is a workbook"],
    );
    std::fs::write(dir.join("bad.csv.gz"), b"\x1f\x8b\x08\x00 not really gzip").unwrap();
    fails(
        dir,
        &["--data", "bad.csv.gz"],
        &["bad.csv.gz: cannot decompress it"],
    );
    std::fs::write(dir.join("bad.zip"), b"PK not a zip").unwrap();
    fails(
        dir,
        &["--data", "bad.zip"],
        &["bad.zip: cannot open it as a zip file"],
    );
    // A bad cell in the second file: its own name and line.
    std::fs::write(
        dir.join("y2022.csv"),
        format!("{HEADER}East,2022,exports,130\nWest,2022,exports,abc\n"),
    )
    .unwrap();
    fails(dir, &["--data", "y20*.csv"], &["y2022.csv:3:4:"]);
}

/// A bad first file among several: the next file is being read on another thread when the
/// first one fails; the run must end at once with the first file's message, not wait.
#[test]
fn a_bad_first_file_ends_the_run_while_the_next_is_read() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    std::fs::write(
        dir.join("a-bad.csv"),
        format!("{HEADER}East,2018,exports,x\n"),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tradestat"))
        .current_dir(dir)
        .args([
            "growth",
            "--data",
            "a-bad.csv",
            "--data",
            "y2019.csv",
            "--data",
        ])
        .args(["y2020.csv", "--output", "out.csv"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("tradestat still runs 30 s after a bad first file");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("a-bad.csv:2:4:"), "{err}");
    assert!(!dir.join("out.csv").exists());
}

#[test]
fn inspect_refuses_several_files_and_reads_a_container() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    let out = run_in(dir, &["inspect", "--data", "y20*.csv", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("inspect reads one file at a time (2 files given: y2019.csv, y2020.csv"),
        "{}",
        stderr(&out)
    );
    let out = run_in(
        dir,
        &[
            "inspect",
            "whole.xlsx",
            "--sheet",
            "data",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("tradestat growth --data whole.xlsx --sheet data --layout long --by region"),
        "{text}"
    );
}

#[test]
fn pieces_decline_several_files_and_containers() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    let parquet = run_in(
        dir,
        &["show", "--data", "whole.csv", "--output", "whole.parquet"],
    );
    assert!(parquet.status.success(), "{}", stderr(&parquet));
    for (data, why) in [
        ("y20*.csv", "several files"),
        ("whole.csv.gz", "in a container"),
        ("whole.parquet", "in a container"),
    ] {
        let out = run_in(
            dir,
            &[
                "growth", "--engine", "pieces", "--data", data, "--output", "out.csv",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{data}");
        assert!(stderr(&out).contains(why), "{data}: {}", stderr(&out));
        assert!(!dir.join("out.csv").exists());
    }
}

#[test]
fn sql_reads_containers_and_several_raw_files() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    let query = "SELECT SUM(value) AS total FROM read_csv('whole.csv.gz')";
    let out = run_in(dir, &["sql", "--allow-files", query, "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "total\n861\n");
    let out = run_in(
        dir,
        &[
            "sql",
            "--raw",
            "--data",
            "y20*.csv",
            "--file-col",
            "f",
            "--format",
            "csv",
            "SELECT f, COUNT(*) AS n FROM raw GROUP BY f ORDER BY f",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "f,n\ny2019.csv,2\ny2020.csv,4\n");
}

/// The panel as Parquet: files (written by tradestat's own `--format parquet` of `show`:
/// the whole panel, and its two pieces by year), a directory partitioned by year (`year=2019/part.parquet`, the year only in the path)
/// and one partitioned by region.
fn write_parquet(dir: &Path) {
    use polars::prelude::*;
    for name in ["whole", "y2019", "y2020"] {
        let (csv, parquet) = (format!("{name}.csv"), format!("{name}.parquet"));
        let out = run_in(dir, &["show", "--data", &csv, "--output", &parquet]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let part = |path: &Path, mut frame: DataFrame| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::fs::File::create(path).unwrap();
        ParquetWriter::new(file).finish(&mut frame).unwrap();
    };
    for (year, regions, values) in [
        (2019, ["East", "West"], [100.0, 200.0]),
        (2020, ["East", "West"], [110.0, 150.0]),
        (2021, ["East", "West"], [121.0, 180.0]),
    ] {
        let frame = df!("region" => regions, "series" => ["exports"; 2], "value" => values);
        part(
            &dir.join(format!("by_year/year={year}/part-0.parquet")),
            frame.unwrap(),
        );
    }
    for (region, values) in [
        ("East", [100.0, 110.0, 121.0]),
        ("West", [200.0, 150.0, 180.0]),
    ] {
        let frame =
            df!("year" => [2019i64, 2020, 2021], "series" => ["exports"; 3], "value" => values);
        part(
            &dir.join(format!("by_region/region={region}/data.parquet")),
            frame.unwrap(),
        );
    }
}

#[test]
fn parquet_files_and_hive_directories_give_the_same_growth() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    write_parquet(dir);
    let one = growth(dir, &["--data", "whole.csv"]);
    for data in [
        &["--data", "whole.parquet"][..],
        &["--data", "by_year"],
        &["--data", "by_year/"],
        &["--data", "by_region"],
        &["--data", "y2019.parquet", "--data", "y2020.parquet"],
        &["--data", "y20*.parquet"],
    ] {
        assert_eq!(growth(dir, data), one, "{data:?}");
    }
}

#[test]
fn format_parquet_writes_the_csv_table_typed() {
    use polars::prelude::*;
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    let csv = growth(dir, &["--data", "whole.csv"]);
    let out = run_in(
        dir,
        &[
            "growth",
            "--data",
            "whole.csv",
            "--format",
            "parquet",
            "--output",
            "g.out",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let file = std::fs::File::open(dir.join("g.out")).unwrap();
    let frame = ParquetReader::new(file).finish().unwrap();
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(header.join(","), csv.lines().next().unwrap());
    assert_eq!(frame.column("year").unwrap().dtype(), &DataType::Int64);
    assert_eq!(frame.column("region").unwrap().dtype(), &DataType::String);
    let yoy = frame.column("yoy").unwrap().f64().unwrap();
    assert_eq!(yoy.get(0), None, "the first year has no growth: a null");
    // Every value at full precision: the same bits as the CSV's text.
    for (row, line) in csv.lines().skip(1).enumerate() {
        let yoy_text = line.split(',').nth(6).unwrap();
        assert_eq!(yoy.get(row), yoy_text.parse::<f64>().ok(), "{line}");
    }
    // Without --output: exit 1, nothing on stdout.
    let out = run_in(
        dir,
        &["growth", "--data", "whole.csv", "--format", "parquet"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out)
            .contains("--format parquet writes a binary Parquet file: give --output FILE.parquet"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn wrong_parquet_inputs_name_the_path() {
    let dir = temp_dir();
    let dir = dir.path();
    write_inputs(dir);
    std::fs::write(dir.join("fake.parquet"), "region,year\nEast,2019\n").unwrap();
    fails(
        dir,
        &["--data", "fake.parquet"],
        &["fake.parquet: cannot read it as Parquet"],
    );
    std::fs::create_dir_all(dir.join("empty/year=2019")).unwrap();
    fails(
        dir,
        &["--data", "empty"],
        &["cannot read empty: it is a directory with no .parquet file in it"],
    );
    fails(
        dir,
        &["--data", "missing.parquet"],
        &["cannot read missing.parquet"],
    );
}
