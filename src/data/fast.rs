//! The loader's fast path: Polars' multi-threaded CSV reader, for files that are plainly
//! well formed.
//!
//! It returns a frame only when that frame is provably the one the careful reader
//! ([`super::parse`]) would build: every cell parsed with the column's type and none empty,
//! no spaces around names, years in range, finite values, one row per (key, year) and one
//! unit per series. Anything else returns `None`, and the careful reader reads the file
//! record by record and names the line and column of what is wrong. So a clean panel of
//! millions of rows loads at Polars speed and an odd file loses nothing.

use super::number::YEARS;
use super::parse::{Catalog, ColumnsIn, Shape};
use super::units::Unit;
use crate::schema::{SERIES, UNIT, VALUE, YEAR};
use polars::prelude::*;
use std::io::Cursor;

/// The canonical frame (sorted by `keys`) and its series, or `None` when the careful reader
/// must decide.
pub(super) fn read(
    bytes: &[u8],
    plan: &ColumnsIn,
    groups: &[String],
    keys: &[PlSmallStr],
) -> Option<(DataFrame, Catalog)> {
    // Polars' reader is not ours to fix: should it panic on some input, the careful reader
    // reads the file instead (and names what is wrong with it).
    crate::panic::contained(|| attempt(bytes, plan, groups, keys))
        .and_then(|r| r.ok())
        .flatten()
}

/// Name of input column `i` in the raw frame (header texts may repeat in other cases).
fn raw(i: usize) -> PlSmallStr {
    format!("c{i}").into()
}

/// The plan's view of the raw frame: which input column is what, and the names the group
/// columns take in the canonical frame.
struct Input<'p, 'a> {
    plan: &'p ColumnsIn<'a>,
    groups: &'p [String],
}

impl Input<'_, '_> {
    /// `df`'s year column as the canonical frame's (`i32`, named [`YEAR`]).
    fn year(&self, df: &DataFrame) -> PolarsResult<Column> {
        Ok(df
            .column(&raw(self.plan.year))?
            .cast(&DataType::Int32)?
            .with_name(YEAR.into()))
    }

    /// `df`'s group columns under their canonical names.
    fn group_columns(&self, df: &DataFrame) -> PolarsResult<Vec<Column>> {
        self.plan
            .groups
            .iter()
            .zip(self.groups)
            .map(|(&i, name)| Ok(df.column(&raw(i))?.clone().with_name(name.as_str().into())))
            .collect()
    }
}

fn attempt(
    bytes: &[u8],
    plan: &ColumnsIn,
    groups: &[String],
    keys: &[PlSmallStr],
) -> PolarsResult<Option<(DataFrame, Catalog)>> {
    // Publishers' layouts are the careful reader's alone.
    if matches!(plan.shape, Shape::Keyed(_)) {
        return Ok(None);
    }
    // A quoted header could span lines or hide a delimiter; leave it to the careful reader.
    let header_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    if bytes[..header_end].contains(&b'"') {
        return Ok(None);
    }
    let Some(df) = read_clean(bytes, plan)? else {
        return Ok(None);
    };
    let input = Input { plan, groups };
    let height = df.height();
    let year = input.year(&df)?;
    let (frame, catalog) = match &plan.shape {
        Shape::Wide(series) => return wide(&input, df, year, series),
        Shape::Long {
            series,
            value,
            unit,
        } => {
            let mut columns = input.group_columns(&df)?;
            columns.push(df.column(&raw(*series))?.clone().with_name(SERIES.into()));
            columns.push(year);
            columns.push(df.column(&raw(*value))?.clone().with_name(VALUE.into()));
            columns.push(match unit {
                Some(u) => df.column(&raw(*u))?.clone().with_name(UNIT.into()),
                None => Column::full_null(UNIT.into(), height, &DataType::String),
            });
            let frame = DataFrame::new(height, columns)?;
            match canonical_units(frame)? {
                Some(done) => done,
                None => return Ok(None),
            }
        }
        Shape::Keyed(_) => return Ok(None),
    };
    crate::progress::mark("fast path: checked, long frame built");
    let sorted = frame
        .lazy()
        .sort(keys.to_vec(), Default::default())
        .collect()?;
    crate::progress::mark("fast path: sorted");
    if has_adjacent_duplicates(&sorted, keys)? {
        return Ok(None);
    }
    Ok(Some((sorted, catalog)))
}

