//! Large panels written with `--output` are analysed piece by piece (whole groups per
//! piece). The hidden `--piece-bytes` makes the pieces tiny here, so that a small panel is cut
//! into dozens of them; the file written must be byte for byte the whole-file result.

use crate::{run_with_env, stderr};
use std::fmt::Write as _;
use std::path::Path;

/// A panel of `regions` regions × 6 years, wide, sorted by region and year; every 7th region
/// misses 2016 (gap notes) and every 11th starts at zero (undefined growth, CAGR notes).
fn panel(regions: usize) -> String {
    let mut text = String::from("region,year,cbec [trillion CNY],trade [trillion CNY]\n");
    for r in 0..regions {
        for (i, year) in (2015..=2020).enumerate() {
            if r % 7 == 3 && year == 2016 {
                continue;
            }
            let cbec = if r % 11 == 5 && i == 0 {
                0.0
            } else {
                1.0 + r as f64 * 0.37 + i as f64 * 0.71
            };
            let trade = 10.0 + r as f64 * 0.5 + i as f64 * 0.3;
            writeln!(text, "r{r:05},{year},{cbec},{trade}").unwrap();
        }
    }
    text
}

/// `panel(300)` with a bad cell on its last line, written to `dir/bad.csv`: its path and
/// text.
fn bad_panel(dir: &Path) -> (std::path::PathBuf, String) {
    let mut bad = panel(300);
    bad.push_str("r99999,2015,12x,1\n");
    let path = dir.join("bad.csv");
    std::fs::write(&path, &bad).unwrap();
    (path, bad)
}

/// Runs `args` with `--output` into `dir`, in pieces of `piece_bytes` (or not, with `None`),
/// and returns the file written and stderr.
fn written(args: &[&str], dir: &Path, name: &str, piece_bytes: Option<&str>) -> (Vec<u8>, String) {
    let out_path = dir.join(name);
    let mut all: Vec<&str> = args.to_vec();
    let out_arg = out_path.to_str().unwrap();
    all.extend(["--output", out_arg]);
    if let Some(bytes) = piece_bytes {
        all.extend(["--piece-bytes", bytes]);
    }
    let out = run_with_env(&all, b"", &[("TRADESTAT_TIMINGS", "1")]);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let log = stderr(&out);
    // The timing marks say which way the file went.
    assert_eq!(
        log.contains("written in pieces"),
        piece_bytes.is_some(),
        "{args:?}: {log}"
    );
    let notes = log
        .lines()
        .filter(|l| !l.starts_with('['))
        .map(|l| format!("{l}\n"))
        .collect();
    (std::fs::read(&out_path).unwrap(), notes)
}

#[test]
fn pieces_write_what_the_whole_file_gives() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("panel.csv");
    std::fs::write(&data, panel(400)).unwrap();
    let data = data.to_str().unwrap();
    let jobs: [&[&str]; 8] = [
        &["growth", "--data", data, "--by", "region"],
        &[
            "growth", "--data", data, "--by", "region", "--from", "2017", "--series", "cbec",
        ],
        &[
            "share", "--data", data, "--by", "region", "--part", "cbec", "--whole", "trade",
        ],
        &["index", "--data", data, "--by", "region", "--base", "2016"],
        &["show", "--data", data, "--by", "region"],
        &[
            "panel", "--data", data, "--by", "region", "--part", "cbec", "--whole", "trade",
        ],
        &[
            "panel", "--data", data, "--by", "region", "--from", "2017", "--series", "cbec",
        ],
        &[
            "growth",
            "--data",
            data,
            "--by",
            "region",
            "--unit",
            "billion CNY",
        ],
    ];
    for job in jobs {
        for ext in ["csv", "tsv", "ndjson"] {
            let name = format!("out-{}.{ext}", job[0]);
            let (whole, whole_notes) = written(job, dir.path(), &name, None);
            let (pieces, piece_notes) = written(job, dir.path(), &name, Some("600"));
            assert_eq!(
                String::from_utf8_lossy(&whole),
                String::from_utf8_lossy(&pieces),
                "{job:?} {ext}"
            );
            // As many notes in all (shown, or counted in "… and N more like these"); the
            // pieces' notes are merged into one capped list, so fewer are shown.
            let total = |notes: &str| -> usize {
                notes
                    .lines()
                    .map(|l| {
                        l.strip_prefix("note: … and ")
                            .and_then(|r| r.strip_suffix(" more like these"))
                            .map_or(1, |n| n.parse().unwrap())
                    })
                    .sum()
            };
            assert_eq!(
                total(&whole_notes),
                total(&piece_notes),
                "{job:?}\n{whole_notes}\n{piece_notes}"
            );
            if job[0] == "growth" || job[0] == "panel" {
                assert!(
                    total(&whole_notes) > 20,
                    "{job:?}: notes to merge\n{whole_notes}"
                );
            }
        }
    }
}

