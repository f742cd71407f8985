//! Detail data summed (`--sum-by`, `--part-where`, `--strict-duplicates`): a long file with
//! one row per exporter, importer, product and year (BACI's `t,i,j,k,v,q`) becomes the
//! canonical frame of one value per `--sum-by` group, series and year.
//!
//! The careful reader reads every record with every key column as a group; [`sum`] then
//! finds exact duplicate records, checks that each summed value has one unit, adds the part
//! series (`v[k=85*]`) when `--part-where` asks for it, and sums with one lazy Polars
//! `group_by`. A group, series and year with only empty values is a missing year (a null
//! value), as for a file that is not summed. What it did is a [`Summed`], whose notes say
//! how many rows went into how many values, how many were empty and how many were exact
//! duplicates.

use super::parse::LINE;
use crate::notes::{Note, Subject, What};
use crate::schema::{SERIES, UNIT, VALUE, YEAR};
use anyhow::{bail, Result};
use polars::prelude::*;

/// What to sum, from the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregate {
    /// `--sum-by`: the columns the values are summed to (with the year).
    pub sum_by: Vec<String>,
    /// `--part-where COL=PATTERN`: a second series, the part of the value where COL matches.
    pub part_where: Option<PartWhere>,
    /// `--strict-duplicates`: an exact duplicate record is an error.
    pub strict_duplicates: bool,
}

impl Aggregate {
    /// Whether anything is summed.
    pub fn is_set(&self) -> bool {
        !self.sum_by.is_empty()
    }
}

/// `--part-where COL=PATTERN[,PATTERN…]`: a pattern is a literal or ends in `*` (a prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct PartWhere {
    pub column: String,
    pub patterns: Vec<String>,
}

impl PartWhere {
    /// `k=85*`, `k=850440,851712`, `k=85*,84*`.
    pub fn parse(text: &str) -> Result<PartWhere, String> {
        let expected = "expected COL=PATTERN, e.g. k=85* for the codes starting with 85";
        let (column, patterns) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?} has no `=` ({expected})"))?;
        let column = column.trim();
        if column.is_empty() {
            return Err(format!("{text:?} names no column ({expected})"));
        }
        let patterns: Vec<String> = patterns.split(',').map(|p| p.trim().to_string()).collect();
        for p in &patterns {
            if p.is_empty() {
                return Err(format!("{text:?} has an empty pattern ({expected})"));
            }
            if p.strip_suffix('*').unwrap_or(p).contains('*') {
                return Err(format!(
                    "{text:?}: in {p:?}, `*` is not at the end (a pattern is a value, or a prefix followed by `*`, e.g. 85*)"
                ));
            }
        }
        Ok(PartWhere {
            column: column.to_string(),
            patterns,
        })
    }

    /// The flag's value as given, tidied: `k=85*,84*`.
    pub fn text(&self) -> String {
        format!("{}={}", self.column, self.patterns.join(","))
    }

    /// The name of the part of `series`: `v[k=85*]`.
    pub fn series(&self, series: &str) -> String {
        format!("{series}[{}]", self.text())
    }

    /// Whether a row's cell in `column` (the column's name in the frame) matches.
    fn matches(&self, column: &str) -> Expr {
        self.patterns.iter().fold(lit(false), |any, p| {
            let one = match p.strip_suffix('*') {
                Some(prefix) => col(column).str().starts_with(lit(prefix.to_string())),
                None => col(column).eq(lit(p.clone())),
            };
            any.or(one)
        })
    }
}

/// What summing did: for the notes, `inspect` and the default share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summed {
    /// The `--sum-by` columns (the groups of the result).
    pub by: Vec<String>,
    /// The key columns summed over.
    pub over: Vec<String>,
    /// Records read.
    pub rows: usize,
    /// Values the sums gave (group, series and year), the part series' included.
    pub values: usize,
    /// Records with an empty value, left out of the sums.
    pub empty: usize,
    /// Records equal in every column to an earlier one, and the first of them: (its line,
    /// its twin's line).
    pub duplicates: usize,
    pub first_duplicate: Option<(i64, i64)>,
    /// `--part-where` on a file of one series: the part's series and the whole's.
    pub part_whole: Option<(String, String)>,
    /// `--part-where` as given.
    pub part_where: Option<String>,
}

