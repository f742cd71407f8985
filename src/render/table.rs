//! Terminal tables (comfy-table): rounded numbers, units in the headers, notes underneath.

use super::{human_cell, human_columns, human_notes, Renderer};
use crate::output::{Kind, Output};
use anyhow::Result;
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};

pub struct TableRenderer {
    pub precision: usize,
}

impl Renderer for TableRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut text = String::new();
        for (i, table) in output.tables.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let shown = human_columns(table);
            let mut t = Table::new();
            // No wrapping and no terminal probing: the same input gives the same bytes.
            t.load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(shown.iter().map(|(_, c)| c.label.as_str()));
            for row in &table.rows {
                t.add_row(
                    shown
                        .iter()
                        .map(|(j, c)| human_cell(&row[*j], c.kind, self.precision)),
                );
            }
            for (pos, (_, c)) in shown.iter().enumerate() {
                if c.kind != Kind::Text {
                    if let Some(column) = t.column_mut(pos) {
                        column.set_cell_alignment(CellAlignment::Right);
                    }
                }
            }
            text.push_str(&table.title);
            text.push('\n');
            text.push_str(&t.to_string());
            text.push('\n');
        }
        for (heading, items) in human_notes(output) {
            text.push_str(&format!("\n{heading}:\n"));
            for item in items {
                text.push_str("  - ");
                text.push_str(&item);
                text.push('\n');
            }
        }
        Ok(text.into_bytes())
    }
}
