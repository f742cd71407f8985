//! Integration tests: run the real binary with a clean environment. All of them build into
//! this one test binary (`autotests = false`), because every extra binary links Polars again.

mod containers;
mod corpus;
mod detail;
mod errors;
mod extremes;
mod golden;
mod inputs;
mod pieces;
mod projections;
mod published;
mod readme;
mod reports;
mod safety;
mod sql_units;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs `tradestat` with `args` and an environment holding nothing but `PATH`, in the
/// repository root, with `stdin` as standard input.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    run_with_env(args, stdin, &[])
}

/// [`run_with_stdin`] with `env` added to the environment.
pub fn run_with_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    run_full(args, stdin, env, &root())
}

/// [`run`] in the working directory `dir`.
pub fn run_in(dir: &std::path::Path, args: &[&str]) -> Output {
    run_full(args, b"", &[], dir)
}

fn run_full(args: &[&str], stdin: &[u8], env: &[(&str, &str)], dir: &std::path::Path) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tradestat"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tradestat");
    let mut pipe = child.stdin.take().expect("stdin");
    // The child may exit before reading (e.g. usage errors); a broken pipe is fine then.
    let _ = pipe.write_all(stdin);
    drop(pipe);
    child.wait_with_output().expect("wait for tradestat")
}

pub fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path of a test input, relative to the repository root (the working directory of every
/// run), so that golden files do not depend on where the repository is checked out.
pub fn input(name: &str) -> String {
    format!("tests/inputs/{name}")
}

/// Compares `actual` with tests/golden/`name` (`UPDATE_GOLDEN=1` writes it instead and
/// returns false). The version is not part of the comparison: goldens hold `VERSION` where
/// tradestat prints its own, so a release does not rewrite them.
pub fn matches_golden(name: &str, actual: &str) -> bool {
    let path = root().join("tests/golden").join(name);
    let version = env!("CARGO_PKG_VERSION");
    let actual = actual
        .replace(
            &format!("\"version\": \"{version}\""),
            "\"version\": \"VERSION\"",
        )
        .replace(&format!("\"tradestat {version}\""), "\"tradestat VERSION\"")
        .replace(&format!("\nv{version}\n"), "\nvVERSION\n");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return false;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {} (run with UPDATE_GOLDEN=1)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "output differs from {}", path.display());
    true
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 stderr")
}

/// Asserts success and returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "tradestat {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

/// Parses CSV output into a header and rows.
pub fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The float in column `name` of the row whose first columns equal `key`.
pub fn cell(text: &str, key: &[&str], name: &str) -> Option<f64> {
    let (header, rows) = parse_csv(text);
    let col = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    let row = rows
        .iter()
        .find(|r| r.iter().zip(key).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no row {key:?}"));
    let text = &row[col];
    (!text.is_empty()).then(|| text.parse().unwrap())
}

pub fn assert_close(actual: Option<f64>, expected: f64, tol: f64) {
    let a = actual.unwrap_or(f64::NAN);
    assert!(
        (a - expected).abs() <= tol,
        "expected {expected}, got {actual:?}"
    );
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}
