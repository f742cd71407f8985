//! The one bridge from a Polars `DataFrame` to a neutral [`Table`].

use super::rows::{Rows, Typed};
use super::{Column, Table, UnitLabel};
use crate::schema::ColumnDef;
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, DataType};

/// Builds a table with the given columns, in the given order, from `df`.
///
/// The table keeps the frame's typed columns; non-finite floats read as nulls (see
/// [`Rows::cell`]), so no renderer can ever print `NaN` or `inf`.
pub fn table_from_frame(
    key: &str,
    title: &str,
    df: &DataFrame,
    columns: Vec<Column>,
) -> Result<Table> {
    let height = df.height();
    let mut cells = Vec::with_capacity(columns.len());
    for spec in &columns {
        let column = df
            .column(&spec.key)
            .with_context(|| format!("internal error: result has no column {:?}", spec.key))?;
        cells.push(match column.dtype() {
            DataType::String => Typed::Text(column.str()?.clone()),
            DataType::Float64 => Typed::floats(column.f64()?),
            DataType::Float32 => Typed::floats(column.cast(&DataType::Float64)?.f64()?),
            DataType::Int64 => Typed::Int(column.i64()?.clone()),
            DataType::Boolean => Typed::Bool(column.bool()?.clone()),
            dt if dt.is_integer() => Typed::Int(column.cast(&DataType::Int64)?.i64()?.clone()),
            DataType::Null => Typed::Null,
            other => anyhow::bail!(
                "internal error: column {:?} has unsupported type {other}",
                spec.key
            ),
        });
    }
    Ok(Table {
        key: key.to_string(),
        title: title.to_string(),
        columns,
        rows: Rows::columns(height, cells),
    })
}

/// A table of the columns `defs` describes, in that order, from `df`, with headers for a
/// result whose series' units are `units`.
pub fn described_table(
    key: &str,
    title: &str,
    df: &DataFrame,
    defs: &[ColumnDef],
    units: &UnitLabel,
) -> Result<Table> {
    let columns = defs.iter().map(|d| Column::described(d, units)).collect();
    table_from_frame(key, title, df, columns)
}
