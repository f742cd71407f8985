//! Reading a CSV table (wide or long) into the canonical long frame, with validation.
//!
//! The header is read here, once, into a plan of which column holds what. A plainly clean
//! file is then read by Polars' CSV reader ([`super::fast`]); every other file by the
//! careful reader below, where the csv crate does the tokenising (quotes, CRLF, BOM-free
//! bytes) because it tells us the line of every record, which Polars' reader does not:
//! every message names the input, the line and the column, what was found and what was
//! expected. Both give the same frame for any file the fast path accepts.

use super::number::{parse_value, parse_year};
use super::units::Unit;
use anyhow::{bail, Result};
use polars::prelude::*;

/// Input layout: `year` plus one column per series, or `year,series,value[,unit]` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Auto,
    Wide,
    Long,
}

/// Column names of the canonical long frame (group columns come first, under their own names).
pub const SERIES: &str = "series";
pub const YEAR: &str = "year";
pub const VALUE: &str = "value";
pub const UNIT: &str = "unit";
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
}

/// Parses `bytes` (named `name` in messages). `by` names the group columns: required for
/// group columns of a wide file, optional for a long one (where every extra column is one).
pub fn parse_csv(bytes: &[u8], name: &str, layout: Layout, by: &[String]) -> Result<Parsed> {
    parse(bytes, name, layout, by, Readers::Both)
}

/// Parses a small file with the careful reader alone: below [`FAST_READER_MIN`] bytes it is
/// the faster one, as setting up Polars' reader costs more than a few dozen rows repay (the
/// bundled table: 6.7 → 6.0 ms for `growth`, start to finish).
pub fn parse_small_csv(bytes: &[u8], name: &str, layout: Layout, by: &[String]) -> Result<Parsed> {
    parse(bytes, name, layout, by, Readers::Careful)
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

pub(super) fn parse(
    bytes: &[u8],
    name: &str,
    layout: Layout,
    by: &[String],
    readers: Readers,
) -> Result<Parsed> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        bail!(
            "{name}: the file is empty (expected a header row such as `year,cbec,trade` or `year,series,value,unit`)"
        );
    }
    if let Some(line) = unterminated_quote(bytes) {
        bail!(
            "{name}:{line}: a quote opens a field on this line and is never closed (expected a closing \" before the end of the file)"
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(record) => record.map_err(|e| csv_error(name, e))?,
        None => bail!("{name}: the file is empty (expected a header row)"),
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let plan = plan(name, &header, layout, by)?;
    let groups: Vec<String> = plan.groups.iter().map(|&i| header[i].clone()).collect();
    let keys = sort_keys(&groups);
    if readers != Readers::Careful {
        if let Some((frame, catalog)) = super::fast::read(bytes, &plan, &groups, &keys) {
            return Ok(Parsed {
                frame,
                groups,
                catalog,
            });
        }
        if readers == Readers::Fast {
            bail!("the fast path declined the file");
        }
    }
    let frame = plan.read_rows(records)?;
    check_duplicates(name, &frame, &groups)?;
    let catalog = check_units(name, &frame)?;
    let frame = frame
        .lazy()
        .drop(by_name([LINE], true, false))
        .sort(keys, Default::default())
        .collect()?;
    Ok(Parsed {
        frame,
        groups,
        catalog,
    })
}

/// Reads the header: which column holds what, and every check that needs only the header.
fn plan<'a>(
    name: &'a str,
    header: &'a [String],
    layout: Layout,
    by: &[String],
) -> Result<ColumnsIn<'a>> {
    check_header(name, header)?;
    let lower: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    let find = |wanted: &str| lower.iter().position(|h| h == wanted);
    let Some(year_col) = find(YEAR) else {
        // A file separated by semicolons or tabs reads as one column; say so.
        let hint = match header {
            [only] if only.contains(';') => {
                "; the file looks semicolon-separated, and tradestat reads commas"
            }
            [only] if only.contains('\t') => {
                "; the file looks tab-separated, and tradestat reads commas"
            }
            _ => "",
        };
        bail!(
            "{name}:1: the header has no `year` column (found: {}; expected a column named year{hint})",
            header.join(", ")
        );
    };
    let long = match layout {
        // A `series` column means long layout; without `value` that is an error below.
        Layout::Auto => find(SERIES).is_some(),
        Layout::Long => true,
        Layout::Wide => false,
    };
    let by_cols = by
        .iter()
        .map(|b| {
            find(&b.trim().to_lowercase()).ok_or_else(|| {
                anyhow::anyhow!(
                    "--by {b}: {name} has no column {b:?} (its columns are: {})",
                    header.join(", ")
                )
            })
        })
        .collect::<Result<Vec<usize>>>()?;

    let mut plan = ColumnsIn {
        name,
        header,
        year: year_col,
        groups: Vec::new(),
        shape: Shape::Wide(Vec::new()),
    };
    if long {
        let require = |wanted: &str| {
            find(wanted).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{name}:1: a long table needs a `{wanted}` column (found: {}; expected year, series, value and optionally unit)",
                        header.join(", ")
                    )
                })
        };
        let series = require(SERIES)?;
        let value = require(VALUE)?;
        let unit = find(UNIT);
        plan.groups = if by.is_empty() {
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
                    .map_err(|why| anyhow::anyhow!("{name}:1:{}: {why}", i + 1))?;
                Ok((i, series, unit))
            })
            .collect::<Result<_>>()?;
        if series.is_empty() {
            bail!(
                    "{name}:1: the header has no series columns (found: {}; expected `year` and one column per series, e.g. year,cbec,trade)",
                    header.join(", ")
                );
        }
        plan.shape = Shape::Wide(series);
    }
    Ok(plan)
}

