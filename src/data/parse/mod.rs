//! Reading a CSV table (wide or long) into the canonical long frame, with validation.
//!
//! The header is read here, once, into a plan of which column holds what. A plainly clean
//! file is then read by Polars' CSV reader ([`super::fast`]); every other file by the
//! careful reader ([`rows`]), where the csv crate does the tokenising (quotes, CRLF, BOM-free
//! bytes) because it tells us the line of every record, which Polars' reader does not:
//! every message names the input, the line and the column, what was found and what was
//! expected. Both give the same frame for any file the fast path accepts.
//!
//! The steps: [`locate`](mod@locate) finds the table (encoding, delimiter, header);
//! [`plan`](mod@plan) reads the header into a plan of which column holds what ([`keyed`]:
//! publishers' layouts and years as columns); [`rows`] reads the records by that plan;
//! [`checks`] checks the whole frame; [`found`] says how the file was read.
//! [`chunks`](mod@chunks) cuts a large panel into pieces.

mod buckets;
mod checks;
mod chunks;
mod fast_sum;
mod found;
mod keyed;
mod locate;
mod plan;
mod records;
mod rows;
mod sum;

pub use chunks::{chunks, Body, Chunks};
pub(super) use locate::LineCounter;
pub(super) use plan::{ColumnsIn, Shape};

use super::front::{self, ReadOptions};
use crate::schema::{self, FLAG};
use anyhow::{bail, Result};
use checks::{check_duplicates, check_units, keep_units_of_twin_labels};
use locate::{locate, Located};
use plan::{check_header, plan, plan_filters};
use polars::prelude::*;
use rows::{Footer, Rows};

/// Input layout: `year` plus one column per series, or `year,series,value[,unit]` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Layout {
    #[default]
    Auto,
    Wide,
    Long,
    /// Key columns, then one column per year (World Bank, Eurostat, NBS).
    Years,
}

/// Line of the input each row came from; used for error messages, dropped before analysis.
pub const LINE: &str = "__line";

/// Each series' unit (`None`: no unit), as the loader learns it on the way.
pub type Catalog = std::collections::BTreeMap<String, Option<String>>;

/// The parsed table: the canonical long frame and the names of its group columns.
pub struct Parsed {
    pub frame: DataFrame,
    pub groups: Vec<String>,
    /// Each series' unit (`None`: no unit).
    pub catalog: Catalog,
    /// What the front end found and did, for people: missing markers, flags, a footer.
    pub notes: Vec<String>,
    /// The publisher's metadata lines above the header.
    pub source_notes: Vec<String>,
    /// How the file was read (for `inspect`).
    pub found: Found,
    /// What `--sum-by` summed.
    pub summed: Option<crate::data::Summed>,
}

/// How the front end read a file.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Found {
    pub encoding: String,
    pub delimiter: String,
    pub header_line: u64,
    pub preamble_lines: usize,
    pub footer_lines: usize,
    pub layout: String,
    pub year_columns: Vec<String>,
    pub group_columns: Vec<String>,
    pub series_from: String,
    pub unit_from: String,
    pub ignored_columns: Vec<String>,
    /// Flags that pin what was detected (`--layout years`, `--series-col …`).
    pub flags: Vec<(String, String)>,
    /// Per series, the values that carried a flag.
    pub series_flags: std::collections::BTreeMap<String, usize>,
    /// The header's cells as read (several `--data` files must have the same).
    #[serde(skip)]
    pub header: Vec<String>,
}

/// Parses `bytes` (named `name` in messages). `by` names the group columns: required for
/// group columns of a wide file, optional for a long one (where every extra column is one).
pub fn parse_csv(bytes: &[u8], name: &str, options: &ReadOptions) -> Result<Parsed> {
    parse(bytes, name, options, Readers::Both)
}

/// Parses a small file with the careful reader alone: below [`FAST_READER_MIN`] bytes it is
/// the faster one, as setting up Polars' reader costs more than a few dozen rows repay (the
/// bundled table: 6.7 → 6.0 ms for `growth`, start to finish).
pub fn parse_small_csv(bytes: &[u8], name: &str, options: &ReadOptions) -> Result<Parsed> {
    parse(bytes, name, options, Readers::Careful)
}

/// Files smaller than this are read by the careful reader alone (see [`parse_small_csv`]).
pub const FAST_READER_MIN: usize = 64 << 10;

/// Which readers [`parse`] may use: normally the fast one, else the careful one; tests
/// compare the two alone.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
pub(super) enum Readers {
    Both,
    Careful,
    /// An error when the fast path declines the file.
    Fast,
}

