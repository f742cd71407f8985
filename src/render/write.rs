//! The one place that writes results: to stdout, or atomically to a file.

use super::{renderer, Format};
use crate::output::Output;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Renders `output` and writes it to `destination` (stdout when `None`).
///
/// Notes that the chosen format cannot carry (CSV, TSV, NDJSON) go to stderr unless `quiet`.
/// Rendering finishes before anything is written, so an error never leaves half an output.
pub fn emit(
    output: &Output,
    format: Format,
    precision: usize,
    destination: Option<&Path>,
    quiet: bool,
) -> Result<()> {
    if format.is_binary() && destination.is_none() {
        anyhow::bail!("--format xlsx writes a binary workbook: give --output FILE.xlsx (expected a file to write to)");
    }
    let bytes = renderer(format, precision).render(output)?;
    if !quiet && !format.is_human() && format != Format::Json {
        let mut stderr = std::io::stderr().lock();
        // A closed stderr is no reason to fail the command.
        for warning in &output.meta.warnings {
            let _ = writeln!(stderr, "warning: {warning}");
        }
        for note in &output.meta.notes {
            let _ = writeln!(stderr, "note: {note}");
        }
    }
    match destination {
        Some(path) => write_atomic(path, &bytes),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// readers see either the old file or the complete new one, never a truncated one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() {
        anyhow::bail!(
            "cannot write {}: it is a directory (expected a file path for --output)",
            path.display()
        );
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".tradestat-")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot write {}: cannot create a file in {}",
                path.display(),
                dir.display()
            )
        })?;
    // A temporary file is private (0600); the result should read like any file the user
    // writes: keep the permissions of the file it replaces, else the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file()
            .set_permissions(permissions)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