/// Sort order of the canonical frame: groups, series, year.
fn sort_keys(groups: &[String]) -> Vec<PlSmallStr> {
    let mut keys: Vec<String> = groups.to_vec();
    keys.push(SERIES.to_string());
    crate::analysis::sort_keys(&keys)
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

fn check_header(name: &str, header: &[String]) -> Result<()> {
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            bail!(
                "{name}:1:{}: column {} of the header has no name (expected a name for every column)",
                i + 1,
                i + 1
            );
        }
        let key = split_unit(h).0.to_lowercase();
        if let Some(first) = header[..i]
            .iter()
            .position(|o| split_unit(o).0.to_lowercase() == key)
        {
            bail!(
                "{name}:1:{}: column {h:?} appears twice in the header (first as column {}; expected unique names)",
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
    pub year: usize,
    pub groups: Vec<usize>,
    pub shape: Shape,
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
}

impl ColumnsIn<'_> {
    /// The careful reader: record by record, stopping at the first bad cell with its line
    /// and column. Returns the frame in file order with each row's line in [`LINE`].
    fn read_rows(&self, records: csv::StringRecordsIter<'_, &[u8]>) -> Result<DataFrame> {
        let name = self.name;
        let mut builder = Builder::default();
        builder.init_groups(self.groups.len());
        for record in records {
            let record = record.map_err(|e| csv_error(name, e))?;
            let line = self.check_row(&record)?;
            let year = self.year(&record, line)?;
            match &self.shape {
                Shape::Long {
                    series,
                    value,
                    unit,
                } => {
                    let series_name = &record[*series];
                    if series_name.is_empty() {
                        bail!(
                            "{name}:{line}:{}: the series name is empty (expected a name such as cbec)",
                            series + 1
                        );
                    }
                    let value = self.value(&record, *value, line)?;
                    let unit = match unit.map(|c| (c, &record[c])) {
                        Some((c, text)) if !text.is_empty() => Some(
                            builder
                                .canonical_unit(text)
                                .map_err(|why| anyhow::anyhow!("{name}:{line}:{}: {why}", c + 1))?,
                        ),
                        _ => None,
                    };
                    builder.push(&self.groups, &record, series_name, year, value, unit, line);
                }
                Shape::Wide(series) => {
                    for (col, series, unit) in series {
                        let value = self.value(&record, *col, line)?;
                        builder.push(
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
            }
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
        Ok(frame)
    }

    fn check_groups(&self) -> Result<()> {
        for &g in &self.groups {
            let h = &self.header[g];
            if g == self.year || RESERVED.contains(&h.to_lowercase().as_str()) || h == LINE {
                bail!(
                    "{}:1:{}: column {h:?} cannot be a group column (year, series, value and unit have fixed meanings, and {LINE} is tradestat's own)",
                    self.name,
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

    fn value(&self, record: &csv::StringRecord, col: usize, line: u64) -> Result<Option<f64>> {
        let cell = &record[col];
        parse_value(cell).map_err(|why| {
            anyhow::anyhow!(
                "{}:{line}:{}: value {} in column {:?}: {why}",
                self.name,
                col + 1,
                quote(cell),
                self.header[col]
            )
        })
    }
}

/// The line of a quote that opens a field and is never closed. The csv crate (like Polars'
/// reader) takes the rest of the file into that field, which surfaced as a confusing error
/// far away ("no data rows") or, at the end of a file, not at all. Quotes are rare in trade
/// files and memchr skips to each, so the scan costs little even on large files.
fn unterminated_quote(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b'"', &bytes[at..]) {
        let quote = at + offset;
        // A quote opens a field when only blanks stand between it and the field's start.
        let opens = bytes[..quote]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t'))
            .is_none_or(|b| matches!(b, b',' | b'\n' | b'\r'));
        at = quote + 1;
        if !opens {
            continue;
        }
        // Its closing quote: the next one that is not doubled ("" stands for ").
        loop {
            let Some(offset) = memchr::memchr(b'"', &bytes[at..]) else {
                return Some(memchr::memchr_iter(b'\n', &bytes[..quote]).count() + 1);
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
fn check_units(name: &str, frame: &DataFrame) -> Result<Catalog> {
    let pairs = frame
        .clone()
        .lazy()
        .group_by([col(SERIES), col(UNIT)])
        .agg([col(LINE).min()])
        .sort([SERIES, LINE], Default::default())
        .collect()?;
    let series = pairs.column(SERIES)?.str()?;
    let units = pairs.column(UNIT)?.str()?;
    let lines = pairs.column(LINE)?.i64()?;
    for i in 1..pairs.height() {
        if series.get(i) == series.get(i - 1) {
            let show = |u: Option<&str>| u.map_or("no unit".to_string(), |u| format!("{u:?}"));
            bail!(
                "{name}:{}: series {:?} is in {} here but in {} on line {} (expected one unit per series)",
                lines.get(i).unwrap_or(0),
                series.get(i).unwrap_or(""),
                show(units.get(i)),
                show(units.get(i - 1)),
                lines.get(i - 1).unwrap_or(0),
            );
        }
    }
    Ok(series
        .iter()
        .zip(units.iter())
        .filter_map(|(s, u)| Some((s?.to_string(), u.map(str::to_string))))
        .collect())
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
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
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
    let plan = plan(name, &header, layout, by)?;
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

    #[test]
    fn unterminated_quotes_are_found_on_their_line() {
        assert_eq!(unterminated_quote(b"year,a\n2015,1\n"), None);
        assert_eq!(unterminated_quote(b"year,a\n2015,\"1,234\"\n"), None);
        assert_eq!(
            unterminated_quote(b"year,a\n2015, \"say \"\"hi\"\"\"\n"),
            None
        );
        // A quote inside an unquoted field opens nothing.
        assert_eq!(unterminated_quote(b"year,a\n2015,5\"\n"), None);
        assert_eq!(unterminated_quote(b"year,a\n2015,\"1\n2016,2\n"), Some(2));
        assert_eq!(unterminated_quote(b"\"year,a\n2015,1\n"), Some(1));
        assert_eq!(unterminated_quote(b"year,a\n2015,1\n2016,\"2\n"), Some(3));
        assert_eq!(unterminated_quote(b"year,a\n2016,\"2\"\"\n"), Some(2));
    }
}
