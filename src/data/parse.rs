//! Reading a CSV table (wide or long) into the canonical long frame, with validation.
//!
//! The header is read here, once, into a plan of which column holds what. A plainly clean
//! file is then read by Polars' CSV reader ([`super::fast`]); every other file by the
//! careful reader below, where the csv crate does the tokenising (quotes, CRLF, BOM-free
//! bytes) because it tells us the line of every record, which Polars' reader does not:
//! every message names the input, the line and the column, what was found and what was
//! expected. Both give the same frame for any file the fast path accepts.

use super::front::{self, ReadOptions};
use super::number::parse_year;
use super::units::Unit;
use crate::schema::{self, FLAG, SERIES, UNIT, VALUE, YEAR};
use anyhow::{bail, Result};
use polars::prelude::*;

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

const RESERVED: [&str; 4] = [SERIES, YEAR, VALUE, UNIT];

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

/// A table as the front end found it, before any column is read for meaning (the records
/// after its header come beside it).
struct Located<'r> {
    /// The file as UTF-8.
    bytes: &'r [u8],
    encoding: &'static str,
    encoding_note: Option<String>,
    delimiter: u8,
    /// Header cells (Eurostat's keys split, a trailing empty column dropped).
    header: Vec<String>,
    header_line: u64,
    /// Records before the header.
    header_at: usize,
    source_notes: Vec<String>,
    split_first: Option<usize>,
    trailing_empty: bool,
}

impl Located<'_> {
    /// Whether the file is a plain comma-separated table with its header on line 1, which
    /// the fast reader and the piece cutter know.
    fn plain(&self) -> bool {
        self.header_at == 0
            && self.delimiter == b','
            && self.split_first.is_none()
            && !self.trailing_empty
    }
}

/// Decodes `bytes`, finds the delimiter and the header, and hands the table and the records
/// after the header to `read`.
fn locate<T>(
    bytes: &[u8],
    name: &str,
    options: &ReadOptions,
    read: impl FnOnce(Located<'_>, Records<'_>) -> Result<T>,
) -> Result<T> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        bail!(
            "{name}: the file is empty (expected a header row such as `year,cbec,trade` or `year,series,value,unit`)"
        );
    }
    // UTF-8 (a BOM dropped) is borrowed as it is; anything else becomes UTF-8 here.
    let decoded = super::decode::decode(bytes, name, &options.encoding)?;
    let encoding = decoded.encoding;
    let encoding_note = (decoded.detected && !encoding.starts_with("UTF-8")).then(|| {
        format!("the file is not UTF-8: read as {encoding} (detected; --encoding chooses another)")
    });
    let bytes: &[u8] = &decoded.text;
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| front::sniff_delimiter(bytes));
    if let Some(line) = unterminated_quote(bytes, delimiter) {
        bail!(
            "{name}:{line}: a quote opens a field on this line and is never closed (expected a closing \" before the end of the file)"
        );
    }
    let mut records = numbered_records(bytes, delimiter);
    let (mut first, header_at) = records_to_header(&mut records, name, options)?;
    let Some(header_record) = first.get(header_at).cloned() else {
        bail!("{name}: the file is empty (expected a header row)");
    };
    let source_notes: Vec<String> = first[..header_at]
        .iter()
        .filter_map(front::preamble_note)
        .collect();
    let header_line = header_record.position().map_or(1, |p| p.line());
    let rest: Vec<csv::StringRecord> = first.split_off(header_at + 1);
    let (header, split_first, trailing_empty) = header_cells(&header_record, delimiter);
    let located = Located {
        bytes,
        encoding,
        encoding_note,
        delimiter,
        header,
        header_line,
        header_at,
        source_notes,
        split_first,
        trailing_empty,
    };
    read(located, Box::new(rest.into_iter().map(Ok).chain(records)))
}

/// The records of `bytes`, each with the line it starts on.
fn numbered_records(
    bytes: &[u8],
    delimiter: u8,
) -> impl Iterator<Item = csv::Result<csv::StringRecord>> + '_ {
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(bytes);
    // The csv crate's line numbers drift on CRLF files and after blank lines; count the
    // newlines before each record's first byte instead.
    let mut lines = LineCounter::new(bytes);
    reader.into_records().map(move |record| {
        record.map(|mut record| {
            lines.fix(&mut record);
            record
        })
    })
}

/// Reads records up to the header: after --skip lines, else the first record that names a
/// year column or holds years (a publisher's metadata lines come before it), else the first
/// record. Returns the records read and the header's index among them.
fn records_to_header(
    records: &mut impl Iterator<Item = csv::Result<csv::StringRecord>>,
    name: &str,
    options: &ReadOptions,
) -> Result<(Vec<csv::StringRecord>, usize)> {
    let mut first: Vec<csv::StringRecord> = Vec::new();
    let header_at = match options.skip {
        Some(skip) => loop {
            match records.next() {
                Some(record) => {
                    let record = record.map_err(|e| csv_error(name, e))?;
                    let line = record.position().map_or(0, |p| p.line()) as usize;
                    first.push(record);
                    if line > skip {
                        break first.len() - 1;
                    }
                }
                None => bail!(
                    "--skip {skip}: {name} has no line after line {skip} (expected the number of lines before the header)"
                ),
            }
        },
        None => {
            for record in records.by_ref().take(front::SNIFF_RECORDS) {
                first.push(record.map_err(|e| csv_error(name, e))?);
            }
            front::find_header(&first, options.columns.year.as_deref())
        }
    };
    Ok((first, header_at))
}

/// The header's cells, with Eurostat's keys split (how many: the first cell of every row
/// holds them too) and the empty column of a trailing delimiter dropped (whether there was
/// one).
fn header_cells(record: &csv::StringRecord, delimiter: u8) -> (Vec<String>, Option<usize>, bool) {
    let mut header: Vec<String> = record.iter().map(|h| h.to_string()).collect();
    // Eurostat's first header cell holds the key columns and the name of the columns' axis:
    // `freq,unit,geo\TIME_PERIOD`. Its cells hold the keys the same way: `A,MIO_EUR,DE`.
    let split_first = split_key_header(&header, delimiter);
    if let Some(keys) = &split_first {
        header.splice(0..1, keys.iter().cloned());
    }
    // A delimiter ending every line (World Bank downloads) gives an empty last column.
    let trailing_empty = header.len() > 1 && header.last().is_some_and(|h| h.is_empty());
    if trailing_empty {
        header.pop();
    }
    (header, split_first.as_ref().map(Vec::len), trailing_empty)
}

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
                });
            }
        }
        if readers == Readers::Fast {
            bail!("the fast path declined the file");
        }
        read_carefully(&plan, &located, records, groups, keys)
    })
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

