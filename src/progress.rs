//! Progress on stderr for long jobs: what tradestat is doing and for how long, and — where
//! the work is measured in bytes, as a run in pieces is — a bar of the bytes done of the
//! total, with the rows written. Shown only when stderr is a terminal, the input is large,
//! `--quiet` is not given and the `CI` environment variable is not set; otherwise every call
//! is a no-op, so scripts, pipes and CI logs never see it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Inputs smaller than this load in well under a second: no spinner.
pub const MIN_BYTES: u64 = 16 << 20;

#[derive(Clone)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A hidden indicator: every call does nothing.
    pub fn hidden() -> Self {
        Progress(None)
    }

    /// A spinner for an input of `bytes` bytes, when it is worth one and stderr shows it.
    pub fn for_input(bytes: u64, quiet: bool) -> Self {
        if !shown(bytes, quiet, std::io::stderr().is_terminal()) {
            return Progress::hidden();
        }
        // Dropped on an error path, it clears itself before the message is printed.
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_finish(ProgressFinish::AndClear);
        let style = ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// [`Progress::for_input`] for the file at `path` of `bytes` bytes, saying it is read.
    pub fn reading(path: &std::path::Path, bytes: u64, quiet: bool) -> Self {
        let progress = Progress::for_input(bytes, quiet);
        progress.stage(format!("reading {} ({})", path.display(), size(bytes)));
        progress
    }

    /// Turns the spinner into a bar of `total` bytes: `[00:03] ███▌      112/412 MiB 1.2M rows`.
    pub fn bytes(&self, total: u64) {
        if let Some(bar) = &self.0 {
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed}] {bar:30} {binary_bytes}/{binary_total_bytes} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_length(total);
        }
    }

    /// Counts `bytes` more as done.
    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    /// Says what is happening now (`reading panel.csv (412 MiB)`).
    pub fn stage(&self, message: impl Into<String>) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.into());
        }
    }

    /// Removes the spinner, leaving the terminal as it was.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }

    pub fn is_visible(&self) -> bool {
        self.0.is_some()
    }
}

/// Whether progress is worth showing: a large input, no `--quiet`, a terminal, not CI.
fn shown(bytes: u64, quiet: bool, terminal: bool) -> bool {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    !quiet && bytes >= MIN_BYTES && terminal && !ci
}

/// `412 MiB`, `3.1 GiB`: a size for a message.
pub fn size(bytes: u64) -> String {
    const MIB: f64 = (1u64 << 20) as f64;
    let mib = bytes as f64 / MIB;
    if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

/// With `TRADESTAT_TIMINGS=1` in the environment, prints `label` and the seconds since the
/// first mark to stderr: where a run spends its time, for profiling (see bench/README.md).
pub fn mark(label: &str) {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let start = START.get_or_init(|| {
        std::env::var_os("TRADESTAT_TIMINGS")
            .filter(|v| !v.is_empty() && v != "0")
            .map(|_| Instant::now())
    });
    if let Some(start) = start {
        eprintln!("[{:>8.4} s] {label}", start.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(412 << 20), "412 MiB");
        assert_eq!(size(3 << 30), "3.0 GiB");
    }

    #[test]
    fn small_or_quiet_inputs_show_nothing() {
        assert!(!Progress::for_input(1 << 10, false).is_visible());
        assert!(!Progress::for_input(1 << 40, true).is_visible());
        // Not a terminal (a pipe, a file, a CI log): nothing, whatever the size.
        assert!(!shown(1 << 40, false, false));
        assert!(!shown(1 << 10, false, true));
        assert!(!shown(1 << 40, true, true));
    }

    #[test]
    fn a_hidden_bar_ignores_every_call() {
        let progress = Progress::hidden();
        progress.bytes(100);
        progress.advance(40);
        progress.stage("x");
        progress.finish();
        assert!(!progress.is_visible());
    }
}
