//! A large panel file whose rows are not in group order, cut into pieces of whole groups all
//! the same: a sample of the lines gives keys that split the groups into ranges of about a
//! piece each, every line is copied to the piece of its group's range (both cores, one
//! pass), and a piece's lines are put in (group, year) order when the piece is analysed. The
//! pieces then run as those of a sorted file do ([`super::chunks`]), side by side, and come
//! in group order.
//!
//! Home-made on purpose: on the shuffled 10M-row panel, the whole-file path (Polars' reader,
//! Polars' sort of the frame, analysis and writing at once) takes 10.8 s and 2.4 GB; in
//! pieces gathered here, 4.5 s and 0.9 GB, below Polars-Python's 6.5 s and 2.0 GB for the
//! same job (bench/README.md, "Detail data and unsorted panels: where they ended"). The pass
//! takes 0.4 s of it. Copying the lines, rather than noting where they are, keeps a piece's
//! ordering within its own 8 MiB (4.32 → 4.14 s, +70 MB).
//!
//! Nothing here validates: a line that does not parse sorts somewhere, and the piece's
//! loader refuses it, after which the run falls back to the whole file.

use super::records::split_at_lines;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::sync::Arc;

/// Lines sampled per piece to choose the ranges.
const SAMPLES_PER_PIECE: usize = 64;

/// Where a line is and what it sorts by.
#[derive(Clone, Copy)]
struct Entry {
    /// The first group field's first 8 bytes, big-endian, padded with zeros: most
    /// comparisons end here.
    prefix: u64,
    /// The first group field's length (at most 255): with one group column, two keys of at
    /// most 8 bytes sort by prefix, then length.
    key_len: u8,
    /// The year (tradestat's years fit; `i16::MIN` for a year that is not one: the piece's
    /// loader says so).
    year: i16,
    len: u32,
    start: usize,
}

impl Entry {
    /// The entry's place among short keys (see [`Columns::is_short`]) as one integer: the
    /// prefix, the key's length, the year, then `index` (the line's place in its piece, so
    /// that equal keys and years keep the file's order and the index can be read back from
    /// the low 32 bits).
    fn rank(&self, index: usize) -> u128 {
        let year = (i32::from(self.year) - i32::from(i16::MIN)) as u128;
        (u128::from(self.prefix) << 64)
            | (u128::from(self.key_len) << 56)
            | (year << 32)
            | index as u128
    }
}

/// The lines of one piece of an unsorted file, copied out of it in the pass that finds
/// each line's piece, so that ordering them later reads memory close together.
pub struct Bucket {
    columns: Arc<Columns>,
    /// The lines each thread of the pass found, each ending with a line feed.
    segments: Vec<Vec<u8>>,
    /// The piece's bytes, its line feeds included.
    bytes: usize,
}

/// The positions of the group columns and of the year in a line.
struct Columns {
    groups: Vec<usize>,
    year: usize,
}

impl Columns {
    /// The group fields of `line`, in `out`.
    fn key<'l>(&self, line: &'l [u8], out: &mut Vec<&'l [u8]>) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        out.clear();
        for &g in &self.groups {
            out.push(line.split(|&b| b == b',').nth(g).unwrap_or(b""));
        }
    }

    /// Whether `entry`'s key is decided by its prefix and length: one group column, at most
    /// 8 bytes. Such keys sort by prefix, then length, as by their bytes.
    fn is_short(&self, entry: &Entry) -> bool {
        self.groups.len() == 1 && entry.key_len <= 8
    }

    /// Where `line` sorts: its first group field's prefix and its year (`i32::MIN` when
    /// the year is not an integer: the loader says so).
    fn entry(&self, line: &[u8], start: usize) -> Entry {
        let len = line.len() as u32;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut prefix = [0u8; 8];
        let (mut year, mut key_len) = (i16::MIN, 0);
        let last = self.groups[0].max(self.year);
        let ends = memchr::memchr_iter(b',', line).chain(std::iter::once(line.len()));
        let mut from = 0;
        for (i, end) in ends.enumerate() {
            let field = &line[from..end];
            if i == self.groups[0] {
                let n = field.len().min(8);
                prefix[..n].copy_from_slice(&field[..n]);
                key_len = field.len().min(255) as u8;
            }
            if i == self.year {
                year = parse_year(field).unwrap_or(i16::MIN);
            }
            if i == last {
                break;
            }
            from = end + 1;
        }
        Entry {
            prefix: u64::from_be_bytes(prefix),
            key_len,
            year,
            len,
            start,
        }
    }
}