/// The file read by Polars with each column's type from the plan (years `i64`, values
/// `f64`, the rest text); `None` when it has no rows, a cell that is not clean (see
/// [`cells_are_clean`]) or a year out of range.
fn read_clean(bytes: &[u8], plan: &ColumnsIn) -> PolarsResult<Option<DataFrame>> {
    let numeric = |i: usize| match &plan.shape {
        Shape::Long { value, .. } => *value == i,
        Shape::Wide(series) => series.iter().any(|(c, _, _)| *c == i),
        Shape::Keyed(_) => false,
    };
    let schema: Schema = (0..plan.header.len())
        .map(|i| {
            let dtype = if i == plan.year {
                DataType::Int64
            } else if numeric(i) {
                DataType::Float64
            } else {
                DataType::String
            };
            Field::new(raw(i), dtype)
        })
        .collect();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()?;
    crate::progress::mark("fast path: polars csv read");
    if df.height() == 0 || !cells_are_clean(&df)? {
        return Ok(None);
    }
    let year = df.column(&raw(plan.year))?.i64()?;
    let in_range =
        |y: Option<i64>| y.is_some_and(|y| YEARS.contains(&(y as i32)) && y == (y as i32) as i64);
    if !in_range(year.min()) || !in_range(year.max()) {
        return Ok(None);
    }
    Ok(Some(df))
}

/// A wide file's canonical long frame and its series. In (group, year) order, each group's
/// rows are a run; the canonical frame is, run by run, the run's rows of each series in
/// name order. `None` when a (group, year) row appears twice.
fn wide(
    input: &Input,
    df: DataFrame,
    year: Column,
    series: &[(usize, String, Option<String>)],
) -> PolarsResult<Option<(DataFrame, Catalog)>> {
    let height = df.height();
    let plan = input.plan;
    let wide_keys: Vec<PlSmallStr> = plan
        .groups
        .iter()
        .chain([&plan.year])
        .map(|&i| raw(i))
        .collect();
    let Some((df, year)) = in_key_order(input, df, year, &wide_keys)? else {
        return Ok(None);
    };
    let starts = run_starts(&df, &wide_keys[..wide_keys.len() - 1])?;
    let mut series = series.to_vec();
    series.sort_by(|a, b| a.1.cmp(&b.1));
    let values: Vec<Float64Chunked> = series
        .iter()
        .map(|(i, _, _)| Ok(df.column(&raw(*i))?.f64()?.rechunk().into_owned()))
        .collect::<PolarsResult<_>>()?;
    let long_height = height * series.len();
    let long = LongRows::of_runs(&starts, &values, long_height)?;
    let rows = IdxCa::from_vec("rows".into(), long.rows);
    let which = IdxCa::from_vec("which".into(), long.which);
    let group_names: Vec<PlSmallStr> = plan.groups.iter().map(|&g| raw(g)).collect();
    let mut columns = input.group_columns(&df.select(group_names)?.take(&rows)?)?;
    columns.push(per_series(
        SERIES,
        series.iter().map(|(_, n, _)| Some(n.as_str())).collect(),
        &which,
    )?);
    columns.push(year.take(&rows)?);
    columns.push(Column::new(VALUE.into(), long.value));
    columns.push(unit_column(&series, &which, long_height)?);
    let long = DataFrame::new(long_height, columns)?;
    crate::progress::mark("fast path: wide rows in canonical order");
    let catalog = series
        .into_iter()
        .map(|(_, name, unit)| (name, unit))
        .collect();
    Ok(Some((long, catalog)))
}

/// `df` and its `year` column sorted by `keys` (a clean panel file usually is already, and
/// then nothing is sorted at all); `None` when two rows share all keys.
fn in_key_order(
    input: &Input,
    df: DataFrame,
    year: Column,
    keys: &[PlSmallStr],
) -> PolarsResult<Option<(DataFrame, Column)>> {
    if strictly_increasing(&df, keys)? {
        return Ok(Some((df, year)));
    }
    let df = df
        .lazy()
        .sort(keys.to_vec(), Default::default())
        .collect()?;
    if !strictly_increasing(&df, keys)? {
        return Ok(None);
    }
    let year = input.year(&df)?;
    Ok(Some((df, year)))
}

/// A wide frame's long rows, one per (wide row, series): the wide row it comes from, its
/// series (index in name order) and its value.
struct LongRows {
    rows: Vec<IdxSize>,
    which: Vec<IdxSize>,
    value: Vec<f64>,
}

