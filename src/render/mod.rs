//! Output formats. Each format is one module behind the [`Renderer`] trait, which turns a
//! neutral [`Output`] into bytes; [`emit`] is the one place that writes them (to stdout or,
//! atomically, to a file).

mod delimited;
mod json;
mod latex;
pub mod markdown;
mod parquet;
mod table;
mod write;
mod xlsx;

pub use write::{emit, write_atomic, write_atomic_with, Target};

use crate::output::{Cell, Kind, Output, Value};
use anyhow::Result;

/// A concrete output format (after `auto` has been resolved). The command line's `--format`
/// takes these and `auto` ([`crate::config::Config::new`] resolves it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
    Ndjson,
    Markdown,
    Latex,
    // A binary workbook: needs `--output`. (Not a doc comment: clap would show it as the
    // value's help in `--help`.)
    Xlsx,
    // A Parquet file of the primary table: needs `--output`.
    Parquet,
}

impl Format {
    /// Formats for people show every table, rounded, with notes inline; the others are for
    /// programs: full precision, and notes go to stderr (JSON carries them in its metadata).
    pub fn is_human(self) -> bool {
        matches!(self, Format::Table | Format::Markdown | Format::Latex)
    }

    /// Formats that cannot go to a terminal or a pipe.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx | Format::Parquet)
    }

    /// Output file extensions and the formats they name (`--output report.json`).
    const BY_EXTENSION: [(&'static str, Format); 13] = [
        ("csv", Format::Csv),
        ("tsv", Format::Tsv),
        ("tab", Format::Tsv),
        ("json", Format::Json),
        ("ndjson", Format::Ndjson),
        ("jsonl", Format::Ndjson),
        ("md", Format::Markdown),
        ("markdown", Format::Markdown),
        ("tex", Format::Latex),
        ("latex", Format::Latex),
        ("xlsx", Format::Xlsx),
        ("parquet", Format::Parquet),
        ("txt", Format::Table),
    ];

    /// The extensions [`Format::from_extension`] knows, for messages.
    pub fn extensions() -> Vec<&'static str> {
        Self::BY_EXTENSION.iter().map(|(ext, _)| *ext).collect()
    }

    /// The format an output file's extension names (case-insensitive), if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Self::BY_EXTENSION
            .iter()
            .find(|(known, _)| *known == ext)
            .map(|(_, format)| *format)
    }
}

/// Turns a result into the bytes of one format.
pub trait Renderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>>;

    /// Writes the rendering to `out`; formats with many rows stream them instead of
    /// building the whole text first.
    fn render_to(&self, output: &Output, out: &mut dyn std::io::Write) -> Result<()> {
        out.write_all(&self.render(output)?)?;
        Ok(())
    }

    /// The rendering in blocks to be written one after the other (no copy into one buffer).
    fn render_blocks(&self, output: &Output) -> Result<Vec<Vec<u8>>> {
        Ok(vec![self.render(output)?])
    }
}

/// The renderer for `format`; `precision` is the number of decimals people see.
pub fn renderer(format: Format, precision: usize) -> Box<dyn Renderer> {
    match format {
        Format::Table => Box::new(table::TableRenderer { precision }),
        Format::Markdown => Box::new(markdown::MarkdownRenderer { precision }),
        Format::Csv => Box::new(delimited::DelimitedRenderer {
            delimiter: b',',
            header: true,
        }),
        Format::Tsv => Box::new(delimited::DelimitedRenderer {
            delimiter: b'\t',
            header: true,
        }),
        Format::Json => Box::new(json::JsonRenderer),
        Format::Ndjson => Box::new(json::NdjsonRenderer),
        Format::Latex => Box::new(latex::LatexRenderer { precision }),
        Format::Xlsx => Box::new(xlsx::XlsxRenderer),
        Format::Parquet => Box::new(parquet::ParquetRenderer),
    }
}

