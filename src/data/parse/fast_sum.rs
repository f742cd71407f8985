//! The fast path for detail data summed (`--sum-by`): a plainly well-formed file is read by
//! Polars' CSV reader into the very frame the careful reader ([`super::rows`]) builds (every
//! key column as text, the series, the year, the value, no unit, each record's line), which
//! is then checked and summed by the same code ([`super::sum`]).
//!
//! It returns a frame only when that frame is provably the careful reader's: no quote, no
//! blank line (so a record's line is the header's plus its position), no space or tab, no
//! carriage return but before a line feed, as many fields in every record as in the header,
//! every year in range, every value finite or empty and no empty series name. Anything else returns
//! `None`, and the careful reader reads the file and names what is wrong with it.

use super::keyed::{Keyed, SeriesFrom, UnitFrom, Values};
use super::plan::{ColumnsIn, Shape};
use super::rows::Rows;
use super::LINE;
use crate::data::number::YEARS;
use crate::schema::{SERIES, UNIT, VALUE, YEAR};
use polars::prelude::*;
use std::io::Cursor;

/// Where a summed file's series name is.
enum SeriesIn<'p> {
    Column(usize),
    Fixed(&'p str),
}

/// The careful reader's frame of a summed file (see [`ColumnsIn::read_rows`]), or `None`
/// when the careful reader must decide. `bytes` start at the header, on `header_line`.
pub(super) fn read(bytes: &[u8], plan: &ColumnsIn, header_line: u64) -> Option<Rows> {
    // Polars' reader is not ours to fix: should it panic on some input, the careful reader
    // reads the file instead.
    crate::panic::contained(|| attempt(bytes, plan, header_line))
        .and_then(|r| r.ok())
        .flatten()
}

/// Name of input column `i` in the raw frame (header texts may repeat).
fn raw(i: usize) -> PlSmallStr {
    format!("c{i}").into()
}

/// The series and the value column of a plan the fast path knows: a long file with a
/// series column or one series named after the value column, and no unit column.
fn series_and_value<'p>(plan: &'p ColumnsIn) -> Option<(SeriesIn<'p>, usize)> {
    match &plan.shape {
        Shape::Long {
            series,
            value,
            unit: None,
        } => Some((SeriesIn::Column(*series), *value)),
        Shape::Keyed(Keyed {
            values: Values::Long(value),
            series: SeriesFrom::Fixed(name),
            unit: UnitFrom::None,
        }) => Some((SeriesIn::Fixed(name), *value)),
        _ => None,
    }
}

fn attempt(bytes: &[u8], plan: &ColumnsIn, header_line: u64) -> PolarsResult<Option<Rows>> {
    let Some((series, value)) = series_and_value(plan) else {
        return Ok(None);
    };
    let data_start = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
    let Some(delimiters) = plain_records(&bytes[data_start..]) else {
        return Ok(None);
    };
    let df = read_typed(bytes, plan, value)?;
    crate::progress::mark("fast sum: polars csv read");
    // Polars rejects a record with too many fields; with as many delimiters as the header's
    // per record, none has too few either.
    let height = df.height();
    if height == 0 || delimiters != height * (plan.header.len() - 1) {
        return Ok(None);
    }
    if !is_clean(&df, plan, value, &series)? {
        return Ok(None);
    }
    let frame = careful_frame(df, plan, value, &series, header_line)?;
    crate::progress::mark("fast sum: checked, frame built");
    Ok(Some(Rows {
        frame,
        notes: Vec::new(),
        footer_lines: 0,
        series_flags: Default::default(),
    }))
}

/// The number of delimiters in `data` (the records after the header) when it has no quote
/// (a quoted field may hide a delimiter or a line break), no blank line (it would shift the
/// lines of the records after it), no carriage return but before a line feed (the careful
/// reader ends a record there) and no space or tab (the careful reader trims cells);
/// otherwise `None`.
fn plain_records(data: &[u8]) -> Option<usize> {
    let (mut delimiters, mut odd, mut returns) = (0, 0, 0);
    for chunk in data.chunks(1 << 16) {
        delimiters += chunk.iter().filter(|&&b| b == b',').count();
        returns += chunk.iter().filter(|&&b| b == b'\r').count();
        odd += chunk
            .iter()
            .filter(|&&b| matches!(b, b'"' | b' ' | b'\t' | 0x0b | 0x0c))
            .count();
    }
    let crlf = || memchr::memmem::find_iter(data, b"\r\n").count();
    let blank = data.starts_with(b"\n")
        || data.starts_with(b"\r\n")
        || memchr::memmem::find(data, b"\n\n").is_some()
        || memchr::memmem::find(data, b"\n\r\n").is_some();
    let plain = odd == 0 && !blank && (returns == 0 || returns == crlf());
    plain.then_some(delimiters)
}

