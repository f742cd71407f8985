//! Pure computations on frames in canonical long form (see [`crate::schema`]).
//!
//! Everything here is a Polars expression over partitions of the keys (groups, then series),
//! never a Rust loop over rows, so the same code serves five rows and ten million. Functions
//! take a `LazyFrame` **in canonical order** — sorted by keys, then year, as a loaded
//! dataset's frame is (use [`in_order`] otherwise). Each analysis' `run` returns a typed
//! result: frames that hold the columns its `*_columns()` describe and nothing else, and
//! structured notes ([`crate::notes`]) about undefined values, read back from the result. No
//! I/O and no printing happen here; this module uses `schema` and `notes` only.
//!
//! Because rows arrive sorted, a partition is a run of neighbouring rows: "the previous year
//! of this series" is the previous row when its keys are equal, and runs of equal keys are
//! numbered once ([`with_runs`]) so that later steps compare or group by one integer
//! ([`prev_in_run`], [`first_in_run`], [`per_run`]). That costs a comparison of
//! neighbours instead of hashing every key, and no sort is repeated per analysis.
//!
//! [`in_order`]: crate::schema::in_order

pub mod backtest;
pub mod claim;
pub mod growth;
pub mod index;
pub mod panel;
pub mod project;
#[cfg(test)]
mod properties;
pub mod share;

use crate::notes::{self, Note, Subject, What};
#[cfg(test)]
use crate::schema::SERIES;
use crate::schema::{sort_keys, RUN, VALUE, YEAR};
use anyhow::Result;
use polars::prelude::*;

/// An analysis' result on the selected series, with the units of those series: what a
/// command's table, a chart and a report section are all made from, computed once.
pub struct Selected<T> {
    pub result: T,
    pub units: std::collections::BTreeMap<String, String>,
}

/// True where a row has the same keys as the row before it (false on the first row): on
/// rows in canonical order, where a partition continues.
fn continues(keys: &[String]) -> Expr {
    keys.iter()
        .map(|k| col(k.as_str()).eq_missing(col(k.as_str()).shift(lit(1))))
        .reduce(|a, b| a.and(b))
        .unwrap_or_else(|| {
            col(YEAR)
                .is_not_null()
                .and(col(YEAR).shift(lit(1)).is_not_null())
        })
}

/// The number of each partition's run of rows, increasing down the frame. Needs canonical
/// order.
fn run(keys: &[String]) -> Expr {
    continues(keys).not().cum_sum(false)
}

/// Adds [`RUN`], the run number of each row's partition, so that later steps compare one
/// integer with its neighbour instead of every key column. Needs canonical order.
pub fn with_runs(lf: LazyFrame, keys: &[String]) -> LazyFrame {
    lf.with_column(run(keys).alias(RUN))
}

/// On a frame with [`RUN`]: `expr` on the previous row of the same run (partition), null on
/// a run's first row.
pub fn prev_in_run(expr: Expr) -> Expr {
    when(col(RUN).eq(col(RUN).shift(lit(1))))
        .then(expr.shift(lit(1)))
        .otherwise(lit(NULL))
}

/// On a frame with [`RUN`], for an `expr` without nulls: its value on the run's first row,
/// carried down the run (no hashing).
pub fn first_in_run(expr: Expr) -> Expr {
    when(col(RUN).neq_missing(col(RUN).shift(lit(1))))
        .then(expr)
        .otherwise(lit(NULL))
        .fill_null_with_strategy(FillNullStrategy::Forward(None))
}

/// On a frame with [`RUN`], for an `expr` without nulls: its value on the run's last row,
/// carried up the run.
pub fn last_in_run(expr: Expr) -> Expr {
    when(col(RUN).neq_missing(col(RUN).shift(lit(-1))))
        .then(expr)
        .otherwise(lit(NULL))
        .fill_null_with_strategy(FillNullStrategy::Backward(None))
}

/// On a frame with [`RUN`]: `expr` evaluated per run (partition), a window over one integer.
pub fn per_run(expr: Expr) -> Result<Expr> {
    Ok(expr.over([col(RUN)])?)
}

/// Rows with an empty value cell are treated as absent years; this says which ones were.
pub fn missing_value_notes(lf: LazyFrame, keys: &[String]) -> Result<Vec<Note>> {
    let missing = lf
        .filter(col(VALUE).is_null())
        .sort(sort_keys(keys), Default::default())
        .collect()?;
    let rows = KeyLabels::new(&missing, keys)?;
    let years = missing.column(YEAR)?.i32()?;
    let notes = (0..missing.height())
        .map(|i| Note::new(rows.at(i, years.get(i)), What::MissingValue))
        .collect();
    Ok(notes::cap(notes))
}

