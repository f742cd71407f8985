//! The fast path for detail data summed (`--sum-by`): a plainly well-formed file is read by
//! Polars' CSV reader a block of records at a time, only the columns the sums need, and
//! each block is summed at once, so memory holds a block and the sums, not the file's
//! records; the records are checked and hashed beforehand by [`super::records`], which
//! finds exact duplicates. The sums are those of the careful reader ([`super::rows`])
//! followed by [`super::sum`], by the same expressions in the same order
//! ([`Summing::totals`](crate::data::aggregate::Summing::totals), `BLOCK_RECORDS`): the
//! same numbers to the last bit.
//!
//! It sums a file only when the careful reader would take every record as it is (see
//! [`records::scan`]), no unit column is read, Polars reads every value as a number and no
//! sum is infinite. Anything else returns `None`, and the careful reader reads the file and
//! names what is wrong with it.

use super::keyed::{Keyed, SeriesFrom, UnitFrom, Values};
use super::plan::{ColumnsIn, Shape};
use super::records::{self, Fields};
use super::sum::SumPlan;
use super::LINE;
use crate::data::aggregate::{Counted, Summed, Summing, BLOCK_RECORDS, PART};
use crate::schema::{SERIES, UNIT, VALUE, YEAR};
use anyhow::Result;
use polars::prelude::*;
use std::io::Cursor;

/// Where a summed file's series name is.
enum SeriesIn<'p> {
    Column(usize),
    Fixed(&'p str),
}

/// A summed file: the summed frame, its groups and what was done.
pub(super) type SummedFrame = (DataFrame, Vec<String>, Summed);

/// The careful reader's sums of a summed file, or `None` when the careful reader must
/// decide; an error only for an exact duplicate under `--strict-duplicates`. `bytes` start
/// at the header, on `header_line`.
pub(super) fn read(
    bytes: &[u8],
    plan: &ColumnsIn,
    header_line: u64,
) -> Option<Result<SummedFrame>> {
    // Polars is not ours to fix: should it panic on some input, the careful reader reads
    // the file instead.
    crate::panic::contained(|| attempt(bytes, plan, header_line)).flatten()
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

fn attempt(bytes: &[u8], plan: &ColumnsIn, header_line: u64) -> Option<Result<SummedFrame>> {
    let sum_plan = plan.summing.as_ref()?;
    let (series, value) = series_and_value(plan)?;
    let series_column = match series {
        SeriesIn::Column(c) => Some(c),
        SeriesIn::Fixed(_) => None,
    };
    let read = needed(sum_plan, series_column, plan.year, value);
    let fields = Fields {
        count: plan.header.len(),
        year: plan.year,
        value,
        series: series_column,
        read: (0..plan.header.len()).map(|c| read.contains(&c)).collect(),
    };
    // Exact duplicates are found from whole records; the careful reader compares the columns
    // it reads. They agree when it reads every column (a publisher's layout may ignore some).
    let used = plan.groups.len() + 2 + usize::from(fields.series.is_some());
    if used != plan.header.len() {
        return None;
    }
    let data_start = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
    let data = &bytes[data_start..];
    let scanned = records::scan(data, &fields)?;
    crate::progress::mark("fast sum: records checked and hashed");
    if scanned.records == 0 {
        return None;
    }
    let read_groups = plan.group_names();
    let by = sum_plan.by(plan);
    let summing = sum_plan.summing(plan, &read_groups, &by);
    let first_line = header_line as i64 + 1;
    let source = Source {
        plan,
        series,
        value,
        needed: read,
        first_line,
    };
    let totals = source.totals(data, sum_plan, &summing).ok()?;
    crate::progress::mark("fast sum: read by Polars' reader and summed");
    if !all_finite(&totals).ok()? {
        return None;
    }
    let (duplicates, first_duplicate) = scanned.duplicates(data, &fields, first_line)?;
    crate::progress::mark("fast sum: exact duplicates found");
    let counted = Counted {
        rows: scanned.records,
        empty: scanned.empty_values,
        duplicates,
        first_duplicate,
    };
    Some(
        summing
            .refuse_duplicates(&counted)
            .and_then(|()| summing.finish(totals, counted))
            .map(|(frame, summed)| (frame, by.clone(), summed)),
    )
}

/// A summed file as Polars' reader reads it.
struct Source<'p> {
    plan: &'p ColumnsIn<'p>,
    series: SeriesIn<'p>,
    value: usize,
    /// The columns the sums need (see [`needed`]).
    needed: Vec<usize>,
    /// The line of the first record.
    first_line: i64,
}

