//! The careful reader: record by record, by the plan, every bad cell an error with its line
//! and column; what the cells held besides numbers becomes notes.

use super::plan::{ColumnsIn, Shape};
use super::{csv_error, quote, Records, LINE};
use crate::data::front;
use crate::data::number::parse_year;
use crate::data::units::Unit;
use crate::schema::{FLAG, SERIES, UNIT, VALUE, YEAR};
use anyhow::{bail, Result};
use polars::prelude::*;

/// What the careful reader read.
pub(super) struct Rows {
    pub(super) frame: DataFrame,
    pub(super) notes: Vec<String>,
    pub(super) footer_lines: usize,
    pub(super) series_flags: std::collections::BTreeMap<String, usize>,
}

impl ColumnsIn<'_> {
    /// The careful reader: record by record, stopping at the first bad cell with its line
    /// and column. Returns the frame in file order with each row's line in [`LINE`], notes
    /// about what the cells held, and the number of footer lines after the data.
    pub(super) fn read_rows(&self, records: Records<'_>) -> Result<Rows> {
        let name = self.name;
        let mut out = Sink {
            builder: Builder::new(self.groups.clone(), self.keep_flags),
            tally: Tally::default(),
        };
        let mut footer = Footer::default();
        let mut filtered = Filtered::new(self.filters.len());
        for record in records {
            let record = record.map_err(|e| csv_error(name, e))?;
            let line = record.position().map_or(0, |p| p.line());
            if footer.takes(name, &record, line)? {
                continue;
            }
            let record = self.expand(record, line)?;
            if !filtered.keeps(&self.filters, &record) {
                continue;
            }
            self.read_row(&record, line, &mut out)?;
        }
        filtered.check_matches(name, &self.filters)?;
        let frame = out.builder.finish(&self.group_names())?;
        if frame.height() == 0 {
            bail!("{name}: the file has a header but no data rows (expected one row per year)");
        }
        let mut notes = out.tally.notes();
        notes.extend(filtered.note(&self.filters));
        notes.extend(footer.note());
        Ok(Rows {
            frame,
            notes,
            footer_lines: footer.lines,
            series_flags: out.tally.series_flags,
        })
    }

    /// One row of data, its values pushed to `out`.
    fn read_row(&self, record: &csv::StringRecord, line: u64, out: &mut Sink) -> Result<()> {
        let name = self.name;
        match &self.shape {
            Shape::Long {
                series,
                value,
                unit,
            } => {
                let year = self.year(record, line)?;
                let series_name = &record[*series];
                if series_name.is_empty() {
                    bail!(
                        "{name}:{line}:{}: the series name is empty (expected a name such as cbec)",
                        series + 1
                    );
                }
                out.tally.series.clear();
                out.tally.series.push_str(series_name);
                let value = self.value(record, *value, line, &mut out.tally)?;
                let unit = match unit.map(|c| (c, &record[c])) {
                    Some((c, text)) if !text.is_empty() => Some(
                        out.builder
                            .canonical_unit(text)
                            .map_err(|why| anyhow::anyhow!("{name}:{line}:{}: {why}", c + 1))?,
                    ),
                    _ => None,
                };
                out.push(record, series_name, year, value, unit, line);
            }
            Shape::Wide(series) => {
                let year = self.year(record, line)?;
                for (col, series, unit) in series {
                    out.tally.series.clear();
                    out.tally.series.push_str(series);
                    let value = self.value(record, *col, line, &mut out.tally)?;
                    out.push(record, series, year, value, unit.clone(), line);
                }
            }
            Shape::Keyed(keyed) => self.read_keyed(keyed, record, line, out)?,
        }
        Ok(())
    }

    /// A record as the plan's columns: Eurostat's first cell split into its keys, the empty
    /// cell of a trailing delimiter dropped, the field count checked.
    pub(super) fn expand(&self, record: csv::StringRecord, line: u64) -> Result<csv::StringRecord> {
        let mut record = record;
        if let Some(keys) = self.split_first {
            let first = record.get(0).unwrap_or_default();
            let parts: Vec<&str> = first.split(',').collect();
            if parts.len() != keys {
                bail!(
                    "{}:{line}:1: the first cell {} holds {} keys (expected {keys}, one for each of {}, separated by commas)",
                    self.name,
                    quote(first),
                    parts.len(),
                    self.header[..keys].join(", ")
                );
            }
            let mut out = csv::StringRecord::new();
            for part in parts {
                out.push_field(part.trim());
            }
            for field in record.iter().skip(1) {
                out.push_field(field);
            }
            out.set_position(record.position().cloned());
            record = out;
        }
        if self.trailing_empty
            && record.len() == self.header.len() + 1
            && record
                .get(self.header.len())
                .is_some_and(|c| c.trim().is_empty())
        {
            record.truncate(self.header.len());
        }
        self.check_row(&record)?;
        Ok(record)
    }

    /// Checks the field count; returns the record's line number.
    fn check_row(&self, record: &csv::StringRecord) -> Result<u64> {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != self.header.len() {
            bail!(
                "{}:{line}: the row has {} fields but the header has {} (expected every row to have as many fields as the header)",
                self.name,
                record.len(),
                self.header.len()
            );
        }
        Ok(line)
    }

    pub(super) fn year(&self, record: &csv::StringRecord, line: u64) -> Result<i32> {
        let cell = &record[self.year];
        parse_year(cell).map_err(|why| {
            anyhow::anyhow!(
                "{}:{line}:{}: year {} in column {:?}: {why}",
                self.name,
                self.year + 1,
                quote(cell),
                self.header[self.year]
            )
        })
    }

    pub(super) fn value(
        &self,
        record: &csv::StringRecord,
        col: usize,
        line: u64,
        tally: &mut Tally,
    ) -> Result<Option<f64>> {
        let cell = &record[col];
        let read = self.rules.read(cell).map_err(|why| {
            anyhow::anyhow!(
                "{}:{line}:{}: value {} in column {:?}: {why}",
                self.name,
                self.original_column(col),
                quote(cell),
                self.header[col]
            )
        })?;
        if let Some(marker) = read.marker {
            *tally.markers.entry(marker).or_default() += 1;
        }
        tally.last_flag.clone_from(&read.flag);
        if let Some(flag) = read.flag {
            *tally.flags.entry(flag).or_default() += 1;
            *tally.series_flags.entry(tally.series.clone()).or_default() += 1;
        }
        Ok(read.value)
    }

    /// The 1-based column in the file of a plan column (Eurostat's keys share one).
    fn original_column(&self, col: usize) -> usize {
        match self.split_first {
            Some(keys) if col >= keys => col - keys + 2,
            Some(_) => 1,
            None => col + 1,
        }
    }
}

