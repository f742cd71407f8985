//! Reports: sections of text, tables and figures, written as Markdown and as one
//! self-contained HTML page (inline CSS and SVG, no scripts), plus every table as CSV and JSON
//! and every figure as SVG. [`write_dir_atomic`] builds the directory beside its destination and
//! renames it into place, so a failed run leaves the previous report as it was.

mod html;
mod markdown;

pub use html::to_html;
pub use markdown::to_markdown;

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
                .push(Block::Warnings(output.meta.warnings.clone()));
        }
        if !output.meta.notes.is_empty() {
            self.blocks.push(Block::List(output.meta.notes.clone()));
        }
    }
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

/// Writes `files` as the directory `out`: into a fresh directory beside it first, then
/// renamed into place (the old one is removed only once the new one stands).
pub fn write_dir_atomic(out: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    if out.exists() && !out.is_dir() {
        bail!(
            "--out {}: it is a file (expected a directory to write the report to)",
            out.display()
        );
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".tradestat-report-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a directory in {}", parent.display()))?;
    for (relative, bytes) in files {
        let path = staging.path().join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))?;
    }
    let staged = staging.keep();
    let old = if out.exists() {
        let name = out
            .file_name()
            .map_or("report".into(), |n| n.to_string_lossy().into_owned());
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        std::fs::rename(out, &old).with_context(|| format!("cannot replace {}", out.display()))?;
        Some(old)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&staged, out) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old, out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e).with_context(|| format!("cannot write {}", out.display()));
    }
    if let Some(old) = old {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("cannot remove the previous report at {}", old.display()))?;
    }
    Ok(())
}
