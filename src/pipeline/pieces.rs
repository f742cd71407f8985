//! Large panel files, analysed and written piece by piece.
//!
//! Every analysis that a piece can run on is per group (growth, index and shares of one
//! region need no other region), so a file sorted by its groups can be cut between groups
//! ([`data::chunks`]) and each piece loaded, analysed and rendered on its own. One worker
//! per thread of the pool analyses pieces while the calling thread writes them in file
//! order ([`in_order`]). Memory holds a few pieces, not the file's whole long frame, and
//! every core stays busy.

use super::Pipeline;
use crate::config::Config;
use crate::data::{self, Body, Chunks, Dataset, Input};
use crate::notes::{self, Note};
use crate::output::Output;
use crate::progress::{mark, Progress};
use crate::render::{self, piece_renderer};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::Path;
use std::sync::mpsc;

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

/// How an attempt to run in pieces ended.
pub(super) enum Outcome {
    /// The result is written.
    Written,
    /// The run does not qualify (why, for `TRADESTAT_TIMINGS` and `--engine pieces`);
    /// nothing was analysed.
    Unsuitable(String),
    /// A piece needs the whole file after all (a bad cell, groups out of order, an empty
    /// piece); the staged output is discarded.
    Abandoned(anyhow::Error),
}

impl Pipeline {
    /// For a large panel file written with `--output` as CSV, TSV or NDJSON: loads, analyses
    /// and writes it piece by piece (whole groups per piece, see [`data::chunks`]), so memory
    /// holds a few pieces at a time. Every analysis here works within a group, so the rows
    /// are those of the whole-file run, in the same order; notes are merged.
    ///
    /// Unless the result is [`Outcome::Written`], the caller runs on the whole file, whose
    /// result or message is the answer. `forced` (`--engine pieces`) takes a file of any
    /// size that can be cut, rather than only those of two pieces or more.
    pub(super) fn in_pieces(
        &mut self,
        build: &(impl Fn(&Config, Dataset) -> Result<Output> + Sync),
        forced: bool,
    ) -> Outcome {
        let config = &self.config;
        let target = config.piece_bytes;
        let files = match Files::of(config, forced) {
            Ok(files) => files,
            Err(why) => return Outcome::Unsuitable(why),
        };
        let input = files.input;
        self.progress = Progress::reading(input, files.size, config.quiet);
        let bytes = match std::fs::read(input) {
            Ok(bytes) => bytes,
            Err(why) => {
                return Outcome::Unsuitable(format!("cannot read {}: {why}", input.display()))
            }
        };
        let name = config.input.name();
        mark("pieces: input read");
        let pieces = match data::chunks(&bytes, &name, config.read.layout, &config.read.by, target)
        {
            Ok(Some(pieces)) => pieces,
            Ok(None) => {
                return Outcome::Unsuitable(format!(
                    "{name} cannot be cut between groups into pieces of {target} bytes (that needs group columns, UTF-8 text without quotes and more than one piece)"
                ))
            }
            Err(why) => return Outcome::Unsuitable(format!("{why:#}")),
        };
        let count = pieces.bodies.len();
        let gathered = if pieces.bodies.iter().any(|b| b.is_gathered()) {
            ", gathered by group range from unsorted rows"
        } else {
            ""
        };
        mark(&format!(
            "engine: pieces ({count} pieces of about {target} bytes of whole groups{gathered})"
        ));
        self.progress.bytes(files.size);
        let job = Job {
            config,
            build,
            pieces: &pieces,
            name: &name,
        };
        let written = job.write(files.output, &self.progress);
        self.progress.finish();
        let sink = match written {
            Ok(sink) => sink,
            Err(why) => return Outcome::Abandoned(why),
        };
        mark("written in pieces");
        if !config.quiet {
            sink.print_notes();
        }
        Outcome::Written
    }
}

/// The files of a run in pieces.
struct Files<'c> {
    input: &'c Path,
    output: &'c Path,
    /// The input's size in bytes.
    size: u64,
}

