//! The neutral result that every command produces and every renderer consumes.
//!
//! Commands build an [`Output`] (one or more [`Table`]s plus metadata and notes); renderers
//! turn it into bytes. Renderers never see Polars: the only bridge from a `DataFrame` to a
//! [`Table`] is [`frame::table_from_frame`], so number conversion happens in exactly one place.

pub mod frame;
mod rows;

pub use rows::{Cell, ColumnView, Rows};

use serde::Serialize;
use std::collections::BTreeMap;

/// One cell. Machine formats print `Float` at full precision; human formats round it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

impl Value {
    /// A float cell; NaN and ±inf become null, so no renderer can print them.
    pub fn float(x: f64) -> Value {
        if x.is_finite() {
            Value::Float(x)
        } else {
            Value::Null
        }
    }

    pub fn opt_float(x: Option<f64>) -> Value {
        x.map_or(Value::Null, Value::float)
    }

    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::Text(s.into()))
    }
}

/// How a column's numbers read to a person. Machine formats ignore this and print the raw value.
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

#[derive(Debug, Clone)]
pub struct Column {
    /// Stable machine name: CSV header, JSON key, SQL column.
    pub key: String,
    /// Header for people, with the unit (e.g. `value (trillion CNY)`, `YoY (%)`).
    pub label: String,
    pub kind: Kind,
    /// False for columns that people do not need to see (e.g. a unit column whose single
    /// value already stands in the headers).
    pub human: bool,
}

impl Column {
    pub fn new(key: &str, label: impl Into<String>, kind: Kind) -> Self {
        Column {
            key: key.to_string(),
            label: label.into(),
            kind,
            human: true,
        }
    }

    pub fn machine_only(mut self) -> Self {
        self.human = false;
        self
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// JSON key of the table (`rows` for the primary one).
    pub key: String,
    /// Caption shown above the table in human formats.
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Rows,
}

/// What a command hands to a renderer.
#[derive(Debug, Clone)]
pub struct Output {
    /// The first table is the primary one: the only one that flat formats (CSV, TSV, NDJSON)
    /// write. Human formats and JSON show all of them.
    pub tables: Vec<Table>,
    pub meta: Meta,
}

/// Metadata for JSON output and the notes printed under human tables (or on stderr).
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub tool: &'static str,
    pub version: &'static str,
    pub command: String,
    pub source: SourceMeta,
    /// Unit of each series in the output, keyed by series name.
    pub units: BTreeMap<String, String>,
    /// What each output column means, keyed by column name.
    pub columns: BTreeMap<String, String>,
    /// The effective parameters (span, base year, part/whole…).
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// The formulas and conventions behind the numbers, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conventions: Vec<String>,
    pub notes: Vec<String>,
    /// Results that should not be trusted (e.g. an interval from too few points).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceMeta {
    /// `bundled:cbec-trade`, a path, or `-` for standard input.
    pub input: String,
    /// SHA-256 of the input's bytes, so a report says exactly which data it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// What each series measures, where the input says so.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub series: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Meta {
    pub fn new(command: &str, source: SourceMeta) -> Self {
        Meta {
            tool: "tradestat",
            version: env!("CARGO_PKG_VERSION"),
            command: command.to_string(),
            source,
            units: BTreeMap::new(),
            columns: BTreeMap::new(),
            parameters: BTreeMap::new(),
            conventions: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records the meaning of the column `key` (a meaning already recorded is kept).
    pub fn describe(&mut self, key: &str, description: impl Into<String>) {
        self.columns
            .entry(key.to_string())
            .or_insert_with(|| description.into());
    }

    pub fn param(&mut self, key: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.parameters.insert(key.to_string(), value);
    }
}