/// What the careful reader collects: the frame's columns, and the tally of what the cells
/// held.
pub(super) struct Sink {
    pub(super) builder: Builder,
    pub(super) tally: Tally,
}

impl Sink {
    /// Pushes a row: the groups from `record`, the series, the year, the value with the flag
    /// of the value last read, the unit.
    pub(super) fn push(
        &mut self,
        record: &csv::StringRecord,
        series: &str,
        year: i32,
        value: Option<f64>,
        unit: Option<String>,
        line: u64,
    ) {
        let columns = &mut self.builder;
        for (values, &col) in columns.groups.iter_mut().zip(&columns.group_cols) {
            values.push(record[col].to_string());
        }
        columns.series.push(series.to_string());
        columns.year.push(year);
        columns.value.push(value);
        columns.unit.push(unit);
        columns.line.push(line as i64);
        columns.flag.push(self.tally.last_flag.take());
    }
}

/// The footer: notes after the data, which end at a footer line (or a row of bare
/// delimiters).
#[derive(Default)]
pub(super) struct Footer {
    /// (line, text) of the first footer line.
    start: Option<(u64, String)>,
    /// How many lines the footer has.
    lines: usize,
}

impl Footer {
    /// Whether `record` is part of the footer (its first line, or any after it). After the
    /// data have ended, a record that looks like data is an error.
    pub(super) fn takes(
        &mut self,
        name: &str,
        record: &csv::StringRecord,
        line: u64,
    ) -> Result<bool> {
        if let Some((end, _)) = &self.start {
            data_after_footer(name, record, line, *end)?;
            self.lines += 1;
            return Ok(true);
        }
        if front::is_footer(record) {
            let text = record
                .iter()
                .find(|c| !c.trim().is_empty())
                .unwrap_or_default();
            self.start = Some((line, text.to_string()));
            self.lines = 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// The note saying where the data end.
    fn note(&self) -> Option<String> {
        let (line, text) = self.start.as_ref()?;
        let more = match self.lines {
            1 => String::new(),
            2 => " and the line after it".to_string(),
            n => format!(" and the {} lines after it", n - 1),
        };
        let what = if text.is_empty() {
            "a row of empty cells".to_string()
        } else {
            format!("{text:?}")
        };
        Some(format!(
            "the data end at line {line}: {what}{more} are notes, not data"
        ))
    }
}

/// What `--where` kept: rows read and kept, and a few values of each filtered column that
/// did not match, for the message when nothing matches.
struct Filtered {
    rows: usize,
    kept: usize,
    seen: Vec<Vec<String>>,
}

impl Filtered {
    fn new(filters: usize) -> Self {
        Filtered {
            rows: 0,
            kept: 0,
            seen: vec![Vec::new(); filters],
        }
    }

    /// Whether `record` passes every filter, counted.
    fn keeps(&mut self, filters: &[(usize, front::Filter)], record: &csv::StringRecord) -> bool {
        self.rows += 1;
        let mut keep = true;
        for (i, (col, filter)) in filters.iter().enumerate() {
            let cell = &record[*col];
            if !filter.matches(cell) {
                keep = false;
                let seen = &mut self.seen[i];
                if seen.len() < 8 && !seen.iter().any(|s| s == cell.trim()) {
                    seen.push(cell.trim().to_string());
                }
            }
        }
        if keep {
            self.kept += 1;
        }
        keep
    }

    /// An error when there were rows and filters kept none, with values found instead.
    fn check_matches(&self, name: &str, filters: &[(usize, front::Filter)]) -> Result<()> {
        if filters.is_empty() || self.kept > 0 || self.rows == 0 {
            return Ok(());
        }
        let (i, (_, filter)) = filters
            .iter()
            .enumerate()
            .find(|(i, _)| !self.seen[*i].is_empty())
            .unwrap_or((0, &filters[0]));
        bail!(
            "--where {}: no row of {name} matches (found in column {:?}: {}{})",
            filter.text(),
            filter.column,
            self.seen[i]
                .iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            if self.seen[i].len() >= 8 { ", …" } else { "" }
        );
    }

    /// The note of how many rows the filters kept.
    fn note(&self, filters: &[(usize, front::Filter)]) -> Option<String> {
        if filters.is_empty() {
            return None;
        }
        let described: Vec<String> = filters.iter().map(|(_, f)| f.text()).collect();
        Some(format!(
            "--where {}: {} of {} rows kept",
            described.join(" and "),
            self.kept,
            self.rows
        ))
    }
}

/// After the data have ended (a footer line, a row of bare delimiters), nothing may look
/// like data: two or more filled cells that are not a footer line are an error, never
/// silently dropped.
fn data_after_footer(name: &str, record: &csv::StringRecord, line: u64, end: u64) -> Result<()> {
    let filled = record.iter().filter(|c| !c.trim().is_empty()).count();
    if filled >= 2 && !front::is_footer(record) {
        bail!(
            "{name}:{line}: a row of data after the end of the data on line {end} (expected nothing but notes after it; if line {end} belongs to the data, fix it)"
        );
    }
    Ok(())
}

/// Counts of what the cells held besides numbers, for the notes.
#[derive(Default)]
pub(super) struct Tally {
    markers: std::collections::BTreeMap<String, usize>,
    flags: std::collections::BTreeMap<String, usize>,
    /// Year cells without a value (years as columns), left out.
    pub(super) empty: usize,
    /// The series of the row being read, and per series the values that carried flags.
    pub(super) series: String,
    series_flags: std::collections::BTreeMap<String, usize>,
    /// The flag of the last value read.
    pub(super) last_flag: Option<String>,
}

impl Tally {
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.empty > 0 {
            notes.push(format!(
                "{} without a value (empty or a missing-value marker) left out",
                plural(self.empty, "year cell", "year cells")
            ));
        }
        if !self.markers.is_empty() {
            let total: usize = self.markers.values().sum();
            let list: Vec<String> = self
                .markers
                .iter()
                .map(|(m, n)| format!("`{m}` × {n}"))
                .collect();
            notes.push(format!(
                "{} a missing-value marker ({}), read as empty",
                plural(total, "cell holds", "cells hold"),
                list.join(", ")
            ));
        }
        if !self.flags.is_empty() {
            let total: usize = self.flags.values().sum();
            let list: Vec<String> = self
                .flags
                .iter()
                .map(|(f, n)| format!("{f} × {n}{}", flag_meaning(f)))
                .collect();
            notes.push(format!(
                "{} flags after the value, split off (the numbers are kept): {}",
                plural(total, "cell carries", "cells carry"),
                list.join(", ")
            ));
        }
        notes
    }
}

/// `3 cells` / `1 cell`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Eurostat's flag letters, for notes.
fn flag_meaning(flag: &str) -> String {
    let words: Vec<&str> = flag
        .chars()
        .filter_map(|c| {
            Some(match c {
                'b' => "break in series",
                'c' => "confidential",
                'd' => "definition differs",
                'e' => "estimated",
                'f' => "forecast",
                'n' => "not significant",
                'p' => "provisional",
                'r' => "revised",
                's' => "Eurostat estimate",
                'u' => "low reliability",
                'z' => "not applicable",
                _ => return None,
            })
        })
        .collect();
    format!(" ({})", words.join(", "))
}

/// Column vectors of the canonical frame, filled row by row ([`Sink::push`]).
#[derive(Default)]
pub(super) struct Builder {
    /// Unit texts seen so far and their canonical form (`亿元` → `100 million CNY`).
    unit_labels: std::collections::HashMap<String, String>,
    /// The group columns of the input, and their values.
    group_cols: Vec<usize>,
    groups: Vec<Vec<String>>,
    series: Vec<String>,
    year: Vec<i32>,
    value: Vec<Option<f64>>,
    unit: Vec<Option<String>>,
    line: Vec<i64>,
    /// Eurostat-style flags of each row (`p`, `e`), kept as a column with `--keep-flags`.
    flag: Vec<Option<String>>,
    keep_flags: bool,
}

impl Builder {
    fn new(group_cols: Vec<usize>, keep_flags: bool) -> Self {
        Builder {
            groups: vec![Vec::new(); group_cols.len()],
            group_cols,
            keep_flags,
            ..Builder::default()
        }
    }

    /// `亿元` → `100 million CNY`, remembered so each unit text is parsed once.
    pub(super) fn canonical_unit(&mut self, text: &str) -> Result<String, String> {
        if let Some(label) = self.unit_labels.get(text) {
            return Ok(label.clone());
        }
        let label = Unit::read(text)?.to_string();
        self.unit_labels.insert(text.to_string(), label.clone());
        Ok(label)
    }

    fn finish(self, group_names: &[String]) -> Result<DataFrame> {
        let height = self.year.len();
        let mut columns: Vec<Column> = group_names
            .iter()
            .zip(self.groups)
            .map(|(name, values)| Column::new(name.as_str().into(), values))
            .collect();
        columns.push(Column::new(SERIES.into(), self.series));
        columns.push(Column::new(YEAR.into(), self.year));
        columns.push(Column::new(VALUE.into(), self.value));
        columns.push(Column::new(UNIT.into(), self.unit));
        if self.keep_flags {
            columns.push(Column::new(FLAG.into(), self.flag));
        }
        columns.push(Column::new(LINE.into(), self.line));
        Ok(DataFrame::new(height, columns)?)
    }
}