/// The file read by Polars: the year `i64`, the value `f64`, every other column text.
fn read_typed(bytes: &[u8], plan: &ColumnsIn, value: usize) -> PolarsResult<DataFrame> {
    let schema: Schema = (0..plan.header.len())
        .map(|i| {
            let dtype = if i == plan.year {
                DataType::Int64
            } else if i == value {
                DataType::Float64
            } else {
                DataType::String
            };
            Field::new(raw(i), dtype)
        })
        .collect();
    CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
}

/// Whether the careful reader would take every record as it is: every year present and in
/// range, every value empty or finite, no empty series name.
fn is_clean(
    df: &DataFrame,
    plan: &ColumnsIn,
    value: usize,
    series: &SeriesIn,
) -> PolarsResult<bool> {
    let (year, value) = (col(raw(plan.year)), col(raw(value)));
    let mut bad = year.clone().null_count().gt(lit(0)).or(value
        .clone()
        .is_not_null()
        .and(value.abs().lt(lit(f64::INFINITY)).not())
        .any(true));
    if let SeriesIn::Column(c) = series {
        bad = bad.or(col(raw(*c)).null_count().gt(lit(0)));
    }
    let checks = df
        .clone()
        .lazy()
        .select([
            bad.alias("bad"),
            year.clone().min().alias("min"),
            year.max().alias("max"),
        ])
        .collect()?;
    if checks.column("bad")?.bool()?.get(0) != Some(false) {
        return Ok(false);
    }
    let in_range =
        |y: Option<i64>| y.is_some_and(|y| YEARS.contains(&(y as i32)) && y == (y as i32) as i64);
    let (min, max) = (checks.column("min")?.i64()?, checks.column("max")?.i64()?);
    Ok(in_range(min.get(0)) && in_range(max.get(0)))
}