impl<'c> Files<'c> {
    /// The files of a run in pieces, or why the run does not qualify (nothing is read here
    /// but the input's size).
    fn of(config: &'c Config, forced: bool) -> Result<Self, String> {
        let target = config.piece_bytes;
        let (input, path) = match (&config.input, config.input.plain_file(), &config.output) {
            (_, Some(input), Some(path)) => (input, path),
            (_, Some(_), None) => {
                return Err("no --output FILE: pieces are written to a file".to_string())
            }
            (Input::Paths(_), _, _) => {
                return Err("several files: they are read whole, one by one, and joined".to_string())
            }
            (Input::Path(_), None, _) => return Err(
                "the input is in a container (.gz, .zip or a workbook), which cannot be cut in place"
                    .to_string(),
            ),
            (_, _, _) => return Err(
                "the input is not a file (--data FILE): the bundled table or standard input"
                    .to_string(),
            ),
        };
        if config.read.file_col.is_some() {
            return Err("--file-col: the file's column is added to the whole table".to_string());
        }
        // The piece cutter knows tidy CSV only (commas, the header on line 1).
        if !config.read.is_tidy() {
            return Err(
                "the input is not read as tidy CSV (--layout years, --skip, --delimiter other than a comma, --decimal ,, --na, --where, --keep-flags, --sum-by or a column option)"
                    .to_string(),
            );
        }
        // Pieces are written to a temporary file that a failed piece can throw away; a
        // device, a FIFO or standard output could not take the bytes back.
        if !matches!(render::Target::of(path), Ok(render::Target::Replace(_))) {
            return Err(format!(
                "--output {} is not a regular file (a device, a FIFO or standard output cannot take back a failed piece)",
                path.display()
            ));
        }
        let format = config.format;
        if piece_renderer(format, true).is_none() {
            let name = clap::ValueEnum::to_possible_value(&format)
                .map_or_else(|| format!("{format:?}"), |v| v.get_name().to_string());
            return Err(format!(
                "--format {name}: pieces are written as CSV, TSV or NDJSON only"
            ));
        }
        let size = match std::fs::metadata(input) {
            Ok(meta) => meta.len(),
            Err(why) => return Err(format!("cannot read {}: {why}", input.display())),
        };
        if !forced && size < (target as u64).saturating_mul(2) {
            return Err(format!(
                "the input's {size} bytes are fewer than two pieces of {target} bytes"
            ));
        }
        Ok(Files {
            input,
            output: path,
            size,
        })
    }
}

/// A run in pieces: the configuration, the command's analysis and the cut file.
struct Job<'a, B> {
    config: &'a Config,
    build: &'a B,
    pieces: &'a Chunks<'a>,
    /// The input's name, for messages.
    name: &'a str,
}

impl<B: Fn(&Config, Dataset) -> Result<Output> + Sync> Job<'_, B> {
    /// Analyses the pieces side by side and writes them in file order to `path` (in place
    /// only once every piece is written). The pieces' notes, or why the pieces were
    /// abandoned, without the write's "cannot write FILE" around it.
    fn write(&self, path: &Path, progress: &Progress) -> Result<Sink> {
        let count = self.pieces.bodies.len();
        let mut sink = Sink::default();
        let mut failed = None;
        let written = render::write_atomic_with(path, |out| {
            let result = in_order(
                count,
                rayon::current_num_threads(),
                |i| {
                    self.analyse(i, &self.pieces.bodies[i]).with_context(|| {
                        format!(
                            "piece {} of {count} (a line number counts within the piece, its header as line 1; --engine whole names the file's)",
                            i + 1
                        )
                    })
                },
                |i, piece| {
                    sink.write(piece, out)?;
                    progress.advance(self.pieces.bodies[i].size() as u64);
                    progress.stage(format!("{} pieces of {count}", i + 1));
                    Ok(())
                },
            );
            result.map_err(|why| {
                let message = format!("{why:#}");
                failed = Some(why);
                anyhow::anyhow!(message)
            })
        });
        match written {
            Ok(()) => Ok(sink),
            Err(why) => Err(failed.unwrap_or(why)),
        }
    }

    /// One piece, start to finish: load, analyse, render. Pieces run side by side (each on
    /// its own core for the parts Polars runs on one), and are written in order.
    fn analyse(&self, i: usize, body: &Body) -> Result<Piece> {
        let config = self.config;
        let piece = body.with_header(self.pieces.header);
        let dataset = config.converted(data::from_bytes_with(&piece, self.name, &config.read)?)?;
        let groups = dataset.group_range()?;
        let output = (self.build)(config, dataset)?;
        let text = match piece_renderer(config.format, i == 0) {
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
    }
}