impl LongRows {
    /// Run by run (`starts` as [`run_starts`] gives them), the run's rows of each series
    /// in `values`.
    fn of_runs(
        starts: &[IdxSize],
        values: &[Float64Chunked],
        long_height: usize,
    ) -> PolarsResult<Self> {
        let values: Vec<&[f64]> = values
            .iter()
            .map(|v| v.cont_slice())
            .collect::<PolarsResult<_>>()?;
        let mut long = LongRows {
            rows: Vec::with_capacity(long_height),
            which: Vec::with_capacity(long_height),
            value: Vec::with_capacity(long_height),
        };
        for run in starts.windows(2) {
            let (from, to) = (run[0] as usize, run[1] as usize);
            for (s, column) in values.iter().enumerate() {
                long.rows.extend(run[0]..run[1]);
                long.which
                    .extend(std::iter::repeat_n(s as IdxSize, to - from));
                long.value.extend_from_slice(&column[from..to]);
            }
        }
        Ok(long)
    }
}

/// The column `name` of long rows whose series are `which`, gathered from `texts` (one
/// entry per series).
fn per_series(name: &str, texts: Vec<Option<&str>>, which: &IdxCa) -> PolarsResult<Column> {
    let texts: StringChunked = texts.into_iter().collect();
    Ok(texts.take(which)?.into_column().with_name(name.into()))
}

/// The unit column of a wide file's long rows: one unit (or none) for all series is a
/// constant column, which costs nothing per row.
fn unit_column(
    series: &[(usize, String, Option<String>)],
    which: &IdxCa,
    long_height: usize,
) -> PolarsResult<Column> {
    let first_unit = series.first().and_then(|(_, _, u)| u.clone());
    if !series.iter().all(|(_, _, u)| *u == first_unit) {
        return per_series(
            UNIT,
            series.iter().map(|(_, _, u)| u.as_deref()).collect(),
            which,
        );
    }
    Ok(match first_unit {
        Some(u) => Column::new_scalar(
            UNIT.into(),
            Scalar::new(DataType::String, AnyValue::StringOwned(u.as_str().into())),
            long_height,
        ),
        None => Column::full_null(UNIT.into(), long_height, &DataType::String),
    })
}

/// Whether every row is greater than the one before in the lexicographic order of `keys`
/// (so sorted, and no two rows share all keys).
fn strictly_increasing(df: &DataFrame, keys: &[PlSmallStr]) -> PolarsResult<bool> {
    let mut greater: Option<Expr> = None;
    for k in keys.iter().rev() {
        let (this, before) = (col(k.clone()), col(k.clone()).shift(lit(1)));
        let here = this.clone().gt(before.clone());
        greater = Some(match greater {
            None => here,
            Some(rest) => here.or(this.eq(before).and(rest)),
        });
    }
    let Some(greater) = greater else {
        return Ok(true);
    };
    truth(df, greater.fill_null(lit(true)).all(false))
}

/// The value of a boolean aggregate over `df`.
fn truth(df: &DataFrame, aggregate: Expr) -> PolarsResult<bool> {
    let out = df.clone().lazy().select([aggregate.alias("v")]).collect()?;
    Ok(out.column("v")?.bool()?.get(0).unwrap_or(false))
}

/// True where every one of `keys` equals the row above (null on the first row).
fn same_as_above(keys: &[PlSmallStr]) -> Expr {
    keys.iter()
        .map(|k| col(k.clone()).eq(col(k.clone()).shift(lit(1))))
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(false))
}

/// Where each run of equal `keys` starts in sorted `df`, with the height at the end.
fn run_starts(df: &DataFrame, keys: &[PlSmallStr]) -> PolarsResult<Vec<IdxSize>> {
    let height = df.height() as IdxSize;
    let mut starts = vec![0];
    if !keys.is_empty() {
        let change = same_as_above(keys).not();
        let changes = df
            .clone()
            .lazy()
            .select([change.fill_null(lit(false)).alias("change")])
            .collect()?;
        let changes = changes.column("change")?.bool()?;
        starts.extend(
            changes
                .iter()
                .enumerate()
                .filter(|(_, c)| *c == Some(true))
                .map(|(i, _)| i as IdxSize),
        );
    }
    starts.push(height);
    Ok(starts)
}

