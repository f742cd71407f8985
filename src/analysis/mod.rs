//! Pure computations on frames in canonical long form (see [`crate::schema`]).
//!
//! Everything here is a Polars expression over partitions of the keys (groups, then series),
//! never a Rust loop over rows, so the same code serves five rows and ten million. Functions
//! take a `LazyFrame` **in canonical order** — sorted by keys, then year, as a loaded
//! dataset's frame is (use [`in_order`] otherwise) — and return one; notes about undefined
//! values are read back from the result. No I/O and no printing happen here.
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

use crate::schema::{sort_keys, RUN, SERIES, VALUE, YEAR};
use anyhow::Result;
use polars::prelude::*;

/// Most notes a result carries; a panel with thousands of gaps would otherwise bury the table.
pub const MAX_NOTES: usize = 20;

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
pub fn missing_value_notes(lf: LazyFrame, keys: &[String]) -> Result<Vec<String>> {
    let missing = lf
        .filter(col(VALUE).is_null())
        .sort(sort_keys(keys), Default::default())
        .collect()?;
    let labels = KeyLabels::new(&missing, keys)?;
    let years = missing.column(YEAR)?.i32()?;
    let notes = (0..missing.height())
        .map(|i| {
            format!(
                "{} {}: empty value, treated as a missing year",
                labels.get(i),
                years.get(i).unwrap_or(0)
            )
        })
        .collect();
    Ok(cap_notes(notes))
}

/// Why a computed cell is empty although every input it needs is there: the result is not a
/// finite float. Such a cell prints empty, as a null does (see [`crate::output::Value::float`]);
/// [`overflow_notes`] says where, with this reason.
pub const OVERFLOWS: &str = "the result is too large to represent";

/// Notes for a collected result: each row where a computed column is ±inf or NaN (an
/// intermediate overflowed), naming its keys, its year (`year`, when the frame has one), the
/// columns as `columns` names them (column, name), and why the cells are empty. Nulls are
/// undefined values with notes of their own and are not flagged here.
pub fn overflow_notes(
    df: &DataFrame,
    keys: &[String],
    year: Option<&str>,
    columns: &[(&str, &str)],
) -> Result<Vec<String>> {
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
    let labels = KeyLabels::new(&flagged, keys)?;
    let years = match year {
        Some(y) => Some(flagged.column(y)?.cast(&DataType::Int64)?.i64()?.clone()),
        None => None,
    };
    let values = columns
        .iter()
        .map(|(c, _)| Ok(flagged.column(c)?.cast(&DataType::Float64)?.f64()?.clone()))
        .collect::<Result<Vec<_>>>()?;
    let notes = (0..flagged.height())
        .map(|i| {
            let names: Vec<&str> = columns
                .iter()
                .zip(&values)
                .filter(|(_, v)| v.get(i).is_some_and(|x| !x.is_finite()))
                .map(|((_, name), _)| *name)
                .collect();
            let at = match (labels.get(i), years.as_ref().and_then(|y| y.get(i))) {
                ("", None) => String::new(),
                (label, None) => format!("{label}: "),
                ("", Some(y)) => format!("{y}: "),
                (label, Some(y)) => format!("{label} {y}: "),
            };
            let verb = if names.len() == 1 {
                "overflows"
            } else {
                "overflow"
            };
            format!("{at}{} {verb}: {OVERFLOWS}", names.join(" and "))
        })
        .collect::<Vec<_>>();
    // A value repeated on every row of a group (a panel's CAGR) is noted once.
    let mut notes = notes;
    notes.dedup();
    Ok(cap_notes(notes))
}

/// Keeps at most [`MAX_NOTES`] notes and says how many were left out.
pub fn cap_notes(mut notes: Vec<String>) -> Vec<String> {
    if notes.len() > MAX_NOTES {
        let more = notes.len() - MAX_NOTES;
        notes.truncate(MAX_NOTES);
        notes.push(more_notes(more));
    }
    notes
}

fn more_notes(more: usize) -> String {
    format!("… and {more} more like these")
}

/// Joins notes that were capped separately (one list per piece of a large input) into one
/// list capped the same way, counting the notes each piece left out. A note that every piece
/// gives (about the data, not a row) is kept once, as the whole file gives it.
pub fn merge_capped(lists: Vec<Vec<String>>) -> Vec<String> {
    let mut kept = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut more = 0;
    for note in lists.into_iter().flatten() {
        let left_out = note
            .strip_prefix("… and ")
            .and_then(|rest| rest.strip_suffix(" more like these"))
            .and_then(|n| n.parse::<usize>().ok());
        match left_out {
            Some(n) => more += n,
            None if !seen.insert(note.clone()) => {}
            None if kept.len() < MAX_NOTES => kept.push(note),
            None => more += 1,
        }
    }
    if more > 0 {
        kept.push(more_notes(more));
    }
    kept
}

/// Reads the key columns of a (small) frame to name rows in notes: `cbec`, or
/// `region=north, cbec` in a panel.
pub struct KeyLabels {
    labels: Vec<String>,
}

impl KeyLabels {
    pub fn new(df: &DataFrame, keys: &[String]) -> Result<Self> {
        let columns = keys
            .iter()
            .map(|k| Ok(df.column(k)?.str()?.clone()))
            .collect::<Result<Vec<_>>>()?;
        let labels = (0..df.height())
            .map(|i| {
                let values: Vec<&str> = columns.iter().map(|c| c.get(i).unwrap_or("")).collect();
                key_label(keys, &values)
            })
            .collect();
        Ok(KeyLabels { labels })
    }

    pub fn get(&self, i: usize) -> &str {
        self.labels.get(i).map_or("", String::as_str)
    }
}

/// Names a row by its keys: `cbec`, or `region=north, cbec` in a panel.
pub fn key_label<S: AsRef<str>>(keys: &[String], values: &[S]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| {
            if k == SERIES {
                v.as_ref().to_string()
            } else {
                format!("{k}={}", v.as_ref())
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Percentages for notes: `24.07 %`.
pub fn pct(x: f64) -> String {
    format!("{:.2} %", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_notes_merge_with_their_counts() {
        let piece = |n: usize, tag: &str| cap_notes((0..n).map(|i| format!("{tag}{i}")).collect());
        let merged = merge_capped(vec![piece(3, "a"), piece(25, "b"), piece(2, "c")]);
        assert_eq!(merged.len(), MAX_NOTES + 1);
        assert_eq!(merged[..4], ["a0", "a1", "a2", "b0"]);
        // 30 notes in all, 20 shown.
        assert_eq!(merged[MAX_NOTES], "… and 10 more like these");
        assert_eq!(
            merge_capped(vec![piece(1, "a"), piece(1, "b")]),
            ["a0", "b0"]
        );
        // A note about the data that every piece gives, once; counts of notes left out add up
        // even when two pieces left out as many.
        assert_eq!(
            merge_capped(vec![piece(1, "a"), piece(1, "a"), piece(1, "b")]),
            ["a0", "b0"]
        );
        let merged = merge_capped(vec![piece(22, "a"), piece(22, "b")]);
        assert_eq!(merged[MAX_NOTES], "… and 24 more like these");
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
