//! The canonical long frame: the one shape of data between reading and computing.
//!
//! Whatever the input's layout, [`crate::data`] gives a frame with these columns, in this
//! order:
//!
//! - the group columns (strings, under the input's own names; none for a plain table),
//! - [`SERIES`] (string): the series' name,
//! - [`YEAR`] (`i32`),
//! - [`VALUE`] (`f64`, null for an empty cell: a missing year),
//! - [`UNIT`] (string, null for a series without a unit),
//! - [`FLAG`] (string, optional: only with `--keep-flags`).
//!
//! The *keys* of a row are its group columns, then [`SERIES`] ([`keys`]): one series of one
//! group is a partition, and every per-series computation works per partition. The frame is
//! in **canonical order**: sorted by the keys, then [`YEAR`] ([`sort_keys`], [`in_order`]),
//! one row per keys and year; [`crate::analysis`] relies on it, and its results keep it.
//!
//! [`Span`] and [`Reads`] say which rows of the frame a command reads. The analyses add
//! helper columns of their own while they compute ([`RUN`], [`PREV_YEAR`], …, listed in
//! [`HELPERS`]); they are named here so that the names are known in one place.
//!
//! Both `data` (which builds the frame) and `analysis` (which computes on it) depend on this
//! module, and on nothing of each other; this module depends on no other module of the crate
//! (the `layering` test checks both).

pub mod columns;
pub use columns::{ColumnDef, Kind, Shown, UnitOf};

use anyhow::Result;
use polars::prelude::*;

/// The series' name.
pub const SERIES: &str = "series";
/// The year, `i32`.
pub const YEAR: &str = "year";
/// The value, `f64`; null for an empty cell, which is treated as a missing year.
pub const VALUE: &str = "value";
/// The series' unit, null for none.
pub const UNIT: &str = "unit";
/// With `--keep-flags`: the flag that followed a value (`p`, `e`), or null.
pub const FLAG: &str = "flag";

/// The keys of a frame with `groups`: the group columns, then [`SERIES`]; the partition of
/// every per-series computation.
pub fn keys(groups: &[String]) -> Vec<String> {
    let mut keys = groups.to_vec();
    keys.push(SERIES.to_string());
    keys
}

/// Canonical order for `keys` (see [`keys`]): the keys, then [`YEAR`]. Also the sort order
/// of every result.
pub fn sort_keys(keys: &[String]) -> Vec<PlSmallStr> {
    keys.iter()
        .map(|k| PlSmallStr::from(k.as_str()))
        .chain(std::iter::once(PlSmallStr::from(YEAR)))
        .collect()
}

/// Sorts rows into canonical order (keys, then year), which every analysis expects.
pub fn in_order(lf: LazyFrame, keys: &[String]) -> LazyFrame {
    lf.sort(sort_keys(keys), Default::default())
}

/// The years to report, both ends inclusive. Rates still use the year before `from` when it
/// is in the data: the 2017 growth rate of `--from 2017` is measured against 2016.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

/// The rows an analysis reads besides its span: unit conversion needs exchange rates for
/// these rows only, so a command that says what it reads is not asked for rates of years it
/// never shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// Each series' last year with a value before `from`: the base of the first year's growth
    /// rate (or of its rate over a gap), change, share change and contribution.
    pub base: bool,
    /// One more year wherever it lies: `index --base`.
    pub year: Option<i32>,
}

impl Reads {
    /// The span alone (`show`, `project`, `backtest`, `check`).
    pub const SPAN: Reads = Reads {
        base: false,
        year: None,
    };
}

impl Default for Reads {
    /// The span and each series' base year: enough for every analysis but an index on a base
    /// outside the span.
    fn default() -> Self {
        Reads {
            base: true,
            year: None,
        }
    }
}

impl Span {
    /// The rows that `reads` needs, on a frame in canonical order with `keys`: the span, each
    /// series' last row with a value before it (with `reads.base`), and `reads.year`.
    pub fn rows(&self, reads: Reads, keys: &[String]) -> Result<Expr> {
        let mut keep = self.contains();
        if let (true, Some(from)) = (reads.base, self.from) {
            let before = col(YEAR).lt(lit(from)).and(col(VALUE).is_not_null());
            let base_year = col(YEAR)
                .filter(before.clone())
                .max()
                .over(keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())?;
            keep = keep.or(before.and(col(YEAR).eq(base_year)));
        }
        if let Some(year) = reads.year {
            keep = keep.or(col(YEAR).eq(lit(year)));
        }
        Ok(keep)
    }

    /// Why a selection of `height` rows is empty, when it is: better than printing an
    /// empty table.
    pub fn ensure_rows(&self, height: usize) -> Result<()> {
        if height > 0 {
            return Ok(());
        }
        match (self.from, self.to) {
            (None, None) => anyhow::bail!("no values to analyse (every selected value is empty)"),
            (from, to) => anyhow::bail!(
                "no values between --from {} and --to {} (expected a span that overlaps the data)",
                from.map_or("(first)".to_string(), |y| y.to_string()),
                to.map_or("(last)".to_string(), |y| y.to_string())
            ),
        }
    }

    pub fn contains(&self) -> Expr {
        let mut keep = lit(true);
        if let Some(from) = self.from {
            keep = keep.and(col(YEAR).gt_eq(lit(from)));
        }
        if let Some(to) = self.to {
            keep = keep.and(col(YEAR).lt_eq(lit(to)));
        }
        keep
    }
}

