//! The checked settings of a run: clap's arguments become a [`Config`] once (in
//! `crate::cli`, the only place that knows both), so that nothing past it sees clap's
//! argument types. A `Config` holds settings and what follows from them alone (the rows a
//! span selects, the unit conversion they ask for, the metadata of a result); loading,
//! running and writing belong to [`crate::pipeline::Pipeline`].

use crate::analysis::project::{series_of, KeyedSeries};
use crate::data::Units;
use crate::data::{Dataset, FxTable, Input, ReadOptions, Unit};
use crate::output::Meta;
use crate::render::Format;
use crate::schema::{sort_keys, Reads, Span};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Size of a piece (`--piece-bytes` overrides it, for tests and tuning). Measured on 10M
/// rows (bench/README.md): `growth` took 5.2 s in 2 MiB pieces, 4.6 s in 4, 4.2 s in 8
/// and 4.5 s in 16 MiB pieces; smaller pieces pay Polars' per-query overhead more often,
/// larger ones hold more in memory and keep the writer waiting longer.
pub const PIECE_BYTES: usize = 8 << 20;

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
    /// [`PIECE_BYTES`]).
    pub piece_bytes: usize,
}

impl Config {
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

    /// The selected series within the span, sorted by keys and year, with their units.
    pub fn selected_frame(
        &self,
        dataset: &Dataset,
        series: &[String],
    ) -> Result<(DataFrame, Units)> {
        let (lf, units) = dataset.select("--series", series)?;
        let df = lf
            .filter(self.span.contains())
            .sort(sort_keys(&dataset.keys()), Default::default())
            .collect()?;
        Ok((df, units))
    }

    /// The selected series within the span, one [`KeyedSeries`] each (keys: groups, then
    /// series name), with their units; an error when none has a value.
    pub fn load_series(
        &self,
        dataset: &Dataset,
        series: &[String],
    ) -> Result<(Vec<KeyedSeries>, Units)> {
        let (df, units) = self.selected_frame(dataset, series)?;
        let all = series_of(&df, &dataset.keys())?;
        self.span.ensure_rows(all.len())?;
        Ok((all, units))
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

/// What SQL's `shares` table needs of the settings: how a whole is brought into its part's
/// unit.
impl<'a> From<&'a Config> for crate::sql::Conversion<'a> {
    fn from(config: &'a Config) -> Self {
        crate::sql::Conversion {
            fx: config.fx.as_ref(),
            span: config.span,
            reads: config.reads,
        }
    }
}