/// No empty cell, no text with spaces around it (the careful reader trims), no NaN or ±inf.
fn cells_are_clean(df: &DataFrame) -> PolarsResult<bool> {
    for column in df.columns() {
        if column.null_count() > 0 {
            return Ok(false);
        }
        let clean = match column.dtype() {
            DataType::String => column
                .str()?
                .iter()
                .all(|s| s.is_some_and(|s| s.trim().len() == s.len())),
            DataType::Float64 => column.f64()?.into_no_null_iter().all(f64::is_finite),
            _ => true,
        };
        if !clean {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Replaces unit texts by their canonical labels (`亿元` → `100 million CNY`) and lists each
/// series' unit; `None` when a series has more than one unit (an error the careful reader
/// reports with its lines).
fn canonical_units(frame: DataFrame) -> PolarsResult<Option<(DataFrame, Catalog)>> {
    let pairs = frame
        .clone()
        .lazy()
        .select([col(SERIES), col(UNIT)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    if pairs.height() != pairs.column(SERIES)?.n_unique()? {
        return Ok(None);
    }
    let mut unit = col(UNIT);
    let mut catalog = Catalog::new();
    let mut replaced = std::collections::BTreeSet::new();
    let (names, texts) = (pairs.column(SERIES)?.str()?, pairs.column(UNIT)?.str()?);
    for (name, text) in names.iter().zip(texts.iter()) {
        let Some(name) = name else {
            return Ok(None);
        };
        // A unit that does not read is the careful reader's to report, with its line.
        let canonical = match text.map(Unit::read).transpose() {
            Ok(unit) => unit.map(|u| u.to_string()),
            Err(_) => return Ok(None),
        };
        if let (Some(text), Some(canonical)) = (text, &canonical) {
            if canonical != text && replaced.insert(text) {
                unit = when(col(UNIT).eq(lit(text.to_string())))
                    .then(lit(canonical.clone()))
                    .otherwise(unit);
            }
        }
        catalog.insert(name.to_string(), canonical);
    }
    let frame = frame.lazy().with_column(unit.alias(UNIT)).collect()?;
    Ok(Some((frame, catalog)))
}

/// Whether two neighbouring rows of `sorted` share every key and the year: a duplicate.
fn has_adjacent_duplicates(sorted: &DataFrame, keys: &[PlSmallStr]) -> PolarsResult<bool> {
    truth(sorted, same_as_above(keys).any(true))
}

#[cfg(test)]
mod tests {
    use super::super::front::ReadOptions;
    use super::super::parse::{parse, parse_csv, Layout, Readers};
    use super::{Catalog, SERIES, UNIT};

    /// Every file the fast path accepts must give the careful reader's frame, cell for cell.
    fn same_as_careful(text: &str, layout: Layout, by: &[String]) {
        let options = ReadOptions::tidy(layout, by);
        let fast = parse_csv(text.as_bytes(), "t.csv", &options);
        let careful = parse(text.as_bytes(), "t.csv", &options, Readers::Careful);
        match (fast, careful) {
            (Ok(f), Ok(c)) => {
                assert!(
                    f.frame.equals_missing(&c.frame),
                    "{text}\n{:?}\n{:?}",
                    f.frame,
                    c.frame
                );
                assert_eq!(f.groups, c.groups);
                // The series and units both readers report are the frame's.
                let series = c.frame.column(SERIES).unwrap().str().unwrap().clone();
                let units = c.frame.column(UNIT).unwrap().str().unwrap().clone();
                let seen: Catalog = series
                    .iter()
                    .zip(units.iter())
                    .map(|(s, u)| (s.unwrap().to_string(), u.map(str::to_string)))
                    .collect();
                assert_eq!(f.catalog, seen, "{text}");
                assert_eq!(c.catalog, seen, "{text}");
            }
            (Err(f), Err(c)) => assert_eq!(f.to_string(), c.to_string(), "{text}"),
            (f, c) => panic!("{text}: fast {:?} vs careful {:?}", f.err(), c.err()),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Random panels, clean or with odd cells, in either layout and any row order: the
        /// fast path never disagrees with the careful reader.
        #[test]
        fn random_panels_read_the_same_both_ways(
            rows in proptest::collection::vec(
                (0..4usize, 2000..2006i32, 0..12usize, -1e6f64..1e6),
                1..30,
            ),
            long in proptest::bool::ANY,
        ) {
            let odd = ["", " 1.5", "1e3", "\"1,234.5\"", "nan", "x", "-0", "7", "1e400"];
            let cell = |pick: usize, x: f64| odd.get(pick).map_or(format!("{x}"), |s| s.to_string());
            let mut text = if long {
                String::from("region,year,series,value\n")
            } else {
                String::from("region,year,a,b\n")
            };
            for (region, year, pick, x) in &rows {
                if long {
                    text.push_str(&format!("r{region},{year},a,{}\n", cell(*pick, *x)));
                } else {
                    text.push_str(&format!("r{region},{year},{},{}\n", cell(*pick, *x), x / 3.0));
                }
            }
            let by = if long { vec![] } else { vec!["region".to_string()] };
            same_as_careful(&text, Layout::Auto, &by);
        }
    }

    #[test]
    fn clean_files_take_the_fast_path() {
        let by = ["region".to_string()];
        for (text, by) in [
            (
                "year,cbec [trillion CNY],trade\n2016,6.7,24.3\n2015,5.4,24.6\n",
                &[][..],
            ),
            (
                "region,year,a,b\ny,2015,3,4\nx,2015,1,2\nx,2016,5,6\n",
                &by[..],
            ),
            (
                "region,year,series,value,unit\nx,2015,a,1,亿元\nx,2016,a,2,亿元\n",
                &[][..],
            ),
        ] {
            parse(
                text.as_bytes(),
                "t.csv",
                &ReadOptions::tidy(Layout::Auto, by),
                Readers::Fast,
            )
            .unwrap();
            same_as_careful(text, Layout::Auto, by);
        }
    }

    #[test]
    fn fast_path_agrees_with_the_careful_reader() {
        let cells = [
            "12.5",
            " 12.5",
            "12.5 ",
            ".5",
            "5.",
            "+5",
            "-0",
            "1e3",
            "1E+3",
            "1e999",
            "nan",
            "NaN",
            "inf",
            "-infinity",
            "1_000",
            "0x10",
            "12abc",
            "\"1,234.5\"",
            "\"12\"",
            "",
            "1.2.3",
            "--1",
            "00012",
        ];
        let years = [
            "2016", " 2016", "+2016", "02016", "2016.0", "99999", "-9999", "", "2016 ",
        ];
        for cell in cells {
            same_as_careful(
                &format!("year,a,b\n2015,1,2\n2016,{cell},3\n"),
                Layout::Auto,
                &[],
            );
            same_as_careful(
                &format!("year,series,value\n2015,a,1\n2016,a,{cell}\n"),
                Layout::Auto,
                &[],
            );
        }
        for year in years {
            same_as_careful(&format!("year,a\n2015,1\n{year},2\n"), Layout::Auto, &[]);
        }
        let by = ["region".to_string()];
        for text in [
            "region,year,a [亿元],b\nx,2015,1,2\ny,2015,3,4\nx,2016,5,6\n",
            "region,year,a,b\nx,2015,1,2\n y,2015,3,4\n",
            "region,year,a,b\nx,2015,1,2\nx,2015,3,4\n",
            "region,year,a,b\r\nx,2015,1,2\r\ny,2015,3,4\r\n",
            "region,year,a,b\nx,2015,1,2\n\ny,2015,3,4\n",
            "region,year,a,b\nx,2015,1\ny,2015,3,4\n",
            "region,year,a,b\nx,2015,1,2,9\ny,2015,3,4\n",
            "region,year,a,b\n\"x,1\",2015,1,2\ny,2015,3,4\n",
            "region,year,a,b\n\"x\ny\",2015,1,2\n",
            "region,year,a,b\n",
        ] {
            same_as_careful(text, Layout::Auto, &by);
        }
        for text in [
            "region,year,series,value,unit\nx,2015,a,1,亿元\nx,2016,a,2,亿元\ny,2015,b,3,trillion yuan\n",
            "region,year,series,value,unit\nx,2015,a,1,亿元\nx,2016,a,2,trillion yuan\n",
            "region,year,series,value,unit\nx,2015,a,1,\nx,2016,a,2,亿元\n",
            "region,year,series,value\nx,2015,a,1\nx,2015,a,2\n",
            "region,year,series,value\nx,2015,a,1\nx,2015, a,2\n",
            "year,series,value,region\n2015,a,1,x\n2015,a,2,y\n",
        ] {
            same_as_careful(text, Layout::Auto, &[]);
        }
    }
}