type Records<'r> = Box<dyn Iterator<Item = csv::Result<csv::StringRecord>> + 'r>;

/// Reads a file into the canonical long frame: the fast reader when `readers` allows and
/// the file is plain and tidy, else the careful one.
pub(super) fn parse(
    bytes: &[u8],
    name: &str,
    options: &ReadOptions,
    readers: Readers,
) -> Result<Parsed> {
    locate(bytes, name, options, |located, records| {
        let plan = plan_read(name, &located, options)?;
        let groups: Vec<String> = plan.group_names();
        let keys = sort_keys(&groups);
        if readers != Readers::Careful && located.plain() && options.is_tidy() {
            if let Some((frame, catalog)) = super::fast::read(located.bytes, &plan, &groups, &keys)
            {
                return Ok(Parsed {
                    frame,
                    groups,
                    catalog,
                    notes: Vec::new(),
                    source_notes: located.source_notes.clone(),
                    found: plan.found(located.encoding, located.delimiter, located.header_line, 0),
                    summed: None,
                });
            }
        }
        if let Some(summed) = read_summed_fast(&plan, &located, options, readers) {
            let (frame, by, summed) = summed?;
            let read = Read {
                notes: Vec::new(),
                footer_lines: 0,
                series_flags: Default::default(),
            };
            return complete(
                &plan,
                &located,
                read,
                frame,
                sort_keys(&by),
                by,
                Some(summed),
            );
        }
        if readers == Readers::Fast {
            bail!("the fast path declined the file");
        }
        let rows = plan.read_rows(records)?;
        finish(&plan, &located, rows, groups, keys)
    })
}

/// Detail data summed on Polars' streaming engine ([`fast_sum`]) when `readers` allow, the
/// file is plain, its cells are read as they are and it is large enough to repay the set-up
/// (tests ask for the fast path at any size).
fn read_summed_fast(
    plan: &ColumnsIn<'_>,
    located: &Located<'_>,
    options: &ReadOptions,
    readers: Readers,
) -> Option<Result<fast_sum::SummedFrame>> {
    let large = readers == Readers::Fast || located.bytes.len() >= FAST_READER_MIN;
    let plain = located.plain() && options.reads_cells_plainly();
    if readers == Readers::Careful || plan.summing.is_none() || !large || !plain {
        return None;
    }
    fast_sum::read(located.bytes, plan, located.header_line)
}

/// The plan of a tidy read: the header's plan with what [`locate`] found (Eurostat's keys, a
/// trailing delimiter), the cell rules, `--where` and `--keep-flags`.
fn plan_read<'a>(
    name: &'a str,
    located: &'a Located<'_>,
    options: &ReadOptions,
) -> Result<ColumnsIn<'a>> {
    let (header, header_line) = (&located.header, located.header_line);
    let mut plan = plan(name, header, header_line, options)?;
    plan.split_first = located.split_first;
    plan.trailing_empty = located.trailing_empty;
    plan.rules = front::CellRules {
        hint_decimal: located.delimiter != b',' && options.decimal.is_none(),
        flags: options.keep_flags || located.split_first.is_some(),
        ..front::CellRules::new(options)
    };
    plan.filters = plan_filters(name, header, header_line, &options.filters)?;
    plan.keep_flags = options.keep_flags;
    if let Some(g) = plan
        .groups
        .iter()
        .find(|&&g| options.keep_flags && header[g] == FLAG)
    {
        bail!(
            "{name}:{header_line}:{}: column {FLAG:?} is a group column, and --keep-flags adds its own (expected another name, or no --keep-flags)",
            g + 1
        );
    }
    Ok(plan)
}

/// What the careful reader learnt besides the frame, for [`complete`].
struct Read {
    notes: Vec<String>,
    footer_lines: usize,
    series_flags: std::collections::BTreeMap<String, usize>,
}

/// The careful reader's way after the rows are read: the checks of the whole frame (twin
/// labels, duplicates), the sums of `--sum-by`, then [`complete`].
fn finish(
    plan: &ColumnsIn<'_>,
    located: &Located<'_>,
    rows: Rows,
    groups: Vec<String>,
    keys: Vec<PlSmallStr>,
) -> Result<Parsed> {
    let name = plan.name;
    let Rows {
        frame,
        mut notes,
        footer_lines,
        series_flags,
    } = rows;
    let (frame, label_note) = keep_units_of_twin_labels(frame, plan)?;
    notes.extend(label_note);
    let (frame, groups, keys, summed) = match &plan.summing {
        Some(summing) => {
            let (frame, by, summed) = summing.sum(plan, frame, &groups)?;
            let keys = sort_keys(&by);
            (frame, by, keys, Some(summed))
        }
        None => {
            check_duplicates(name, &frame, &groups)?;
            (frame, groups, keys, None)
        }
    };
    let read = Read {
        notes,
        footer_lines,
        series_flags,
    };
    complete(plan, located, read, frame, keys, groups, summed)
}