impl Source<'_> {
    /// The file's schema: the year `i64`, the value `f64`, every other column text.
    fn schema(&self) -> Schema {
        (0..self.plan.header.len())
            .map(|i| {
                let dtype = if i == self.plan.year {
                    DataType::Int64
                } else if i == self.value {
                    DataType::Float64
                } else {
                    DataType::String
                };
                Field::new(raw(i), dtype)
            })
            .collect()
    }

    /// The records as the careful reader's frame has them, of the columns the sums need:
    /// the `--sum-by` and `--part-where` columns under their names (an empty cell is empty
    /// text), the series, the year (`i32`), the value, no unit, and each record's line
    /// (`first_line` for the first of `df`).
    fn records(&self, df: DataFrame, sum_plan: &SumPlan, first_line: i64) -> LazyFrame {
        const ROW: &str = "__row";
        let plan = self.plan;
        let mut columns: Vec<Expr> = sum_plan
            .columns()
            .into_iter()
            .map(|g| {
                col(raw(g))
                    .fill_null(lit(""))
                    .alias(plan.header[g].as_str())
            })
            .collect();
        columns.push(match self.series {
            SeriesIn::Column(c) => col(raw(c)).alias(SERIES),
            SeriesIn::Fixed(name) => lit(name.to_string()).alias(SERIES),
        });
        columns.push(col(raw(plan.year)).cast(DataType::Int32).alias(YEAR));
        columns.push(col(raw(self.value)).alias(VALUE));
        columns.push(lit(NULL).cast(DataType::String).alias(UNIT));
        columns.push((col(ROW).cast(DataType::Int64) + lit(first_line)).alias(LINE));
        df.lazy().with_row_index(ROW, None).select(columns)
    }

    /// The totals of the records in `data` (the lines after the header), read by Polars'
    /// reader block by block ([`BLOCK_RECORDS`]): only the columns the sums need, and at most
    /// a block's records in memory at a time.
    fn totals(
        &self,
        data: &[u8],
        sum_plan: &SumPlan,
        summing: &Summing,
    ) -> PolarsResult<DataFrame> {
        let schema = Arc::new(self.schema());
        let needed: Arc<[PlSmallStr]> = self.needed.iter().copied().map(raw).collect();
        let mut partials = Vec::new();
        for (k, block) in records::blocks(data, BLOCK_RECORDS).into_iter().enumerate() {
            let df = CsvReadOptions::default()
                .with_has_header(false)
                .with_schema(Some(schema.clone()))
                .with_columns(Some(needed.clone()))
                .into_reader_with_file_handle(Cursor::new(block))
                .finish()?;
            let first_line = self.first_line + (k * BLOCK_RECORDS) as i64;
            let records = self.records(df, sum_plan, first_line);
            partials.push(summing.totals(records, &[]).collect()?.lazy());
        }
        let partials = concat(partials, UnionArgs::default())?;
        summing.combine(partials).collect()
    }
}

/// The columns the sums need, which Polars' reader reads: the `--sum-by` and `--part-where`
/// columns, the series column, the year and the value.
fn needed(sum_plan: &SumPlan, series: Option<usize>, year: usize, value: usize) -> Vec<usize> {
    let mut needed = sum_plan.columns();
    needed.extend(series);
    needed.extend([year, value]);
    needed.sort_unstable();
    needed.dedup();
    needed
}

/// Whether every sum is finite (or empty): an infinite or NaN one comes from a value the
/// careful reader refuses, or from sums too large, and the careful reader says which.
fn all_finite(totals: &DataFrame) -> PolarsResult<bool> {
    let sums = totals
        .get_column_names()
        .into_iter()
        .filter(|c| [VALUE, PART].contains(&c.as_str()))
        .map(|c| col(c.clone()).is_finite().not().any(true))
        .reduce(|a, b| a.or(b));
    let Some(any_not_finite) = sums else {
        return Ok(true);
    };
    let checked = totals.clone().lazy().select([any_not_finite]).collect()?;
    Ok(checked.columns()[0].bool()?.get(0) == Some(false))
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
    /// with leading zeros, empty quantities, another duplicate), over [`FAST_READER_MIN`]
    /// and over three blocks of records (`BLOCK_RECORDS` is 1,000 in tests).
    fn large() -> String {
        let mut text = BACI.to_string();
        for n in 0..3000 {
            let (year, exporter, product) = (2020 + n % 3, 1000 + n % 40, 10121 + (n % 7) * 10);
            let q = if n % 10 == 0 {
                String::new()
            } else {
                format!("{}.5", n % 9)
            };
            // Values with decimals no binary fraction holds: the sums depend on the order
            // of the additions, which must be the careful reader's.
            text.push_str(&format!(
                "{year},{exporter},{},{product:06},{n}.{:03},{q}\n",
                n % 5,
                n % 997
            ));
        }
        text.push_str("2021,1001,1,010131,1.001,1.5\n");
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
    fn files_with_columns_the_careful_reader_ignores_fall_back_to_it() {
        // SDMX: OBS_STATUS and DATAFLOW are not read, so records differing only there are
        // exact duplicates for the careful reader, which the record hashes would not see.
        let text = "DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n\
                    X:D(1.0),DE,2020,5,A\n\
                    X:D(1.0),DE,2020,5,P\n\
                    X:D(1.0),FR,2020,7,A\n";
        for strict in [false, true] {
            let options = ReadOptions {
                aggregate: crate::data::Aggregate {
                    sum_by: vec!["REF_AREA".into()],
                    part_where: None,
                    strict_duplicates: strict,
                },
                ..Default::default()
            };
            assert!(!same_as_careful(text, &options, Readers::Fast));
            assert!(same_as_careful(text, &options, Readers::Both));
        }
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
            (changed("2020.5,156,276,851712,50,3\n"), false),
            (changed("99999,156,276,851712,50,3\n"), false),
            (changed(",156,276,851712,50,3\n"), false),
            (changed("2020,156,276,851712,50,3\n\n"), false),
            (changed("2020,156,276,85\r1712,50,3\n"), false),
            (format!("{large}Source: CEPII\n"), false),
            (format!("{large},,,,,\n"), false),
            (changed("2020,156,276,851712, ,3\n"), false),
            (changed("2020, 156,276,851712,50,3\n"), false),
            // Spaces around a cell Polars does not read (BACI pads its quantities).
            (changed("2020,156, 276,851712,50,   3\n"), true),
            (changed("2020,156\u{a0},276,851712,50,3\n"), false),
            // A CRLF line ending.
            (changed("2020,156,276,851712,50,3\r\n"), true),
        ] {
            assert!(same_as_careful(&text, &options, Readers::Both));
            assert_eq!(same_as_careful(&text, &options, Readers::Fast), fast);
        }
    }
}