impl Summed {
    /// The notes every result on the summed data carries.
    pub fn notes(&self) -> Vec<Note> {
        let mut notes = vec![Note::new(
            Subject::none(),
            What::Summed {
                rows: self.rows,
                values: self.values,
                by: self.by.clone(),
                over: self.over.clone(),
            },
        )];
        if self.empty > 0 {
            let what = What::EmptyValuesSkipped { count: self.empty };
            notes.push(Note::new(Subject::none(), what));
        }
        if let Some((line, twin)) = self.first_duplicate {
            let what = What::ExactDuplicates {
                count: self.duplicates,
                line,
                twin,
            };
            notes.push(Note::new(Subject::none(), what));
        }
        notes
    }

    /// In words, for `inspect`: `37 rows of v summed over j, k, q into 6 values per i and year`.
    pub fn text(&self) -> String {
        let mut text = self.notes()[0].text();
        if let Some(part) = &self.part_where {
            text.push_str(&format!("; the part where {part} is a series of its own"));
        }
        text
    }
}

/// How to sum a frame the careful reader read: the groups it was read with, those to sum
/// to, the part, and whether duplicates are an error.
pub(super) struct Summing<'a> {
    /// The file's name, for messages.
    pub name: &'a str,
    /// The group columns of the frame as read (every key column).
    pub read_groups: &'a [String],
    pub by: &'a [String],
    /// The part: the frame's column it looks at, and the patterns.
    pub part: Option<(&'a str, &'a PartWhere)>,
    pub strict: bool,
}

/// What was counted in the records before summing: records, empty values, exact duplicates
/// and the first one's line with its twin's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Counted {
    pub rows: usize,
    pub empty: usize,
    pub duplicates: usize,
    pub first_duplicate: Option<(i64, i64)>,
}

/// Records summed at a time. Sums are made per block of so many records in file order
/// (Polars' grouped sum: Kahan summation in row order), then the blocks' sums are added in
/// file order. The fast path reads a file block by block, so its memory is bounded by a
/// block; both paths add in the same order, so they give the same sums to the last bit,
/// whatever the number of threads. (Polars' streaming engine adds the partial sums of its
/// morsels in the order its threads finish them: three runs on the same files gave three
/// outputs differing in the last digits, so it does not sum here.)
#[cfg(not(test))]
pub(super) const BLOCK_RECORDS: usize = 1 << 20;
/// Small in unit tests, so that files of a few thousand records have several blocks.
#[cfg(test)]
pub(super) const BLOCK_RECORDS: usize = 1000;

