//! Parquet (Polars' `ParquetWriter`): the primary table, as CSV writes it (the same columns,
//! full precision), with real types: integers as Int64, floats as Float64, text as String,
//! booleans as Boolean, and nulls as nulls. A binary format: it needs `--output`.

use super::{push_machine, Renderer};
use crate::output::{Cell, Column, ColumnView, Kind, Output, Table};
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, NamedFrom, ParquetWriter, PlSmallStr, Series};

pub struct ParquetRenderer;

impl Renderer for ParquetRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.render_to(output, &mut bytes)?;
        Ok(bytes)
    }

    fn render_to(&self, output: &Output, out: &mut dyn std::io::Write) -> Result<()> {
        let mut frame = match output.tables.first() {
            Some(table) => frame(table)?,
            None => DataFrame::empty(),
        };
        ParquetWriter::new(out)
            .finish(&mut frame)
            .context("cannot write the table as Parquet")?;
        Ok(())
    }
}

/// The table as a frame: one typed column per table column, in order.
pub(super) fn frame(table: &Table) -> Result<DataFrame> {
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| series(column, &table.rows.column(c), table.rows.len()).into())
        .collect();
    DataFrame::new(table.rows.len(), columns).context("internal error: a table as a frame")
}

/// The type a column is written as: a frame's own type, or for hand-built cells the type of
/// the cells (integers and floats together: Float64; anything else mixed: String), or with
/// no cell at all, the column's kind.
#[derive(Clone, Copy, PartialEq)]
enum Type {
    Int,
    Float,
    Text,
    Bool,
}

fn type_of(column: &Column, view: &ColumnView, height: usize) -> Type {
    match view {
        ColumnView::Text(_) => return Type::Text,
        ColumnView::Int(_) => return Type::Int,
        ColumnView::Bool(_) => return Type::Bool,
        ColumnView::Floats(_) => return Type::Float,
        ColumnView::Values(..) | ColumnView::Null => {}
    }
    let mut found: Option<Type> = None;
    for row in 0..height {
        let here = match view.cell(row) {
            Cell::Null => continue,
            Cell::Int(_) => Type::Int,
            Cell::Float(_) => Type::Float,
            Cell::Text(_) => Type::Text,
            Cell::Bool(_) => Type::Bool,
        };
        found = Some(match (found, here) {
            (None, t) => t,
            (Some(a), b) if a == b => a,
            (Some(Type::Int | Type::Float), Type::Int | Type::Float) => Type::Float,
            _ => Type::Text,
        });
    }
    found.unwrap_or(match column.kind {
        Kind::Text => Type::Text,
        Kind::Integer => Type::Int,
        Kind::Number | Kind::Percent | Kind::Points => Type::Float,
    })
}

/// One column's cells as a Series named by the column's key.
fn series(column: &Column, view: &ColumnView, height: usize) -> Series {
    let name = PlSmallStr::from(column.key.as_str());
    let cells = (0..height).map(|row| view.cell(row));
    match type_of(column, view, height) {
        Type::Int => Series::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Int(i) => Some(i),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        Type::Float => Series::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Float(x) => Some(x),
                    Cell::Int(i) => Some(i as f64),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        Type::Bool => Series::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Bool(b) => Some(b),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        Type::Text => Series::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Null => None,
                    Cell::Text(s) => Some(s.to_string()),
                    other => {
                        let mut text = Vec::new();
                        push_machine(other, &mut text);
                        Some(String::from_utf8_lossy(&text).into_owned())
                    }
                })
                .collect::<Vec<_>>(),
        ),
    }
}
