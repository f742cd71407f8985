//! The neutral result that every command produces and every renderer consumes.
//!
//! Commands build an [`Output`] (one or more [`Table`]s plus metadata and notes); renderers
//! turn it into bytes. A table comes from a result frame and the descriptions of its columns
//! ([`Output::push`]: headers with units, who sees a column, and the meanings in
//! `meta.columns`, all from [`crate::schema::ColumnDef`]). Renderers never see Polars: the
//! only bridge from a `DataFrame` to a [`Table`] is [`frame::table_from_frame`], so number
//! conversion happens in exactly one place.

pub mod frame;
mod rows;

pub use rows::{Cell, ColumnView, Rows};

use crate::data::SourceMeta;
use crate::notes::Note;
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

pub use crate::schema::Kind;
use crate::schema::{ColumnDef, Shown};

/// A column as renderers see it: its description resolved for one result's units.
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

    /// The column that `def` describes, for a result whose series' units are `units`.
    pub fn described(def: &ColumnDef, units: &UnitLabel) -> Self {
        let label = if def.unit_in_header {
            format!("{}{}", def.header, units.suffix)
        } else {
            def.header.to_string()
        };
        Column {
            key: def.key.to_string(),
            label,
            kind: def.kind,
            human: match def.shown {
                Shown::Always => true,
                Shown::MachineOnly => false,
                Shown::WhenUnitsDiffer => units.column_for_people,
            },
        }
    }
}

/// How units show in human headers.
#[derive(Debug, Clone, Default)]
pub struct UnitLabel {
    /// ` (trillion CNY)` when every series shown has that one unit, else empty.
    pub suffix: String,
    /// Whether people need the `unit` column: only when series differ in unit.
    pub column_for_people: bool,
}

impl UnitLabel {
    /// The label for `series_count` series whose units (by series name) are `units`.
    pub fn new(units: &BTreeMap<String, String>, series_count: usize) -> Self {
        let mut distinct = units.values();
        match distinct.next() {
            None => UnitLabel::default(),
            Some(first) if units.len() == series_count && distinct.all(|u| u == first) => {
                UnitLabel {
                    suffix: format!(" ({first})"),
                    column_for_people: false,
                }
            }
            Some(_) => UnitLabel {
                suffix: String::new(),
                column_for_people: true,
            },
        }
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

impl Output {
    pub fn new(meta: Meta) -> Self {
        Output {
            tables: Vec::new(),
            meta,
        }
    }

    /// Adds the table `key` of the columns `defs` describes, from `df`, and their meanings.
    pub fn push(
        &mut self,
        (key, title): (&str, &str),
        df: &polars::prelude::DataFrame,
        defs: &[ColumnDef],
        units: &UnitLabel,
    ) -> anyhow::Result<()> {
        self.meta.describe_all(defs);
        self.tables
            .push(frame::described_table(key, title, df, defs, units)?);
        Ok(())
    }

    /// [`Output::push`] when `shown`; else only the meanings of the columns, for a table
    /// computed but not shown.
    pub fn push_if(
        &mut self,
        shown: bool,
        title: (&str, &str),
        df: &polars::prelude::DataFrame,
        defs: &[ColumnDef],
        units: &UnitLabel,
    ) -> anyhow::Result<()> {
        if shown {
            self.push(title, df, defs, units)
        } else {
            self.meta.describe_all(defs);
            Ok(())
        }
    }
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
    pub notes: Vec<Note>,
    /// Results that should not be trusted (e.g. an interval from too few points).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Note>,
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

    /// Records the meaning of the column `key` (a meaning recorded first stays).
    pub fn describe(&mut self, key: &str, description: impl Into<String>) {
        self.columns
            .entry(key.to_string())
            .or_insert_with(|| description.into());
    }

    /// Records the meaning of every column of `columns` (meanings recorded first stay;
    /// columns without one are left out).
    pub fn describe_all(&mut self, columns: &[ColumnDef]) {
        for c in columns.iter().filter(|c| !c.meaning.is_empty()) {
            self.describe(&c.key, c.meaning.as_ref());
        }
    }

    pub fn param(&mut self, key: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.parameters.insert(key.to_string(), value);
    }
}
