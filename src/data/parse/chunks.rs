//! Cutting a large panel file into pieces that each hold whole groups.

use super::buckets::Bucket;
use super::plan::{plan, Shape};
use super::Layout;
use crate::data::front::ReadOptions;
use anyhow::Result;

/// A large panel file cut into pieces that each hold whole groups, in group order: the
/// header line, and the pieces' lines.
pub struct Chunks<'a> {
    pub header: &'a [u8],
    pub bodies: Vec<Body<'a>>,
}

/// The lines of a piece.
pub enum Body<'a> {
    /// A range of the file's body (ending after a newline): a file sorted by its groups.
    Lines(&'a [u8]),
    /// Lines gathered from a file that is not (see [`super::buckets`]).
    Gathered(Bucket),
}

impl Body<'_> {
    /// The piece's size in bytes.
    pub fn size(&self) -> usize {
        match self {
            Body::Lines(lines) => lines.len(),
            Body::Gathered(bucket) => bucket.size(),
        }
    }

    /// Whether the piece was gathered from an unsorted file.
    pub fn is_gathered(&self) -> bool {
        matches!(self, Body::Gathered(_))
    }

    /// The piece as a file of its own: `header`, then its lines in group order.
    pub fn with_header(&self, header: &[u8]) -> Vec<u8> {
        match self {
            Body::Lines(lines) => [header, lines].concat(),
            Body::Gathered(bucket) => bucket.text(header),
        }
    }
}

/// Lines looked at in each piece by [`in_group_order`].
const CHECKED_LINES: usize = 16;

/// Whether the pieces `bodies` look like those of a file sorted by its groups: along the
/// first line, [`CHECKED_LINES`] lines spread over each piece and its last line, the groups
/// never decrease, and they increase from one piece to the next. A file whose rows are in
/// another order fails this at once (and the writer checks every piece's groups anyway).
fn in_group_order(bodies: &[&[u8]], groups: &[usize]) -> bool {
    let mut previous: Option<Vec<&[u8]>> = None;
    for body in bodies {
        let lines = spread_lines(body, CHECKED_LINES);
        for (i, line) in lines.iter().enumerate() {
            let key = group_fields(line.strip_suffix(b"\r").unwrap_or(line), groups);
            if let Some(before) = &previous {
                if key < *before || (i == 0 && key == *before) {
                    return false;
                }
            }
            previous = Some(key);
        }
    }
    true
}

/// The first line of `body`, up to `count` lines starting at evenly spaced bytes, and its
/// last line, in order (without their line feeds).
fn spread_lines(body: &[u8], count: usize) -> Vec<&[u8]> {
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let line_at = |start: usize| {
        let end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |i| start + i);
        (start, &body[start..end])
    };
    let mut lines = vec![line_at(0)];
    for k in 1..=count {
        let at = k * body.len() / (count + 1);
        if let Some(i) = memchr::memchr(b'\n', &body[at..]) {
            lines.push(line_at(at + i + 1));
        }
    }
    let last = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
    lines.push(line_at(last));
    lines.sort_by_key(|(start, _)| *start);
    lines.dedup_by_key(|(start, _)| *start);
    lines.into_iter().map(|(_, line)| line).collect()
}

/// The fields of `line` at the positions `groups`.
fn group_fields<'a>(line: &'a [u8], groups: &[usize]) -> Vec<&'a [u8]> {
    let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
    groups
        .iter()
        .map(|&g| fields.get(g).copied().unwrap_or(b""))
        .collect()
}