/// The careful reader's way: the rows read one by one, then the checks of the whole frame
/// (twin labels, duplicates, units), sorted into the canonical order.
fn read_carefully(
    plan: &ColumnsIn<'_>,
    located: &Located<'_>,
    records: Records<'_>,
    groups: Vec<String>,
    keys: Vec<PlSmallStr>,
) -> Result<Parsed> {
    let name = plan.name;
    let Rows {
        frame,
        mut notes,
        footer_lines,
        series_flags,
    } = plan.read_rows(records)?;
    let (frame, label_note) = keep_units_of_twin_labels(frame, plan)?;
    notes.extend(label_note);
    check_duplicates(name, &frame, &groups)?;
    let keyed = matches!(plan.shape, Shape::Keyed(_));
    let (catalog, unit_notes) = check_units(name, &frame, &groups, keyed)?;
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
        groups,
        catalog,
        notes,
        source_notes: located.source_notes.clone(),
        found: Found {
            series_flags,
            ..plan.found(
                located.encoding,
                located.delimiter,
                located.header_line,
                footer_lines,
            )
        },
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

/// The code of an SDMX cell "with labels": `A: Annual` → `A`.
fn sdmx_code(cell: &str) -> &str {
    cell.split_once(": ").map_or(cell, |(code, _)| code)
}

/// Line ends in `bytes`: `\n`, and a `\r` not followed by `\n` (old Mac files end lines with
/// `\r` alone, which the csv crate also reads as a line end).
fn line_ends(bytes: &[u8]) -> usize {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .count()
}

/// Line numbers of records, from their byte offsets (records come in file order).
pub(super) struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    pub(super) fn fix(&mut self, record: &mut csv::StringRecord) {
        let Some(position) = record.position() else {
            return;
        };
        // The crate's offset can point at the end of the line before (the `\n` of a CRLF, a
        // blank line): the record starts after those.
        let mut byte = (position.byte() as usize).min(self.bytes.len());
        while byte < self.bytes.len() && matches!(self.bytes[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte >= self.at {
            self.line += line_ends(&self.bytes[self.at..byte]) as u64;
            self.at = byte;
        }
        let mut fixed = position.clone();
        fixed.set_line(self.line);
        record.set_position(Some(fixed));
    }
}

/// `freq,unit,geo\TIME_PERIOD` (Eurostat TSV) → `freq`, `unit`, `geo`, when the file's
/// delimiter is not the comma.
fn split_key_header(header: &[String], delimiter: u8) -> Option<Vec<String>> {
    let first = header.first()?;
    let (keys, _axis) = first.split_once('\\')?;
    (delimiter != b',' && keys.contains(','))
        .then(|| keys.split(',').map(|k| k.trim().to_string()).collect())
}

/// The `--where` filters as column indices.
fn plan_filters(
    name: &str,
    header: &[String],
    header_line: u64,
    filters: &[front::Filter],
) -> Result<Vec<(usize, front::Filter)>> {
    filters
        .iter()
        .map(|f| {
            let wanted = f.column.to_lowercase();
            header
                .iter()
                .position(|h| h.to_lowercase() == wanted || front::name_key(h) == wanted)
                .map(|i| (i, f.clone()))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--where {}: {name}:{header_line} has no column {:?} (its columns are: {})",
                        f.column,
                        f.column,
                        header.join(", ")
                    )
                })
        })
        .collect()
}

/// The header as the planner reads it: its cells, and each cell's name key to look columns
/// up by.
struct Header<'a> {
    name: &'a str,
    cells: &'a [String],
    line: u64,
    keys: Vec<String>,
}

impl<'a> Header<'a> {
    fn new(name: &'a str, cells: &'a [String], line: u64) -> Self {
        let keys = cells.iter().map(|h| front::name_key(h)).collect();
        Header {
            name,
            cells,
            line,
            keys,
        }
    }

    /// The column whose name key is `wanted`.
    fn find(&self, wanted: &str) -> Option<usize> {
        self.keys.iter().position(|h| h == wanted)
    }

    /// The column of the first of `names` (name keys) that the header has.
    fn find_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.find(n))
    }

    /// The column a flag names (`--year-col`), which must exist: the exact name first, as SDMX
    /// labels differ from their codes by case only.
    fn named(&self, flag: &str, wanted: &Option<String>) -> Result<Option<usize>> {
        let (name, hl, header) = (self.name, self.line, self.cells);
        match wanted {
            None => Ok(None),
            Some(w) => header
                .iter()
                .position(|h| h == w)
                .or_else(|| self.find(&front::name_key(w)))
                .map(Some)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{flag} {w}: {name}:{hl} has no column {w:?} (its columns are: {})",
                        header.join(", ")
                    )
                }),
        }
    }

    /// The column a long table needs (`series`, `value`), found or an error.
    fn require(&self, found: Option<usize>, wanted: &str) -> Result<usize> {
        found.ok_or_else(|| {
            anyhow::anyhow!(
                "{}:{}: a long table needs a `{wanted}` column (found: {}; expected year, series, value and optionally unit)",
                self.name,
                self.line,
                self.cells.join(", ")
            )
        })
    }
}

/// The columns that flags name (`--year-col`, `--value-col`, `--series-col`, `--unit-col`,
/// `--by`), each checked to exist.
struct Named {
    year: Option<usize>,
    value: Option<usize>,
    series: Option<usize>,
    unit: Option<usize>,
    by: Vec<usize>,
}

impl Named {
    fn read(head: &Header<'_>, options: &ReadOptions) -> Result<Named> {
        let choice = &options.columns;
        let year = head.named("--year-col", &choice.year)?;
        let value = head.named("--value-col", &choice.value)?;
        let series = head.named("--series-col", &choice.series)?;
        let unit = head.named("--unit-col", &choice.unit)?;
        let by = options
            .by
            .iter()
            .map(|b| {
                head.find(&front::name_key(b)).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--by {b}: {} has no column {b:?} (its columns are: {})",
                        head.name,
                        head.cells.join(", ")
                    )
                })
            })
            .collect::<Result<Vec<usize>>>()?;
        Ok(Named {
            year,
            value,
            series,
            unit,
            by,
        })
    }
}

/// Reads the header: which column holds what, and every check that needs only the header.
/// `header_line` is the header's line in the file (1 unless metadata lines come first).
fn plan<'a>(
    name: &'a str,
    header: &'a [String],
    header_line: u64,
    options: &ReadOptions,
) -> Result<ColumnsIn<'a>> {
    check_header(name, header, header_line)?;
    let head = Header::new(name, header, header_line);
    let named = Named::read(&head, options)?;
    let year_col = named.year.or_else(|| head.find_any(&front::YEAR_NAMES));
    let year_cells: Vec<(usize, i32)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| front::header_year(h).map(|y| (i, y)))
        .collect();
    let years_layout = match options.layout {
        Layout::Years => true,
        Layout::Auto => year_col.is_none() && year_cells.len() >= 2,
        _ => false,
    };
    let mut plan = ColumnsIn::new(name, header, header_line);
    if years_layout {
        plan_years(&mut plan, &head, year_cells, named)?;
        return Ok(plan);
    }
    let Some(year_col) = year_col else {
        return Err(no_year_column(&head));
    };
    plan.year = year_col;
    plan_year_column(&mut plan, &head, named, options.layout)?;
    Ok(plan)
}

/// The error for a header without a year column, with a hint at what to give.
fn no_year_column(head: &Header<'_>) -> anyhow::Error {
    let (name, hl, header) = (head.name, head.line, head.cells);
    // A file separated by semicolons or tabs reads as one column; say so.
    let hint = match header {
        [only] if only.contains(';') => {
            "; the file looks semicolon-separated: give --delimiter ';'"
        }
        [only] if only.contains('\t') => "; the file looks tab-separated: give --delimiter tab",
        _ if hl == 1 => "; no line among the first ones names a year column or holds two or more years: name the column with --year-col, give --layout years when years are columns, or --skip N when the header comes after N lines",
        _ => "; name it with --year-col, or give --layout years when years are columns",
    };
    anyhow::anyhow!(
        "{name}:{hl}: the header has no `year` column (found: {}; expected a column named year{hint})",
        header.join(", ")
    )
}