/// The careful reader's frame: the key columns under their names (an empty cell is empty
/// text), the series, the year (`i32`), the value, no unit, and each record's line.
fn careful_frame(
    df: DataFrame,
    plan: &ColumnsIn,
    value: usize,
    series: &SeriesIn,
    header_line: u64,
) -> PolarsResult<DataFrame> {
    let height = df.height();
    let mut columns: Vec<Expr> = plan
        .groups
        .iter()
        .map(|&g| {
            col(raw(g))
                .fill_null(lit(""))
                .alias(plan.header[g].as_str())
        })
        .collect();
    columns.push(match series {
        SeriesIn::Column(c) => col(raw(*c)).alias(SERIES),
        SeriesIn::Fixed(name) => lit(name.to_string()).alias(SERIES),
    });
    columns.push(col(raw(plan.year)).cast(DataType::Int32).alias(YEAR));
    columns.push(col(raw(value)).alias(VALUE));
    columns.push(lit(NULL).cast(DataType::String).alias(UNIT));
    let first = header_line as i64 + 1;
    let lines = Int64Chunked::from_vec(LINE.into(), (first..first + height as i64).collect());
    let mut frame = df.lazy().select(columns).collect()?;
    frame.with_column(lines.into_column())?;
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Parsed, Readers, FAST_READER_MIN};
    use crate::data::ReadOptions;

    use crate::data::aggregate::tests::{options, BACI};

    /// Asserts that two reads gave the same: frame, groups, units, notes, sums, what was found.
    fn assert_same(a: &Parsed, b: &Parsed) {
        assert!(
            a.frame.equals_missing(&b.frame),
            "{:?}\n{:?}",
            a.frame,
            b.frame
        );
        assert_eq!(a.groups, b.groups);
        assert_eq!(a.catalog, b.catalog);
        assert_eq!(a.notes, b.notes);
        assert_eq!(a.summed, b.summed);
        let found = |p: &Parsed| serde_json::to_string(&p.found).unwrap();
        assert_eq!(found(a), found(b));
    }

    /// Reads `text` with `readers` and with the careful reader alone and asserts the same
    /// result or the same error; whether the fast path read it (`Readers::Fast`).
    fn same_as_careful(text: &str, options: &ReadOptions, readers: Readers) -> bool {
        let other = parse(text.as_bytes(), "d.csv", options, readers);
        let careful = parse(text.as_bytes(), "d.csv", options, Readers::Careful);
        match (other, careful) {
            (Ok(o), Ok(c)) => assert_same(&o, &c),
            (Err(o), _) if o.to_string() == "the fast path declined the file" => return false,
            (Err(o), Err(c)) => assert_eq!(format!("{o:#}"), format!("{c:#}")),
            (o, c) => panic!("{text}: {:?} vs careful {:?}", o.err(), c.err()),
        }
        true
    }

    /// The small detail file with 3,000 records of other exporters after it (product codes
    /// with leading zeros, empty quantities, another duplicate), over [`FAST_READER_MIN`].
    fn large() -> String {
        let mut text = BACI.to_string();
        for n in 0..3000 {
            let (year, exporter, product) = (2020 + n % 3, 1000 + n % 40, 10121 + (n % 7) * 10);
            let q = if n % 10 == 0 {
                String::new()
            } else {
                format!("{}.5", n % 9)
            };
            text.push_str(&format!(
                "{year},{exporter},{},{product:06},{n}.25,{q}\n",
                n % 5
            ));
        }
        text.push_str("2021,1001,1,010131,1.25,1.5\n");
        assert!(text.len() > FAST_READER_MIN);
        text
    }

    #[test]
    fn summed_files_read_the_same_both_ways() {
        let large = large();
        for text in [BACI, large.as_str()] {
            for (by, part, strict) in [
                (&["i"][..], None, false),
                (&["i", "j"][..], None, false),
                (&["i"][..], Some("k=85*"), false),
                (&["i"][..], Some("k=01*,850440"), false),
                (&["i", "k"][..], None, false),
                (&["i"][..], None, true),
            ] {
                let options = options(by, part, strict);
                assert!(same_as_careful(text, &options, Readers::Fast), "{by:?}");
                assert!(same_as_careful(text, &options, Readers::Both));
            }
        }
        // The duplicate's lines, and a product code keeps its leading zero.
        let parsed = parse(
            large.as_bytes(),
            "d.csv",
            &options(&["k"], None, false),
            Readers::Both,
        )
        .unwrap();
        let summed = parsed.summed.unwrap();
        assert_eq!((summed.rows, summed.empty, summed.duplicates), (3038, 1, 2));
        assert_eq!(summed.first_duplicate, Some((38, 31)));
        let codes = parsed.frame.column("k").unwrap().str().unwrap().clone();
        assert!(codes.iter().any(|k| k == Some("010121")));
    }

    #[test]
    fn odd_summed_files_fall_back_to_the_careful_reader() {
        let large = large();
        let options = options(&["i"], Some("k=85*"), false);
        let line = "2020,156,276,851712,50,3\n";
        let changed = |to: &str| large.replacen(line, to, 1);
        // (the file, whether the fast path reads it)
        for (text, fast) in [
            (changed("2020,156,276,851712,\"50\",3\n"), false),
            (changed("2020,156,276,851712,50\n"), false),
            (changed("2020,156,276,851712,50,3,4\n"), false),
            (changed("2020,156,276,851712,x,3\n"), false),
            (changed("2020,156,276,851712,nan,3\n"), false),
            (changed("2020,156, 276,851712,50,3\n"), false),
            (changed("2020.5,156,276,851712,50,3\n"), false),
            (changed("99999,156,276,851712,50,3\n"), false),
            (changed(",156,276,851712,50,3\n"), false),
            (changed("2020,156,276,851712,50,3\n\n"), false),
            (changed("2020,156,276,85\r1712,50,3\n"), false),
            (format!("{large}Source: CEPII\n"), false),
            (format!("{large},,,,,\n"), false),
            (changed("2020,156,276,851712, ,3\n"), false),
            // A CRLF line ending.
            (changed("2020,156,276,851712,50,3\r\n"), true),
        ] {
            assert!(same_as_careful(&text, &options, Readers::Both));
            assert_eq!(same_as_careful(&text, &options, Readers::Fast), fast);
        }
    }
}
