//! Large panel files, analysed and written piece by piece.
//!
//! Every analysis that a piece can run on is per group (growth, index and shares of one
//! region need no other region), so a file sorted by its groups can be cut between groups
//! ([`data::chunks`]) and each piece loaded, analysed and rendered on its own. Workers take
//! pieces in turn; the rendered pieces are written in file order. Memory holds a few pieces,
//! not the file's whole long frame, and both cores stay busy.

use super::Common;
use crate::data::{self, Dataset, Input};
use crate::notes::{self, Note};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{self, piece_renderer};
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// Size of a piece (`TRADESTAT_PIECE_BYTES` overrides it, for tests and tuning). Measured on
/// 10M rows (bench/README.md): `growth` took 5.2 s in 2 MiB pieces, 4.6 s in 4, 4.2 s in 8
/// and 4.5 s in 16 MiB pieces; smaller pieces pay Polars' per-query overhead more often,
/// larger ones hold more in memory and keep the writer waiting longer.
const PIECE_BYTES: usize = 8 << 20;

/// One piece, analysed and rendered.
struct Piece {
    /// The rendered rows, in blocks.
    text: Vec<Vec<u8>>,
    /// Keys of the primary table's columns: every piece must have the same.
    columns: Vec<String>,
    /// The smallest and the largest group in the piece.
    groups: (Vec<String>, Vec<String>),
    notes: Vec<Note>,
    warnings: Vec<Note>,
}

impl Common {
    /// Runs an analysis that works group by group and writes its result: piece by piece
    /// when the input qualifies (see [`Common::emit_in_pieces`]), else on the whole file.
    pub fn emit_by_groups(
        &mut self,
        analyse: impl Fn(&Common, Dataset) -> Result<Output> + Sync,
    ) -> Result<()> {
        if let Some(done) = self.emit_in_pieces(&analyse) {
            return done;
        }
        let dataset = self.load()?;
        self.emit(&analyse(self, dataset)?)
    }