/// Notes for a collected result: each row where a computed column is ±inf or NaN (an
/// intermediate overflowed), naming its keys, its year (`year`, when the frame has one) and
/// the columns as `columns` names them (column, name). Such a cell prints empty, as a null
/// does (see [`crate::output::Value::float`]). Nulls are undefined values with notes of their
/// own and are not flagged here.
pub fn overflow_notes(
    df: &DataFrame,
    keys: &[String],
    year: Option<&str>,
    columns: &[(&str, &str)],
) -> Result<Vec<Note>> {
    let Some(any) = columns
        .iter()
        .map(|(c, _)| col(*c).is_finite().not())
        .reduce(|a, b| a.or(b))
    else {
        return Ok(Vec::new());
    };
    let flagged = df.clone().lazy().filter(any).collect()?;
    if flagged.height() == 0 {
        return Ok(Vec::new());
    }
    let rows = KeyLabels::new(&flagged, keys)?;
    let years = match year {
        Some(y) => Some(flagged.column(y)?.cast(&DataType::Int32)?.i32()?.clone()),
        None => None,
    };
    let values = columns
        .iter()
        .map(|(c, _)| Ok(flagged.column(c)?.cast(&DataType::Float64)?.f64()?.clone()))
        .collect::<Result<Vec<_>>>()?;
    let mut notes: Vec<Note> = (0..flagged.height())
        .map(|i| {
            let names = columns
                .iter()
                .zip(&values)
                .filter(|(_, v)| v.get(i).is_some_and(|x| !x.is_finite()))
                .map(|((_, name), _)| name.to_string())
                .collect();
            let year = years.as_ref().and_then(|y| y.get(i));
            Note::new(rows.at(i, year), What::Overflow { columns: names })
        })
        .collect();
    // A value repeated on every row of a group (a panel's CAGR) is noted once.
    notes.dedup();
    Ok(notes::cap(notes))
}

/// Reads the key columns of a (small) frame to name rows in notes: `cbec`, or
/// `region=north, cbec` in a panel.
pub struct KeyLabels {
    keys: Vec<String>,
    columns: Vec<StringChunked>,
}

impl KeyLabels {
    pub fn new(df: &DataFrame, keys: &[String]) -> Result<Self> {
        let columns = keys
            .iter()
            .map(|k| Ok(df.column(k)?.str()?.clone()))
            .collect::<Result<Vec<_>>>()?;
        Ok(KeyLabels {
            keys: keys.to_vec(),
            columns,
        })
    }

    /// Row `i`'s keys, and `year`, as the subject of a note.
    pub fn at(&self, i: usize, year: Option<i32>) -> Subject {
        let values: Vec<&str> = self
            .columns
            .iter()
            .map(|c| c.get(i).unwrap_or(""))
            .collect();
        Subject::new(&self.keys, &values, year)
    }

    /// Row `i` named by its keys: `cbec`, or `region=north, cbec` in a panel.
    pub fn get(&self, i: usize) -> String {
        self.at(i, None).label()
    }
}

/// Names a row by its keys: `cbec`, or `region=north, cbec` in a panel.
pub fn key_label<S: AsRef<str>>(keys: &[String], values: &[S]) -> String {
    Subject::new(keys, values, None).label()
}

pub use crate::notes::pct;

/// A frame made from rows of a Rust struct: the key columns first (group columns, then
/// `series`, as Strings), then one column per [`RowFrame::column`]. For the per-series
/// results computed in Rust (projections, backtests, claim checks), so that their tables
/// come from frames like every other result's.
pub struct RowFrame<'r, R> {
    rows: &'r [R],
    columns: Vec<Column>,
}

impl<'r, R> RowFrame<'r, R> {
    /// A frame of `rows` whose key columns `keys` hold, per row, the values `key` gives.
    pub fn keyed<'k>(keys: &[String], rows: &'r [R], key: impl Fn(&'r R) -> &'k [String]) -> Self {
        let columns = keys
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values: Vec<&str> = rows.iter().map(|r| key(r)[i].as_str()).collect();
                Column::new(name.as_str().into(), values)
            })
            .collect();
        RowFrame { rows, columns }
    }

    /// Adds the column `name` with the value `value` gives for each row.
    pub fn column<T>(mut self, name: impl Into<PlSmallStr>, value: impl Fn(&'r R) -> T) -> Self
    where
        Series: NamedFrom<Vec<T>, [T]>,
    {
        let values: Vec<T> = self.rows.iter().map(value).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn finish(self) -> Result<DataFrame> {
        Ok(DataFrame::new(self.rows.len(), self.columns)?)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Frames for unit tests, in canonical long form.
    use super::*;

    /// The keys of a frame without group columns.
    pub fn keys() -> Vec<String> {
        vec![SERIES.to_string()]
    }

    /// The seed's Table 1.
    pub fn seed() -> DataFrame {
        frame(&[
            (
                "cbec",
                &[
                    (2015, 5.4),
                    (2016, 6.7),
                    (2017, 8.06),
                    (2018, 9.7),
                    (2019, 10.8),
                ],
            ),
            (
                "trade",
                &[
                    (2015, 24.7),
                    (2016, 24.3),
                    (2017, 27.8),
                    (2018, 30.5),
                    (2019, 31.54),
                ],
            ),
        ])
    }

    pub fn frame(series: &[(&str, &[(i32, f64)])]) -> DataFrame {
        let mut names = Vec::new();
        let mut years = Vec::new();
        let mut values = Vec::new();
        for (name, points) in series {
            for (year, value) in points.iter() {
                names.push(name.to_string());
                years.push(*year);
                values.push(Some(*value));
            }
        }
        let units: Vec<Option<String>> = vec![Some("trillion CNY".to_string()); names.len()];
        df!(SERIES => names, YEAR => years, VALUE => values, crate::schema::UNIT => units).unwrap()
    }

    pub fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
        df.column(name).unwrap().f64().unwrap().iter().collect()
    }

    pub fn assert_close(actual: Option<f64>, expected: f64, tol: f64) {
        let a = actual.unwrap_or(f64::NAN);
        assert!(
            (a - expected).abs() <= tol,
            "expected {expected}, got {actual:?}"
        );
    }
}
