//! Never lose a user's file, never crash: what `report --out` and `--output` will and will
//! not replace, the `sql` sandbox, internal errors, closed pipes and interrupts.

use super::{input, run, run_in, run_with_env, stderr, stdout, temp_dir};
use std::path::Path;

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn fails_with(out: &std::process::Output, fragments: &[&str]) {
    let message = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    for fragment in fragments {
        assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
    }
}

#[test]
fn report_out_never_deletes_a_users_files() {
    let dir = temp_dir();
    let userdir = dir.path().join("userdir");
    std::fs::create_dir(&userdir).unwrap();
    std::fs::write(userdir.join("thesis.docx"), "important").unwrap();
    let out = run_in(dir.path(), &["report", "--out", "userdir"]);
    fails_with(
        &out,
        &[
            "--out userdir: userdir/thesis.docx was not written by tradestat",
            "--force",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(userdir.join("thesis.docx")).unwrap(),
        "important"
    );
    assert_eq!(names(&userdir), ["thesis.docx"]);
    assert_eq!(names(dir.path()), ["userdir"], "no staging directory left");

    // With --force the directory is replaced: the user asked for it.
    let out = run_in(dir.path(), &["report", "--out", "userdir", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!userdir.join("thesis.docx").exists());
    assert!(userdir.join("report.md").is_file());
    assert_eq!(names(dir.path()), ["userdir"]);
}

#[test]
fn report_out_replaces_a_previous_report_but_not_files_added_to_it() {
    let dir = temp_dir();
    let report = dir.path().join("report");
    let first = run_in(dir.path(), &["report", "--out", "report"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let manifest = std::fs::read_to_string(report.join(".tradestat-report")).unwrap();
    assert!(manifest.contains("\nreport.md\n"), "{manifest}");
    assert!(manifest.contains("\ntables/growth.csv\n"), "{manifest}");
    // Rerun: replaced.
    let again = run_in(dir.path(), &["report", "--out", "report"]);
    assert!(again.status.success(), "{}", stderr(&again));
    // A file the user put inside is not the report's: refused, kept.
    std::fs::write(report.join("tables/my-notes.txt"), "mine").unwrap();
    let out = run_in(dir.path(), &["report", "--out", "report"]);
    fails_with(
        &out,
        &["report/tables/my-notes.txt is not a file of the report there"],
    );
    assert!(report.join("tables/my-notes.txt").is_file());
    std::fs::remove_file(report.join("tables/my-notes.txt")).unwrap();
    // An empty directory of the user's is the user's too.
    std::fs::create_dir(report.join("drafts")).unwrap();
    let out = run_in(dir.path(), &["report", "--out", "report"]);
    fails_with(&out, &["report/drafts is not a file of the report there"]);
    assert!(report.join("drafts").is_dir());
    std::fs::remove_dir(report.join("drafts")).unwrap();
    // An empty directory is fine.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = run_in(dir.path(), &["report", "--out", "empty"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(dir.path()), ["empty", "report"]);
}

#[test]
fn report_out_refuses_the_current_directory_its_parents_and_mount_points() {
    let dir = temp_dir();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(work.join("keep.txt"), "k").unwrap();
    for out in [".", "..", "./", "/"] {
        for force in [false, true] {
            let mut args = vec!["report", "--out", out];
            if force {
                args.push("--force");
            }
            let result = run_in(&work, &args);
            fails_with(&result, &["cannot replace"]);
        }
    }
    assert_eq!(names(&work), ["keep.txt"], "nothing left behind");
    assert_eq!(names(dir.path()), ["work"], "nothing left behind");
    #[cfg(target_os = "linux")]
    {
        let result = run_in(&work, &["report", "--out", "/proc", "--force"]);
        fails_with(&result, &["--out /proc: it is a mount point"]);
    }
}

#[cfg(unix)]
#[test]
fn report_out_through_a_link_writes_the_linked_directory() {
    let dir = temp_dir();
    assert!(run_in(dir.path(), &["report", "--out", "real"])
        .status
        .success());
    std::os::unix::fs::symlink("real", dir.path().join("link")).unwrap();
    let out = run_in(dir.path(), &["report", "--out", "link"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let link = std::fs::symlink_metadata(dir.path().join("link")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert!(dir.path().join("real/report.md").is_file());
    assert_eq!(names(dir.path()), ["link", "real"]);
}

/// A report interrupted at any moment leaves either the old report or the new one, and no
/// staging directory.
#[cfg(unix)]
#[test]
fn an_interrupted_report_leaves_no_staging_directory() {
    let dir = temp_dir();
    assert!(run_in(dir.path(), &["report", "--out", "report"])
        .status
        .success());
    for delay_ms in [0u64, 5, 10, 20, 40, 80] {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_tradestat"))
            .args(["report", "--out", "report"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let status = child.wait_with_output().unwrap().status;
        assert!(
            status.success() || status.code() == Some(130) || status.code().is_none(),
            "{status:?}"
        );
        assert_eq!(names(dir.path()), ["report"], "after {delay_ms} ms");
        assert!(dir.path().join("report/report.md").is_file());
    }
}

#[cfg(unix)]
#[test]
fn output_writes_through_a_link_to_its_file() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("real.csv"), "old\n").unwrap();
    std::os::unix::fs::symlink("real.csv", dir.path().join("link.csv")).unwrap();
    let out = run_in(dir.path(), &["growth", "--output", "link.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let link = std::fs::symlink_metadata(dir.path().join("link.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let written = std::fs::read_to_string(dir.path().join("real.csv")).unwrap();
    assert!(written.starts_with("series,year,unit,value"), "{written}");
    assert_eq!(names(dir.path()), ["link.csv", "real.csv"]);
}

#[cfg(unix)]
#[test]
fn output_to_a_device_writes_to_it_and_leaves_it_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let out = run(&["growth", "--output", "/dev/null"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(
        null.file_type().is_char_device(),
        "/dev/null is still a device"
    );
    // /dev/stdout is the standard output itself.
    let out = run(&["growth", "--output", "/dev/stdout", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("series,year,unit,value"));
    assert!(std::fs::symlink_metadata("/dev/stdout").is_ok());
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_streams_into_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = temp_dir();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run(&["growth", "--output", &fifo.display().to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let read = reader.join().unwrap();
    assert!(read.starts_with("series,year,unit,value"), "{read}");
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "still a FIFO");
    assert_eq!(names(dir.path()), ["pipe"]);
}

#[test]
fn output_dash_is_standard_output_and_unknown_extensions_are_refused() {
    let dir = temp_dir();
    let out = run_in(dir.path(), &["growth", "--output", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("series,year,unit,value"));
    assert!(names(dir.path()).is_empty(), "no file named -");

    let out = run_in(dir.path(), &["growth", "--output", "out.xyz"]);
    fails_with(
        &out,
        &[
            "--output out.xyz: the extension \"xyz\" names no format",
            "csv, tsv",
            "xlsx",
            "--format",
        ],
    );
    assert!(names(dir.path()).is_empty());
    // Named explicitly, any extension is fine.
    let out = run_in(
        dir.path(),
        &["growth", "--output", "out.xyz", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // No extension: CSV.
    let out = run_in(dir.path(), &["growth", "--output", "plain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plain = std::fs::read_to_string(dir.path().join("plain")).unwrap();
    assert!(plain.starts_with("series,year"));
}

#[test]
fn sql_reads_registered_tables_only_unless_allowed() {
    let out = run(&["sql", "SELECT * FROM read_csv('/etc/hostname')"]);
    fails_with(
        &out,
        &[
            "reads a file with read_csv('/etc/hostname')",
            "registered tables only",
            "--allow-files",
        ],
    );
    assert!(out.stdout.is_empty());
    // Allowed, the file goes through the loader: the same checks and messages as --data.
    let text = input("corpus/19-unknown-text-column.csv");
    let query = format!("SELECT * FROM read_csv('{text}')");
    let out = run(&["sql", "--allow-files", &query]);
    fails_with(&out, &["it is not a number", &format!("{text}:2:3")]);
    let gap = input("gap.csv");
    let query =
        format!("SELECT g.year, g.value FROM read_csv('{gap}') AS g WHERE g.series = 'cbec' ORDER BY g.year DESC LIMIT 1");
    let out = run(&["sql", "--allow-files", &query, "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "year,value\n2018,9.7\n");
    for (query, why) in [
        (
            "SELECT * FROM read_csv('tests/*.csv')",
            "the path is a pattern",
        ),
        (
            "SELECT * FROM read_parquet('x.parquet')",
            "found read_parquet",
        ),
    ] {
        let out = run(&["sql", "--allow-files", query]);
        fails_with(&out, &[why]);
    }
}

#[test]
fn sql_statements_that_write_are_refused_in_one_line() {
    for (query, keyword) in [
        ("INSERT INTO data VALUES ('x', 2020, 1, NULL)", "INSERT"),
        ("UPDATE data SET value = 0", "UPDATE"),
        ("DELETE FROM data", "DELETE"),
        ("DROP TABLE data", "DROP"),
        ("CREATE TABLE t AS SELECT * FROM data", "CREATE"),
        ("COPY data TO 'out.csv'", "COPY"),
        ("TRUNCATE TABLE data", "TRUNCATE"),
    ] {
        let out = run(&["sql", query]);
        fails_with(
            &out,
            &[&format!("{keyword} statements are not run"), "only reads"],
        );
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    }
    let out = run(&["sql", "SELECT 1 AS a; SELECT 2 AS b"]);
    fails_with(&out, &["found 2 statements"]);
}

#[test]
fn an_empty_sql_query_is_a_usage_error() {
    for args in [&["sql"][..], &["sql", ""], &["sql", "   "]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_panic_is_an_internal_error_with_exit_1_and_no_backtrace() {
    let dir = temp_dir();
    let target = dir.path().join("out.csv").display().to_string();
    let out = run_with_env(
        &["growth", "--output", &target],
        b"",
        &[("TRADESTAT_TEST_PANIC", "1")],
    );
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        message.starts_with("tradestat: internal error: TRADESTAT_TEST_PANIC is set"),
        "{message}"
    );
    assert!(message.contains("please report it"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    assert!(!message.contains("stack backtrace"), "{message}");
    assert!(names(dir.path()).is_empty());
    let out = run_with_env(
        &["growth"],
        b"",
        &[("TRADESTAT_TEST_PANIC", "1"), ("RUST_BACKTRACE", "1")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("panic.rs"), "a backtrace when asked");
}

/// `--format ndjson | head -1`: the reader goes away, which is not an error.
#[test]
fn a_closed_pipe_is_success_in_every_format() {
    use std::io::Read;
    let dir = temp_dir();
    let mut csv = String::from("year,x\n");
    for year in 1000..4000 {
        csv.push_str(&format!("{year},{year}\n"));
    }
    let data = dir.path().join("long.csv");
    std::fs::write(&data, csv).unwrap();
    for format in ["csv", "tsv", "json", "ndjson", "markdown", "table", "latex"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tradestat"))
            .args(["growth", "--data", &data.display().to_string()])
            .args(["--format", format])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 64];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
    }
}

#[test]
fn list_items_are_trimmed() {
    let out = run(&["growth", "--series", "cbec, trade", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("\ncbec,2015,") && text.contains("\ntrade,2015,"));
    let out = run(&["panel", "--series", " trade ,cbec ", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn ambiguous_units_are_errors_and_unknown_words_stay_opaque() {
    let out = run(&["growth", "--unit", "yuan dollars"]);
    fails_with(
        &out,
        &["--unit: unit \"yuan dollars\" names more than one currency"],
    );
    let out = run(&["check", "cbec", "2020", "16", "trillion yuan foo"]);
    fails_with(&out, &["\"foo\" is neither a scale nor a currency"]);
}

/// The `shares` table converts the whole into the part's unit, as `share` does.
#[test]
fn sql_shares_across_scales() {
    let out = run(&[
        "sql",
        "--data",
        &input("mixed-units.csv"),
        "SELECT share FROM shares WHERE part_series = 'cbec' AND year = 2019",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let share: f64 = stdout(&out).lines().nth(1).unwrap().parse().unwrap();
    assert!((share - 10.8 / 31.54).abs() < 1e-15, "{share}");
}
