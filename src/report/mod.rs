//! Reports: sections of text, tables and figures ([`build`] decides which), written as
//! Markdown and as one self-contained HTML page (inline CSS and SVG, no scripts), plus every
//! table as CSV and JSON and every figure as SVG. [`write_dir_atomic`] builds the directory
//! beside its destination and renames it into place, so a failed run leaves the previous
//! report as it was.

mod build;
mod html;
mod markdown;

pub use build::{build, Analyses, Described, Settings};
pub use html::to_html;
pub use markdown::to_markdown;

use crate::cleanup::Guard;
use crate::output::{Meta, Output, Table};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// A figure: its file name under `figures/`, a caption and the SVG itself.
#[derive(Debug, Clone)]
pub struct Figure {
    pub file: String,
    pub caption: String,
    pub svg: String,
}

/// A piece of a section.
#[derive(Debug, Clone)]
pub enum Block {
    Text(String),
    List(Vec<String>),
    /// A table, the metadata its JSON file carries, and the file stem its CSV and JSON are
    /// written under (`tables/<stem>.csv`).
    Table {
        table: Table,
        meta: Box<Meta>,
        stem: String,
    },
    Figure(Figure),
    /// Results that should not be trusted; shown prominently.
    Warnings(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    /// Lines under the title (input, its SHA-256, tool version, optional timestamp).
    pub preamble: Vec<String>,
    pub sections: Vec<Section>,
    /// Decimals in the rounded tables.
    pub precision: usize,
}

impl Section {
    pub fn new(id: &'static str, title: &str) -> Self {
        Section {
            id,
            title: title.to_string(),
            blocks: Vec::new(),
        }
    }

