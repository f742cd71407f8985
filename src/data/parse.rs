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

/// A table as the front end found it, before any column is read for meaning.
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
    /// The records after the header.
    records: Records<'r>,
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

/// Decodes `bytes`, finds the delimiter and the header, and hands the rest to `read`.
fn locate<T>(
    bytes: &[u8],
    name: &str,
    options: &ReadOptions,
    read: impl FnOnce(Located<'_>) -> Result<T>,
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(bytes);
    // The csv crate's line numbers drift on CRLF files and after blank lines; count the
    // newlines before each record's first byte instead.
    let mut lines = LineCounter::new(bytes);
    let mut records = reader.records().map(move |record| {
        record.map(|mut record| {
            lines.fix(&mut record);
            record
        })
    });
    // The header: after --skip lines, else the first record that names a year column or
    // holds years (a publisher's metadata lines come before it), else the first record.
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
    let Some(header_record) = first.get(header_at).cloned() else {
        bail!("{name}: the file is empty (expected a header row)");
    };
    let source_notes: Vec<String> = first[..header_at]
        .iter()
        .filter_map(front::preamble_note)
        .collect();
    let header_line = header_record.position().map_or(1, |p| p.line());
    let rest: Vec<csv::StringRecord> = first.split_off(header_at + 1);
    let mut header: Vec<String> = header_record.iter().map(|h| h.to_string()).collect();
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
    read(Located {
        bytes,
        encoding,
        encoding_note,
        delimiter,
        header,
        header_line,
        header_at,
        source_notes,
        split_first: split_first.as_ref().map(Vec::len),
        trailing_empty,
        records: Box::new(rest.into_iter().map(Ok).chain(records)),
    })
}

pub(super) fn parse(
    bytes: &[u8],
    name: &str,
    options: &ReadOptions,
    readers: Readers,
) -> Result<Parsed> {
    locate(bytes, name, options, |located| {
        let plain = located.plain();
        let Located {
            bytes,
            encoding,
            encoding_note,
            delimiter,
            header,
            header_line,
            source_notes,
            split_first,
            trailing_empty,
            records,
            ..
        } = located;
        let mut plan = plan(name, &header, header_line, options)?;
        plan.split_first = split_first;
        plan.trailing_empty = trailing_empty;
        plan.rules = front::CellRules {
            hint_decimal: delimiter != b',' && options.decimal.is_none(),
            flags: options.keep_flags || split_first.is_some(),
            ..front::CellRules::new(options)
        };
        plan.filters = plan_filters(name, &header, header_line, &options.filters)?;
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
        let groups: Vec<String> = plan.groups.iter().map(|&i| header[i].clone()).collect();
        let keys = sort_keys(&groups);
        if readers != Readers::Careful && plain && options.is_tidy() {
            if let Some((frame, catalog)) = super::fast::read(bytes, &plan, &groups, &keys) {
                return Ok(Parsed {
                    frame,
                    groups,
                    catalog,
                    notes: Vec::new(),
                    source_notes,
                    found: plan.found(encoding, delimiter, header_line, 0),
                });
            }
        }
        if readers == Readers::Fast {
            bail!("the fast path declined the file");
        }
        let Rows {
            frame,
            mut notes,
            footer_lines,
            series_flags,
        } = plan.read_rows(records)?;
        let (frame, label_note) = keep_units_of_twin_labels(frame, &plan)?;
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
        notes.extend(encoding_note);
        Ok(Parsed {
            frame,
            groups,
            catalog,
            notes,
            source_notes,
            found: Found {
                series_flags,
                ..plan.found(encoding, delimiter, header_line, footer_lines)
            },
        })
    })
}

/// The table of a file as read, before any meaning: every column as text under its header
/// name, the rows between the header and a footer (`tradestat sql --raw`). Decoding, the
/// delimiter, the header line, Eurostat's keys and a trailing delimiter are handled as for
/// a tidy read; `--where` applies.
pub fn raw_table(bytes: &[u8], name: &str, options: &ReadOptions) -> Result<DataFrame> {
    locate(bytes, name, options, |located| {
        let Located {
            header,
            header_line,
            split_first,
            trailing_empty,
            records,
            ..
        } = located;
        check_header(name, &header, header_line)?;
        let mut plan = ColumnsIn {
            name,
            header: &header,
            header_line,
            year: usize::MAX,
            groups: Vec::new(),
            shape: Shape::Wide(Vec::new()),
            split_first,
            trailing_empty,
            rules: front::CellRules::default(),
            filters: Vec::new(),
            notes: Vec::new(),
            ignored: Vec::new(),
            keep_flags: false,
        };
        plan.filters = plan_filters(name, &header, header_line, &options.filters)?;
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
        let mut footer: Option<u64> = None;
        for record in records {
            let record = record.map_err(|e| csv_error(name, e))?;
            let line = record.position().map_or(0, |p| p.line());
            if let Some(end) = footer {
                data_after_footer(name, &record, line, end)?;
                continue;
            }
            if front::is_footer(&record) {
                footer = Some(line);
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

/// Reads the header: which column holds what, and every check that needs only the header.
/// `header_line` is the header's line in the file (1 unless metadata lines come first).
fn plan<'a>(
    name: &'a str,
    header: &'a [String],
    header_line: u64,
    options: &ReadOptions,
) -> Result<ColumnsIn<'a>> {
    let hl = header_line;
    check_header(name, header, hl)?;
    let keys: Vec<String> = header.iter().map(|h| front::name_key(h)).collect();
    let find = |wanted: &str| keys.iter().position(|h| h == wanted);
    // A column named on the command line must exist.
    let named = |flag: &str, wanted: &Option<String>| -> Result<Option<usize>> {
        match wanted {
            None => Ok(None),
            // The exact name first: SDMX labels differ from their codes by case only.
            Some(w) => header
                .iter()
                .position(|h| h == w)
                .or_else(|| find(&front::name_key(w)))
                .map(Some)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{flag} {w}: {name}:{hl} has no column {w:?} (its columns are: {})",
                        header.join(", ")
                    )
                }),
        }
    };
    let choice = &options.columns;
    let year_named = named("--year-col", &choice.year)?;
    let value_named = named("--value-col", &choice.value)?;
    let series_named = named("--series-col", &choice.series)?;
    let unit_named = named("--unit-col", &choice.unit)?;
    let by_cols = options
        .by
        .iter()
        .map(|b| {
            find(&front::name_key(b)).ok_or_else(|| {
                anyhow::anyhow!(
                    "--by {b}: {name} has no column {b:?} (its columns are: {})",
                    header.join(", ")
                )
            })
        })
        .collect::<Result<Vec<usize>>>()?;
    let year_col = year_named.or_else(|| front::YEAR_NAMES.iter().find_map(|y| find(y)));
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
    let mut plan = ColumnsIn {
        name,
        header,
        header_line: hl,
        year: year_col.unwrap_or(usize::MAX),
        groups: Vec::new(),
        shape: Shape::Wide(Vec::new()),
        split_first: None,
        trailing_empty: false,
        rules: front::CellRules::default(),
        filters: Vec::new(),
        notes: Vec::new(),
        ignored: Vec::new(),
        keep_flags: false,
    };
    if years_layout {
        if year_cells.is_empty() {
            bail!(
                "{name}:{hl}: --layout years, but no header cell is a year (found: {}; expected cells such as 2015, \"2015\", 2015 [YR2015], 2015年 or X2015)",
                header.join(", ")
            );
        }
        plan.year = usize::MAX;
        plan_years(
            &mut plan,
            &keys,
            year_cells,
            series_named,
            unit_named,
            by_cols,
        )?;
        return Ok(plan);
    }
    let Some(year_col) = year_col else {
        // A file separated by semicolons or tabs reads as one column; say so.
        let hint = match header {
            [only] if only.contains(';') => {
                "; the file looks semicolon-separated: give --delimiter ';'"
            }
            [only] if only.contains('\t') => "; the file looks tab-separated: give --delimiter tab",
            _ if hl == 1 => "; no line among the first ones names a year column or holds two or more years: name the column with --year-col, give --layout years when years are columns, or --skip N when the header comes after N lines",
            _ => "; name it with --year-col, or give --layout years when years are columns",
        };
        bail!(
            "{name}:{hl}: the header has no `year` column (found: {}; expected a column named year{hint})",
            header.join(", ")
        );
    };
    let value_col = value_named.or_else(|| front::VALUE_NAMES.iter().find_map(|v| find(v)));
    let series_col = series_named.or_else(|| find(SERIES));
    // A publisher's long table: SDMX-CSV (TIME_PERIOD, OBS_VALUE) or UN Comtrade (refYear,
    // primaryValue), recognised by its value column's name.
    let publisher = match value_col.map(|v| keys[v].as_str()) {
        Some("obs_value") => Some(Publisher::Sdmx),
        Some("primaryvalue") | Some("trade value (us$)") => Some(Publisher::Comtrade),
        _ => None,
    };
    let long = match options.layout {
        // A `series` column means long layout; without `value` that is an error below.
        Layout::Auto => series_col.is_some() || publisher.is_some() || value_named.is_some(),
        Layout::Long => true,
        _ => false,
    };
    if long {
        let require = |found: Option<usize>, wanted: &str| {
            found.ok_or_else(|| {
                anyhow::anyhow!(
                    "{name}:{hl}: a long table needs a `{wanted}` column (found: {}; expected year, series, value and optionally unit)",
                    header.join(", ")
                )
            })
        };
        let unit = unit_named.or_else(|| front::UNIT_NAMES.iter().find_map(|u| find(u)));
        if let Some(publisher) = publisher {
            let value = require(value_col, VALUE)?;
            plan_publisher(
                &mut plan,
                &keys,
                publisher,
                year_col,
                value,
                series_named,
                unit,
                by_cols,
            )?;
            return Ok(plan);
        }
        let series = require(series_col, SERIES)?;
        let value = require(value_col, VALUE)?;
        plan.groups = if options.by.is_empty() {
            (0..header.len())
                .filter(|i| ![Some(year_col), Some(series), Some(value), unit].contains(&Some(*i)))
                .collect()
        } else {
            by_cols
        };
        plan.check_groups()?;
        plan.shape = Shape::Long {
            series,
            value,
            unit,
        };
    } else {
        plan.groups = by_cols;
        plan.check_groups()?;
        let series: Vec<(usize, String, Option<String>)> = (0..header.len())
            .filter(|i| *i != year_col && !plan.groups.contains(i))
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
    }
    Ok(plan)
}

/// Publishers whose long tables are recognised by their column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Publisher {
    Sdmx,
    Comtrade,
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

#[allow(clippy::too_many_arguments)]
fn plan_publisher(
    plan: &mut ColumnsIn<'_>,
    keys: &[String],
    publisher: Publisher,
    year: usize,
    value: usize,
    series_named: Option<usize>,
    unit: Option<usize>,
    by: Vec<usize>,
) -> Result<()> {
    let find = |wanted: &str| keys.iter().position(|h| h == wanted);
    match publisher {
        Publisher::Comtrade => {
            // Comtrade: one row per reporter, partner, commodity, flow and year; the flow
            // names the series, values are in US dollars.
            let series = series_named
                .or_else(|| find("flowdesc"))
                .or_else(|| find("trade flow"));
            let place = [
                "reporteriso",
                "partneriso",
                "cmdcode",
                "reporter iso",
                "partner iso",
                "commodity code",
            ];
            plan.groups = if by.is_empty() {
                place.iter().filter_map(|p| find(p)).collect()
            } else {
                by
            };
            let used: Vec<usize> = [Some(year), Some(value), series]
                .into_iter()
                .flatten()
                .chain(plan.groups.iter().copied())
                .collect();
            plan.ignored = (0..keys.len()).filter(|i| !used.contains(i)).collect();
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
        Publisher::Sdmx => {
            let header = plan.header;
            let mult = find("unit_mult");
            let currency = find("currency");
            // "With labels" files follow each code column with its label column.
            let label_of = |i: usize| {
                (is_code_header(&header[i])
                    && i + 1 < header.len()
                    && !is_code_header(&header[i + 1]))
                .then_some(i + 1)
            };
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
            let measure = dimensions.iter().copied().find(|&i| is_measure(&keys[i]));
            let series = match (series_named, measure) {
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
                        .filter(|i| !plan.groups.contains(i))
                        .collect();
                    if parts.is_empty() {
                        SeriesFrom::Fixed("OBS_VALUE".to_string())
                    } else {
                        SeriesFrom::Keys(parts)
                    }
                }
            };
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
    }
    plan.year = year;
    plan.check_groups()
}

/// Years as columns: the key columns give the groups and the series, each year column a
/// value.
fn plan_years(
    plan: &mut ColumnsIn<'_>,
    keys: &[String],
    years: Vec<(usize, i32)>,
    series_named: Option<usize>,
    unit_named: Option<usize>,
    by: Vec<usize>,
) -> Result<()> {
    let name = plan.name;
    let hl = plan.header_line;
    let header = plan.header;
    let year_cols: Vec<usize> = years.iter().map(|(c, _)| *c).collect();
    let mut sorted = years.clone();
    sorted.sort_by_key(|(c, y)| (*y, *c));
    if let Some(pair) = sorted.windows(2).find(|p| p[0].1 == p[1].1) {
        bail!(
            "{name}:{hl}:{}: the year {} is a column twice (first as column {}; expected each year once)",
            pair[1].0 + 1,
            pair[1].1,
            pair[0].0 + 1
        );
    }
    let find = |wanted: &str| keys.iter().position(|h| h == wanted);
    let key_cols: Vec<usize> = (0..header.len())
        .filter(|i| !year_cols.contains(i))
        .collect();
    let unit = unit_named.or_else(|| {
        front::UNIT_NAMES
            .iter()
            .find_map(|u| find(u))
            .filter(|u| key_cols.contains(u))
    });
    // The label of the series: --series-col, else a column such as `Indicator Name` or 指标.
    let label = series_named.or_else(|| {
        front::LABEL_NAMES
            .iter()
            .find_map(|l| find(l))
            .filter(|c| key_cols.contains(c) && !by.contains(c))
    });
    // The code of a labelled series (`Indicator Code` beside `Indicator Name`) says nothing
    // more: not a group.
    let twin = label.and_then(|l| {
        let key = &keys[l];
        let stem = key.strip_suffix(" name")?;
        find(&format!("{stem} code"))
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
                .is_some_and(|stem| find(&format!("{stem} code")).is_some())
        })
        .collect();
    // Always yearly here: a frequency column says nothing.
    let freq = find("freq").or_else(|| find("frequency"));
    plan.ignored = [twin, freq].into_iter().flatten().chain(names).collect();
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
    let series = match label {
        Some(col) => {
            plan.groups = if by.is_empty() { rest } else { by };
            SeriesFrom::Column {
                col,
                label_unit: unit.is_none(),
            }
        }
        None if !by.is_empty() => {
            let parts: Vec<usize> = rest.iter().copied().filter(|c| !by.contains(c)).collect();
            plan.groups = by;
            if parts.is_empty() {
                SeriesFrom::Fixed(file_stem(name))
            } else {
                SeriesFrom::Keys(parts)
            }
        }
        None => {
            // Places are groups; the other keys together name the series.
            let (places, parts): (Vec<usize>, Vec<usize>) = rest
                .iter()
                .partition(|c| PLACE_NAMES.contains(&keys[**c].as_str()));
            plan.groups = places;
            if parts.is_empty() {
                SeriesFrom::Fixed(file_stem(name))
            } else {
                SeriesFrom::Keys(parts)
            }
        }
    };
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

/// What the careful reader read.
struct Rows {
    frame: DataFrame,
    notes: Vec<String>,
    footer_lines: usize,
    series_flags: std::collections::BTreeMap<String, usize>,
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

impl ColumnsIn<'_> {
    /// How the file was read, for `inspect`.
    fn found(&self, encoding: &str, delimiter: u8, header_line: u64, footer: usize) -> Found {
        let name = |cols: &[usize]| -> Vec<String> {
            cols.iter().map(|&c| self.header[c].clone()).collect()
        };
        let (layout, years, series_from, unit_from) = match &self.shape {
            Shape::Wide(series) => (
                "wide".to_string(),
                vec![self.header[self.year].clone()],
                format!(
                    "one column per series ({})",
                    series
                        .iter()
                        .map(|(_, s, _)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "the header (`name [unit]`)".to_string(),
            ),
            Shape::Long { series, unit, .. } => (
                "long".to_string(),
                vec![self.header[self.year].clone()],
                format!("column {}", self.header[*series]),
                unit.map_or("none".to_string(), |u| format!("column {}", self.header[u])),
            ),
            Shape::Keyed(k) => {
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
                let series = match &k.series {
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
                        format!("columns {} joined with \" / \"", name(cols).join(", "))
                    }
                    SeriesFrom::Fixed(s) => format!("the name {s:?} for every row"),
                };
                let unit = match &k.unit {
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
                (layout, years, series, unit)
            }
        };
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
        Found {
            flags,
            series_flags: Default::default(),
            encoding: encoding.to_string(),
            delimiter: front::delimiter_name(delimiter),
            header_line,
            preamble_lines: header_line.saturating_sub(1) as usize,
            footer_lines: footer,
            layout,
            year_columns: years,
            group_columns: name(&self.groups),
            series_from,
            unit_from,
            ignored_columns: name(&self.ignored),
        }
    }

    /// The careful reader: record by record, stopping at the first bad cell with its line
    /// and column. Returns the frame in file order with each row's line in [`LINE`], notes
    /// about what the cells held, and the number of footer lines after the data.
    fn read_rows(&self, records: Records<'_>) -> Result<Rows> {
        let name = self.name;
        let mut builder = Builder {
            keep_flags: self.keep_flags,
            ..Builder::default()
        };
        builder.init_groups(self.groups.len());
        let mut tally = Tally::default();
        // (line, text) of the first footer line, and how many lines the footer has.
        let mut footer: Option<(u64, String)> = None;
        let mut footer_lines = 0;
        let (mut rows, mut kept) = (0usize, 0usize);
        // A few values of each filtered column, for the message when nothing matches.
        let mut seen: Vec<Vec<String>> = vec![Vec::new(); self.filters.len()];
        for record in records {
            let record = record.map_err(|e| csv_error(name, e))?;
            let line = record.position().map_or(0, |p| p.line());
            if let Some((end, _)) = &footer {
                data_after_footer(name, &record, line, *end)?;
                footer_lines += 1;
                continue;
            }
            if front::is_footer(&record) {
                let text = record
                    .iter()
                    .find(|c| !c.trim().is_empty())
                    .unwrap_or_default();
                footer = Some((line, text.to_string()));
                footer_lines = 1;
                continue;
            }
            let record = self.expand(record, line)?;
            rows += 1;
            let mut keep = true;
            for (i, (col, filter)) in self.filters.iter().enumerate() {
                let cell = &record[*col];
                if !filter.matches(cell) {
                    keep = false;
                    if seen[i].len() < 8 && !seen[i].iter().any(|s| s == cell.trim()) {
                        seen[i].push(cell.trim().to_string());
                    }
                }
            }
            if !keep {
                continue;
            }
            kept += 1;
            match &self.shape {
                Shape::Long {
                    series,
                    value,
                    unit,
                } => {
                    let year = self.year(&record, line)?;
                    let series_name = &record[*series];
                    if series_name.is_empty() {
                        bail!(
                            "{name}:{line}:{}: the series name is empty (expected a name such as cbec)",
                            series + 1
                        );
                    }
                    tally.series.clear();
                    tally.series.push_str(series_name);
                    let value = self.value(&record, *value, line, &mut tally)?;
                    let unit = match unit.map(|c| (c, &record[c])) {
                        Some((c, text)) if !text.is_empty() => Some(
                            builder
                                .canonical_unit(text)
                                .map_err(|why| anyhow::anyhow!("{name}:{line}:{}: {why}", c + 1))?,
                        ),
                        _ => None,
                    };
                    builder.flagged(tally.last_flag.take()).push(
                        &self.groups,
                        &record,
                        series_name,
                        year,
                        value,
                        unit,
                        line,
                    );
                }
                Shape::Wide(series) => {
                    let year = self.year(&record, line)?;
                    for (col, series, unit) in series {
                        tally.series.clear();
                        tally.series.push_str(series);
                        let value = self.value(&record, *col, line, &mut tally)?;
                        builder.flagged(tally.last_flag.take()).push(
                            &self.groups,
                            &record,
                            series,
                            year,
                            value,
                            unit.clone(),
                            line,
                        );
                    }
                }
                Shape::Keyed(keyed) => {
                    self.read_keyed(keyed, &record, line, &mut builder, &mut tally)?;
                }
            }
        }
        if !self.filters.is_empty() && kept == 0 && rows > 0 {
            let (i, (_, filter)) = self
                .filters
                .iter()
                .enumerate()
                .find(|(i, _)| !seen[*i].is_empty())
                .unwrap_or((0, &self.filters[0]));
            bail!(
                "--where {}: no row of {name} matches (found in column {:?}: {}{})",
                filter.text(),
                filter.column,
                seen[i]
                    .iter()
                    .map(|v| format!("{v:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if seen[i].len() >= 8 { ", …" } else { "" }
            );
        }
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|&i| self.header[i].clone())
            .collect();
        let frame = builder.finish(&groups)?;
        if frame.height() == 0 {
            bail!("{name}: the file has a header but no data rows (expected one row per year)");
        }
        let mut notes = tally.notes();
        if !self.filters.is_empty() {
            let described: Vec<String> = self.filters.iter().map(|(_, f)| f.text()).collect();
            notes.push(format!(
                "--where {}: {kept} of {rows} rows kept",
                described.join(" and ")
            ));
        }
        if let Some((line, text)) = &footer {
            let more = match footer_lines {
                1 => String::new(),
                2 => " and the line after it".to_string(),
                n => format!(" and the {} lines after it", n - 1),
            };
            let what = if text.is_empty() {
                "a row of empty cells".to_string()
            } else {
                format!("{text:?}")
            };
            notes.push(format!(
                "the data end at line {line}: {what}{more} are notes, not data"
            ));
        }
        Ok(Rows {
            frame,
            notes,
            footer_lines,
            series_flags: tally.series_flags,
        })
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
        builder: &mut Builder,
        tally: &mut Tally,
    ) -> Result<()> {
        let name = self.name;
        let (series, label_unit): (String, Option<String>) = match &keyed.series {
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
                    let (label, unit) = front::split_label_unit(text);
                    (label, unit)
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
        };
        // (column, text, power of ten)
        let unit_text: Option<(usize, String, i32)> = match &keyed.unit {
            UnitFrom::None => label_unit.map(|u| (0, u, 0)),
            UnitFrom::Fixed(u) => Some((0, u.clone(), 0)),
            UnitFrom::Column {
                col,
                mult,
                currency,
            } => {
                let code = |c: usize| front::name_key(&record[c]);
                let text = record[*col].trim();
                let mut text = text
                    .split_once(": ")
                    .map_or(text, |(code, _)| code)
                    .to_string();
                if let Some(c) = currency.filter(|_| text.eq_ignore_ascii_case("xdc")) {
                    let named = record[c].trim();
                    let named = named.split_once(": ").map_or(named, |(code, _)| code);
                    if !named.is_empty() {
                        text = named.to_string();
                    }
                }
                match mult.map(|m| (m, code(m))) {
                    _ if text.is_empty() => None,
                    Some((m, power)) if !power.is_empty() && power != "0" => {
                        let power: i32 = power.parse().map_err(|_| {
                            anyhow::anyhow!(
                                "{name}:{line}:{}: {:?} is not a power of ten (expected an integer such as 6 for millions)",
                                m + 1,
                                record[m].trim()
                            )
                        })?;
                        Some((*col, text, power))
                    }
                    _ => Some((*col, text, 0)),
                }
            }
        };
        let unit = match unit_text {
            Some((col, text, power)) => {
                let at = |why: String| anyhow::anyhow!("{name}:{line}:{}: {why}", col + 1);
                Some(if power == 0 {
                    builder.canonical_unit(&text).map_err(at)?
                } else {
                    Unit::read(&text)
                        .map(|u| super::units::unit_multiplier(u, power).to_string())
                        .map_err(at)?
                })
            }
            None => None,
        };
        tally.series.clone_from(&series);
        match &keyed.values {
            Values::Long(value) => {
                let year = self.year(record, line)?;
                let value = self.value(record, *value, line, tally)?;
                builder.flagged(tally.last_flag.take()).push(
                    &self.groups,
                    record,
                    &series,
                    year,
                    value,
                    unit,
                    line,
                );
            }
            Values::Years(years) => {
                // A year without a value is left out: a published table has a column for
                // every year of its span, and most rows fill only some. With --keep-flags a
                // flagged one stays (`: c`, confidential), so its flag is shown.
                for (col, year) in years {
                    let value = self.value(record, *col, line, tally)?;
                    if value.is_none() && !(self.keep_flags && tally.last_flag.is_some()) {
                        tally.empty += 1;
                        continue;
                    }
                    builder.flagged(tally.last_flag.take()).push(
                        &self.groups,
                        record,
                        &series,
                        *year,
                        value,
                        unit.clone(),
                        line,
                    );
                }
            }
        }
        Ok(())
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

/// Column vectors of the canonical frame, filled row by row.
#[derive(Default)]
struct Builder {
    /// Unit texts seen so far and their canonical form (`亿元` → `100 million CNY`).
    unit_labels: std::collections::HashMap<String, String>,
    groups: Vec<Vec<String>>,
    series: Vec<String>,
    year: Vec<i32>,
    value: Vec<Option<f64>>,
    unit: Vec<Option<String>>,
    line: Vec<i64>,
    /// Eurostat-style flags of each row (`p`, `e`), kept as a column with `--keep-flags`.
    flag: Vec<Option<String>>,
    next_flag: Option<String>,
    keep_flags: bool,
}

impl Builder {
    fn init_groups(&mut self, n: usize) {
        self.groups = vec![Vec::new(); n];
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

    /// Sets the flag of the next row pushed.
    fn flagged(&mut self, flag: Option<String>) -> &mut Self {
        self.next_flag = flag;
        self
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        group_cols: &[usize],
        record: &csv::StringRecord,
        series: &str,
        year: i32,
        value: Option<f64>,
        unit: Option<String>,
        line: u64,
    ) {
        for (values, &col) in self.groups.iter_mut().zip(group_cols) {
            values.push(record[col].to_string());
        }
        self.series.push(series.to_string());
        self.year.push(year);
        self.value.push(value);
        self.unit.push(unit);
        self.line.push(line as i64);
        self.flag.push(self.next_flag.take());
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
    let mut keys: Vec<Expr> = if per_group {
        groups.iter().map(|g| col(g.as_str())).collect()
    } else {
        Vec::new()
    };
    keys.push(col(SERIES));
    let mut by = keys.clone();
    by.push(col(UNIT));
    let mut sort: Vec<PlSmallStr> = if per_group {
        groups.iter().map(|g| g.as_str().into()).collect()
    } else {
        Vec::new()
    };
    sort.push(SERIES.into());
    sort.push(LINE.into());
    let pairs = frame
        .clone()
        .lazy()
        .group_by(by)
        .agg([col(LINE).min()])
        .sort(sort, Default::default())
        .collect()?;
    let series = pairs.column(SERIES)?.str()?;
    let units = pairs.column(UNIT)?.str()?;
    let lines = pairs.column(LINE)?.i64()?;
    let group_columns: Vec<&StringChunked> = if per_group {
        groups
            .iter()
            .map(|g| pairs.column(g.as_str()).and_then(|c| c.str()))
            .collect::<PolarsResult<_>>()?
    } else {
        Vec::new()
    };
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
    Ok((catalog, notes))
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