/// The writing side of a run in pieces: what the pieces written so far had, and their
/// notes.
#[derive(Default)]
struct Sink {
    /// The primary table's column keys.
    columns: Option<Vec<String>>,
    /// The largest group of the last piece.
    last_group: Option<Vec<String>>,
    notes: Vec<Vec<Note>>,
    warnings: Vec<Vec<Note>>,
}

impl Sink {
    /// Writes `piece` to `out` after the pieces before it, unless its groups or columns do
    /// not continue theirs.
    fn write(&mut self, piece: Piece, out: &mut dyn Write) -> Result<()> {
        let (first, last) = piece.groups;
        if self
            .last_group
            .as_ref()
            .is_some_and(|before| *before >= first)
        {
            bail!("groups out of order across pieces");
        }
        self.last_group = Some(last);
        if self.columns.get_or_insert_with(|| piece.columns.clone()) != &piece.columns {
            bail!("pieces with different columns");
        }
        for block in &piece.text {
            out.write_all(block)?;
        }
        self.notes.push(piece.notes);
        self.warnings.push(piece.warnings);
        Ok(())
    }

    /// Prints the pieces' warnings, then their notes, each merged, to standard error.
    fn print_notes(self) {
        let mut stderr = std::io::stderr().lock();
        for warning in notes::merge(self.warnings) {
            let _ = writeln!(stderr, "warning: {warning}");
        }
        for note in notes::merge(self.notes) {
            let _ = writeln!(stderr, "note: {note}");
        }
    }
}

/// Runs `work` on 0..count with up to `workers` threads and hands the results to `consume`
/// in index order. Worker `w` takes items `w`, `w + workers`, `w + 2 × workers`, … and sends
/// each result down its own channel of capacity one, which `consume` reads in turn: the
/// order needs no bookkeeping, and a worker blocks when it is two results ahead of
/// `consume`, so memory holds about `2 × workers` results, not all. The first error (of
/// either) stops the rest and is returned: workers stop at their next send once the
/// channels are gone.
fn in_order<T: Send>(
    count: usize,
    workers: usize,
    work: impl Fn(usize) -> Result<T> + Sync,
    mut consume: impl FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    let workers = workers.clamp(1, count.max(1));
    let work = &work;
    std::thread::scope(|scope| {
        let results: Vec<mpsc::Receiver<Result<T>>> = (0..workers)
            .map(|w| {
                let (sender, results) = mpsc::sync_channel(1);
                scope.spawn(move || {
                    for i in (w..count).step_by(workers) {
                        let result = work(i);
                        let failed = result.is_err();
                        if sender.send(result).is_err() || failed {
                            break;
                        }
                    }
                });
                results
            })
            .collect();
        for i in 0..count {
            // A worker that panicked sent nothing; the scope passes its panic on.
            let result = results[i % workers]
                .recv()
                .unwrap_or_else(|_| bail!("internal error: piece {} was not analysed", i + 1));
            consume(i, result?)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::in_order;
    use std::sync::atomic::{AtomicUsize, Ordering};

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

        // An error of `consume` stops the workers too.
        let started = AtomicUsize::new(0);
        let result = in_order(
            1000,
            2,
            |i| {
                started.fetch_add(1, Ordering::SeqCst);
                Ok(i)
            },
            |i, _| {
                if i == 3 {
                    anyhow::bail!("stop at {i}")
                }
                Ok(())
            },
        );
        assert_eq!(result.unwrap_err().to_string(), "stop at 3");
        assert!(started.load(Ordering::SeqCst) <= 4 + 2 * 2 + 2);
    }

    #[test]
    fn workers_stay_a_few_results_ahead() {
        let workers = 3;
        let started = AtomicUsize::new(0);
        let mut consumed = 0;
        let mut most_ahead = 0;
        in_order(
            200,
            workers,
            |i| {
                started.fetch_add(1, Ordering::SeqCst);
                Ok(i)
            },
            |_, _| {
                // Slower than the workers, so they run ahead as far as they may.
                std::thread::sleep(std::time::Duration::from_micros(200));
                most_ahead = most_ahead.max(started.load(Ordering::SeqCst) - consumed);
                consumed += 1;
                Ok(())
            },
        )
        .unwrap();
        // Per worker: one result waiting in its channel, one blocked in send; plus the one
        // `consume` holds.
        assert!(most_ahead <= 2 * workers + 1, "{most_ahead} ahead");
        assert!(
            most_ahead >= workers,
            "{most_ahead} ahead: workers ran side by side"
        );
    }
}
