//! The cells of a [`super::Table`]: rows of [`Value`]s built by hand, or the typed columns of
//! a result frame, kept as they are so that ten million rows are not copied into ten million
//! small vectors before they are written.

use super::Value;
use polars::prelude::{BooleanChunked, Float64Chunked, Int64Chunked, StringChunked};
use std::borrow::Cow;

/// A borrowed view of one cell: what renderers format, without allocating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Float(f64),
    Text(&'a str),
    Bool(bool),
}

impl<'a> From<&'a Value> for Cell<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => Cell::Null,
            Value::Int(i) => Cell::Int(*i),
            // Hand-built values are finite already (see `Value::float`); a frame's are
            // checked in `ColumnView::cell`.
            Value::Float(x) => Cell::Float(*x),
            Value::Text(s) => Cell::Text(s),
            Value::Bool(b) => Cell::Bool(*b),
        }
    }
}

impl Cell<'_> {
    pub fn to_value(self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(i) => Value::Int(i),
            Cell::Float(x) => Value::float(x),
            Cell::Text(s) => Value::Text(s.to_string()),
            Cell::Bool(b) => Value::Bool(b),
        }
    }
}

/// One typed column of a frame-backed table (single chunk, so a cell is an index away).
#[derive(Debug, Clone)]
pub(super) enum Typed {
    Text(StringChunked),
    Int(Int64Chunked),
    Bool(BooleanChunked),
    /// Floats as plain values, NaN for null: the fastest to read, cell after cell.
    Floats(Vec<f64>),
    Null,
}

/// One column of a table, for reading many of its cells (see [`Rows::column`]).
pub enum ColumnView<'a> {
    Values(&'a [Vec<Value>], usize),
    Text(&'a StringChunked),
    Int(&'a Int64Chunked),
    Bool(&'a BooleanChunked),
    Floats(&'a [f64]),
    Null,
}

impl<'a> ColumnView<'a> {
    /// The cell in `row`, as [`Rows::cell`] gives it.
    #[inline]
    pub fn cell(&self, row: usize) -> Cell<'a> {
        match self {
            ColumnView::Values(rows, col) => rows
                .get(row)
                .and_then(|r| r.get(*col))
                .map_or(Cell::Null, Cell::from),
            ColumnView::Text(ca) => ca.get(row).map_or(Cell::Null, Cell::Text),
            ColumnView::Int(ca) => ca.get(row).map_or(Cell::Null, Cell::Int),
            ColumnView::Bool(ca) => ca.get(row).map_or(Cell::Null, Cell::Bool),
            ColumnView::Floats(values) => match values.get(row) {
                Some(&x) if x.is_finite() => Cell::Float(x),
                _ => Cell::Null,
            },
            ColumnView::Null => Cell::Null,
        }
    }
}

#[derive(Debug, Clone)]
enum Store {
    Values(Vec<Vec<Value>>),
    Columns { height: usize, columns: Vec<Typed> },
}

/// The rows of a table, in order.
#[derive(Debug, Clone)]
pub struct Rows(Store);

impl From<Vec<Vec<Value>>> for Rows {
    fn from(rows: Vec<Vec<Value>>) -> Self {
        Rows(Store::Values(rows))
    }
}

impl Typed {
    /// A float column of a frame as plain values, NaN for null.
    pub(super) fn floats(ca: &Float64Chunked) -> Self {
        match ca.cont_slice() {
            // One chunk without nulls: a plain copy.
            Ok(values) => Typed::Floats(values.to_vec()),
            Err(_) => Typed::Floats(ca.iter().map(|x| x.unwrap_or(f64::NAN)).collect()),
        }
    }
}

impl Rows {
    /// Typed columns of equal length `height` (see [`super::frame::table_from_frame`]).
    pub(super) fn columns(height: usize, columns: Vec<Typed>) -> Self {
        let columns = columns
            .into_iter()
            .map(|c| match c {
                Typed::Text(ca) => Typed::Text(ca.rechunk().into_owned()),
                Typed::Int(ca) => Typed::Int(ca.rechunk().into_owned()),
                Typed::Bool(ca) => Typed::Bool(ca.rechunk().into_owned()),
                Typed::Floats(v) => Typed::Floats(v),
                Typed::Null => Typed::Null,
            })
            .collect();
        Rows(Store::Columns { height, columns })
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Store::Values(rows) => rows.len(),
            Store::Columns { height, .. } => *height,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell in `row`, `col`. Non-finite floats read as null, so no renderer can print
    /// `NaN` or `inf`.
    pub fn cell(&self, row: usize, col: usize) -> Cell<'_> {
        self.column(col).cell(row)
    }

    /// Row `i` as values (borrowed when the table was built from values).
    pub fn get(&self, i: usize) -> Cow<'_, [Value]> {
        match &self.0 {
            Store::Values(rows) => Cow::Borrowed(rows[i].as_slice()),
            Store::Columns { columns, .. } => Cow::Owned(
                (0..columns.len())
                    .map(|c| self.cell(i, c).to_value())
                    .collect(),
            ),
        }
    }

    /// Column `col`, resolved once so that reading it cell after cell costs an index.
    pub fn column(&self, col: usize) -> ColumnView<'_> {
        match &self.0 {
            Store::Values(rows) => ColumnView::Values(rows, col),
            Store::Columns { columns, .. } => match columns.get(col) {
                Some(Typed::Text(ca)) => ColumnView::Text(ca),
                Some(Typed::Int(ca)) => ColumnView::Int(ca),
                Some(Typed::Bool(ca)) => ColumnView::Bool(ca),
                Some(Typed::Floats(values)) => ColumnView::Floats(values),
                Some(Typed::Null) | None => ColumnView::Null,
            },
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, [Value]>> {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = Cow<'a, [Value]>;
    type IntoIter = Box<dyn Iterator<Item = Cow<'a, [Value]>> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}