    /// Adds every table of `output` (files `<stem>`, `<stem>-<table key>` for later ones),
    /// then its warnings and notes.
    pub fn add_output(&mut self, output: &Output, stem: &str) {
        for (i, table) in output.tables.iter().enumerate() {
            let stem = if i == 0 {
                stem.to_string()
            } else {
                format!("{stem}-{}", table.key)
            };
            self.blocks.push(Block::Table {
                table: table.clone(),
                meta: Box::new(output.meta.clone()),
                stem,
            });
        }
        if !output.meta.warnings.is_empty() {
            self.blocks
                .push(Block::Warnings(texts(&output.meta.warnings)));
        }
        if !output.meta.notes.is_empty() {
            self.blocks.push(Block::List(texts(&output.meta.notes)));
        }
    }
}

fn texts(notes: &[crate::notes::Note]) -> Vec<String> {
    notes.iter().map(|n| n.text()).collect()
}

/// Every file of the report, as (path relative to the report directory, bytes).
pub fn files(report: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    use crate::render::{renderer, Format};
    let mut files = vec![
        (PathBuf::from("report.md"), to_markdown(report).into_bytes()),
        (PathBuf::from("report.html"), to_html(report).into_bytes()),
    ];
    for section in &report.sections {
        for block in &section.blocks {
            match block {
                Block::Table { table, meta, stem } => {
                    let single = Output {
                        tables: vec![Table {
                            key: "rows".to_string(),
                            ..table.clone()
                        }],
                        meta: (**meta).clone(),
                    };
                    for (format, ext) in [(Format::Csv, "csv"), (Format::Json, "json")] {
                        let bytes = renderer(format, report.precision).render(&single)?;
                        files.push((PathBuf::from(format!("tables/{stem}.{ext}")), bytes));
                    }
                }
                Block::Figure(figure) => {
                    files.push((
                        PathBuf::from(format!("figures/{}", figure.file)),
                        figure.svg.clone().into_bytes(),
                    ));
                }
                _ => {}
            }
        }
    }
    // Two blocks on one path would leave one file for both (report.md then shows the last
    // figure under every caption); case is ignored, as some file systems do.
    let mut seen = std::collections::BTreeSet::new();
    for (path, _) in &files {
        let folded = path.to_string_lossy().to_lowercase();
        if !seen.insert(folded) {
            bail!(
                "internal error: two report files would be written to {}",
                path.display()
            );
        }
    }
    Ok(files)
}

/// The file a report writes to say which files are its own. A directory is replaced only
/// when it is empty or everything in it is listed here (or with `--force`).
pub const MANIFEST: &str = ".tradestat-report";

const MANIFEST_HEADER: &str = "# tradestat report: the files below were written by tradestat; the next `tradestat report --out` into this directory replaces them (and refuses if any other file is here).";

/// The manifest's bytes: the header, then every file's path, sorted.
fn manifest(files: &[(PathBuf, Vec<u8>)]) -> Vec<u8> {
    let mut paths: Vec<String> = files
        .iter()
        .map(|(p, _)| p.to_string_lossy().replace('\\', "/"))
        .collect();
    paths.sort();
    let mut text = String::from(MANIFEST_HEADER);
    text.push('\n');
    for p in paths {
        text.push_str(&p);
        text.push('\n');
    }
    text.into_bytes()
}

/// Writes `files` as the directory `out`: into a fresh directory beside it first, then
/// renamed into place (the old one is removed only once the new one stands). A manifest
/// ([`MANIFEST`]) lists the files.
///
/// An existing `out` is replaced only if it is empty or holds nothing but a previous
/// report's files (those its manifest lists); otherwise the error names the first other
/// file and `--force`. `force` replaces it whatever it holds. The current directory, one
/// above it and mount points are never replaced. An interrupted run leaves no staging
/// directory and puts the old report back.
pub fn write_dir_atomic(out: &Path, files: &[(PathBuf, Vec<u8>)], force: bool) -> Result<()> {
    let out = resolve_dir_link(out)?;
    let out = out.as_path();
    if out.exists() {
        replaceable(out, force)?;
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    // The guard is held to the end: until the staging directory stands as `out`, an
    // interrupt removes it.
    let (staged, _undo_staging) = stage(&parent, files)?;
    let name = out
        .file_name()
        .map_or("report".into(), |n| n.to_string_lossy().into_owned());
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    swap(&staged, out, &old)
}

/// Writes `files` and their manifest into a fresh staging directory in `parent`, and keeps
/// it: its path and the guard that removes it if the run is interrupted before the guard is
/// dropped.
fn stage(parent: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(PathBuf, Guard)> {
    // Created and registered in one step; each file written in a step of its own, so that
    // an interrupt's removal of the staging directory cannot race a write that recreates it.
    let (staging, undo_staging) = crate::cleanup::uninterrupted(|pending| {
        let staging = tempfile::Builder::new()
            .prefix(".tradestat-report-")
            .tempdir_in(parent)?;
        let undo = pending.remove_on_exit(staging.path().to_path_buf());
        std::io::Result::Ok((staging, undo))
    })
    .with_context(|| format!("cannot create a directory in {}", parent.display()))?;
    let manifest = (PathBuf::from(MANIFEST), manifest(files));
    for (relative, bytes) in files.iter().chain(std::iter::once(&manifest)) {
        crate::cleanup::uninterrupted(|_| write_staged(staging.path(), relative, bytes))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))?;
    }
    Ok((staging.keep(), undo_staging))
}

/// Writes `bytes` to `relative` under `staging`, creating the directories below `staging`
/// (never `staging` itself) that it needs. To be run uninterrupted (see [`stage`]).
fn write_staged(staging: &Path, relative: &Path, bytes: &[u8]) -> Result<()> {
    let path = staging.join(relative);
    let mut below: Vec<&Path> = relative.parent().map_or(Vec::new(), |p| {
        p.ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .collect()
    });
    below.reverse();
    for dir in below.into_iter().map(|d| staging.join(d)) {
        match std::fs::create_dir(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(e).with_context(|| format!("cannot create {}", dir.display()));
            }
            _ => {}
        }
    }
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Puts the directory `staged` in place as `out`, moving a previous `out` aside to `old`
/// first and removing it once the new one stands.
fn swap(staged: &Path, out: &Path, old: &Path) -> Result<()> {
    // The swap: old report aside, new one in. An interrupt waits until both steps are done;
    // one before them finds nothing to undo, one after them removes the old report (or, had
    // the second step failed, puts it back).
    let _undo_old = crate::cleanup::uninterrupted(|pending| {
        pending.restore_on_exit(old.to_path_buf(), out.to_path_buf())
    });
    let replaced = crate::cleanup::uninterrupted(|_| -> Result<bool> {
        let replacing = out.exists();
        if replacing {
            std::fs::rename(out, old)
                .with_context(|| format!("cannot replace {}", out.display()))?;
        }
        if let Err(e) = std::fs::rename(staged, out) {
            if replacing {
                let _ = std::fs::rename(old, out);
            }
            return Err(e).with_context(|| format!("cannot write {}", out.display()));
        }
        Ok(replacing)
    })?;
    if replaced {
        // Also uninterrupted: an interrupt's clean-up would otherwise race this removal.
        crate::cleanup::uninterrupted(|_| std::fs::remove_dir_all(old))
            .with_context(|| format!("cannot remove the previous report at {}", old.display()))?;
    }
    Ok(())
}

/// `--out link` where the link points to a directory: the directory is the report's (the
/// link stays a link).
fn resolve_dir_link(out: &Path) -> Result<PathBuf> {
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() && out.is_dir() => std::fs::canonicalize(out)
            .with_context(|| format!("--out {}: cannot follow the link", out.display())),
        _ => Ok(out.to_path_buf()),
    }
}