/// A table with a year column (`plan.year`): long, a publisher's (see [`plan_publisher`]) or
/// `year,series,value[,unit]` with every other column a group (or those of `--by`); else
/// wide.
fn plan_year_column(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    named: Named,
    layout: Layout,
) -> Result<()> {
    let value_col = named.value.or_else(|| head.find_any(&front::VALUE_NAMES));
    let series_col = named.series.or_else(|| head.find(SERIES));
    let publisher = Publisher::of(value_col.map(|v| head.keys[v].as_str()));
    let long = match layout {
        // A `series` column means long layout; without `value` that is an error below.
        Layout::Auto => series_col.is_some() || publisher.is_some() || named.value.is_some(),
        Layout::Long => true,
        _ => false,
    };
    if !long {
        plan.groups = named.by;
        plan.check_groups()?;
        return plan_wide(plan);
    }
    let unit = named.unit.or_else(|| head.find_any(&front::UNIT_NAMES));
    if let Some(publisher) = publisher {
        let columns = PublisherColumns {
            value: head.require(value_col, VALUE)?,
            series: named.series,
            unit,
            by: named.by,
        };
        return plan_publisher(plan, head, publisher, columns);
    }
    let series = head.require(series_col, SERIES)?;
    let value = head.require(value_col, VALUE)?;
    let year = plan.year;
    plan.groups = if named.by.is_empty() {
        (0..head.cells.len())
            .filter(|i| ![Some(year), Some(series), Some(value), unit].contains(&Some(*i)))
            .collect()
    } else {
        named.by
    };
    plan.check_groups()?;
    plan.shape = Shape::Long {
        series,
        value,
        unit,
    };
    Ok(())
}

/// A wide table: every column but the year and the groups is a series, its unit in its
/// header (`cbec [trillion CNY]`).
fn plan_wide(plan: &mut ColumnsIn<'_>) -> Result<()> {
    let (name, hl, header) = (plan.name, plan.header_line, plan.header);
    let series: Vec<(usize, String, Option<String>)> = (0..header.len())
        .filter(|i| *i != plan.year && !plan.groups.contains(i))
        .map(|i| {
            let (series, unit) = split_unit(&header[i]);
            let unit = unit
                .map(|u| Unit::read(&u).map(|u| u.to_string()))
                .transpose()
                .map_err(|why| anyhow::anyhow!("{name}:{hl}:{}: {why}", i + 1))?;
            Ok((i, series, unit))
        })
        .collect::<Result<_>>()?;
    if series.is_empty() {
        bail!(
            "{name}:{hl}: the header has no series columns (found: {}; expected `year` and one column per series, e.g. year,cbec,trade)",
            header.join(", ")
        );
    }
    plan.shape = Shape::Wide(series);
    Ok(())
}

/// Publishers whose long tables are recognised by their column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Publisher {
    Sdmx,
    Comtrade,
}

impl Publisher {
    /// A publisher's long table, recognised by its value column's name key: SDMX-CSV
    /// (TIME_PERIOD, OBS_VALUE) or UN Comtrade (refYear, primaryValue).
    fn of(value_key: Option<&str>) -> Option<Publisher> {
        match value_key {
            Some("obs_value") => Some(Publisher::Sdmx),
            Some("primaryvalue") | Some("trade value (us$)") => Some(Publisher::Comtrade),
            _ => None,
        }
    }
}

/// SDMX-CSV columns that are not dimensions: the structure, the action, the frequency
/// (yearly here) and observation attributes.
const SDMX_NOT_DIMENSIONS: [&str; 19] = [
    "structure",
    "structure_id",
    "structure_name",
    "action",
    "dataflow",
    "freq",
    "obs_status",
    "obs_conf",
    "conf_status",
    "decimals",
    "unit_mult",
    "obs_flag",
    "obs_comment",
    "time_format",
    "obs_pre_break",
    "base_per",
    "ref_year_price",
    "currency",
    "time_period",
];

/// Dimensions that say what is measured: the series, when a file has one of them.
const MEASURE_NAMES: [&str; 8] = [
    "measure",
    "transaction",
    "indicator",
    "na_item",
    "subject",
    "bop_item",
    "indic",
    "item",
];

/// Whether a column (by its name key) says what is measured: [`MEASURE_NAMES`] or
/// Eurostat's `indic_*`.
fn is_measure(key: &str) -> bool {
    MEASURE_NAMES.contains(&key) || key.starts_with("indic_")
}

