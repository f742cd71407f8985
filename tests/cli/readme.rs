//! The README's console examples are real: each `$ tradestat …` command is run (in a scratch
//! directory holding the files the examples name) and every line the README shows for it must
//! appear in its output, in order. Lines the README elides (`…`) are skipped.

use super::{root, temp_dir};
use std::process::Command;

/// (command, the output lines the README shows for it)
fn examples(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            out.push((command.to_string(), Vec::new()));
        } else if let Some((_, shown)) = out.last_mut() {
            if line != "…" && !line.trim().is_empty() {
                shown.push(line.to_string());
            }
        }
    }
    out
}

#[test]
fn readme_examples_match_the_program() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 15,
        "found only {} examples",
        examples.len()
    );
    let dir = temp_dir();
    std::fs::copy(
        root().join("tests/inputs/gap.csv"),
        dir.path().join("gap.csv"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/inputs/detail/baci-small.csv"),
        dir.path().join("baci.csv"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/inputs/bad/not-a-number.csv"),
        dir.path().join("prices.csv"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/inputs/published/wdi-api.csv"),
        dir.path().join("API_NE.EXP.GNFS.CD_DS2_en_csv_v2.csv"),
    )
    .unwrap();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_tradestat"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (command, shown) in examples {
        if !command.starts_with("tradestat ") {
            // e.g. `cat gap.csv`: its lines are the file, which the copy provides.
            continue;
        }
        // On a terminal the default format is a table; the README shows what a terminal shows.
        let full = if command.contains("--format") || command.contains('|') {
            command.clone()
        } else {
            format!("{command} --format table")
        };
        let out = Command::new("sh")
            .arg("-c")
            .arg(&full)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", &path)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines = text.lines();
        for expected in &shown {
            assert!(
                lines.any(|l| l == expected),
                "README example `{command}` shows a line the program does not print (in order):\n{expected}\n--- program output ---\n{text}"
            );
        }
    }
}
