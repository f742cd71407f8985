//! GitHub-flavoured Markdown tables: rounded numbers, units in the headers, notes as a list.

use super::{human_cell, human_columns, human_notes, Renderer};
use crate::output::{Kind, Output, Table};
use anyhow::Result;

pub struct MarkdownRenderer {
    pub precision: usize,
}

pub fn escape(cell: &str) -> String {
    cell.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

/// The pipe table alone (header, alignment row, rows), rounded to `precision`.
pub fn pipe_table(table: &Table, precision: usize) -> String {
    let shown = human_columns(table);
    let mut text = String::new();
    let header: Vec<String> = shown.iter().map(|(_, c)| escape(&c.label)).collect();
    text.push_str(&format!("| {} |\n", header.join(" | ")));
    let rule: Vec<&str> = shown
        .iter()
        .map(|(_, c)| if c.kind == Kind::Text { "---" } else { "---:" })
        .collect();
    text.push_str(&format!("|{}|\n", rule.join("|")));
    for row in &table.rows {
        let cells: Vec<String> = shown
            .iter()
            .map(|(j, c)| escape(&human_cell(&row[*j], c.kind, precision)))
            .collect();
        text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    text
}

impl Renderer for MarkdownRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut text = String::new();
        for (i, table) in output.tables.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(&format!("**{}**\n\n", escape(&table.title)));
            text.push_str(&pipe_table(table, self.precision));
        }
        for (heading, items) in human_notes(output) {
            text.push_str(&format!("\n{heading}:\n\n"));
            for item in items {
                text.push_str(&format!("- {}\n", escape(&item)));
            }
        }
        Ok(text.into_bytes())
    }
}
