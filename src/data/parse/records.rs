//! The records of a plain summed file, looked at byte by byte on every core before Polars'
//! reader sums them block by block ([`super::fast_sum`]): whether each record is one the
//! careful reader would take as it is, how many there are and how many have an empty value,
//! and a hash of each, from which exact duplicate records are found.
//!
//! Home-made on purpose: the duplicate check it replaces (Polars' window over every column
//! of the whole file held in memory) took 0.27 s of 0.77 s per file of 2 million records and
//! made the file's frame necessary at all; this pass takes ~0.09 s per such file on two
//! cores and lets Polars' reader read only the columns it sums (measured with
//! `bench/compare.sh baci`, see bench/README.md).

use foldhash::fast::FixedState;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

/// Where the fields the pass looks at are, by position in a record.
pub(super) struct Fields {
    /// Fields in every record (the header's).
    pub count: usize,
    pub year: usize,
    pub value: usize,
    /// The series column, whose cell must not be empty.
    pub series: Option<usize>,
    /// Per column, whether Polars' reader reads it (the year, the value, the series, the
    /// summed-to and the part columns): no space may surround its cells, as Polars would
    /// keep it. The careful reader trims the cells of the others; so does the hash (BACI
    /// pads its quantities with spaces).
    pub read: Vec<bool>,
}

/// What the pass found in a file's records.
pub(super) struct Scanned {
    pub records: usize,
    /// Records whose value is empty.
    pub empty_values: usize,
    /// Per record, in file order, a hash of all of it but the value.
    hashes: Vec<u64>,
}

/// Records looked at by one task: large enough that a task is worth starting.
const PIECE: usize = 4 << 20;

/// The records of `data` (the lines after the header), or `None` when a record is not one
/// the careful reader takes as it is: a blank line, a quote, spaces around a cell Polars
/// reads, a carriage return but before the line feed, a field too many or too few, an empty
/// series name, or a year not written as the careful reader would write it back (`2019`, not
/// `02019` or `+2019`, so that equal years are equal texts).
pub(super) fn scan(data: &[u8], fields: &Fields) -> Option<Scanned> {
    let pieces = split_at_lines(data, PIECE);
    let scanned: Vec<Option<Scanned>> = pieces.par_iter().map(|p| scan_piece(p, fields)).collect();
    let mut all = Scanned {
        records: 0,
        empty_values: 0,
        hashes: Vec::with_capacity(scanned.iter().flatten().map(|s| s.records).sum()),
    };
    for piece in scanned {
        let piece = piece?;
        all.records += piece.records;
        all.empty_values += piece.empty_values;
        all.hashes.extend_from_slice(&piece.hashes);
    }
    Some(all)
}

/// `data` cut into pieces of about `size` bytes, each ending after a line feed (the last
/// where `data` ends).
pub(super) fn split_at_lines(data: &[u8], size: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(data.len() / size + 1);
    let mut start = 0;
    while start < data.len() {
        let end = match data.get(start + size..) {
            Some(rest) => memchr::memchr(b'\n', rest).map_or(data.len(), |i| start + size + i + 1),
            None => data.len(),
        };
        pieces.push(&data[start..end]);
        start = end;
    }
    pieces
}

/// `data` cut into blocks of `records` records (the last may have fewer).
pub(super) fn blocks(data: &[u8], records: usize) -> Vec<&[u8]> {
    let mut blocks = Vec::with_capacity(data.len() / (records * 16) + 1);
    let (mut start, mut seen) = (0, 0);
    for end in memchr::memchr_iter(b'\n', data) {
        seen += 1;
        if seen == records {
            blocks.push(&data[start..=end]);
            (start, seen) = (end + 1, 0);
        }
    }
    if start < data.len() {
        blocks.push(&data[start..]);
    }
    blocks
}

/// The lines of `data`: split at line feeds, a carriage return before one left out.
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    // memchr finds the line feeds many bytes at a time (`split` looks at each byte).
    let ends = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
    let mut start = 0;
    ends.map(move |end| {
        let line = &data[start..end];
        start = end + 1;
        line.strip_suffix(b"\r").unwrap_or(line)
    })
}