/// For the formats that can be written piece by piece (CSV, TSV, NDJSON: rows of the primary
/// table and nothing else), the renderer of one piece; `first` writes the header.
pub fn piece_renderer(format: Format, first: bool) -> Option<Box<dyn Renderer>> {
    let delimited = |delimiter| {
        Box::new(delimited::DelimitedRenderer {
            delimiter,
            header: first,
        }) as Box<dyn Renderer>
    };
    match format {
        Format::Csv => Some(delimited(b',')),
        Format::Tsv => Some(delimited(b'\t')),
        Format::Ndjson => Some(Box::new(json::NdjsonRenderer)),
        _ => None,
    }
}

/// What a person sees for a missing value.
pub const NULL_HUMAN: &str = "–";

/// A cell for people: rounded to `precision` decimals, percentages multiplied by 100,
/// quantities digit-grouped (`315,400.00`); years are left alone.
pub fn human_cell(value: &Value, kind: Kind, precision: usize) -> String {
    match value {
        Value::Null => NULL_HUMAN.to_string(),
        Value::Text(s) => s.clone(),
        Value::Bool(b) => (if *b { "yes" } else { "no" }).to_string(),
        Value::Int(i) => match kind {
            Kind::Number => group_digits(&i.to_string()),
            _ => i.to_string(),
        },
        Value::Float(x) => match kind {
            Kind::Percent => fixed(x * 100.0, precision),
            Kind::Number => group_digits(&fixed(*x, precision)),
            _ => fixed(*x, precision),
        },
    }
}