    /// For a large panel file written with `--output` as CSV, TSV or NDJSON: loads, analyses
    /// and writes it piece by piece (whole groups per piece, see [`data::chunks`]), so memory
    /// holds a few pieces at a time. Every analysis here works within a group, so the rows
    /// are those of the whole-file run, in the same order; notes are merged.
    ///
    /// `None` when the run does not qualify or a piece needs the whole file after all (a bad
    /// cell, groups out of order, an empty piece): the caller then runs on the whole file,
    /// whose result or message is the answer, and the staged output is discarded.
    pub fn emit_in_pieces(
        &mut self,
        build: impl Fn(&Common, Dataset) -> Result<Output> + Sync,
    ) -> Option<Result<()>> {
        let target = std::env::var("TRADESTAT_PIECE_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(PIECE_BYTES);
        let (Input::Path(input), Some(path)) = (&self.input, &self.output) else {
            return None;
        };
        // The piece cutter knows tidy CSV only (commas, the header on line 1).
        if !self.read.is_tidy() {
            return None;
        }
        // Pieces are written to a temporary file that a failed piece can throw away; a
        // device, a FIFO or standard output could not take the bytes back.
        if !matches!(render::Target::of(path), Ok(render::Target::Replace(_))) {
            return None;
        }
        piece_renderer(self.format, true)?;
        let size = std::fs::metadata(input).ok()?.len();
        if size < target as u64 * 2 {
            return None;
        }
        self.progress = Progress::reading(input, size, self.quiet);
        let bytes = std::fs::read(input).ok()?;
        let name = self.input.name();
        let pieces =
            data::chunks(&bytes, &name, self.read.layout, &self.read.by, target).ok()??;
        let count = pieces.bodies.len();
        let format = self.format;
        // One piece, start to finish: load, analyse, render. Pieces run side by side (each
        // on its own core for the parts Polars runs on one), and are written in order.
        let analyse = |i: usize, body: &[u8]| -> Result<Piece> {
            let piece = [pieces.header, body].concat();
            let dataset = self.converted(data::from_bytes_with(&piece, &name, &self.read)?)?;
            let groups = dataset.group_range()?;
            let output = build(self, dataset)?;
            let text = match piece_renderer(format, i == 0) {
                Some(renderer) => renderer.render_blocks(&output)?,
                None => Vec::new(),
            };
            let columns = output
                .tables
                .first()
                .map(|t| t.columns.iter().map(|c| c.key.clone()).collect())
                .unwrap_or_default();
            Ok(Piece {
                text,
                columns,
                groups,
                notes: output.meta.notes,
                warnings: output.meta.warnings,
            })
        };
        let mut notes = Vec::new();
        let mut warnings = Vec::new();
        let workers = rayon::current_num_threads().clamp(1, count);
        let written = render::write_atomic_with(path, |out| {
            let mut columns: Option<Vec<String>> = None;
            let mut last_group: Option<Vec<String>> = None;
            in_order(
                count,
                workers,
                |i| analyse(i, pieces.bodies[i]),
                |i, piece| {
                    self.progress
                        .stage(format!("analysed and written {} of {count} pieces", i + 1));
                    let (first, last) = piece.groups;
                    if last_group.as_ref().is_some_and(|before| *before >= first) {
                        bail!("groups out of order across pieces");
                    }
                    last_group = Some(last);
                    if columns.get_or_insert_with(|| piece.columns.clone()) != &piece.columns {
                        bail!("pieces with different columns");
                    }
                    for block in &piece.text {
                        out.write_all(block)?;
                    }
                    notes.push(piece.notes);
                    warnings.push(piece.warnings);
                    Ok(())
                },
            )
        });
        self.progress.finish();
        if let Err(why) = written {
            crate::progress::mark(&format!("pieces abandoned ({why:#}): whole file instead"));
            return None;
        }
        crate::progress::mark("written in pieces");
        if !self.quiet {
            let mut stderr = std::io::stderr().lock();
            for warning in notes::merge(warnings) {
                let _ = writeln!(stderr, "warning: {warning}");
            }
            for note in notes::merge(notes) {
                let _ = writeln!(stderr, "note: {note}");
            }
        }
        Some(Ok(()))
    }
}

/// Runs `work` on 0..count with `workers` threads and hands the results to `consume` in index
/// order, as they become ready. Workers stay at most `2 × workers` items ahead of `consume`,
/// so memory holds a few results, not all. The first error (of either) stops the rest and is
/// returned.
fn in_order<T: Send>(
    count: usize,
    workers: usize,
    work: impl Fn(usize) -> Result<T> + Sync,
    mut consume: impl FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    let ahead = 2 * workers;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // How many results `consume` has taken, for workers waiting not to run too far ahead.
    let taken = (Mutex::new(0usize), Condvar::new());
    let (sender, results) = mpsc::channel::<(usize, Result<T>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, stop, taken, work) = (&next, &stop, &taken, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count || stop.load(Ordering::SeqCst) {
                    break;
                }
                {
                    let (lock, wake) = taken;
                    let mut done = lock.lock().unwrap_or_else(|e| e.into_inner());
                    while i >= *done + ahead && !stop.load(Ordering::SeqCst) {
                        done = wake.wait(done).unwrap_or_else(|e| e.into_inner());
                    }
                }
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if sender.send((i, work(i))).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut pending: BTreeMap<usize, Result<T>> = BTreeMap::new();
        let mut want = 0;
        let mut outcome = Ok(());
        for (i, result) in results.iter() {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&want) {
                outcome = result.and_then(|value| consume(want, value));
                want += 1;
                let (lock, wake) = &taken;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = want;
                wake.notify_all();
                if outcome.is_err() {
                    break;
                }
            }
            if outcome.is_err() {
                stop.store(true, Ordering::SeqCst);
                taken.1.notify_all();
                break;
            }
        }
        outcome
    })
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn results_arrive_in_order_and_errors_stop_the_rest() {
        let mut seen = Vec::new();
        in_order(
            50,
            3,
            |i| Ok(i * i),
            |i, v| {
                seen.push((i, v));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..50).map(|i| (i, i * i)).collect::<Vec<_>>());

        let mut consumed = 0;
        let result = in_order(
            50,
            2,
            |i| {
                if i == 7 {
                    anyhow::bail!("piece {i} is bad")
                } else {
                    Ok(i)
                }
            },
            |_, _| {
                consumed += 1;
                Ok(())
            },
        );
        assert_eq!(result.unwrap_err().to_string(), "piece 7 is bad");
        assert_eq!(consumed, 7);
    }
}