#[test]
fn notes_about_the_data_survive_the_cap_on_notes_from_pieces() {
    // cbec in billions, trade in trillions: the share converts trade, and says so, even when
    // the pieces' row notes run far past the cap.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("panel.csv");
    let text = panel(400).replacen("cbec [trillion CNY]", "cbec [billion CNY]", 1);
    std::fs::write(&data, text).unwrap();
    let data = data.to_str().unwrap();
    let job = [
        "panel", "--data", data, "--by", "region", "--part", "cbec", "--whole", "trade",
    ];
    let (whole, whole_notes) = written(&job, dir.path(), "out.csv", None);
    let (pieces, piece_notes) = written(&job, dir.path(), "out.csv", Some("600"));
    assert_eq!(whole, pieces);
    let converted = "note: trade converted from trillion CNY to billion CNY for the share";
    for notes in [&whole_notes, &piece_notes] {
        assert!(notes.starts_with(converted), "{notes}");
        assert!(notes.contains("more like these"), "{notes}");
    }
}

#[test]
fn unsorted_files_go_in_pieces_gathered_by_group_range() {
    let dir = tempfile::tempdir().unwrap();
    let text = panel(300);
    let mut lines: Vec<&str> = text.lines().collect();
    // Region r00002's last row moved to the end; then every row in a scrambled order.
    let moved = lines.remove(18);
    lines.push(moved);
    let body = &lines[1..];
    let scrambled: Vec<&str> = (0..body.len())
        .map(|i| body[i * 7919 % body.len()])
        .collect();
    let job = |path: &Path| -> Vec<String> {
        ["growth", "--data", path.to_str().unwrap(), "--by", "region"]
            .map(str::to_string)
            .to_vec()
    };
    for (name, rows) in [
        ("moved.csv", lines[1..].to_vec()),
        ("scrambled.csv", scrambled.clone()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            [lines[0]]
                .iter()
                .chain(&rows)
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
        )
        .unwrap();
        let args = job(&path);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // `written` checks that the file went in pieces.
        let (pieces, _) = written(&args, dir.path(), "pieces.csv", Some("600"));
        let out_path = dir.path().join("again.csv");
        let mut again = args.clone();
        again.extend([
            "--piece-bytes",
            "600",
            "--output",
            out_path.to_str().unwrap(),
        ]);
        let log = stderr(&run_with_env(&again, b"", &[("TRADESTAT_TIMINGS", "1")]));
        assert!(
            log.contains("gathered by group range from unsorted rows"),
            "{log}"
        );
        let (whole, _) = written(&args, dir.path(), "whole.csv", None);
        assert_eq!(pieces, whole, "{name}");
    }

    // A bad cell in the scrambled file: the pieces are given up, and the message names the
    // line in the file as the whole-file run reads it; nothing is written.
    let mut rows: Vec<String> = lines[..1]
        .iter()
        .chain(&scrambled)
        .map(|l| l.to_string())
        .collect();
    let at = 400;
    let (region, year) = {
        let fields: Vec<&str> = rows[at].split(',').collect();
        (fields[0].to_string(), fields[1].to_string())
    };
    rows[at] = format!("{region},{year},12x,1");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, rows.join("\n") + "\n").unwrap();
    let never = dir.path().join("never.csv");
    let out = run_with_env(
        &[
            "growth",
            "--data",
            bad.to_str().unwrap(),
            "--by",
            "region",
            "--piece-bytes",
            "600",
            "--output",
            never.to_str().unwrap(),
        ],
        b"",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("bad.csv:{}:3: value \"12x\"", at + 1)),
        "{}",
        stderr(&out)
    );
    assert!(!never.exists());
}

#[test]
fn files_that_cannot_be_cut_take_the_whole_file_path() {
    let dir = tempfile::tempdir().unwrap();
    let text = panel(300);
    // A quote anywhere: a quoted field could hold a line break, so no cut is safe.
    let quoted = text.replacen("r00002,2015", "\"r00002\",2015", 1);
    let path = dir.path().join("quoted.csv");
    std::fs::write(&path, &quoted).unwrap();
    let out_path = dir.path().join("g.csv");
    let args = [
        "growth",
        "--data",
        path.to_str().unwrap(),
        "--by",
        "region",
        "--piece-bytes",
        "600",
        "--output",
        out_path.to_str().unwrap(),
    ];
    let out = run_with_env(&args, b"", &[("TRADESTAT_TIMINGS", "1")]);
    assert!(out.status.success());
    let log = stderr(&out);
    assert!(!log.contains("written in pieces"), "{log}");
    assert!(log.contains("cannot be cut between groups"), "{log}");
    let job = ["growth", "--data", path.to_str().unwrap(), "--by", "region"];
    let (whole, _) = written(&job, dir.path(), "w.csv", None);
    assert_eq!(std::fs::read(&out_path).unwrap(), whole);

    // A bad cell near the end: the message names its line in the whole file, and nothing
    // is written.
    let (bad_path, bad) = bad_panel(dir.path());
    let target = dir.path().join("never.csv");
    let out = run_with_env(
        &[
            "growth",
            "--data",
            bad_path.to_str().unwrap(),
            "--by",
            "region",
            "--output",
            target.to_str().unwrap(),
            "--piece-bytes",
            "600",
        ],
        b"",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let line = bad.lines().count();
    assert!(
        stderr(&out).contains(&format!("bad.csv:{line}:3: value \"12x\"")),
        "{}",
        stderr(&out)
    );
    assert!(!target.exists());
    // quoted.csv, g.csv, w.csv and bad.csv.
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        4,
        "no staging file left"
    );
}