/// An SDMX code column's header: `REF_AREA`, `OBS_VALUE` (a label column has words:
/// `Reference area`).
fn is_code_header(header: &str) -> bool {
    !header.is_empty()
        && header
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Dimensions that say where (or between whom): groups, not part of the series.
const PLACE_NAMES: [&str; 12] = [
    "ref_area",
    "counterpart_area",
    "geo",
    "reporter",
    "partner",
    "country",
    "country code",
    "country name",
    "reporteriso",
    "partneriso",
    "region",
    "地区",
];

/// The columns of a publisher's long table besides the year: found, or named by flags.
struct PublisherColumns {
    value: usize,
    /// `--series-col`.
    series: Option<usize>,
    unit: Option<usize>,
    /// `--by`.
    by: Vec<usize>,
}

/// A publisher's long table (`plan.year` set): its groups, its series, its unit, and the
/// columns read past.
fn plan_publisher(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    publisher: Publisher,
    columns: PublisherColumns,
) -> Result<()> {
    match publisher {
        Publisher::Comtrade => plan_comtrade(plan, head, columns),
        Publisher::Sdmx => plan_sdmx(plan, head, columns),
    }
    plan.check_groups()
}

/// UN Comtrade: one row per reporter, partner, commodity, flow and year; the flow names the
/// series, values are in US dollars.
fn plan_comtrade(plan: &mut ColumnsIn<'_>, head: &Header<'_>, columns: PublisherColumns) {
    let PublisherColumns {
        value, series, by, ..
    } = columns;
    let series = series
        .or_else(|| head.find("flowdesc"))
        .or_else(|| head.find("trade flow"));
    let place = [
        "reporteriso",
        "partneriso",
        "cmdcode",
        "reporter iso",
        "partner iso",
        "commodity code",
    ];
    plan.groups = if by.is_empty() {
        place.iter().filter_map(|p| head.find(p)).collect()
    } else {
        by
    };
    let used: Vec<usize> = [Some(plan.year), Some(value), series]
        .into_iter()
        .flatten()
        .chain(plan.groups.iter().copied())
        .collect();
    plan.ignored = (0..head.keys.len()).filter(|i| !used.contains(i)).collect();
    plan.shape = Shape::Keyed(Keyed {
        values: Values::Long(value),
        series: match series {
            Some(col) => SeriesFrom::Column {
                col,
                label_unit: false,
            },
            None => SeriesFrom::Fixed("trade value".to_string()),
        },
        unit: UnitFrom::Fixed("USD".to_string()),
    });
    plan.notes
        .push("UN Comtrade layout: values in US dollars, series by trade flow".to_string());
}

/// SDMX-CSV: the place dimensions are the groups, a dimension saying what is measured (else
/// the other dimensions together) names the series; the unit is `UNIT_MEASURE` times 10 to
/// the power `UNIT_MULT`.
fn plan_sdmx(plan: &mut ColumnsIn<'_>, head: &Header<'_>, columns: PublisherColumns) {
    let PublisherColumns {
        value,
        series,
        unit,
        by,
    } = columns;
    let (header, keys) = (head.cells, &head.keys);
    let mult = head.find("unit_mult");
    let currency = head.find("currency");
    let year = plan.year;
    let not_dimension = |i: usize| {
        i == year
            || i == value
            || Some(i) == unit
            || !is_code_header(&header[i])
            || SDMX_NOT_DIMENSIONS.contains(&keys[i].as_str())
    };
    let dimensions: Vec<usize> = (0..keys.len()).filter(|&i| !not_dimension(i)).collect();
    let place = |i: &usize| PLACE_NAMES.contains(&keys[*i].as_str());
    plan.groups = if by.is_empty() {
        dimensions.iter().copied().filter(place).collect()
    } else {
        by
    };
    let series = sdmx_series(head, series, &dimensions, &plan.groups);
    let mut used: Vec<usize> = [Some(year), Some(value), unit, mult, currency]
        .into_iter()
        .flatten()
        .chain(plan.groups.iter().copied())
        .collect();
    match &series {
        SeriesFrom::Column { col, .. } => used.push(*col),
        SeriesFrom::Keys(cols) => used.extend(cols.iter().copied()),
        SeriesFrom::Fixed(_) => {}
    }
    plan.ignored = (0..keys.len())
        .filter(|i| !used.contains(i) && is_code_header(&header[*i]))
        .collect();
    plan.shape = Shape::Keyed(Keyed {
        values: Values::Long(value),
        series,
        unit: match unit {
            Some(col) => UnitFrom::Column {
                col,
                mult,
                currency,
            },
            None => UnitFrom::None,
        },
    });
    plan.notes.push(
        "SDMX-CSV layout: one observation per row; the unit is UNIT_MEASURE (for national currency, XDC, the CURRENCY column) times 10 to the power UNIT_MULT".to_string(),
    );
}

/// What names an SDMX row's series: `--series-col`, else the dimension saying what is
/// measured (its label column in a file "with labels"), else the dimensions that are not
/// groups, joined.
fn sdmx_series(
    head: &Header<'_>,
    named: Option<usize>,
    dimensions: &[usize],
    groups: &[usize],
) -> SeriesFrom {
    let header = head.cells;
    // "With labels" files follow each code column with its label column.
    let label_of = |i: usize| {
        (is_code_header(&header[i]) && i + 1 < header.len() && !is_code_header(&header[i + 1]))
            .then_some(i + 1)
    };
    let measure = dimensions
        .iter()
        .copied()
        .find(|&i| is_measure(&head.keys[i]));
    match (named, measure) {
        (Some(col), _) => SeriesFrom::Column {
            col,
            label_unit: false,
        },
        (None, Some(col)) => SeriesFrom::Column {
            col: label_of(col).unwrap_or(col),
            label_unit: false,
        },
        (None, None) => {
            let parts: Vec<usize> = dimensions
                .iter()
                .copied()
                .filter(|i| !groups.contains(i))
                .collect();
            SeriesFrom::keys_or(parts, "OBS_VALUE")
        }
    }
}

/// Years as columns: the key columns give the groups and the series, each year column a
/// value.
fn plan_years(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    years: Vec<(usize, i32)>,
    named: Named,
) -> Result<()> {
    check_year_columns(head, &years)?;
    let keys = &head.keys;
    let Named {
        series, unit, by, ..
    } = named;
    let year_cols: Vec<usize> = years.iter().map(|(c, _)| *c).collect();
    let key_cols: Vec<usize> = (0..head.cells.len())
        .filter(|i| !year_cols.contains(i))
        .collect();
    let unit = unit.or_else(|| {
        head.find_any(&front::UNIT_NAMES)
            .filter(|u| key_cols.contains(u))
    });
    // The label of the series: --series-col, else a column such as `Indicator Name` or 指标.
    let label = series.or_else(|| {
        head.find_any(&front::LABEL_NAMES)
            .filter(|c| key_cols.contains(c) && !by.contains(c))
    });
    plan.ignored = restating_columns(head, &key_cols, label);
    // No label: a column saying what is measured (Eurostat's `na_item`, `indic_et`).
    let label = label.or_else(|| {
        key_cols
            .iter()
            .copied()
            .find(|c| is_measure(&keys[*c]) && Some(*c) != unit && !by.contains(c))
    });
    let rest: Vec<usize> = key_cols
        .iter()
        .copied()
        .filter(|c| Some(*c) != unit && Some(*c) != label && !plan.ignored.contains(c))
        .collect();
    let (groups, series) = years_series(head, label, unit.is_none(), rest, by);
    plan.groups = groups;
    plan.check_groups()?;
    plan.shape = Shape::Keyed(Keyed {
        values: Values::Years(years),
        series,
        unit: match unit {
            Some(col) => UnitFrom::Column {
                col,
                mult: None,
                currency: None,
            },
            None => UnitFrom::None,
        },
    });
    Ok(())
}

/// The year columns of a years-as-columns header: at least one, each year once.
fn check_year_columns(head: &Header<'_>, years: &[(usize, i32)]) -> Result<()> {
    let (name, hl) = (head.name, head.line);
    if years.is_empty() {
        bail!(
            "{name}:{hl}: --layout years, but no header cell is a year (found: {}; expected cells such as 2015, \"2015\", 2015 [YR2015], 2015年 or X2015)",
            head.cells.join(", ")
        );
    }
    let mut sorted = years.to_vec();
    sorted.sort_by_key(|(c, y)| (*y, *c));
    if let Some(pair) = sorted.windows(2).find(|p| p[0].1 == p[1].1) {
        bail!(
            "{name}:{hl}:{}: the year {} is a column twice (first as column {}; expected each year once)",
            pair[1].0 + 1,
            pair[1].1,
            pair[0].0 + 1
        );
    }
    Ok(())
}

/// Key columns that say nothing the others do not: the code of a labelled series, a name
/// beside its code, a frequency.
fn restating_columns(head: &Header<'_>, key_cols: &[usize], label: Option<usize>) -> Vec<usize> {
    let keys = &head.keys;
    // The code of a labelled series (`Indicator Code` beside `Indicator Name`) says nothing
    // more: not a group.
    let twin = label.and_then(|l| {
        let key = &keys[l];
        let stem = key.strip_suffix(" name")?;
        head.find(&format!("{stem} code"))
    });
    // A name beside its code (`Country Name`, `Country Code`): the code is the group, the
    // name says nothing more.
    let names: Vec<usize> = key_cols
        .iter()
        .copied()
        .filter(|&c| Some(c) != label)
        .filter(|&c| {
            keys[c]
                .strip_suffix(" name")
                .is_some_and(|stem| head.find(&format!("{stem} code")).is_some())
        })
        .collect();
    // Always yearly here: a frequency column says nothing.
    let freq = head.find("freq").or_else(|| head.find("frequency"));
    [twin, freq].into_iter().flatten().chain(names).collect()
}

/// The groups and the series of a years-as-columns table, from its `label` column (whose
/// text may end with the unit when there is no unit column), `--by` and the `rest` of the
/// key columns.
fn years_series(
    head: &Header<'_>,
    label: Option<usize>,
    label_unit: bool,
    rest: Vec<usize>,
    by: Vec<usize>,
) -> (Vec<usize>, SeriesFrom) {
    let keys = &head.keys;
    match label {
        Some(col) => (
            if by.is_empty() { rest } else { by },
            SeriesFrom::Column { col, label_unit },
        ),
        None if !by.is_empty() => {
            let parts: Vec<usize> = rest.iter().copied().filter(|c| !by.contains(c)).collect();
            (by, SeriesFrom::keys_or(parts, &file_stem(head.name)))
        }
        None => {
            // Places are groups; the other keys together name the series.
            let (places, parts): (Vec<usize>, Vec<usize>) = rest
                .iter()
                .partition(|c| PLACE_NAMES.contains(&keys[**c].as_str()));
            (places, SeriesFrom::keys_or(parts, &file_stem(head.name)))
        }
    }
}

/// `data/eurostat.tsv` → `eurostat`: the series name of a table with no label of its own.
fn file_stem(name: &str) -> String {
    std::path::Path::new(name)
        .file_stem()
        .map_or("value".to_string(), |s| s.to_string_lossy().into_owned())
}

/// Sort order of the canonical frame: groups, series, year.
fn sort_keys(groups: &[String]) -> Vec<PlSmallStr> {
    schema::sort_keys(&schema::keys(groups))
}

/// `cbec [trillion CNY]` → (`cbec`, Some(`trillion CNY`)): a wide header may carry the unit.
fn split_unit(header: &str) -> (String, Option<String>) {
    if let Some(open) = header.find('[') {
        if let Some(inner) = header[open + 1..].strip_suffix(']') {
            let unit = inner.trim();
            let name = header[..open].trim();
            if !name.is_empty() {
                return (
                    name.to_string(),
                    (!unit.is_empty()).then(|| unit.to_string()),
                );
            }
        }
    }
    (header.to_string(), None)
}

fn check_header(name: &str, header: &[String], hl: u64) -> Result<()> {
    // SDMX-CSV "with labels" follows each code column with its label: `TRANSACTION`,
    // `Transaction` are two columns, told apart by case.
    let sdmx = header.iter().any(|h| h == "OBS_VALUE");
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            bail!(
                "{name}:{hl}:{}: column {} of the header has no name (expected a name for every column)",
                i + 1,
                i + 1
            );
        }
        let key = split_unit(h).0.to_lowercase();
        if let Some(first) = header[..i].iter().position(|o| {
            split_unit(o).0.to_lowercase() == key
                && !(sdmx && is_code_header(o) != is_code_header(h))
        }) {
            bail!(
                "{name}:{hl}:{}: column {h:?} appears twice in the header (first as column {}; expected unique names)",
                i + 1,
                first + 1
            );
        }
    }
    Ok(())
}