/// Helper column: the number of each row's partition, increasing down a frame in canonical
/// order (`analysis::with_runs`). Dropped before a result is returned.
pub const RUN: &str = "__run";
/// Helper column of `growth` and `share`: the previous present year of the row's partition
/// (null on its first row), which the notes on undefined rates read.
pub const PREV_YEAR: &str = "prev_year";
/// Helper column of `growth`: the value in [`PREV_YEAR`], which the notes read.
pub const PREV_VALUE: &str = "prev_value";
/// Helper column of `growth`: the partition's first year in the span, the base of
/// `cagr_since_first`.
pub const FIRST_YEAR: &str = "first_year";
/// Helper column of `growth`: the value in [`FIRST_YEAR`]. (`cagr` shows a column of this
/// name too, the value in its `from_year`.)
pub const FIRST_VALUE: &str = "first_value";
/// Helper column of `index`: the value in `base_year`, the divisor of the index.
pub const BASE_VALUE: &str = "base_value";
/// Helper column of `share`: the part's value in [`PREV_YEAR`].
pub const PREV_PART: &str = "prev_part";
/// Helper column of `share`: the whole's value in [`PREV_YEAR`].
pub const PREV_WHOLE: &str = "prev_whole";
/// Helper column of `share`: the share in [`PREV_YEAR`].
pub const PREV_SHARE: &str = "prev_share";
/// Helper column of `share`: the part's unit (the result's [`UNIT`] is the part's, else the
/// whole's).
pub const PART_UNIT: &str = "part_unit";
/// Helper column of `share`: the whole's unit.
pub const WHOLE_UNIT: &str = "whole_unit";
/// Helper column of `panel`: the share's part when it is not a shown column (not shown, or
/// read in the whole's unit). Dropped before the panel is returned.
pub const SHARE_PART: &str = "__share_part";
/// Helper column of `panel`: the share's whole when it is not a shown column. Dropped before
/// the panel is returned.
pub const SHARE_WHOLE: &str = "__share_whole";

/// Every helper column an analysis creates besides its documented result columns. None
/// leaves `analysis`: the typed results hold their documented columns only, and so do the
/// lazy frames `sql` registers (`growth_documented`, `index_documented`, `share`).
pub const HELPERS: [&str; 13] = [
    RUN,
    PREV_YEAR,
    PREV_VALUE,
    FIRST_YEAR,
    FIRST_VALUE,
    BASE_VALUE,
    PREV_PART,
    PREV_WHOLE,
    PREV_SHARE,
    PART_UNIT,
    WHOLE_UNIT,
    SHARE_PART,
    SHARE_WHOLE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_columns_are_not_frame_columns() {
        for helper in HELPERS {
            assert!(![SERIES, YEAR, VALUE, UNIT, FLAG].contains(&helper));
        }
        let mut unique = HELPERS.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), HELPERS.len());
    }

    #[test]
    fn keys_are_groups_then_series() {
        assert_eq!(keys(&[]), [SERIES]);
        assert_eq!(keys(&["region".to_string()]), ["region", SERIES]);
        assert_eq!(sort_keys(&keys(&[])), [SERIES, YEAR]);
    }

    #[test]
    fn rows_read_are_the_span_and_each_series_base() {
        // cbec has 2015, 2016 and 2018 (2017 missing); trade 2015–2018 with 2017 empty.
        let df = df!(
            SERIES => ["cbec", "cbec", "cbec", "trade", "trade", "trade", "trade"],
            YEAR => [2015, 2016, 2018, 2015, 2016, 2017, 2018],
            VALUE => [Some(1.0), Some(2.0), Some(4.0), Some(5.0), Some(6.0), None, Some(8.0)],
        )
        .unwrap();
        let read = |span: Span, reads: Reads| -> Vec<(String, i32)> {
            let rows = span.rows(reads, &keys(&[])).unwrap();
            let kept = df.clone().lazy().filter(rows).collect().unwrap();
            let names = kept.column(SERIES).unwrap().str().unwrap().clone();
            let years = kept.column(YEAR).unwrap().i32().unwrap().clone();
            names
                .iter()
                .zip(years.iter())
                .map(|(n, y)| (n.unwrap().to_string(), y.unwrap()))
                .collect()
        };
        let span = Span {
            from: Some(2018),
            to: Some(2018),
        };
        let pairs = |p: &[(&str, i32)]| -> Vec<(String, i32)> {
            p.iter().map(|(n, y)| (n.to_string(), *y)).collect()
        };
        assert_eq!(
            read(span, Reads::SPAN),
            pairs(&[("cbec", 2018), ("trade", 2018)])
        );
        // The base is each series' last year with a value: cbec's 2016 (2017 is missing),
        // trade's 2016 (2017 is empty).
        assert_eq!(
            read(span, Reads::default()),
            pairs(&[
                ("cbec", 2016),
                ("cbec", 2018),
                ("trade", 2016),
                ("trade", 2018)
            ])
        );
        let index = Reads {
            year: Some(2015),
            ..Reads::SPAN
        };
        assert_eq!(
            read(span, index),
            pairs(&[
                ("cbec", 2015),
                ("cbec", 2018),
                ("trade", 2015),
                ("trade", 2018)
            ])
        );
        // No --from: nothing before the span to read.
        let to_only = Span {
            from: None,
            to: Some(2015),
        };
        assert_eq!(
            read(to_only, Reads::default()),
            pairs(&[("cbec", 2015), ("trade", 2015)])
        );
    }
}