/// Whether the existing `out` may be replaced by a report; the error says why not.
fn replaceable(out: &Path, force: bool) -> Result<()> {
    let shown = out.display();
    if !out.is_dir() {
        bail!("--out {shown}: it is a file (expected a directory to write the report to)");
    }
    let canonical =
        std::fs::canonicalize(out).with_context(|| format!("--out {shown}: cannot resolve it"))?;
    let here = std::env::current_dir().and_then(std::fs::canonicalize);
    if here.is_ok_and(|here| here.starts_with(&canonical)) {
        bail!(
            "--out {shown}: it is the current directory or one that holds it, which a report cannot replace (expected a directory of its own, e.g. --out report)"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let device = |p: &Path| std::fs::metadata(p).map(|m| m.dev());
        let parent = canonical.parent().unwrap_or(Path::new("/"));
        if canonical.parent().is_none() || device(&canonical)? != device(parent)? {
            bail!(
                "--out {shown}: it is a mount point, which a report cannot replace (expected a directory inside it, e.g. --out {}/report)",
                out.display()
            );
        }
    }
    if force {
        return Ok(());
    }
    let listed: std::collections::BTreeSet<String> =
        match std::fs::read_to_string(out.join(MANIFEST)) {
            Ok(text) => text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(str::to_string)
                .collect(),
            Err(_) => Default::default(),
        };
    if let Some(foreign) = first_foreign(out, Path::new(""), &listed)? {
        let why = if out.join(MANIFEST).is_file() {
            "is not a file of the report there"
        } else {
            "was not written by tradestat (the directory has no report manifest)"
        };
        bail!(
            "--out {shown}: {} {why}; a report replaces its directory as a whole (expected an empty directory or a previous report; give another --out, or --force to replace {shown} and everything in it)",
            out.join(foreign).display()
        );
    }
    Ok(())
}

/// The first entry under `dir` (in name order, depth first) that is neither the manifest,
/// nor listed in it, nor a directory holding only listed files.
fn first_foreign(
    root: &Path,
    relative: &Path,
    listed: &std::collections::BTreeSet<String>,
) -> Result<Option<PathBuf>> {
    let dir = root.join(relative);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    entries.sort();
    for name in entries {
        let path = relative.join(&name);
        let key = path.to_string_lossy().replace('\\', "/");
        let meta = std::fs::symlink_metadata(root.join(&path))
            .with_context(|| format!("cannot read {}", root.join(&path).display()))?;
        if meta.is_dir() {
            // A directory the report does not use (`notes/`, even empty) is the user's.
            let prefix = format!("{key}/");
            if !listed.iter().any(|l| l.starts_with(&prefix)) {
                return Ok(Some(path));
            }
            if let Some(found) = first_foreign(root, &path, listed)? {
                return Ok(Some(found));
            }
        } else if key != MANIFEST && !listed.contains(&key) {
            return Ok(Some(path));
        }
    }
    Ok(None)
}