/// Which input column holds what (read off the header), and the per-row checks that need
/// that knowledge.
pub(super) struct ColumnsIn<'a> {
    pub name: &'a str,
    pub header: &'a [String],
    /// The header's line in the file.
    pub header_line: u64,
    /// The year column (`usize::MAX` when years are columns).
    pub year: usize,
    pub groups: Vec<usize>,
    pub shape: Shape,
    /// Eurostat: the first cell of every row holds this many comma-separated keys.
    pub split_first: Option<usize>,
    /// Every line ends with a delimiter (an empty column after the last named one).
    pub trailing_empty: bool,
    pub rules: front::CellRules,
    /// `--where`: (column, filter).
    pub filters: Vec<(usize, front::Filter)>,
    /// Notes about the plan (a publisher's layout recognised).
    pub notes: Vec<String>,
    /// Columns read past: structure and attribute columns, a labelled series' code.
    pub ignored: Vec<usize>,
    /// `--keep-flags`: the frame gets a [`FLAG`] column.
    pub keep_flags: bool,
}

/// Where the series are: a column of names and one of values, or one column per series.
pub(super) enum Shape {
    Long {
        series: usize,
        value: usize,
        unit: Option<usize>,
    },
    /// (column, series name, canonical unit from a `name [unit]` header).
    Wide(Vec<(usize, String, Option<String>)>),
    /// A publisher's layout: key columns, a value column or one column per year.
    Keyed(Keyed),
}

pub(super) struct Keyed {
    values: Values,
    series: SeriesFrom,
    unit: UnitFrom,
}

/// Where a row's values are.
enum Values {
    /// One value column; the year in the year column.
    Long(usize),
    /// (column, year) for each year column.
    Years(Vec<(usize, i32)>),
}

/// What names a row's series.
enum SeriesFrom {
    /// A column; `label_unit`: its text may end with the unit, `Exports (current US$)`.
    Column { col: usize, label_unit: bool },
    /// The key columns' values joined with ` / `.
    Keys(Vec<usize>),
    /// One name for every row (a table with no label: its file name).
    Fixed(String),
}

impl SeriesFrom {
    /// The key columns `parts` joined, or the name `fixed` for every row when there are none.
    fn keys_or(parts: Vec<usize>, fixed: &str) -> SeriesFrom {
        if parts.is_empty() {
            SeriesFrom::Fixed(fixed.to_string())
        } else {
            SeriesFrom::Keys(parts)
        }
    }
}

/// Where a row's unit comes from.
enum UnitFrom {
    None,
    /// A unit column, SDMX's `UNIT_MULT` (a power of ten) and `CURRENCY` (which names the
    /// currency when the unit is `XDC`, national currency) when there are.
    Column {
        col: usize,
        mult: Option<usize>,
        currency: Option<usize>,
    },
    Fixed(String),
}

/// How a plan reads a file, in words (for `inspect`).
struct Described {
    layout: String,
    years: Vec<String>,
    series_from: String,
    unit_from: String,
}

/// What the careful reader read.
struct Rows {
    frame: DataFrame,
    notes: Vec<String>,
    footer_lines: usize,
    series_flags: std::collections::BTreeMap<String, usize>,
}

/// What the careful reader collects: the frame's columns, and the tally of what the cells
/// held.
struct Sink {
    builder: Builder,
    tally: Tally,
}

