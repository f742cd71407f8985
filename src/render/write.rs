//! The one place that writes results: to stdout, or atomically to a file.

use super::{renderer, Format};
use crate::output::Output;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

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
        let (name, what) = match format {
            Format::Parquet => ("parquet", "a binary Parquet file"),
            _ => ("xlsx", "a binary workbook"),
        };
        anyhow::bail!(
            "--format {name} writes {what}: give --output FILE.{name} (expected a file to write to)"
        );
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

/// Where `--output` bytes go, decided from what the path is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `-`, `/dev/stdout` and its aliases (also through a link): the standard output
    /// tradestat already has, so `>> log` appends and a pipe gets every byte.
    Stdout,
    /// Anything that is not a regular file (a device such as `/dev/null`, a FIFO, a
    /// terminal), and descriptors named under `/dev/fd` and `/proc/*/fd`: opened for
    /// appending and written in place, because replacing them would destroy them.
    InPlace(PathBuf),
    /// A regular file or a new one, symbolic links followed to the file they point to:
    /// written beside it and renamed over it.
    Replace(PathBuf),
}

/// Most symbolic links followed from one `--output` path (as Linux's own limit).
const MAX_LINKS: usize = 40;

impl Target {
    pub fn of(path: &Path) -> Result<Target> {
        if path.as_os_str() == "-" {
            return Ok(Target::Stdout);
        }
        let mut current = path.to_path_buf();
        for _ in 0..MAX_LINKS {
            if is_standard_output(&current) {
                return Ok(Target::Stdout);
            }
            // An open descriptor's name: its link does not name a file to follow by hand
            // (`pipe:[123]`), and what it leads to cannot be renamed over.
            if is_descriptor(&current) {
                return Ok(Target::InPlace(current));
            }
            let Ok(meta) = std::fs::symlink_metadata(&current) else {
                return Ok(Target::Replace(current)); // a new file
            };
            if meta.file_type().is_symlink() {
                let link = std::fs::read_link(&current)
                    .with_context(|| format!("cannot read the link {}", current.display()))?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
                continue;
            }
            if meta.is_dir() {
                anyhow::bail!(
                    "cannot write {}: it is a directory (expected a file path for --output)",
                    path.display()
                );
            }
            return Ok(if meta.is_file() {
                Target::Replace(current)
            } else {
                Target::InPlace(current)
            });
        }
        anyhow::bail!(
            "cannot write {}: more than {MAX_LINKS} symbolic links to follow (a loop?)",
            path.display()
        )
    }
}

/// `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`: written to the descriptor itself.
fn is_standard_output(path: &Path) -> bool {
    ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
        .iter()
        .any(|p| path == Path::new(p))
}

/// `/dev/fd/N`, `/dev/stdin`, `/dev/stderr`, `/proc/<pid>/fd/N`: names of open descriptors.
fn is_descriptor(path: &Path) -> bool {
    path.starts_with("/dev/fd")
        || path == Path::new("/dev/stderr")
        || path == Path::new("/dev/stdin")
        || (path.starts_with("/proc")
            && path
                .parent()
                .is_some_and(|p| p.file_name().is_some_and(|n| n == "fd")))
}

/// Writes `bytes` to `path` (see [`write_atomic_with`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| Ok(file.write_all(bytes)?))
}

/// Writes what `write` produces (through a buffer) to `path`, as [`Target::of`] decides:
///
/// - a regular file (or a new one) gets a temporary file in the same directory and a rename,
///   so readers see either the old file or the complete new one, never a truncated one, and
///   a failed or interrupted run leaves the old file as it was. A symbolic link is followed:
///   the file it points to is replaced, the link stays. (No fsync: that guards against power
///   loss, not against errors, and costs seconds on a large file; like other data tools,
///   tradestat leaves durability to the file system.)
/// - `-` and `/dev/stdout` write to standard output;
/// - devices, FIFOs, other special files and open descriptors (`/dev/fd/3`) are written in
///   place.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let context = || format!("cannot write {}", path.display());
    let file = match Target::of(path)? {
        Target::Stdout => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            write(&mut stdout)?;
            stdout.flush()?;
            return Ok(());
        }
        Target::InPlace(file) => {
            // Appending: a device ignores it, and a descriptor opened by `>> log` keeps its
            // bytes.
            let out = std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .with_context(context)?;
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
            write(&mut buffered).with_context(context)?;
            buffered.flush().with_context(context)?;
            return Ok(());
        }
        Target::Replace(file) => file,
    };
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Created and registered in one step, so an interrupt never leaves it behind.
    let (mut tmp, _undo) = crate::cleanup::uninterrupted(|pending| {
        let tmp = tempfile::Builder::new()
            .prefix(".tradestat-")
            .tempfile_in(dir)?;
        let undo = pending.remove_on_exit(tmp.path().to_path_buf());
        std::io::Result::Ok((tmp, undo))
    })
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
        let permissions = std::fs::metadata(&file)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file()
            .set_permissions(permissions)
            .with_context(context)?;
    }
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut buffered).with_context(context)?;
        buffered.flush().with_context(context)?;
    }
    tmp.persist(&file)
        .map_err(|e| e.error)
        .with_context(context)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn targets() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        assert_eq!(Target::of(&file).unwrap(), Target::Replace(file.clone()));
        std::fs::write(&file, "x").unwrap();
        assert_eq!(Target::of(&file).unwrap(), Target::Replace(file.clone()));
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("a.csv", &link).unwrap();
        assert_eq!(Target::of(&link).unwrap(), Target::Replace(file.clone()));
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("sub/new.csv", &dangling).unwrap();
        assert_eq!(
            Target::of(&dangling).unwrap(),
            Target::Replace(dir.path().join("sub/new.csv"))
        );
        let lp = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &lp).unwrap();
        assert!(format!("{:#}", Target::of(&lp).unwrap_err()).contains("symbolic links"));
        assert!(format!("{:#}", Target::of(dir.path()).unwrap_err()).contains("directory"));
        assert_eq!(Target::of(Path::new("-")).unwrap(), Target::Stdout);
        assert_eq!(
            Target::of(Path::new("/dev/stdout")).unwrap(),
            Target::Stdout
        );
        assert_eq!(
            Target::of(Path::new("/dev/null")).unwrap(),
            Target::InPlace(PathBuf::from("/dev/null"))
        );
        // A link to /dev/stdout is standard output too.
        let out = dir.path().join("out.csv");
        std::os::unix::fs::symlink("/dev/stdout", &out).unwrap();
        assert_eq!(Target::of(&out).unwrap(), Target::Stdout);
        assert_eq!(
            Target::of(Path::new("/dev/fd/3")).unwrap(),
            Target::InPlace(PathBuf::from("/dev/fd/3"))
        );
    }
}