/// A year of at most four digits, with an optional minus.
fn parse_year(field: &[u8]) -> Option<i16> {
    let (negative, digits) = match field.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, field),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0i16, |v, d| v * 10 + i16::from(d - b'0'));
    Some(if negative { -value } else { value })
}

impl Bucket {
    /// The piece's size in bytes.
    pub fn size(&self) -> usize {
        self.bytes
    }

    /// `header`, then the piece's lines in (group, year) order, each ending with a line feed.
    pub fn text(&self, header: &[u8]) -> Vec<u8> {
        let data = self.segments.concat();
        let mut entries = Vec::with_capacity(data.len() / 16);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &data) {
            entries.push(self.columns.entry(&data[start..end], start));
            start = end + 1;
        }
        let line = |e: &Entry| &data[e.start..e.start + e.len as usize];
        let mut text = Vec::with_capacity(header.len() + self.bytes);
        text.extend_from_slice(header);
        // Keys that the prefix and length decide need no look at the lines: one group column
        // of at most 8 bytes, as codes usually are. Their order is that of one integer per
        // line, which sorts without a comparison function (twice as fast on the shuffled
        // panel's pieces).
        if entries.len() <= u32::MAX as usize && entries.iter().all(|e| self.columns.is_short(e)) {
            let mut order: Vec<u128> = entries.iter().enumerate().map(|(i, e)| e.rank(i)).collect();
            order.sort_unstable();
            for rank in order {
                text.extend_from_slice(line(&entries[(rank & u128::from(u32::MAX)) as usize]));
                text.push(b'\n');
            }
            return text;
        }
        let (mut a_key, mut b_key) = (Vec::new(), Vec::new());
        let short = |e: &Entry| self.columns.is_short(e);
        entries.sort_unstable_by(|a, b| {
            a.prefix
                .cmp(&b.prefix)
                .then_with(|| {
                    if short(a) && short(b) {
                        return a.key_len.cmp(&b.key_len);
                    }
                    self.columns.key(line(a), &mut a_key);
                    self.columns.key(line(b), &mut b_key);
                    a_key.cmp(&b_key)
                })
                .then(a.year.cmp(&b.year))
                .then(a.start.cmp(&b.start))
        });
        for e in &entries {
            text.extend_from_slice(line(e));
            text.push(b'\n');
        }
        text
    }
}

/// The lines of `body` (the file after its header) in pieces of about `target` bytes, each
/// holding whole groups, the pieces in increasing group order; `None` when the sample
/// finds fewer than two ranges (one group, or a file smaller than two pieces).
pub(super) fn buckets(
    body: &[u8],
    groups: &[usize],
    year: usize,
    target: usize,
) -> Option<Vec<Bucket>> {
    if groups.is_empty() {
        return None;
    }
    let columns = Arc::new(Columns {
        groups: groups.to_vec(),
        year,
    });
    let pieces = body.len().div_ceil(target.max(1));
    let splitters = Splitters::new(splitters(body, &columns, pieces));
    if splitters.keys.is_empty() {
        return None;
    }
    let parts = split_at_lines(body, body.len() / rayon::current_num_threads().max(1) + 1);
    let per_part: Vec<Vec<Vec<u8>>> = parts
        .par_iter()
        .map(|part| assign(part, &columns, &splitters))
        .collect();
    let mut buckets: Vec<Bucket> = (0..=splitters.keys.len())
        .map(|_| Bucket {
            columns: columns.clone(),
            segments: Vec::new(),
            bytes: 0,
        })
        .collect();
    for part in per_part {
        for (bucket, lines) in buckets.iter_mut().zip(part) {
            bucket.bytes += lines.len();
            bucket.segments.push(lines);
        }
    }
    buckets.retain(|b| b.bytes > 0);
    (buckets.len() >= 2).then_some(buckets)
}

