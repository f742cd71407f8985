//! What tradestat must undo if a run stops half way: temporary files and staging directories
//! to remove, and a report directory to put back. A run that ends normally removes its own
//! (through [`Guard`]s); Ctrl-C, SIGTERM, SIGHUP and internal errors (panics) run [`undo`],
//! so no `.tradestat-*` file or directory is ever left behind.
//!
//! The signal handler is installed the first time something is registered: commands that
//! write nothing start no extra thread.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, Once};

/// One thing to undo.
#[derive(Debug)]
enum Pending {
    /// A temporary file or directory (removed recursively).
    Remove(PathBuf),
    /// A report directory moved aside during the swap: moved back to `to` when `to` is
    /// missing, removed otherwise.
    Restore { from: PathBuf, to: PathBuf },
}

static PENDING: Mutex<Vec<(u64, Pending)>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

fn pending() -> MutexGuard<'static, Vec<(u64, Pending)>> {
    // A panic while the lock was held leaves the list as it was: still worth undoing.
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Takes its entry off the list when dropped (the work it guarded is done or undone).
#[must_use = "the entry is removed from the list when the guard is dropped"]
#[derive(Debug)]
pub struct Guard(u64);

impl Drop for Guard {
    fn drop(&mut self) {
        pending().retain(|(id, _)| *id != self.0);
    }
}

/// The undo list, locked: see [`uninterrupted`].
pub struct Locked(MutexGuard<'static, Vec<(u64, Pending)>>);

impl Locked {
    fn register(&mut self, entry: Pending) -> Guard {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.push((id, entry));
        Guard(id)
    }

    /// Removes `path` (a file or a directory) if the run stops before the guard is dropped.
    pub fn remove_on_exit(&mut self, path: PathBuf) -> Guard {
        self.register(Pending::Remove(path))
    }

    /// Moves `from` back to `to` if the run stops while `to` is missing (a report directory
    /// in the middle of being replaced); removes `from` if `to` is already in place.
    pub fn restore_on_exit(&mut self, from: PathBuf, to: PathBuf) -> Guard {
        self.register(Pending::Restore { from, to })
    }
}

/// Runs `f` with the undo list locked. An interrupt waits until `f` is done, and once the
/// handler holds the lock the run makes no further step of this kind: so create a temporary
/// file and register it in one `f` (nothing is left between the two), write into a staging
/// directory in such steps (the handler's removal cannot race a write that recreates it),
/// and make a two-step swap in one. `f` must not drop a [`Guard`] (that takes the lock).
pub fn uninterrupted<T>(f: impl FnOnce(&mut Locked) -> T) -> T {
    HANDLER.call_once(|| {
        // Exit status 130, as shells report a run stopped by Ctrl-C. If a handler cannot be
        // installed (another one is), writes stay atomic; only the clean-up is lost.
        let _ = ctrlc::set_handler(|| {
            // The lock is held to the exit: no step of the run can start after the undo.
            let mut list = pending();
            undo_listed(&mut list);
            std::process::exit(130);
        });
    });
    let mut locked = Locked(pending());
    f(&mut locked)
}

/// Undoes everything still registered, newest first. Called on panics (the interrupt
/// handler does the same while keeping the lock).
pub fn undo() {
    undo_listed(&mut pending());
}

/// Empties `list` and undoes what it held.
fn undo_listed(list: &mut Vec<(u64, Pending)>) {
    let entries = std::mem::take(list).into_iter().map(|(_, e)| e);
    undo_all(entries.collect());
}

fn undo_all(mut entries: Vec<Pending>) {
    while let Some(entry) = entries.pop() {
        match entry {
            Pending::Remove(path) => remove(&path),
            Pending::Restore { from, to } => {
                if std::fs::symlink_metadata(&to).is_err() {
                    let _ = std::fs::rename(&from, &to);
                } else {
                    remove(&from);
                }
            }
        }
    }
}

fn remove(path: &std::path::Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_removes_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join(".tradestat-x");
        std::fs::create_dir_all(temp.join("tables")).unwrap();
        std::fs::write(temp.join("tables/a.csv"), "a").unwrap();
        let file = dir.path().join(".tradestat-y");
        std::fs::write(&file, "y").unwrap();
        let (old, out) = (dir.path().join(".report.old"), dir.path().join("report"));
        std::fs::create_dir(&old).unwrap();
        let (old2, out2) = (dir.path().join(".b.old"), dir.path().join("b"));
        std::fs::create_dir(&old2).unwrap();
        std::fs::create_dir(&out2).unwrap();
        undo_all(vec![
            Pending::Remove(temp.clone()),
            Pending::Remove(file.clone()),
            Pending::Restore {
                from: old.clone(),
                to: out.clone(),
            },
            Pending::Restore {
                from: old2.clone(),
                to: out2.clone(),
            },
        ]);
        assert!(!temp.exists() && !file.exists());
        assert!(out.is_dir() && !old.exists(), "moved back");
        assert!(
            out2.is_dir() && !old2.exists(),
            "removed: the new one stands"
        );
    }

    #[test]
    fn a_dropped_guard_leaves_the_list() {
        let guard = uninterrupted(|list| {
            list.remove_on_exit(PathBuf::from("/nonexistent/.tradestat-guard-test"))
        });
        let id = guard.0;
        assert!(pending().iter().any(|(i, _)| *i == id));
        drop(guard);
        assert!(!pending().iter().any(|(i, _)| *i == id));
    }
}