/// Cuts `bytes` into pieces of about `target` bytes at lines where the group columns change,
/// so that no group is split. `None` when the file cannot be cut safely: no group columns,
/// quotes anywhere (a quoted field may hold a delimiter or a newline), or one piece only.
/// A file whose rows are not in group order is cut by group range instead
/// ([`super::buckets`]). The pieces are not validated here; the loader checks each, and the
/// caller checks that their groups come in increasing order.
pub fn chunks<'a>(
    bytes: &'a [u8],
    name: &str,
    layout: Layout,
    by: &[String],
    target: usize,
) -> Result<Option<Chunks<'a>>> {
    // The front end's decoding (a BOM dropped); pieces are cut only from UTF-8, which is
    // borrowed as it is.
    let bytes = match crate::data::decode::decode(bytes, name, &Default::default()) {
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
    let body = &bytes[header_end..];
    let bodies = cut_between_groups(body, &plan.groups, target);
    if bodies.len() < 2 {
        return Ok(None);
    }
    let header = &bytes[..header_end];
    if in_group_order(&bodies, &plan.groups) {
        let bodies = bodies.into_iter().map(Body::Lines).collect();
        return Ok(Some(Chunks { header, bodies }));
    }
    // Not in group order: pieces of whole groups gathered by group range, if the file has
    // a year column to order each group's lines by.
    if !matches!(plan.shape, Shape::Wide(_) | Shape::Long { .. }) {
        return Ok(None);
    }
    Ok(
        super::buckets::buckets(body, &plan.groups, plan.year, target).map(|buckets| Chunks {
            header,
            bodies: buckets.into_iter().map(Body::Gathered).collect(),
        }),
    )
}

/// `body` cut into pieces of about `target` bytes, each ending after the line that holds
/// its last byte or, when the next lines continue that line's group, after them.
fn cut_between_groups<'a>(body: &'a [u8], groups: &[usize], target: usize) -> Vec<&'a [u8]> {
    let line_end =
        |from: usize| memchr::memchr(b'\n', &body[from..]).map_or(body.len(), |i| from + i + 1);
    let key = |line: &'a [u8]| group_fields(line.strip_suffix(b"\n").unwrap_or(line), groups);
    let mut bodies = Vec::new();
    let mut start = 0;
    while start < body.len() {
        if body.len() - start <= target {
            bodies.push(&body[start..]);
            break;
        }
        let mut line_start = match memchr::memrchr(b'\n', &body[..start + target]) {
            Some(i) if i + 1 > start => i + 1,
            _ => start,
        };
        let mut cut = line_end(line_start);
        while cut < body.len() {
            let next_end = line_end(cut);
            if key(&body[line_start..cut]) != key(&body[cut..next_end]) {
                break;
            }
            line_start = cut;
            cut = next_end;
        }
        bodies.push(&body[start..cut]);
        start = cut;
    }
    bodies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_pieces_are_in_group_order_and_shuffled_ones_are_not() {
        let lines = |range: std::ops::Range<usize>| -> String {
            range.map(|r| format!("r{r:03},2000,1\r\n")).collect()
        };
        let (a, b) = (lines(0..50), lines(50..100));
        assert!(in_group_order(&[a.as_bytes(), b.as_bytes()], &[0]));
        // The first lines increase, but a piece is not sorted inside (a sample of its lines
        // sees that; one line out of place may go unseen until the writer checks).
        let mut mixed: Vec<String> = (0..50).map(|r| format!("r{r:03},2000,1\n")).collect();
        mixed[1..].reverse();
        let mixed = mixed.concat();
        assert!(!in_group_order(&[mixed.as_bytes(), b.as_bytes()], &[0]));
        // A group in two pieces.
        let c = lines(49..100);
        assert!(!in_group_order(&[a.as_bytes(), c.as_bytes()], &[0]));
        // The last line of a piece after the next piece's first.
        let d = format!("{a}r070,2000,1\n");
        assert!(!in_group_order(&[d.as_bytes(), b.as_bytes()], &[0]));
    }

    #[test]
    fn spread_lines_include_the_first_and_the_last() {
        let body = b"a\nb\nc\nd\ne\n";
        assert_eq!(spread_lines(body, 16), [&b"a"[..], b"b", b"c", b"d", b"e"]);
        assert_eq!(spread_lines(b"only", 4), [&b"only"[..]]);
        assert_eq!(spread_lines(b"x\ny", 0), [&b"x"[..], b"y"]);
    }
}