/// The lines of `part`, per range of `splitters`, each ending with a line feed.
fn assign(part: &[u8], columns: &Columns, splitters: &Splitters) -> Vec<Vec<u8>> {
    let buckets = splitters.keys.len() + 1;
    // About as many bytes per range, with a margin: no buffer grows by copying.
    let each = part.len() / buckets * 5 / 4;
    let mut per_bucket: Vec<Vec<u8>> = (0..buckets).map(|_| Vec::with_capacity(each)).collect();
    let mut key = Vec::new();
    let mut start = 0;
    while start < part.len() {
        let end = memchr::memchr(b'\n', &part[start..]).map_or(part.len(), |i| start + i);
        let line = &part[start..end];
        if !line.is_empty() {
            let entry = columns.entry(line, start);
            let bucket = match splitters.short() {
                Some(short) if columns.is_short(&entry) => {
                    short.partition_point(|s| *s < (entry.prefix, entry.key_len))
                }
                _ => {
                    columns.key(line, &mut key);
                    let keys = &splitters.keys;
                    keys.partition_point(|s| compare(s, &key) == Ordering::Less)
                }
            };
            per_bucket[bucket].extend_from_slice(line);
            per_bucket[bucket].push(b'\n');
        }
        start = end + 1;
    }
    per_bucket
}

/// The keys that end the ranges, in increasing order.
struct Splitters {
    keys: Vec<Vec<Vec<u8>>>,
    /// The same as (prefix, length) when every key is one field of at most 8 bytes.
    short: Option<Vec<(u64, u8)>>,
}

impl Splitters {
    fn new(keys: Vec<Vec<Vec<u8>>>) -> Splitters {
        let short = keys
            .iter()
            .map(|k| match k.as_slice() {
                [field] if field.len() <= 8 => {
                    let mut prefix = [0u8; 8];
                    prefix[..field.len()].copy_from_slice(field);
                    Some((u64::from_be_bytes(prefix), field.len() as u8))
                }
                _ => None,
            })
            .collect();
        Splitters { keys, short }
    }

    fn short(&self) -> Option<&[(u64, u8)]> {
        self.short.as_deref()
    }
}

/// A splitter against a line's key, field by field.
fn compare(splitter: &[Vec<u8>], key: &[&[u8]]) -> Ordering {
    splitter.iter().map(Vec::as_slice).cmp(key.iter().copied())
}