fn scan_piece(data: &[u8], fields: &Fields) -> Option<Scanned> {
    let mut scanned = Scanned {
        records: 0,
        empty_values: 0,
        hashes: Vec::with_capacity(data.len() / 24),
    };
    // A quote may hide a delimiter or a line break; a carriage return ends a record for the
    // careful reader unless a line feed follows it.
    let returns = memchr::memchr_iter(b'\r', data).count();
    if memchr::memchr(b'"', data).is_some()
        || (returns > 0 && returns != memchr::memmem::find_iter(data, b"\r\n").count())
    {
        return None;
    }
    let mut scratch = Vec::new();
    for line in lines(data) {
        let (hash, empty) = record(line, fields, &mut scratch)?;
        scanned.records += 1;
        scanned.empty_values += usize::from(empty);
        scanned.hashes.push(hash);
    }
    Some(scanned)
}

/// The hash of `line` without its value field, and whether the value is empty; `None` when
/// the careful reader would not take the record as it is (see [`scan`]).
fn record(line: &[u8], fields: &Fields, scratch: &mut Vec<u8>) -> Option<(u64, bool)> {
    let cells = Cells::of(line, fields)?;
    let (before, after) = cells.around_value(line, fields, scratch);
    let mut hasher = FixedState::with_seed(0x7472_6164_6573_7461).build_hasher();
    // With the value left out, the text before it ends with its delimiter: two records
    // hash alike only when all their other fields are equal texts.
    hasher.write(before);
    hasher.write(after);
    Some((hasher.finish(), cells.value.0 == cells.value.1))
}

/// Where a record's value field is (start and end), once the record is checked, and
/// whether a cell of a column Polars does not read has spaces around it.
struct Cells {
    value: (usize, usize),
    padded: bool,
}

/// The whitespace the careful reader trims from a cell (`str::trim`, ASCII part).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c)
}

/// `cell` without the whitespace around it.
fn trim_spaces(cell: &[u8]) -> &[u8] {
    let start = cell
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(cell.len());
    let end = cell
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    &cell[start..end]
}

impl Cells {
    fn of(line: &[u8], fields: &Fields) -> Option<Cells> {
        if line.is_empty() {
            return None;
        }
        let (mut field, mut start) = (0, 0);
        let mut value = (0, 0);
        let mut padded = false;
        let mut close = |field: usize, start: usize, end: usize, spaced: bool| -> Option<()> {
            let mut cell = &line[start..end];
            if spaced {
                let trimmed = trim_spaces(cell);
                if trimmed.len() != cell.len() {
                    if fields.read.get(field).copied().unwrap_or(true) {
                        return None;
                    }
                    padded = true;
                    cell = trimmed;
                }
            }
            if !trimmed(cell) {
                return None;
            }
            if field == fields.value {
                value = (start, end);
            } else if field == fields.year {
                canonical_year(cell).then_some(())?;
            } else if Some(field) == fields.series && cell.is_empty() {
                return None;
            }
            Some(())
        };
        // Quotes and stray carriage returns are refused for the whole piece (`scan_piece`).
        let ends = memchr::memchr_iter(b',', line).chain(std::iter::once(line.len()));
        for end in ends {
            let cell = &line[start..end];
            let spaced = cell.first().is_some_and(|&b| is_space(b))
                || cell.last().is_some_and(|&b| is_space(b));
            close(field, start, end, spaced)?;
            field += 1;
            start = end + 1;
        }
        (field == fields.count).then_some(Cells { value, padded })
    }

    /// The record's text before its value (with the delimiter that ends it) and after it
    /// (from the delimiter on), every cell as the careful reader reads it: the line's own
    /// bytes, or in `scratch` the cells trimmed.
    fn around_value<'l>(
        &self,
        line: &'l [u8],
        fields: &Fields,
        scratch: &'l mut Vec<u8>,
    ) -> (&'l [u8], &'l [u8]) {
        if !self.padded {
            return (&line[..self.value.0], &line[self.value.1..]);
        }
        scratch.clear();
        let mut split = 0;
        for (i, cell) in line.split(|&b| b == b',').enumerate() {
            if i > 0 {
                scratch.push(b',');
            }
            if i == fields.value {
                split = scratch.len();
            } else {
                scratch.extend_from_slice(trim_spaces(cell));
            }
        }
        scratch.split_at(split)
    }
}

