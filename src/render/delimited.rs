//! CSV and TSV: the primary table only, stable column keys as the header, full precision,
//! empty cells for nulls. Quoting is the csv crate's.

use super::{machine_cell, Renderer};
use crate::output::Output;
use anyhow::Result;

pub struct DelimitedRenderer {
    pub delimiter: u8,
}

impl Renderer for DelimitedRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(Vec::new());
        if let Some(table) = output.tables.first() {
            writer.write_record(table.columns.iter().map(|c| c.key.as_str()))?;
            for row in &table.rows {
                writer.write_record(row.iter().map(machine_cell))?;
            }
        }
        Ok(writer.into_inner().map_err(|e| e.into_error())?)
    }
}