impl Sink {
    /// Pushes a row: the groups from `record`, the series, the year, the value with the flag
    /// of the value last read, the unit.
    fn push(
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
struct Footer {
    /// (line, text) of the first footer line.
    start: Option<(u64, String)>,
    /// How many lines the footer has.
    lines: usize,
}

impl Footer {
    /// Whether `record` is part of the footer (its first line, or any after it). After the
    /// data have ended, a record that looks like data is an error.
    fn takes(&mut self, name: &str, record: &csv::StringRecord, line: u64) -> Result<bool> {
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

/// Series labels that differ only in their unit (`Exports of goods and services (% of GDP)`
/// and `… (current US$)` in one World Bank table) are two series: when the unit is taken out
/// of the label, such labels keep it, `Exports of goods and services (% of GDP)` and
/// `Exports of goods and services (USD)`, with a note.
fn keep_units_of_twin_labels(
    frame: DataFrame,
    plan: &ColumnsIn<'_>,
) -> Result<(DataFrame, Option<String>)> {
    let Shape::Keyed(Keyed {
        series: SeriesFrom::Column {
            label_unit: true, ..
        },
        ..
    }) = &plan.shape
    else {
        return Ok((frame, None));
    };
    let twins = frame
        .clone()
        .lazy()
        .group_by([col(SERIES)])
        .agg([col(UNIT).n_unique().alias("__units")])
        .filter(col("__units").gt(lit(1)))
        .sort([SERIES], Default::default())
        .collect()?;
    if twins.height() == 0 {
        return Ok((frame, None));
    }
    let twin_names: Vec<String> = twins
        .column(SERIES)?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let (series, units) = (frame.column(SERIES)?.str()?, frame.column(UNIT)?.str()?);
    let renamed: Vec<Option<String>> = series
        .iter()
        .zip(units.iter())
        .map(|(s, u)| {
            s.map(|s| match u {
                Some(u) if twin_names.iter().any(|t| t == s) => format!("{s} ({u})"),
                _ => s.to_string(),
            })
        })
        .collect();
    let mut frame = frame;
    frame.with_column(Column::new(SERIES.into(), renamed))?;
    Ok((
        frame,
        Some(format!(
            "labels that differ only in their unit keep it in the series name: {}",
            twin_names.join(", ")
        )),
    ))
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
struct Tally {
    markers: std::collections::BTreeMap<String, usize>,
    flags: std::collections::BTreeMap<String, usize>,
    /// Year cells without a value (years as columns), left out.
    empty: usize,
    /// The series of the row being read, and per series the values that carried flags.
    series: String,
    series_flags: std::collections::BTreeMap<String, usize>,
    /// The flag of the last value read.
    last_flag: Option<String>,
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

impl<'a> ColumnsIn<'a> {
    /// A plan that knows only the header: no groups, no series, default cell rules.
    fn new(name: &'a str, header: &'a [String], header_line: u64) -> Self {
        ColumnsIn {
            name,
            header,
            header_line,
            year: usize::MAX,
            groups: Vec::new(),
            shape: Shape::Wide(Vec::new()),
            split_first: None,
            trailing_empty: false,
            rules: front::CellRules::default(),
            filters: Vec::new(),
            notes: Vec::new(),
            ignored: Vec::new(),
            keep_flags: false,
        }
    }
}

impl ColumnsIn<'_> {
    /// The headers of `cols`.
    fn names(&self, cols: &[usize]) -> Vec<String> {
        cols.iter().map(|&c| self.header[c].clone()).collect()
    }

    /// The group columns' names.
    fn group_names(&self) -> Vec<String> {
        self.names(&self.groups)
    }

    /// How the file was read, for `inspect`.
    fn found(&self, encoding: &str, delimiter: u8, header_line: u64, footer: usize) -> Found {
        let Described {
            layout,
            years,
            series_from,
            unit_from,
        } = self.described();
        Found {
            flags: self.pinning_flags(),
            series_flags: Default::default(),
            encoding: encoding.to_string(),
            delimiter: front::delimiter_name(delimiter),
            header_line,
            preamble_lines: header_line.saturating_sub(1) as usize,
            footer_lines: footer,
            layout,
            year_columns: years,
            group_columns: self.group_names(),
            series_from,
            unit_from,
            ignored_columns: self.names(&self.ignored),
        }
    }

    /// The layout, the year columns and where the series and units come from, in words.
    fn described(&self) -> Described {
        match &self.shape {
            Shape::Wide(series) => Described {
                layout: "wide".to_string(),
                years: vec![self.header[self.year].clone()],
                series_from: format!(
                    "one column per series ({})",
                    series
                        .iter()
                        .map(|(_, s, _)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                unit_from: "the header (`name [unit]`)".to_string(),
            },
            Shape::Long { series, unit, .. } => Described {
                layout: "long".to_string(),
                years: vec![self.header[self.year].clone()],
                series_from: format!("column {}", self.header[*series]),
                unit_from: unit
                    .map_or("none".to_string(), |u| format!("column {}", self.header[u])),
            },
            Shape::Keyed(k) => self.described_keyed(k),
        }
    }

    /// [`Self::described`] for a publisher's layout.
    fn described_keyed(&self, k: &Keyed) -> Described {
        let (layout, years) = match &k.values {
            Values::Long(v) => (
                format!("long (values in {})", self.header[*v]),
                vec![self.header[self.year].clone()],
            ),
            Values::Years(ys) => (
                "years as columns".to_string(),
                ys.iter().map(|(c, _)| self.header[*c].clone()).collect(),
            ),
        };
        let series_from = match &k.series {
            SeriesFrom::Column { col, label_unit } => format!(
                "column {}{}",
                self.header[*col],
                if *label_unit {
                    " (a unit in brackets at its end is the unit)"
                } else {
                    ""
                }
            ),
            SeriesFrom::Keys(cols) => {
                format!(
                    "columns {} joined with \" / \"",
                    self.names(cols).join(", ")
                )
            }
            SeriesFrom::Fixed(s) => format!("the name {s:?} for every row"),
        };
        let unit_from = match &k.unit {
            UnitFrom::None => match &k.series {
                SeriesFrom::Column {
                    label_unit: true, ..
                } => "the series label".to_string(),
                _ => "none".to_string(),
            },
            UnitFrom::Column { col, mult, .. } => format!(
                "column {}{}",
                self.header[*col],
                mult.map_or(String::new(), |m| format!(
                    " times 10 to the power in {}",
                    self.header[m]
                ))
            ),
            UnitFrom::Fixed(u) => u.clone(),
        };
        Described {
            layout,
            years,
            series_from,
            unit_from,
        }
    }

    /// The flags that pin what was detected (`--layout years`, `--series-col …`).
    fn pinning_flags(&self) -> Vec<(String, String)> {
        let mut flags: Vec<(String, String)> = Vec::new();
        let mut pin = |flag: &str, value: &str| flags.push((flag.to_string(), value.to_string()));
        let year_named =
            self.year != usize::MAX && front::name_key(&self.header[self.year]) != YEAR;
        match &self.shape {
            Shape::Wide(_) => {
                if year_named {
                    pin("--year-col", &self.header[self.year]);
                }
            }
            Shape::Long {
                series,
                value,
                unit,
            } => {
                pin("--layout", "long");
                if year_named {
                    pin("--year-col", &self.header[self.year]);
                }
                if front::name_key(&self.header[*series]) != SERIES {
                    pin("--series-col", &self.header[*series]);
                }
                if front::name_key(&self.header[*value]) != VALUE {
                    pin("--value-col", &self.header[*value]);
                }
                if let Some(u) = unit.filter(|u| front::name_key(&self.header[*u]) != UNIT) {
                    pin("--unit-col", &self.header[u]);
                }
            }
            Shape::Keyed(k) => {
                match &k.values {
                    Values::Years(_) => pin("--layout", "years"),
                    Values::Long(v) => {
                        pin("--layout", "long");
                        pin("--year-col", &self.header[self.year]);
                        pin("--value-col", &self.header[*v]);
                    }
                }
                if let SeriesFrom::Column { col, .. } = &k.series {
                    pin("--series-col", &self.header[*col]);
                }
                if let UnitFrom::Column { col, .. } = &k.unit {
                    pin("--unit-col", &self.header[*col]);
                }
            }
        }
        flags
    }

    /// The careful reader: record by record, stopping at the first bad cell with its line
    /// and column. Returns the frame in file order with each row's line in [`LINE`], notes
    /// about what the cells held, and the number of footer lines after the data.
    fn read_rows(&self, records: Records<'_>) -> Result<Rows> {
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
    fn expand(&self, record: csv::StringRecord, line: u64) -> Result<csv::StringRecord> {
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

    /// One row of a publisher's layout.
    fn read_keyed(
        &self,
        keyed: &Keyed,
        record: &csv::StringRecord,
        line: u64,
        out: &mut Sink,
    ) -> Result<()> {
        let (series, label_unit) = self.keyed_series(&keyed.series, record, line)?;
        let unit = match self.unit_text(&keyed.unit, label_unit, record, line)? {
            Some((col, text, power)) => {
                let at = |why: String| anyhow::anyhow!("{}:{line}:{}: {why}", self.name, col + 1);
                Some(if power == 0 {
                    out.builder.canonical_unit(&text).map_err(at)?
                } else {
                    Unit::read(&text)
                        .map(|u| super::units::unit_multiplier(u, power).to_string())
                        .map_err(at)?
                })
            }
            None => None,
        };
        out.tally.series.clone_from(&series);
        match &keyed.values {
            Values::Long(value) => {
                let year = self.year(record, line)?;
                let value = self.value(record, *value, line, &mut out.tally)?;
                out.push(record, &series, year, value, unit, line);
            }
            Values::Years(years) => {
                // A year without a value is left out: a published table has a column for
                // every year of its span, and most rows fill only some. With --keep-flags a
                // flagged one stays (`: c`, confidential), so its flag is shown.
                for (col, year) in years {
                    let value = self.value(record, *col, line, &mut out.tally)?;
                    if value.is_none() && !(self.keep_flags && out.tally.last_flag.is_some()) {
                        out.tally.empty += 1;
                        continue;
                    }
                    out.push(record, &series, *year, value, unit.clone(), line);
                }
            }
        }
        Ok(())
    }

    /// A keyed row's series name, and the unit at the end of its label when the label
    /// carries one.
    fn keyed_series(
        &self,
        series: &SeriesFrom,
        record: &csv::StringRecord,
        line: u64,
    ) -> Result<(String, Option<String>)> {
        let name = self.name;
        Ok(match series {
            SeriesFrom::Column { col, label_unit } => {
                let text = record[*col].trim();
                if text.is_empty() {
                    bail!(
                        "{name}:{line}:{}: the series name in column {:?} is empty (expected a name, or choose another column with --series-col)",
                        col + 1,
                        self.header[*col]
                    );
                }
                if *label_unit {
                    front::split_label_unit(text)
                } else {
                    (text.to_string(), None)
                }
            }
            SeriesFrom::Keys(cols) => {
                let parts: Vec<&str> = cols.iter().map(|c| record[*c].trim()).collect();
                if parts.iter().all(|p| p.is_empty()) {
                    let names: Vec<&str> = cols.iter().map(|c| self.header[*c].as_str()).collect();
                    bail!(
                        "{name}:{line}: the key columns that name the series ({}) are all empty (expected a name, or choose the series column with --series-col)",
                        names.join(", ")
                    );
                }
                (parts.join(" / "), None)
            }
            SeriesFrom::Fixed(s) => (s.clone(), None),
        })
    }

    /// A keyed row's unit as written: (column, text, power of ten), `None` when it has none.
    /// `label_unit` is the unit at the end of the series label.
    fn unit_text(
        &self,
        unit: &UnitFrom,
        label_unit: Option<String>,
        record: &csv::StringRecord,
        line: u64,
    ) -> Result<Option<(usize, String, i32)>> {
        let (col, mult, currency) = match unit {
            UnitFrom::None => return Ok(label_unit.map(|u| (0, u, 0))),
            UnitFrom::Fixed(u) => return Ok(Some((0, u.clone(), 0))),
            UnitFrom::Column {
                col,
                mult,
                currency,
            } => (*col, *mult, *currency),
        };
        let mut text = sdmx_code(record[col].trim()).to_string();
        if let Some(c) = currency.filter(|_| text.eq_ignore_ascii_case("xdc")) {
            let named = sdmx_code(record[c].trim());
            if !named.is_empty() {
                text = named.to_string();
            }
        }
        Ok(match mult.map(|m| (m, front::name_key(&record[m]))) {
            _ if text.is_empty() => None,
            Some((m, power)) if !power.is_empty() && power != "0" => {
                let power: i32 = power.parse().map_err(|_| {
                    anyhow::anyhow!(
                        "{}:{line}:{}: {:?} is not a power of ten (expected an integer such as 6 for millions)",
                        self.name,
                        m + 1,
                        record[m].trim()
                    )
                })?;
                Some((col, text, power))
            }
            _ => Some((col, text, 0)),
        })
    }

    fn check_groups(&self) -> Result<()> {
        for &g in &self.groups {
            let h = &self.header[g];
            if g == self.year || RESERVED.contains(&h.to_lowercase().as_str()) || h == LINE {
                bail!(
                    "{}:{}:{}: column {h:?} cannot be a group column (year, series, value and unit have fixed meanings, and {LINE} is tradestat's own)",
                    self.name,
                    self.header_line,
                    g + 1
                );
            }
        }
        Ok(())
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

    fn year(&self, record: &csv::StringRecord, line: u64) -> Result<i32> {
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

    fn value(
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

/// The line of a quote that opens a field and is never closed. The csv crate (like Polars'
/// reader) takes the rest of the file into that field, which surfaced as a confusing error
/// far away ("no data rows") or, at the end of a file, not at all. Quotes are rare in trade
/// files and memchr skips to each, so the scan costs little even on large files.
fn unterminated_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b'"', &bytes[at..]) {
        let quote = at + offset;
        // A quote opens a field when only blanks stand between it and the field's start.
        let opens = bytes[..quote]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t'))
            .is_none_or(|b| *b == delimiter || matches!(b, b'\n' | b'\r'));
        at = quote + 1;
        if !opens {
            continue;
        }
        // Its closing quote: the next one that is not doubled ("" stands for ").
        loop {
            let Some(offset) = memchr::memchr(b'"', &bytes[at..]) else {
                return Some(line_ends(&bytes[..quote]) + 1);
            };
            let close = at + offset;
            if bytes.get(close + 1) == Some(&b'"') {
                at = close + 2;
                continue;
            }
            at = close + 1;
            break;
        }
    }
    None
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

/// Column vectors of the canonical frame, filled row by row ([`Sink::push`]).
#[derive(Default)]
struct Builder {
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
    fn canonical_unit(&mut self, text: &str) -> Result<String, String> {
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

/// The same (group, series, year) twice is an error naming both lines.
fn check_duplicates(name: &str, frame: &DataFrame, groups: &[String]) -> Result<()> {
    let mut keys: Vec<Expr> = groups.iter().map(|g| col(g.as_str())).collect();
    keys.push(col(SERIES));
    keys.push(col(YEAR));
    let repeats = frame
        .clone()
        .lazy()
        .with_column(col(LINE).min().over(&keys)?.alias("__first"))
        .filter(col(LINE).neq(col("__first")))
        .sort([LINE], Default::default())
        .limit(1)
        .collect()?;
    if repeats.height() == 0 {
        return Ok(());
    }
    let line = repeats.column(LINE)?.i64()?.get(0).unwrap_or(0);
    let first = repeats.column("__first")?.i64()?.get(0).unwrap_or(0);
    let series = repeats
        .column(SERIES)?
        .str()?
        .get(0)
        .unwrap_or("")
        .to_string();
    let year = repeats.column(YEAR)?.i32()?.get(0).unwrap_or(0);
    let mut what = format!("series {series:?}, year {year}");
    for g in groups {
        let value = repeats.column(g)?.str()?.get(0).unwrap_or("").to_string();
        what = format!("{g} {value:?}, {what}");
    }
    bail!(
        "{name}:{line}: {what} appears twice (first on line {first}; expected one value per group, series and year{})",
        if groups.is_empty() {
            "; if the file has several regions or partners, name the column with --by"
        } else {
            ""
        }
    )
}

/// A series must have one unit throughout: mixing scales in one series would make every
/// growth rate wrong.
/// Returns each series' unit.
/// One unit per series, or with `per_group` (publishers' tables, where each country reports
/// in its own currency) one unit per series within each group: the catalog then has no unit
/// for a series whose groups differ, every row keeps its own, and a note says so.
fn check_units(
    name: &str,
    frame: &DataFrame,
    groups: &[String],
    per_group: bool,
) -> Result<(Catalog, Vec<String>)> {
    let groups: &[String] = if per_group { groups } else { &[] };
    let pairs = unit_pairs(frame, groups)?;
    let series = pairs.column(SERIES)?.str()?;
    let units = pairs.column(UNIT)?.str()?;
    let lines = pairs.column(LINE)?.i64()?;
    let group_columns: Vec<&StringChunked> = groups
        .iter()
        .map(|g| pairs.column(g.as_str()).and_then(|c| c.str()))
        .collect::<PolarsResult<_>>()?;
    let same_key = |i: usize, j: usize| {
        series.get(i) == series.get(j) && group_columns.iter().all(|g| g.get(i) == g.get(j))
    };
    for i in 1..pairs.height() {
        if same_key(i, i - 1) {
            let show = |u: Option<&str>| u.map_or("no unit".to_string(), |u| format!("{u:?}"));
            bail!(
                "{name}:{}: series {:?} is in {} here but in {} on line {} (expected one unit per series{})",
                lines.get(i).unwrap_or(0),
                series.get(i).unwrap_or(""),
                show(units.get(i)),
                show(units.get(i - 1)),
                lines.get(i - 1).unwrap_or(0),
                if per_group { " in each group" } else { "" }
            );
        }
    }
    Ok(catalog_of(series, units))
}

/// Each (`groups`, series, unit) with the first line it is on, sorted by groups, series and
/// that line.
fn unit_pairs(frame: &DataFrame, groups: &[String]) -> Result<DataFrame> {
    let mut keys: Vec<Expr> = groups.iter().map(|g| col(g.as_str())).collect();
    keys.push(col(SERIES));
    keys.push(col(UNIT));
    let mut sort: Vec<PlSmallStr> = groups.iter().map(|g| g.as_str().into()).collect();
    sort.push(SERIES.into());
    sort.push(LINE.into());
    Ok(frame
        .clone()
        .lazy()
        .group_by(keys)
        .agg([col(LINE).min()])
        .sort(sort, Default::default())
        .collect()?)
}

/// The catalog of (series, unit) pairs: a series whose groups differ in their unit has none,
/// and a note says so.
fn catalog_of(series: &StringChunked, units: &StringChunked) -> (Catalog, Vec<String>) {
    let mut catalog = Catalog::new();
    let mut mixed: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (s, u) in series.iter().zip(units.iter()) {
        let Some(s) = s else { continue };
        let unit = u.map(str::to_string);
        match catalog.get(s) {
            Some(known) if *known != unit => {
                let set = mixed.entry(s.to_string()).or_default();
                set.extend(known.iter().cloned());
                set.extend(unit.iter().cloned());
            }
            Some(_) => {}
            None => {
                catalog.insert(s.to_string(), unit);
            }
        }
    }
    let mut notes = Vec::new();
    for (s, set) in mixed {
        catalog.insert(s.clone(), None);
        notes.push(format!(
            "{s}: the unit differs between groups ({}); each row keeps its own (--unit converts each from its own)",
            set.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    (catalog, notes)
}

/// A large panel file cut into pieces that each hold whole groups: the header line, and the
/// byte ranges of the body (each ending after a newline) in file order.
pub struct Chunks<'a> {
    pub header: &'a [u8],
    pub bodies: Vec<&'a [u8]>,
}

/// Cuts `bytes` into pieces of about `target` bytes at lines where the group columns change,
/// so that no group is split. `None` when the file cannot be cut safely: no group columns,
/// quotes anywhere (a quoted field may hold a delimiter or a newline), or one piece only.
/// The pieces are not validated here; the loader checks each, and the caller checks that
/// their groups come in increasing order.
pub fn chunks<'a>(
    bytes: &'a [u8],
    name: &str,
    layout: Layout,
    by: &[String],
    target: usize,
) -> Result<Option<Chunks<'a>>> {
    // The front end's decoding (a BOM dropped); pieces are cut only from UTF-8, which is
    // borrowed as it is.
    let bytes = match super::decode::decode(bytes, name, &Default::default()) {
        Ok(decoded) => match decoded.text {
            std::borrow::Cow::Borrowed(text) => text,
            std::borrow::Cow::Owned(_) => return Ok(None),
        },
        Err(_) => return Ok(None),
    };
    if bytes.len() <= target || memchr::memchr(b'"', bytes).is_some() {
        return Ok(None);
    }
    let Some(header_end) = memchr::memchr(b'\n', bytes).map(|i| i + 1) else {
        return Ok(None);
    };
    let header: Vec<String> = String::from_utf8_lossy(&bytes[..header_end])
        .trim_end_matches(['\r', '\n'])
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    let options = ReadOptions::tidy(layout, by);
    let plan = plan(name, &header, 1, &options)?;
    if plan.groups.is_empty() {
        return Ok(None);
    }
    let group_fields = |line: &'a [u8]| -> Vec<&'a [u8]> {
        let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        plan.groups
            .iter()
            .map(|&g| fields.get(g).copied().unwrap_or(b""))
            .collect()
    };
    let body = &bytes[header_end..];
    let line_end =
        |from: usize| memchr::memchr(b'\n', &body[from..]).map_or(body.len(), |i| from + i + 1);
    let mut bodies = Vec::new();
    let mut start = 0;
    while start < body.len() {
        if body.len() - start <= target {
            bodies.push(&body[start..]);
            break;
        }
        // The line holding the target byte ends the piece, unless the next lines continue
        // its group.
        let mut line_start = match memchr::memrchr(b'\n', &body[..start + target]) {
            Some(i) if i + 1 > start => i + 1,
            _ => start,
        };
        let mut cut = line_end(line_start);
        while cut < body.len() {
            let next_end = line_end(cut);
            let trim = |l: &'a [u8]| l.strip_suffix(b"\n").unwrap_or(l);
            if group_fields(trim(&body[line_start..cut]))
                != group_fields(trim(&body[cut..next_end]))
            {
                break;
            }
            line_start = cut;
            cut = next_end;
        }
        bodies.push(&body[start..cut]);
        start = cut;
    }
    if bodies.len() < 2 {
        return Ok(None);
    }
    Ok(Some(Chunks {
        header: &bytes[..header_end],
        bodies,
    }))
}

#[cfg(test)]
mod tests {
    use super::unterminated_quote;

    fn unterminated_quote_c(bytes: &[u8]) -> Option<usize> {
        unterminated_quote(bytes, b',')
    }

    #[test]
    fn unterminated_quotes_are_found_on_their_line() {
        assert_eq!(unterminated_quote_c(b"year,a\n2015,1\n"), None);
        assert_eq!(unterminated_quote_c(b"year,a\n2015,\"1,234\"\n"), None);
        assert_eq!(
            unterminated_quote_c(b"year,a\n2015, \"say \"\"hi\"\"\"\n"),
            None
        );
        // A quote inside an unquoted field opens nothing.
        assert_eq!(unterminated_quote_c(b"year,a\n2015,5\"\n"), None);
        assert_eq!(unterminated_quote_c(b"year,a\n2015,\"1\n2016,2\n"), Some(2));
        assert_eq!(unterminated_quote_c(b"\"year,a\n2015,1\n"), Some(1));
        assert_eq!(unterminated_quote_c(b"year,a\n2015,1\n2016,\"2\n"), Some(3));
        assert_eq!(unterminated_quote_c(b"year,a\n2016,\"2\"\"\n"), Some(2));
        // Lines ending in \r alone count too.
        assert_eq!(unterminated_quote_c(b"year,a\r2015,1\r2016,\"2\r"), Some(3));
        assert_eq!(super::line_ends(b"a\r\nb\nc\rd"), 3);
        // Any delimiter opens a field.
        assert_eq!(
            unterminated_quote(b"year;a\n2016;\"2\n2017;3\n", b';'),
            Some(2)
        );
    }
}