#[test]
fn files_of_16_mib_and_more_go_in_pieces_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("region,year,cbec,trade\n");
    let mut r = 0;
    // Just under 16 MiB (two pieces of 8 MiB), then just over it.
    for (limit, pieces) in [((16 << 20) - 4096, false), ((16 << 20) + 4096, true)] {
        while text.len() < limit {
            for year in 2015..2020 {
                text.push_str(&format!(
                    "r{r:07},{year},{}.5,{}.25\n",
                    r % 97 + 1,
                    year - 2000
                ));
            }
            r += 1;
        }
        let data = dir.path().join("panel.csv");
        std::fs::write(&data, &text).unwrap();
        let out_path = dir.path().join("show.csv");
        let out = run_with_env(
            &[
                "show",
                "--data",
                data.to_str().unwrap(),
                "--by",
                "region",
                "--output",
                out_path.to_str().unwrap(),
            ],
            b"",
            &[("TRADESTAT_TIMINGS", "1")],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            stderr(&out).contains("written in pieces"),
            pieces,
            "{} bytes",
            text.len()
        );
    }
}

#[test]
fn the_engine_flag_forces_or_forbids_pieces_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("panel.csv");
    std::fs::write(&data, panel(300)).unwrap();
    let data = data.to_str().unwrap();
    let out_path = dir.path().join("out.csv");
    let out_arg = out_path.to_str().unwrap();
    let growth = ["growth", "--data", data, "--by", "region"];
    let timed = |extra: &[&str]| {
        let mut args = growth.to_vec();
        args.extend(extra);
        run_with_env(&args, b"", &[("TRADESTAT_TIMINGS", "1")])
    };

    // The choice and its reason are logged with the timings.
    let tiny = ["--output", out_arg, "--piece-bytes", "600"];
    let out = timed(&tiny);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("] engine: pieces ("),
        "{}",
        stderr(&out)
    );
    let pieces = std::fs::read(&out_path).unwrap();
    for engine in ["whole", "pieces"] {
        let out = timed(&[&tiny[..], &["--engine", engine]].concat());
        assert!(out.status.success(), "{engine}: {}", stderr(&out));
        let log = stderr(&out);
        assert_eq!(
            log.contains("written in pieces"),
            engine == "pieces",
            "{log}"
        );
        if engine == "whole" {
            assert!(
                log.contains("] engine: whole file (--engine whole)"),
                "{log}"
            );
        }
        assert_eq!(
            std::fs::read(&out_path).unwrap(),
            pieces,
            "--engine {engine}"
        );
    }
    let out = timed(&["--output", out_arg]);
    assert!(
        stderr(&out).contains("] engine: whole file (the input's ")
            && stderr(&out).contains(" bytes are fewer than two pieces of 8388608 bytes)"),
        "{}",
        stderr(&out)
    );

    // `--engine pieces` on a run that cannot go in pieces: exit 1, why, and no file.
    std::fs::remove_file(&out_path).unwrap();
    let json = dir.path().join("out.json");
    let json = json.to_str().unwrap();
    let bundled = ["growth", "--engine", "pieces", "--output", out_arg];
    let project = [
        "project", "--data", data, "--by", "region", "--engine", "pieces", "--output", out_arg,
    ];
    let cases: [(Vec<&str>, &str); 5] = [
        (
            [&growth[..], &["--engine", "pieces"]].concat(),
            "--engine pieces: no --output FILE: pieces are written to a file",
        ),
        (
            [
                &growth[..],
                &[
                    "--engine",
                    "pieces",
                    "--output",
                    json,
                    "--piece-bytes",
                    "600",
                ],
            ]
            .concat(),
            "--engine pieces: --format json: pieces are written as CSV, TSV or NDJSON only",
        ),
        (
            [&growth[..], &["--engine", "pieces", "--output", out_arg]].concat(),
            "panel.csv cannot be cut between groups into pieces of 8388608 bytes",
        ),
        (bundled.to_vec(), "--engine pieces: the input is not a file"),
        (
            project.to_vec(),
            "--engine pieces: only show, growth, index, share and panel go in pieces",
        ),
    ];
    for (args, expected) in cases {
        let out = run_with_env(&args, b"", &[]);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!out_path.exists(), "{args:?}");
        assert!(!dir.path().join("out.json").exists(), "{args:?}");
    }

    // A piece that fails stops a forced run instead of falling back to the whole file.
    let (bad_path, _) = bad_panel(dir.path());
    let out = run_with_env(
        &[
            "growth",
            "--data",
            bad_path.to_str().unwrap(),
            "--by",
            "region",
            "--output",
            out_arg,
            "--piece-bytes",
            "600",
            "--engine",
            "pieces",
        ],
        b"",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("value \"12x\"") && stderr(&out).contains("piece "),
        "{}",
        stderr(&out)
    );
    assert!(!out_path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no staging file left"
    );
}