/// Up to `pieces - 1` distinct keys that cut a sample of the lines into ranges of about
/// equal size, in increasing order.
fn splitters(body: &[u8], columns: &Columns, pieces: usize) -> Vec<Vec<Vec<u8>>> {
    // At most one sample per 16 bytes and a million in all (a tiny `--piece-bytes`).
    let samples = (pieces * SAMPLES_PER_PIECE)
        .min(body.len() / 16)
        .clamp(1, 1 << 20);
    let pieces = pieces.min(samples);
    let mut keys: Vec<Vec<Vec<u8>>> = Vec::with_capacity(samples);
    let mut key = Vec::new();
    for k in 0..samples {
        let at = (k as u128 * body.len() as u128 / samples as u128) as usize;
        // The line after the one `at` falls in (the first line for `at` = 0).
        let start = match at {
            0 => 0,
            _ => match memchr::memchr(b'\n', &body[at..]) {
                Some(i) => at + i + 1,
                None => continue,
            },
        };
        let end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |i| start + i);
        if start >= end {
            continue;
        }
        columns.key(&body[start..end], &mut key);
        keys.push(key.iter().map(|f| f.to_vec()).collect());
    }
    keys.sort_unstable();
    let mut splitters: Vec<Vec<Vec<u8>>> = (1..pieces)
        .filter_map(|i| keys.get(i * keys.len() / pieces).cloned())
        .collect();
    splitters.dedup();
    splitters
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Region `r{n}` for n in 0..regions, years 2000..2000+years, in a scrambled order.
    fn shuffled(regions: usize, years: usize) -> String {
        let mut lines: Vec<String> = (0..regions * years)
            .map(|i| format!("r{:05},{},{i}.5,1\n", i / years, 2000 + i % years))
            .collect();
        // A fixed scramble: position i takes line (i × 7919) mod n (7919 is prime).
        let n = lines.len();
        let order: Vec<usize> = (0..n).map(|i| i * 7919 % n).collect();
        let mut out = String::new();
        for i in order {
            out.push_str(&std::mem::take(&mut lines[i]));
        }
        out
    }

    #[test]
    fn unsorted_lines_come_out_in_group_and_year_order() {
        let body = shuffled(500, 10);
        let buckets = buckets(body.as_bytes(), &[0], 1, 4096).unwrap();
        assert!(buckets.len() > 10, "{}", buckets.len());
        let mut all = Vec::new();
        for b in &buckets {
            let text = b.text(b"");
            assert_eq!(text.len(), b.size());
            all.extend(text);
        }
        let mut sorted: Vec<&str> = body.lines().collect();
        sorted.sort_by_key(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].parse::<i32>().unwrap())
        });
        assert_eq!(String::from_utf8(all).unwrap(), sorted.join("\n") + "\n");
    }

    #[test]
    fn a_group_stays_in_one_piece_and_keys_longer_than_the_prefix_sort_in_full() {
        // Keys share their first 8 bytes; the second group column and the year decide.
        let mut body = String::new();
        for i in 0..3000 {
            let (a, b, year) = (i % 7, i % 5, 2000 + i / 35);
            body.push_str(&format!("1,region-long-{a},k{b},{year}\n"));
        }
        let buckets = buckets(body.as_bytes(), &[1, 2], 3, 2000).unwrap();
        let mut seen: Vec<(String, String, i32)> = Vec::new();
        for b in &buckets {
            for line in String::from_utf8(b.text(b"h\n")).unwrap().lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                seen.push((f[1].into(), f[2].into(), f[3].parse().unwrap()));
            }
        }
        let mut expected = seen.clone();
        expected.sort();
        assert_eq!(seen, expected);
        assert_eq!(seen.len(), 3000);
    }

    #[test]
    fn short_keys_sort_by_bytes_then_length() {
        let keys = [
            "b",
            "a",
            "ab",
            "a0",
            "abcdefgh",
            "abcdefg",
            "abcdefghi",
            "abcdefgha",
            "B",
        ];
        let mut body = String::new();
        for round in 0..40 {
            for k in keys {
                body.push_str(&format!("{k},{}\n", 2000 + round));
            }
        }
        let buckets = buckets(body.as_bytes(), &[0], 1, 256).unwrap();
        let seen: Vec<String> = buckets
            .iter()
            .flat_map(|b| {
                let text = String::from_utf8(b.text(b"")).unwrap();
                text.lines().map(str::to_string).collect::<Vec<_>>()
            })
            .collect();
        let mut expected: Vec<String> = body.lines().map(str::to_string).collect();
        expected.sort_by(|x, y| {
            let (a, b) = (x.split_once(',').unwrap(), y.split_once(',').unwrap());
            a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(b.1))
        });
        assert_eq!(seen, expected);
    }

    #[test]
    fn crlf_lines_sort_by_their_year_and_keep_their_bytes() {
        let body: String = (0..400)
            .map(|i| format!("r{:03},{}\r\n", (i * 37) % 100, 2003 - i / 100))
            .collect();
        let buckets = buckets(body.as_bytes(), &[0], 1, 512).unwrap();
        let all: Vec<u8> = buckets.iter().flat_map(|b| b.text(b"")).collect();
        let mut expected: Vec<&str> = body.split_inclusive('\n').collect();
        expected.sort();
        assert_eq!(String::from_utf8(all).unwrap(), expected.concat());
    }

    #[test]
    fn a_tiny_piece_size_asks_for_a_bounded_sample() {
        let body: String = (0..2000)
            .map(|i| format!("r{:04},2000\n", 1999 - i))
            .collect();
        let buckets = buckets(body.as_bytes(), &[0], 1, 1).unwrap();
        assert!(buckets.len() <= body.len() / 16, "{}", buckets.len());
    }

    #[test]
    fn years_are_read_from_their_digits() {
        assert_eq!(parse_year(b"2019"), Some(2019));
        assert_eq!(parse_year(b"-450"), Some(-450));
        assert_eq!(parse_year(b"0"), Some(0));
        for bad in [&b""[..], b"-", b"20190", b"2019.0", b"x", b"+2019"] {
            assert_eq!(parse_year(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn one_group_or_a_small_file_is_not_cut() {
        assert!(buckets(b"a,2001,1\na,2000,2\n", &[0], 1, 4096).is_none());
        let one: String = (0..500).map(|y| format!("a,{},1\n", 1500 + y)).collect();
        assert!(buckets(one.as_bytes(), &[0], 1, 100).is_none());
        assert!(buckets(one.as_bytes(), &[], 1, 100).is_none());
    }
}
