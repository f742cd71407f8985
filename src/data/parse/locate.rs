//! Finding the table in a file: its encoding, its delimiter, its header (after a
//! publisher's metadata lines), and the line of every record.

use super::{csv_error, Records};
use crate::data::front::{self, ReadOptions};
use anyhow::{bail, Result};

/// A table as the front end found it, before any column is read for meaning (the records
/// after its header come beside it).
pub(super) struct Located<'r> {
    /// The file as UTF-8.
    pub(super) bytes: &'r [u8],
    pub(super) encoding: &'static str,
    pub(super) encoding_note: Option<String>,
    pub(super) delimiter: u8,
    /// Header cells (Eurostat's keys split, a trailing empty column dropped).
    pub(super) header: Vec<String>,
    pub(super) header_line: u64,
    /// Records before the header.
    header_at: usize,
    pub(super) source_notes: Vec<String>,
    pub(super) split_first: Option<usize>,
    pub(super) trailing_empty: bool,
}

impl Located<'_> {
    /// Whether the file is a plain comma-separated table with its header on line 1, which
    /// the fast reader and the piece cutter know.
    pub(super) fn plain(&self) -> bool {
        self.header_at == 0
            && self.delimiter == b','
            && self.split_first.is_none()
            && !self.trailing_empty
    }
}

/// Decodes `bytes`, finds the delimiter and the header, and hands the table and the records
/// after the header to `read`.
pub(super) fn locate<T>(
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
    let decoded = crate::data::decode::decode(bytes, name, &options.encoding)?;
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

/// Line ends in `bytes`: `\n`, and a `\r` not followed by `\n` (old Mac files end lines with
/// `\r` alone, which the csv crate also reads as a line end).
fn line_ends(bytes: &[u8]) -> usize {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .count()
}

/// Line numbers of records, from their byte offsets (records come in file order).
pub(in crate::data) struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub(in crate::data) fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    pub(in crate::data) fn fix(&mut self, record: &mut csv::StringRecord) {
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