/// A value for programs: integers as is, floats as the shortest text that reads back to the
/// same f64 (full precision), nulls as the empty string.
#[cfg(test)]
pub fn machine_cell(value: &Value) -> String {
    let mut out = Vec::new();
    push_machine(Cell::from(value), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends the text of `cell` for programs (see [`machine_cell`]) to `out`.
pub fn push_machine(cell: Cell<'_>, out: &mut Vec<u8>) {
    match cell {
        Cell::Null => {}
        Cell::Text(s) => out.extend_from_slice(s.as_bytes()),
        Cell::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Cell::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
        Cell::Float(x) => push_float(x, out),
    }
}

/// The shortest digits that read back as `x`, in plain notation, never `-0` (`0.1`, `24`,
/// `0.0000001`), as Rust's `{}` prints `x + 0.0` but several times faster. zmij finds the
/// shortest round-trip digits; its notation differs (`24.0`, `1e-7`), so integers lose the
/// `.0` and the rare exponent falls back to `{}`. One difference remains: when two shortest
/// candidates are exactly as close to `x` (e.g. 890236549097760.25, between …760.2 and
/// …760.3), zmij picks the even last digit and `{}` the odd; about 1 in 4,000 random bit
/// patterns, all of them numbers whose 16th or 17th significant digit is in play.
fn push_float(x: f64, out: &mut Vec<u8>) {
    use std::io::Write;
    // `+ 0.0` turns -0 into 0 so that output does not depend on the sign of a zero.
    let x = x + 0.0;
    let mut buffer = zmij::Buffer::new();
    let text = if x.is_finite() {
        buffer.format_finite(x)
    } else {
        "e"
    };
    // An exponent ("e-7", "e+16", at most "e-324") sits in the last five bytes.
    if text.bytes().rev().take(5).any(|b| b == b'e') {
        let _ = write!(out, "{x}");
    } else {
        out.extend_from_slice(text.strip_suffix(".0").unwrap_or(text).as_bytes());
    }
}

fn fixed(x: f64, precision: usize) -> String {
    let s = format!("{x:.precision$}");
    // "-0.00" reads as a negative value that is not there.
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Inserts thousands separators into the integer part of a formatted number.
fn group_digits(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut grouped = String::with_capacity(s.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

/// The columns people see, with their positions in the rows.
pub fn human_columns(table: &crate::output::Table) -> Vec<(usize, &crate::output::Column)> {
    table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.human)
        .collect()
}

/// What people read under a table: warnings first, then the source's notes and the
/// result's, each with its heading.
fn human_notes(output: &Output) -> Vec<(&'static str, Vec<String>)> {
    let notes: Vec<String> = output
        .meta
        .source
        .notes
        .iter()
        .cloned()
        .chain(output.meta.notes.iter().map(|n| n.text()))
        .collect();
    [
        (
            "Warnings",
            output.meta.warnings.iter().map(|n| n.text()).collect(),
        ),
        ("Notes", notes),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .collect()
}

#[cfg(test)]
mod format_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_cells_round_and_group() {
        assert_eq!(
            human_cell(&Value::Float(315400.0), Kind::Number, 2),
            "315,400.00"
        );
        assert_eq!(
            human_cell(&Value::Float(0.24074), Kind::Percent, 2),
            "24.07"
        );
        assert_eq!(human_cell(&Value::Float(-0.0001), Kind::Points, 2), "0.00");
        assert_eq!(
            human_cell(&Value::Float(-1234.5), Kind::Number, 1),
            "-1,234.5"
        );
        assert_eq!(human_cell(&Value::Int(2019), Kind::Integer, 2), "2019");
        assert_eq!(human_cell(&Value::Null, Kind::Number, 2), "–");
    }

    #[test]
    fn machine_cells_keep_full_precision() {
        assert_eq!(
            machine_cell(&Value::Float(0.1 + 0.2)),
            "0.30000000000000004"
        );
        assert_eq!(machine_cell(&Value::Float(-0.0)), "0");
        assert_eq!(machine_cell(&Value::Float(24.0)), "24");
        assert_eq!(machine_cell(&Value::Null), "");
        assert_eq!(machine_cell(&Value::Float(1e-7)), "0.0000001");
        assert_eq!(machine_cell(&Value::Float(-2.5e16)), "-25000000000000000");
        assert_eq!(machine_cell(&Value::Float(123456.0)), "123456");
        assert_eq!(machine_cell(&Value::Int(-42)), "-42");
    }

    #[test]
    fn exact_ties_take_the_even_digit() {
        let x = f64::from_bits(14042529639281922692);
        assert_eq!(format!("{x}"), "-150300024002708.13");
        assert_eq!(machine_cell(&Value::Float(x)), "-150300024002708.12");
        assert_eq!(
            machine_cell(&Value::Float(890_236_549_097_760.0 + 0.25)),
            "890236549097760.2"
        );
    }

    proptest::proptest! {
        /// Over every kind of f64: the text reads back as the same number, in plain notation
        /// with as many digits as Rust's `{}` (so also shortest), and is `{}`'s text except
        /// in an exact tie of the last digit.
        #[test]
        fn floats_print_shortest_round_trip(bits in proptest::num::u64::ANY, small in -1e6f64..1e6) {
            for x in [f64::from_bits(bits), small, small / 1e9, (small * 1e4).round()] {
                if x.is_finite() {
                    let ours = machine_cell(&Value::Float(x));
                    let display = format!("{}", x + 0.0);
                    proptest::prop_assert_eq!(ours.parse::<f64>().ok(), Some(x + 0.0), "{}", ours);
                    proptest::prop_assert!(!ours.contains('e'), "{}", ours);
                    proptest::prop_assert_eq!(ours.len(), display.len(), "{} vs {}", ours, display);
                    let differ = ours.bytes().zip(display.bytes()).filter(|(a, b)| a != b).count();
                    proptest::prop_assert!(differ <= 1, "{} vs {}", ours, display);
                }
            }
        }
    }

    #[test]
    fn formats_from_extensions() {
        use std::path::Path;
        assert_eq!(
            Format::from_extension(Path::new("a/b.JSON")),
            Some(Format::Json)
        );
        assert_eq!(
            Format::from_extension(Path::new("b.jsonl")),
            Some(Format::Ndjson)
        );
        assert_eq!(Format::from_extension(Path::new("b")), None);
    }
}
