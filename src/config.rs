//! The checked settings of a run: clap's arguments become a [`Config`] once, here, so that
//! nothing past it sees clap types. A `Config` holds settings only; loading, running and
//! writing belong to [`crate::pipeline::Pipeline`].

use crate::analysis::{Reads, Span};
use crate::cli::{DataArgs, OutputArgs, SpanArgs};
use crate::data::{self, ColumnChoice, Dataset, Filter, FxTable, Input, ReadOptions, Unit};
use crate::output::Meta;
use crate::render::Format;
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

/// How a command that works group by group goes through its input (`--engine`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// In pieces when the run qualifies, else the whole file
    #[default]
    Auto,
    /// The whole file at once
    Whole,
    /// In pieces, or an error that says why the run cannot go in pieces
    Pieces,
}

/// Checked options shared by every analysis command.
pub struct Config {
    pub input: Input,
    /// Convert every series to this unit after loading.
    pub unit: Option<Unit>,
    pub fx: Option<FxTable>,
    /// How to read the input: layout, groups, and the front end's options.
    pub read: ReadOptions,
    pub span: Span,
    /// The rows the command reads besides the span: `--unit` converts only these (and the
    /// span), so exchange rates are needed for no other year.
    pub reads: Reads,
    /// Whether the command shows `--keep-flags`' column (`show`, `sql`); others drop it.
    pub flag_column: bool,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub precision: usize,
    pub quiet: bool,
    /// Whole file or pieces (`--engine`).
    pub engine: Engine,
    /// Size of a piece when the run goes in pieces (`--piece-bytes`, hidden; by default
    /// [`crate::pipeline::PIECE_BYTES`]).
    pub piece_bytes: usize,
}

impl Config {
    pub fn new(data: DataArgs, span: SpanArgs, output: OutputArgs) -> Result<Self> {
        if let (Some(from), Some(to)) = (span.from, span.to) {
            if from > to {
                bail!("--from {from} is after --to {to} (expected --from to be at most --to)");
            }
        }
        let read = read_options(&data)?;
        let input = match data.data {
            None => Input::Bundled,
            Some(p) if p.as_os_str() == "-" => Input::Stdin,
            Some(p) => Input::Path(p),
        };
        // `--format auto` (`None`): the --output file's extension, else a table on a terminal
        // and CSV otherwise.
        let format = match output.format {
            Some(format) => format,
            None => match &output.output {
                Some(path) => format_of(path)?,
                None if std::io::stdout().is_terminal() => Format::Table,
                None => Format::Csv,
            },
        };
        let fx = data.fx.as_deref().map(FxTable::load).transpose()?;
        let unit = match data.unit.as_deref() {
            None => None,
            Some(text) => match Unit::read(text).map_err(|why| anyhow::anyhow!("--unit: {why}"))? {
                Unit::Other(_) => bail!(
                    "--unit {text:?} is not a unit of money (expected a scale and a currency, e.g. \"billion CNY\", \"100 million USD\" or 亿元)"
                ),
                unit => Some(unit),
            },
        };
        // `--output -` is standard output, as if no --output were given.
        let destination = output.output.filter(|path| path.as_os_str() != "-");
        Ok(Config {
            input,
            unit,
            fx,
            read,
            span: Span {
                from: span.from,
                to: span.to,
            },
            reads: Reads::default(),
            flag_column: false,
            format,
            output: destination,
            precision: usize::from(output.precision),
            quiet: output.quiet,
            engine: output.engine,
            piece_bytes: output
                .piece_bytes
                .map_or(crate::pipeline::PIECE_BYTES, |bytes| {
                    usize::try_from(bytes).unwrap_or(usize::MAX)
                }),
        })
    }

    /// The dataset in `--unit`, when given: only the rows the command reads (its span and
    /// [`Config::reads`]) are kept and converted.
    pub(crate) fn converted(&self, mut dataset: Dataset) -> Result<Dataset> {
        if let Some(unit) = &self.unit {
            self.convert(&mut dataset, unit, None)?;
        }
        Ok(dataset)
    }

    /// Converts `dataset` (or only the series `only`) to `target`, keeping only the rows the
    /// command reads, so that `--fx` needs rates for those years alone.
    pub(crate) fn convert(
        &self,
        dataset: &mut Dataset,
        target: &Unit,
        only: Option<&str>,
    ) -> Result<()> {
        dataset.retain(self.span.rows(self.reads, &dataset.keys())?)?;
        dataset.convert(target, self.fx.as_ref(), only)
    }

    /// Starts the metadata of a result: source, span and units of the series in it.
    pub fn meta(&self, command: &str, dataset: &Dataset, units: &BTreeMap<String, String>) -> Meta {
        let mut meta = Meta::new(command, dataset.source.clone());
        meta.units = units.clone();
        meta.notes.extend(dataset.notes.iter().cloned());
        if let Some(from) = self.span.from {
            meta.param("from", from);
        }
        if let Some(to) = self.span.to {
            meta.param("to", to);
        }
        if !dataset.groups.is_empty() {
            meta.param("by", &dataset.groups);
        }
        meta
    }
}

/// The front end's options from the command line.
fn read_options(data: &DataArgs) -> Result<ReadOptions> {
    let delimiter = match data.delimiter.as_deref() {
        None => None,
        Some("tab" | "\\t" | "\t") => Some(b'\t'),
        Some(d) if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
        Some(d) => bail!("--delimiter {d:?}: expected one character such as , ; | or the word tab"),
    };
    let decimal = match data.decimal.as_deref() {
        None => None,
        Some(".") => Some('.'),
        Some(",") => Some(','),
        Some(d) => bail!("--decimal {d:?}: expected . or ,"),
    };
    let filters = data
        .r#where
        .iter()
        .map(|w| Filter::parse(w).map_err(|why| anyhow::anyhow!("--where {why}")))
        .collect::<Result<_>>()?;
    Ok(ReadOptions {
        layout: data.layout,
        by: data
            .by
            .iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
        skip: data.skip,
        delimiter,
        decimal,
        encoding: match data.encoding.as_deref() {
            None => Default::default(),
            Some(text) => data::decode::parse_encoding(text)
                .map_err(|why| anyhow::anyhow!("--encoding {text}: {why}"))?,
        },
        na: data
            .na
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        columns: ColumnChoice {
            year: data.year_col.clone(),
            value: data.value_col.clone(),
            series: data.series_col.clone(),
            unit: data.unit_col.clone(),
        },
        filters,
        keep_flags: data.keep_flags,
    })
}

/// The format `--format auto` picks for `--output FILE`: the one its extension names; CSV
/// for a name without one (`--output /dev/null`, `--output out`); an error for an extension
/// that names no format, rather than CSV in a file called `.xlsx`-something-else.
fn format_of(path: &std::path::Path) -> Result<Format> {
    if path.as_os_str() == "-" {
        return Ok(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Csv
        });
    }
    match path.extension() {
        None => Ok(Format::Csv),
        Some(ext) => Format::from_extension(path).ok_or_else(|| {
            anyhow::anyhow!(
                "--output {}: the extension {:?} names no format (expected one of {}; or give --format)",
                path.display(),
                ext.to_string_lossy(),
                Format::extensions().join(", ")
            )
        }),
    }
}