/// A sum that is empty when every value is: Polars' `sum` of only nulls is 0.
fn total(value: Expr) -> Expr {
    when(value.clone().count().gt(lit(0)))
        .then(value.sum())
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// The column of the part's sums in [`Summing::totals`].
pub(super) const PART: &str = "__part";

impl Summing<'_> {
    /// Sums `frame` (groups, series, year, value, unit and [`LINE`], in file order) to the
    /// groups `by`: the frame of `by`, series, year, value, unit and each value's first line.
    pub fn sum(&self, frame: DataFrame) -> Result<(DataFrame, Summed)> {
        let rows = frame.height();
        let empty = frame.column(VALUE)?.null_count();
        let (duplicates, first_duplicate) = exact_duplicates(&frame)?;
        let counted = Counted {
            rows,
            empty,
            duplicates,
            first_duplicate,
        };
        self.refuse_duplicates(&counted)?;
        self.check_units(&frame)?;
        let totals = self.totals_in_blocks(frame)?;
        self.finish(totals, counted)
    }

    /// With `--strict-duplicates`, the error naming the first exact duplicate.
    pub fn refuse_duplicates(&self, counted: &Counted) -> Result<()> {
        if let (true, Some((line, twin))) = (self.strict, counted.first_duplicate) {
            bail!(
                "{}:{line}: the record is an exact duplicate of line {twin} (--strict-duplicates; expected each record once: remove the repeat, or leave out --strict-duplicates to sum it as it is, with a note)",
                self.name
            );
        }
        Ok(())
    }

    /// The summed frame from the [`totals`](Self::totals) of the records counted in
    /// `counted`, with the part series (`v[k=85*]`) as rows of their own, and what was done.
    pub fn finish(&self, totals: DataFrame, counted: Counted) -> Result<(DataFrame, Summed)> {
        let series = totals.column(SERIES)?.str()?;
        let part_whole = match (self.part, series.n_unique()? == 1) {
            (Some((_, part)), true) => {
                let whole = series.get(0).unwrap_or_default().to_string();
                Some((part.series(&whole), whole))
            }
            _ => None,
        };
        let summed = self.with_part_rows(totals)?;
        let over = self
            .read_groups
            .iter()
            .filter(|g| !self.by.contains(g))
            .cloned()
            .collect();
        let summed_info = Summed {
            by: self.by.to_vec(),
            over,
            rows: counted.rows,
            values: summed.height(),
            empty: counted.empty,
            duplicates: counted.duplicates,
            first_duplicate: counted.first_duplicate,
            part_whole,
            part_where: self.part.map(|(_, p)| p.text()),
        };
        Ok((summed, summed_info))
    }

    /// The keys of a summed value: the `--sum-by` columns, the series and the year.
    fn keys(&self) -> Vec<Expr> {
        let mut keys: Vec<Expr> = self.by.iter().map(|g| col(g.as_str())).collect();
        keys.push(col(SERIES));
        keys.push(col(YEAR));
        keys
    }

    /// The sums per `by`, series and year (and the `extra` keys) of the records `lf`
    /// (groups, series, year, value, unit and [`LINE`]), with `--part-where` also the part's
    /// in a column of its own. A sum of only empty values is empty.
    pub fn totals(&self, lf: LazyFrame, extra: &[Expr]) -> LazyFrame {
        let mut sums = vec![
            total(col(VALUE)).alias(VALUE),
            col(UNIT).first().alias(UNIT),
            col(LINE).min().alias(LINE),
        ];
        if let Some((column, part)) = self.part {
            // Zero where the row is not in the part, so the part is empty only where the
            // whole is.
            let in_part = when(part.matches(column))
                .then(col(VALUE))
                .otherwise(col(VALUE) * lit(0.0));
            sums.push(total(in_part).alias(PART));
        }
        let mut keys = self.keys();
        keys.extend_from_slice(extra);
        lf.group_by(keys).agg(sums)
    }

    /// The totals of blocks of records added up: `partials` are [`totals`](Self::totals)
    /// of consecutive blocks, in file order.
    pub fn combine(&self, partials: LazyFrame) -> LazyFrame {
        let mut sums = vec![
            total(col(VALUE)).alias(VALUE),
            col(UNIT).first().alias(UNIT),
            col(LINE).min().alias(LINE),
        ];
        if self.part.is_some() {
            sums.push(total(col(PART)).alias(PART));
        }
        partials.group_by(self.keys()).agg(sums)
    }

    /// The totals of `frame`'s records, block by block ([`BLOCK_RECORDS`]) as the fast path
    /// reads them.
    fn totals_in_blocks(&self, frame: DataFrame) -> Result<DataFrame> {
        const BLOCK: &str = "__block";
        let block = col(BLOCK).floor_div(lit(BLOCK_RECORDS as IdxSize));
        let partials = self
            .totals(
                frame.lazy().with_row_index(BLOCK, None),
                &[block.alias(BLOCK)],
            )
            .sort(
                [BLOCK],
                SortMultipleOptions::default().with_maintain_order(true),
            );
        Ok(self.combine(partials).collect()?)
    }

    /// The part's sums of [`totals`](Self::totals) as rows of their own, under the series'
    /// name with the part (`v[k=85*]`).
    fn with_part_rows(&self, totals: DataFrame) -> Result<DataFrame> {
        let Some((_, part)) = self.part else {
            return Ok(totals);
        };
        let summed = totals.lazy();
        let without_part = || by_name([PART], true, false);
        let part_rows = summed.clone().with_columns([
            concat_str([col(SERIES), lit(part.series(""))], "", false).alias(SERIES),
            col(PART).alias(VALUE),
        ]);
        let both = [summed.drop(without_part()), part_rows.drop(without_part())];
        Ok(concat(both, UnionArgs::default())?.collect()?)
    }

    /// One unit per summed value: a sum across units is wrong. The error names the group,
    /// series and year and both units with their lines.
    fn check_units(&self, frame: &DataFrame) -> Result<()> {
        if frame.column(UNIT)?.null_count() == frame.height() {
            return Ok(());
        }
        let mixed = frame
            .clone()
            .lazy()
            .group_by(self.keys())
            .agg([
                col(LINE).min().alias("__first"),
                col(UNIT).n_unique().alias("__units"),
            ])
            .filter(col("__units").gt(lit(1)))
            .sort(["__first"], Default::default())
            .limit(1)
            .collect()?;
        if mixed.height() == 0 {
            return Ok(());
        }
        let mut at = Vec::new();
        let mut same = lit(true);
        for key in self.by.iter().map(String::as_str).chain([SERIES]) {
            let value = mixed
                .column(key)?
                .str()?
                .get(0)
                .unwrap_or_default()
                .to_string();
            at.push(format!("{key} {value:?}"));
            same = same.and(col(key).eq(lit(value)));
        }
        let year = mixed.column(YEAR)?.i32()?.get(0).unwrap_or_default();
        let units = frame
            .clone()
            .lazy()
            .filter(same.and(col(YEAR).eq(lit(year))))
            .group_by([col(UNIT)])
            .agg([col(LINE).min()])
            .sort([LINE], Default::default())
            .limit(2)
            .collect()?;
        if units.height() < 2 {
            bail!("internal error: no two units found where the sum mixes them");
        }
        let (unit, line) = (units.column(UNIT)?.str()?, units.column(LINE)?.i64()?);
        let show = |u: Option<&str>| u.map_or("no unit".to_string(), |u| format!("{u:?}"));
        bail!(
            "{}:{}: {}, year {year}: the values to sum are in {} here but in {} on line {} (expected one unit per summed value: a sum across units is wrong; convert the file to one unit, or keep one with --where)",
            self.name,
            line.get(1).unwrap_or_default(),
            at.join(", "),
            show(unit.get(1)),
            show(unit.get(0)),
            line.get(0).unwrap_or_default(),
        )
    }
}