/// Whether `cell` has no whitespace the careful reader would trim: ASCII whitespace is
/// refused byte by byte; a cell that starts or ends outside ASCII is looked at as text
/// (no-break and other Unicode spaces).
fn trimmed(cell: &[u8]) -> bool {
    match (cell.first(), cell.last()) {
        (Some(&first), Some(&last)) if first >= 0x80 || last >= 0x80 => {
            std::str::from_utf8(cell).is_ok_and(|text| text.trim().len() == text.len())
        }
        _ => true,
    }
}

/// Whether `cell` is a year as the careful reader would write it back: an optional minus
/// and one to four digits, no leading zero, not `-0`.
fn canonical_year(cell: &[u8]) -> bool {
    let digits = cell.strip_prefix(b"-").unwrap_or(cell);
    (1..=4).contains(&digits.len())
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || (digits.len() == 1 && digits.len() == cell.len()))
}

impl Scanned {
    /// Records equal in every column to an earlier one (the value compared as a number, the
    /// other fields as texts, as in the careful reader's frame): how many, and the first
    /// one's line with its twin's. Record `r` is on line `first_line + r`. `None` when a
    /// value that must be compared cannot be read as a number.
    pub fn duplicates(
        &self,
        data: &[u8],
        fields: &Fields,
        first_line: i64,
    ) -> Option<(usize, Option<(i64, i64)>)> {
        let mut sorted = self.hashes.clone();
        sorted.par_sort_unstable();
        let repeated: HashSet<u64> = sorted
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        drop(sorted);
        if repeated.is_empty() {
            return Some((0, None));
        }
        // Only records whose hash repeats can be duplicates; they are compared exactly.
        let wanted: HashSet<usize> = (0..self.hashes.len())
            .filter(|&r| repeated.contains(&self.hashes[r]))
            .collect();
        let mut first_of: HashMap<(Vec<u8>, Option<u64>), usize> = HashMap::new();
        let (mut count, mut first) = (0, None);
        let mut scratch = Vec::new();
        for (r, line) in lines(data).enumerate().filter(|(r, _)| wanted.contains(r)) {
            let cells = Cells::of(line, fields)?;
            let (from, to) = cells.value;
            let text = std::str::from_utf8(&line[from..to]).ok()?;
            // `+ 0.0` makes -0 and 0 one value, as Polars' grouping does.
            let value = crate::data::number::parse_value(text).ok()?;
            let (before, after) = cells.around_value(line, fields, &mut scratch);
            let mut rest = before.to_vec();
            rest.extend_from_slice(after);
            let key = (rest, value.map(|v| (v + 0.0).to_bits()));
            match first_of.get(&key) {
                Some(&twin) => {
                    count += 1;
                    first.get_or_insert((first_line + r as i64, first_line + twin as i64));
                }
                None => {
                    first_of.insert(key, r);
                }
            }
        }
        Some((count, first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// year, series, key, value; Polars reads all but the key.
    fn fields() -> Fields {
        Fields {
            count: 4,
            year: 0,
            value: 3,
            series: Some(1),
            read: vec![true, true, false, true],
        }
    }

    fn scan_text(text: &str) -> Option<Scanned> {
        scan(text.as_bytes(), &fields())
    }

    #[test]
    fn plain_records_are_counted_and_hashed_without_their_value() {
        let s = scan_text("2020,a,x,1\n2020,a,x,2.0\r\n2021,a,x,\n2020,a,y,1").unwrap();
        assert_eq!((s.records, s.empty_values), (4, 1));
        assert_eq!(s.hashes[0], s.hashes[1]);
        assert_ne!(s.hashes[0], s.hashes[2]);
        assert_ne!(s.hashes[0], s.hashes[3]);
    }

    #[test]
    fn records_the_careful_reader_would_change_are_refused() {
        for text in [
            "2020,a,x,1\n\n2020,a,y,1\n",
            "2020,a,\"x\",1\n",
            "2020, a,x,1\n",
            "2020,a,x,1\t\n",
            " 2020,a,x,1\n",
            "2020,a,x,1,\n",
            "2020,a,1\n",
            "2020,,x,1\n",
            "02020,a,x,1\n",
            "+2020,a,x,1\n",
            "-0,a,x,1\n",
            "20200,a,x,1\n",
            ",a,x,1\n",
            "2020,a,x\r,1\n",
            "2020,a\u{a0},x,1\n",
            "2020,a,\u{3000}x,1\n",
        ] {
            assert!(scan_text(text).is_none(), "{text:?}");
        }
        assert!(scan_text("-450,a,x,1\n0,a,x,2\n9999,a,x,\n").is_some());
        // Text outside ASCII is fine where nothing is trimmed.
        assert!(scan_text("2020,Curaçao,x\u{a0}y,1\n2020,é,ü,2\n").is_some());
    }

    #[test]
    fn spaces_around_a_cell_polars_does_not_read_are_left_out_as_the_careful_reader_does() {
        let text = "2020,a,x,1\n2020,a,  x\t,2\n2020,a,x y,3\n2020,a, x y ,3\n2020,a,x,1\n";
        let s = scan_text(text).unwrap();
        assert_eq!(s.hashes[0], s.hashes[1]);
        assert_eq!(s.hashes[2], s.hashes[3]);
        assert_ne!(s.hashes[0], s.hashes[2]);
        // Lines from 2: 5 is 3 (x y, 3) again and 6 is 2 (x, 1) again.
        assert_eq!(
            s.duplicates(text.as_bytes(), &fields(), 2),
            Some((2, Some((5, 4))))
        );
    }

    #[test]
    fn pieces_end_at_line_feeds() {
        let text = b"ab\ncd\nef";
        assert_eq!(split_at_lines(text, 1), [&b"ab\n"[..], b"cd\n", b"ef"]);
        assert_eq!(split_at_lines(text, 100), [&text[..]]);
        assert!(split_at_lines(b"", 4).is_empty());
    }

    #[test]
    fn blocks_hold_so_many_records() {
        let text = b"a\nb\nc\nd\ne";
        assert_eq!(blocks(text, 2), [&b"a\nb\n"[..], b"c\nd\n", b"e"]);
        assert_eq!(blocks(b"a\nb\n", 2), [&b"a\nb\n"[..]]);
        assert_eq!(blocks(b"a\nb\n", 5), [&b"a\nb\n"[..]]);
        assert!(blocks(b"", 5).is_empty());
    }

    #[test]
    fn duplicates_compare_values_as_numbers_and_the_rest_as_text() {
        let text =
            "2020,a,x,1\n2020,a,x,1.0\n2020,a,x,2\n2020,a,y,1\n2020,a,x,\n2020,a,x,\n2020,a,x,2\n";
        let s = scan_text(text).unwrap();
        // Lines from 2: 2 and 3 are equal (1 = 1.0), 6 and 7 (empty), 4 and 8 (2).
        assert_eq!(
            s.duplicates(text.as_bytes(), &fields(), 2),
            Some((3, Some((3, 2))))
        );
        let none = scan_text("2020,a,x,1\n2020,a,x,2\n").unwrap();
        assert_eq!(
            none.duplicates(b"2020,a,x,1\n2020,a,x,2\n", &fields(), 2),
            Some((0, None))
        );
    }

    #[test]
    fn many_pieces_give_the_records_in_file_order() {
        let line = |n: usize| format!("{},s{},k{},{n}\n", 2000 + n % 20, n % 7, n / 20);
        let mut text: String = (0..300_000).map(line).collect();
        assert!(text.len() > PIECE, "two pieces at least");
        // A copy of record 260,273 (line 260,275), its value not a number: no answer.
        let copy = line(260_273);
        let odd = format!("{text}{}", copy.replace(",260273", ",x"));
        let s = scan_text(&odd).unwrap();
        assert_eq!(s.records, 300_001);
        assert_eq!(s.duplicates(odd.as_bytes(), &fields(), 2), None);
        text.push_str(&copy);
        let s = scan_text(&text).unwrap();
        assert_eq!(
            s.duplicates(text.as_bytes(), &fields(), 2),
            Some((1, Some((300_002, 260_275))))
        );
    }
}
