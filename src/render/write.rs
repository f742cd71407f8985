//! The one place that writes results: to stdout, or atomically to a file.

use super::{renderer, Format};
use crate::output::Output;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Renders `output` and writes it to `destination` (stdout when `None`).
///
/// Notes that the chosen format cannot carry (CSV, TSV, NDJSON) go to stderr unless `quiet`.
/// Rows stream straight into the destination, so a large result is never held twice; a
/// file is written beside its destination and renamed into place only when complete, so an
/// error never leaves half an output file.
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
    let renderer = renderer(format, precision);
    match destination {
        Some(path) => write_atomic_with(path, |file| renderer.render_to(output, file)),
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            renderer.render_to(output, &mut stdout)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// readers see either the old file or the complete new one, never a truncated one, and a
/// failed run leaves the old file as it was. (No fsync: that guards against power loss, not
/// against errors, and costs seconds on a large file; like other data tools, tradestat
/// leaves durability to the file system.)
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| Ok(file.write_all(bytes)?))
}

/// [`write_atomic`] for content that `write` produces piece by piece (through a buffer).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
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
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut buffered).with_context(|| format!("cannot write {}", path.display()))?;
        buffered
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