/// The last steps of every read but the fast path's for tidy files: units checked, the
/// frame sorted into the canonical order, the notes and what was found.
fn complete(
    plan: &ColumnsIn<'_>,
    located: &Located<'_>,
    read: Read,
    frame: DataFrame,
    keys: Vec<PlSmallStr>,
    groups: Vec<String>,
    summed: Option<crate::data::Summed>,
) -> Result<Parsed> {
    let Read {
        mut notes,
        footer_lines,
        series_flags,
    } = read;
    let keyed = matches!(plan.shape, Shape::Keyed(_));
    let (catalog, unit_notes) = check_units(plan.name, &frame, &groups, keyed)?;
    let frame = frame
        .lazy()
        .drop(by_name([LINE], true, false))
        .sort(keys, Default::default())
        .collect()?;
    notes.extend(plan.notes.iter().cloned());
    notes.extend(unit_notes);
    notes.extend(located.encoding_note.clone());
    Ok(Parsed {
        frame,
        catalog,
        notes,
        source_notes: located.source_notes.clone(),
        summed,
        found: Found {
            series_flags,
            group_columns: groups.clone(),
            ..plan.found(
                located.encoding,
                located.delimiter,
                located.header_line,
                footer_lines,
            )
        },
        groups,
    })
}

/// The table of a file as read, before any meaning: every column as text under its header
/// name, the rows between the header and a footer (`tradestat sql --raw`). Decoding, the
/// delimiter, the header line, Eurostat's keys and a trailing delimiter are handled as for
/// a tidy read; `--where` applies.
pub fn raw_table(bytes: &[u8], name: &str, options: &ReadOptions) -> Result<DataFrame> {
    locate(bytes, name, options, |located, records| {
        let Located {
            header,
            header_line,
            split_first,
            trailing_empty,
            ..
        } = located;
        check_header(name, &header, header_line)?;
        let mut plan = ColumnsIn::new(name, &header, header_line);
        plan.split_first = split_first;
        plan.trailing_empty = trailing_empty;
        plan.filters = plan_filters(name, &header, header_line, &options.filters)?;
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
        let mut footer = Footer::default();
        for record in records {
            let record = record.map_err(|e| csv_error(name, e))?;
            let line = record.position().map_or(0, |p| p.line());
            if footer.takes(name, &record, line)? {
                continue;
            }
            let record = plan.expand(record, line)?;
            if !plan.filters.iter().all(|(c, f)| f.matches(&record[*c])) {
                continue;
            }
            for (column, cell) in cells.iter_mut().zip(record.iter()) {
                column.push(cell.to_string());
            }
        }
        let height = cells.first().map_or(0, Vec::len);
        let columns: Vec<Column> = header
            .iter()
            .zip(cells)
            .map(|(h, values)| Column::new(h.as_str().into(), values))
            .collect();
        Ok(DataFrame::new(height, columns)?)
    })
}

/// The header cells the front end finds in `bytes` (after decoding and metadata lines).
pub fn header(bytes: &[u8], name: &str, options: &ReadOptions) -> Result<Vec<String>> {
    locate(bytes, name, options, |located, _| Ok(located.header))
}

/// Sort order of the canonical frame: groups, series, year.
fn sort_keys(groups: &[String]) -> Vec<PlSmallStr> {
    schema::sort_keys(&schema::keys(groups))
}

/// A cell quoted for a message, cut short when it is long (a 200,000-digit number should not
/// fill the terminal).
pub fn quote(cell: &str) -> String {
    const MAX: usize = 40;
    if cell.chars().count() <= MAX {
        format!("{cell:?}")
    } else {
        let head: String = cell.chars().take(MAX).collect();
        format!("{head:?}… ({} characters)", cell.chars().count())
    }
}

fn csv_error(name: &str, error: csv::Error) -> anyhow::Error {
    match error.kind() {
        csv::ErrorKind::Utf8 { pos, err } => anyhow::anyhow!(
            "{name}:{}:{}: the text is not valid UTF-8 (expected a UTF-8 encoded CSV file; convert it, e.g. with iconv)",
            pos.as_ref().map_or(0, |p| p.line()),
            err.field() + 1
        ),
        _ => anyhow::anyhow!("{name}: cannot read the CSV data: {error}"),
    }
}
