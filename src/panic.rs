//! Internal errors: a panic, ours or a dependency's, reaches the user as one line and exit
//! status 1, never as a backtrace, and leaves no temporary file behind.
//!
//! [`install`] replaces the default hook, which would print "thread 'main' panicked at …",
//! with one that records the message and where it happened; the binary catches the unwind
//! and calls [`report`]. With `RUST_BACKTRACE` set the backtrace is printed too, for the bug
//! report.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

static LAST: Mutex<Option<String>> = Mutex::new(None);

/// Records panics instead of printing them (see the module documentation).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = describe(
            info.payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str)),
            info.location().map(|l| (l.file(), l.line())),
        );
        let backtrace = std::env::var_os("RUST_BACKTRACE")
            .is_some_and(|v| v != "0")
            .then(|| std::backtrace::Backtrace::force_capture().to_string());
        let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
        // The first panic is the cause; later ones (other threads) follow from it.
        if last.is_none() {
            *last = Some(match backtrace {
                Some(b) => format!("{message}\n{b}"),
                None => message,
            });
        }
    }));
}

/// Runs `f`, turning a panic inside it into `None` (and forgetting it): for a dependency's
/// code that tradestat can do without, such as Polars' CSV reader on the fast path, where
/// the careful reader then reads the file and names what is wrong.
pub fn contained<T>(f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(_) => {
            *LAST.lock().unwrap_or_else(|p| p.into_inner()) = None;
            None
        }
    }
}

/// The line for a panic's payload and location.
fn describe(payload: Option<&str>, location: Option<(&str, u32)>) -> String {
    let what = payload.unwrap_or("a panic without a message");
    // The first line of a message is enough; Polars' can run to a page.
    let what = what.lines().next().unwrap_or_default();
    match location {
        Some((file, line)) => format!("{what} (at {file}:{line})"),
        None => what.to_string(),
    }
}

/// Undoes half-written output, prints the recorded panic and returns exit status 1.
pub fn report() -> ExitCode {
    crate::cleanup::undo();
    let message = LAST
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .unwrap_or_else(|| "a panic without a message".to_string());
    // A closed stderr must not panic again.
    let _ = writeln!(
        std::io::stderr(),
        "tradestat: internal error: {message}\nThis is a bug in tradestat, please report it with the command line and, if you can, the input. (RUST_BACKTRACE=1 adds a backtrace.)"
    );
    ExitCode::from(1)
}

#[cfg(test)]
mod tests {
    use super::{contained, describe};

    #[test]
    fn contained_panics_are_none() {
        assert_eq!(contained(|| 1), Some(1));
        assert_eq!(contained(|| -> i32 { panic!("inside") }), None);
    }

    #[test]
    fn one_line_with_the_place() {
        assert_eq!(
            describe(Some("index out of bounds\nmore"), Some(("src/a.rs", 3))),
            "index out of bounds (at src/a.rs:3)"
        );
        assert_eq!(describe(None, None), "a panic without a message");
    }
}