/// Records equal in every column to an earlier record: how many, and the first one's line
/// with its twin's.
fn exact_duplicates(frame: &DataFrame) -> Result<(usize, Option<(i64, i64)>)> {
    let every: Vec<Expr> = frame
        .get_column_names()
        .into_iter()
        .filter(|c| c.as_str() != LINE)
        .map(|c| col(c.clone()))
        .collect();
    let repeats = frame
        .clone()
        .lazy()
        .select([col(LINE), col(LINE).min().over(every)?.alias("__twin")])
        .filter(col(LINE).neq(col("__twin")))
        .sort([LINE], Default::default())
        .collect()?;
    if repeats.height() == 0 {
        return Ok((0, None));
    }
    let (lines, twins) = (
        repeats.column(LINE)?.i64()?,
        repeats.column("__twin")?.i64()?,
    );
    let first = lines.get(0).zip(twins.get(0));
    Ok((repeats.height(), first))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::{from_bytes_with, ColumnChoice, Dataset, ReadOptions};

    /// The hand-made detail file: see tests/inputs/detail/EXPECTED.md for the numbers.
    pub(crate) const BACI: &str = include_str!("../../tests/inputs/detail/baci-small.csv");

    /// Reading options for the detail file: year `t`, value `v`, summed by `sum_by`.
    pub(crate) fn options(sum_by: &[&str], part: Option<&str>, strict: bool) -> ReadOptions {
        ReadOptions {
            columns: ColumnChoice {
                year: Some("t".into()),
                value: Some("v".into()),
                ..Default::default()
            },
            aggregate: Aggregate {
                sum_by: sum_by.iter().map(|s| s.to_string()).collect(),
                part_where: part.map(|p| PartWhere::parse(p).unwrap()),
                strict_duplicates: strict,
            },
            ..Default::default()
        }
    }

    fn load(bytes: &str, options: &ReadOptions) -> anyhow::Result<Dataset> {
        from_bytes_with(bytes.as_bytes(), "baci-small.csv", options)
    }

    /// The message of a load that must fail.
    fn error(bytes: &str, options: &ReadOptions) -> String {
        match load(bytes, options) {
            Ok(_) => panic!("expected an error"),
            Err(err) => format!("{err:#}"),
        }
    }

    /// (group, year, value) of `series`, in the frame's order.
    fn values(dataset: &Dataset, series: &str) -> Vec<(String, i32, Option<f64>)> {
        let frame = &dataset.frame;
        let group = frame.column(&dataset.groups[0]).unwrap().str().unwrap();
        let names = frame.column(SERIES).unwrap().str().unwrap();
        let years = frame.column(YEAR).unwrap().i32().unwrap();
        let values = frame.column(VALUE).unwrap().f64().unwrap();
        (0..frame.height())
            .filter(|&i| names.get(i) == Some(series))
            .map(|i| {
                let g = group.get(i).unwrap().to_string();
                (g, years.get(i).unwrap(), values.get(i))
            })
            .collect()
    }

    /// 156's values in 2020–2022, then 842's.
    fn exporters(first: [f64; 3], second: [f64; 3]) -> Vec<(String, i32, Option<f64>)> {
        let mut rows = Vec::new();
        for (i, values) in [("156", first), ("842", second)] {
            for (year, v) in (2020..).zip(values) {
                rows.push((i.to_string(), year, Some(v)));
            }
        }
        rows
    }

    #[test]
    fn sums_per_exporter_and_year_with_counts() {
        let dataset = load(BACI, &options(&["i"], None, false)).unwrap();
        assert_eq!(dataset.groups, ["i"]);
        assert_eq!(dataset.series_names().unwrap(), ["v"]);
        // 156 in 2022 counts the duplicate record (31) twice: 150+60+50+90+20+31+31.
        let expected = exporters([300.0, 360.0, 432.0], [200.0, 250.0, 288.0]);
        assert_eq!(values(&dataset, "v"), expected);
        let summed = dataset.summed.clone().unwrap();
        assert_eq!(summed.by, ["i"]);
        assert_eq!(summed.over, ["j", "k", "q"]);
        assert_eq!(
            (summed.rows, summed.values, summed.empty, summed.duplicates),
            (37, 6, 1, 1)
        );
        assert_eq!(summed.first_duplicate, Some((38, 31)));
        assert_eq!(summed.part_whole, None);
        let codes: Vec<&str> = dataset.notes.iter().map(|n| n.code()).collect();
        assert_eq!(
            codes,
            ["summed", "empty_values_skipped", "exact_duplicates"]
        );
        assert_eq!(
            dataset.notes[0].text(),
            "37 records summed into 6 values per i and year (summed over j, k, q)"
        );
        assert!(dataset.notes[2]
            .text()
            .contains("line 38, the same as line 31"));
    }

    #[test]
    fn sums_by_two_columns() {
        let dataset = load(BACI, &options(&["i", "j"], None, false)).unwrap();
        assert_eq!(dataset.groups, ["i", "j"]);
        let summed = dataset.summed.unwrap();
        assert_eq!(
            (summed.values, summed.over.clone()),
            (12, vec!["k".into(), "q".into()])
        );
        // 842 → 392 in 2020: 60 + (empty) + 40.
        let frame = dataset.frame;
        let at = |i: usize| frame.column(VALUE).unwrap().f64().unwrap().get(i);
        assert_eq!(at(0), Some(180.0), "156 → 276, 2020: 100 + 50 + 30");
        assert_eq!(at(9), Some(100.0), "842 → 392, 2020: 60 + 40");
    }

    #[test]
    fn the_part_where_a_pattern_matches() {
        let dataset = load(BACI, &options(&["i"], Some("k=85*"), false)).unwrap();
        assert_eq!(dataset.series_names().unwrap(), ["v", "v[k=85*]"]);
        let expected = exporters([240.0, 290.0, 320.0], [110.0, 140.0, 178.0]);
        assert_eq!(values(&dataset, "v[k=85*]"), expected);
        let summed = dataset.summed.clone().unwrap();
        assert_eq!(summed.values, 12);
        let part_whole = Some(("v[k=85*]".to_string(), "v".to_string()));
        assert_eq!(summed.part_whole, part_whole);
        let (part, whole) = dataset.part_whole_or_default(None, None).unwrap();
        assert_eq!((part.as_str(), whole.as_str()), ("v[k=85*]", "v"));
        // The same products, listed.
        let listed = load(BACI, &options(&["i"], Some("k=850440,851712"), false)).unwrap();
        assert_eq!(values(&listed, "v[k=850440,851712]"), expected);
    }

    #[test]
    fn strict_duplicates_name_both_lines() {
        let text = error(BACI, &options(&["i"], None, true));
        assert!(text.starts_with("baci-small.csv:38: "), "{text}");
        assert!(text.contains("exact duplicate of line 31"), "{text}");
    }

    #[test]
    fn only_empty_values_give_a_missing_year_and_units_must_agree() {
        let file = "year,region,series,value,unit\n\
                    2020,a,x,1,USD\n2020,a,x,2,USD\n2021,a,x,,USD\n2021,a,x,,USD\n";
        let mut tidy = options(&["region"], None, false);
        tidy.columns = ColumnChoice::default();
        let dataset = load(file, &tidy).unwrap();
        let expected = vec![
            ("a".to_string(), 2020, Some(3.0)),
            ("a".to_string(), 2021, None),
        ];
        assert_eq!(values(&dataset, "x"), expected);
        assert_eq!(dataset.units().unwrap()["x"], "USD");
        // Two empty records are equal too.
        assert_eq!(dataset.summed.unwrap().duplicates, 1);
        let mixed = "year,region,series,value,unit\n\
                     2020,a,x,1,USD\n2020,b,x,5,USD\n2020,a,x,2,thousand USD\n";
        let text = error(mixed, &tidy);
        assert!(
            text.starts_with("baci-small.csv:4: region \"a\", series \"x\", year 2020: the values to sum are in \"thousand USD\" here but in \"USD\" on line 2"),
            "{text}"
        );
    }

    #[test]
    fn part_patterns() {
        let p = PartWhere::parse(" k = 85*, 8471 ").unwrap();
        assert_eq!(
            (p.column.as_str(), p.text()),
            ("k", "k=85*,8471".to_string())
        );
        assert_eq!(p.series("v"), "v[k=85*,8471]");
        for bad in ["k", "=85", "k=", "k=8*5", "k=85,,84", "k=**"] {
            assert!(PartWhere::parse(bad).is_err(), "{bad}");
        }
    }
}
