//! The one bridge from a Polars `DataFrame` to a neutral [`Table`].

use super::{Column, Table, Value};
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, DataType};

/// Builds a table with the given columns, in the given order, from `df`.
///
/// Non-finite floats become nulls here, so no renderer can ever print `NaN` or `inf`.
pub fn table_from_frame(
    key: &str,
    title: &str,
    df: &DataFrame,
    columns: Vec<Column>,
) -> Result<Table> {
    let height = df.height();
    let mut cells: Vec<Vec<Value>> = Vec::with_capacity(columns.len());
    for spec in &columns {
        let column = df
            .column(&spec.key)
            .with_context(|| format!("internal error: result has no column {:?}", spec.key))?;
        let values: Vec<Value> = match column.dtype() {
            DataType::String => column
                .str()?
                .iter()
                .map(|v| v.map_or(Value::Null, |s| Value::Text(s.to_string())))
                .collect(),
            DataType::Float32 | DataType::Float64 => column
                .cast(&DataType::Float64)?
                .f64()?
                .iter()
                .map(Value::opt_float)
                .collect(),
            dt if dt.is_integer() => column
                .cast(&DataType::Int64)?
                .i64()?
                .iter()
                .map(|v| v.map_or(Value::Null, Value::Int))
                .collect(),
            DataType::Null => vec![Value::Null; height],
            other => anyhow::bail!(
                "internal error: column {:?} has unsupported type {other}",
                spec.key
            ),
        };
        cells.push(values);
    }
    let mut rows: Vec<Vec<Value>> = (0..height)
        .map(|_| Vec::with_capacity(columns.len()))
        .collect();
    for column in cells {
        for (row, value) in rows.iter_mut().zip(column) {
            row.push(value);
        }
    }
    Ok(Table {
        key: key.to_string(),
        title: title.to_string(),
        columns,
        rows,
    })
}
