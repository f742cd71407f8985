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

/// Whether the first lines of the pieces `bodies` have increasing groups, as the pieces of
/// a file sorted by its groups have. A file whose rows are in another order fails this at
/// once (the writer checks every piece's groups anyway).
fn start_in_group_order(bodies: &[&[u8]], groups: &[usize]) -> bool {
    let firsts: Vec<Vec<&[u8]>> = bodies
        .iter()
        .map(|body| {
            let line = body.split(|&b| b == b'\n').next().unwrap_or(b"");
            group_fields(line.strip_suffix(b"\r").unwrap_or(line), groups)
        })
        .collect();
    firsts.windows(2).all(|w| w[0] < w[1])
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
    let group_fields = |line: &'a [u8]| group_fields(line, &plan.groups);
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
    let header = &bytes[..header_end];
    if start_in_group_order(&bodies, &plan.groups) {
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
