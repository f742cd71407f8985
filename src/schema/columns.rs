//! What a result's columns are: one description per column, from which everything else that
//! speaks of the column is derived — the header people read (with the unit when every series
//! shares one), whether people see it at all, its meaning in JSON's `meta.columns`, and its
//! unit in `sql --schema`.
//!
//! Each analysis describes the columns of the frames it returns (e.g.
//! [`crate::analysis::growth::yearly_columns`]) and returns no others.

use super::{SERIES, UNIT, VALUE, YEAR};
use std::borrow::Cow;

/// How a column's numbers read to a person. Machine formats ignore this and print the raw
/// value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A whole number printed as is (years, counts).
    Integer,
    /// A quantity in the series' unit; rounded and digit-grouped for people.
    Number,
    /// A fraction (0.24 = 24 %); people see it multiplied by 100.
    Percent,
    /// A unitless number already on its display scale (percentage points, index points,
    /// percent errors, ratios); rounded for people.
    Points,
}

/// The unit of a column's values, as `sql --schema` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitOf {
    /// Text, counts, or a unit the description does not name.
    Unstated,
    /// The series' unit, which the `unit` column states.
    Series,
    /// A unitless fraction (0.1 = 10 %).
    Fraction,
    PercentagePoints,
    /// Index points, the base year = 100.
    IndexPoints,
    /// A calendar year.
    Year,
}

impl UnitOf {
    /// The words `sql --schema` uses.
    pub fn words(self) -> &'static str {
        match self {
            UnitOf::Unstated => "",
            UnitOf::Series => "the series' unit (see unit)",
            UnitOf::Fraction => "fraction (unitless)",
            UnitOf::PercentagePoints => "percentage points",
            UnitOf::IndexPoints => "index points (base = 100)",
            UnitOf::Year => "calendar year",
        }
    }
}

/// Who sees a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Always,
    /// Machine formats only (a long explanation, a model's warning text).
    MachineOnly,
    /// People see it only when the series differ in unit (the `unit` column: when they share
    /// one, the headers say it).
    WhenUnitsDiffer,
}

/// One column of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    /// Stable machine name: the frame's column, the CSV header, the JSON key, the SQL column.
    pub key: Cow<'static, str>,
    /// Header for people, without the unit.
    pub header: Cow<'static, str>,
    /// Whether the header takes the series' unit when every series shares one
    /// (`value (trillion CNY)`).
    pub unit_in_header: bool,
    pub kind: Kind,
    pub unit: UnitOf,
    /// What the column means, for `meta.columns`; empty for a column left out of it.
    pub meaning: Cow<'static, str>,
    pub shown: Shown,
}

impl ColumnDef {
    /// A column whose header is its key, seen by people, with no stated unit.
    pub fn new(
        key: impl Into<Cow<'static, str>>,
        kind: Kind,
        meaning: impl Into<Cow<'static, str>>,
    ) -> Self {
        let key = key.into();
        ColumnDef {
            header: key.clone(),
            key,
            unit_in_header: false,
            kind,
            unit: UnitOf::Unstated,
            meaning: meaning.into(),
            shown: Shown::Always,
        }
    }

    pub fn header(mut self, header: impl Into<Cow<'static, str>>) -> Self {
        self.header = header.into();
        self
    }

    pub fn unit(mut self, unit: UnitOf) -> Self {
        self.unit = unit;
        self
    }

    /// A quantity in the series' unit, which its header names when every series shares it.
    pub fn in_series_unit(mut self) -> Self {
        self.unit = UnitOf::Series;
        self.unit_in_header = true;
        self
    }

    pub fn machine_only(mut self) -> Self {
        self.shown = Shown::MachineOnly;
        self
    }

    pub fn when_units_differ(mut self) -> Self {
        self.shown = Shown::WhenUnitsDiffer;
        self
    }

    /// A text column.
    pub fn text(key: &'static str, meaning: impl Into<Cow<'static, str>>) -> Self {
        ColumnDef::new(key, Kind::Text, meaning)
    }

    /// A count or another whole number.
    pub fn integer(key: &'static str, meaning: impl Into<Cow<'static, str>>) -> Self {
        ColumnDef::new(key, Kind::Integer, meaning)
    }

    /// A calendar year.
    pub fn year_like(key: &'static str, meaning: impl Into<Cow<'static, str>>) -> Self {
        ColumnDef::new(key, Kind::Integer, meaning).unit(UnitOf::Year)
    }

    /// A quantity in the series' unit, its header with the unit.
    pub fn quantity(key: &'static str, meaning: impl Into<Cow<'static, str>>) -> Self {
        ColumnDef::new(key, Kind::Number, meaning).in_series_unit()
    }

    /// A unitless fraction that people read in percent.
    pub fn fraction(key: &'static str, meaning: impl Into<Cow<'static, str>>) -> Self {
        ColumnDef::new(key, Kind::Percent, meaning).unit(UnitOf::Fraction)
    }

    /// A number on its display scale (points, ratios, percent errors).
    pub fn points(key: &'static str, meaning: impl Into<Cow<'static, str>>) -> Self {
        ColumnDef::new(key, Kind::Points, meaning)
    }

    /// A group column of the input.
    pub fn group(name: &str) -> Self {
        ColumnDef::new(name.to_string(), Kind::Text, "group key from the input")
    }

    /// The canonical `series` column.
    pub fn series() -> Self {
        ColumnDef::text(SERIES, "series name")
    }

    /// The canonical `year` column.
    pub fn year() -> Self {
        ColumnDef::year_like(YEAR, "calendar year")
    }

    /// The canonical `unit` column, which people see only when the series differ in unit.
    pub fn unit_column(meaning: impl Into<Cow<'static, str>>) -> Self {
        ColumnDef::text(UNIT, meaning).when_units_differ()
    }

    /// The canonical `value` column.
    pub fn value() -> Self {
        ColumnDef::quantity(VALUE, "the series' value in its unit")
    }
}

/// The group columns of `groups`, then `series`: the key columns of a result.
pub fn key_columns(groups: &[String]) -> Vec<ColumnDef> {
    groups
        .iter()
        .map(|g| ColumnDef::group(g))
        .chain([ColumnDef::series()])
        .collect()
}

/// The columns of the canonical frame: keys, `year`, `unit` and `value`.
pub fn canonical_columns(groups: &[String]) -> Vec<ColumnDef> {
    let mut columns = key_columns(groups);
    columns.extend([
        ColumnDef::year(),
        ColumnDef::unit_column("unit of value (and of change)"),
        ColumnDef::value(),
    ]);
    columns
}

/// The `--keep-flags` column.
pub fn flag_column() -> ColumnDef {
    ColumnDef::text(
        super::FLAG,
        "the flag after the value in the input (Eurostat: p provisional, e estimated, b break in series, …)",
    )
}

/// The description of `key` among `columns`.
pub fn find<'a>(columns: &'a [ColumnDef], key: &str) -> Option<&'a ColumnDef> {
    columns.iter().find(|c| c.key == key)
}
