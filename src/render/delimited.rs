//! CSV and TSV: the primary table only, stable column keys as the header, full precision,
//! empty cells for nulls. Quoting is the csv crate's; rows stream to the destination, in
//! blocks formatted on all cores (number formatting is most of the cost of a large table).

use super::{push_machine, Renderer};
use crate::output::{Cell, Output, Table};
use anyhow::Result;
use rayon::prelude::*;
use std::io::Write;
use std::ops::Range;

pub struct DelimitedRenderer {
    pub delimiter: u8,
    /// Whether to write the header row (not for the second and later pieces of a table).
    pub header: bool,
}

/// Rows per block, and blocks formatted at once: a few MB in flight at any time.
const BLOCK_ROWS: usize = 8192;
const BLOCKS_AT_ONCE: usize = 16;

impl Renderer for DelimitedRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.render_to(output, &mut bytes)?;
        Ok(bytes)
    }

    fn render_to(&self, output: &Output, out: &mut dyn Write) -> Result<()> {
        let Some(table) = output.tables.first() else {
            return Ok(());
        };
        if self.header {
            let mut header = self.writer();
            header.write_record(table.columns.iter().map(|c| c.key.as_str()))?;
            out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
        }
        let height = table.rows.len();
        let blocks: Vec<Range<usize>> = (0..height)
            .step_by(BLOCK_ROWS)
            .map(|start| start..(start + BLOCK_ROWS).min(height))
            .collect();
        for batch in blocks.chunks(BLOCKS_AT_ONCE) {
            let texts: Vec<Result<Vec<u8>>> = if batch.len() > 1 {
                batch
                    .par_iter()
                    .map(|rows| self.block(table, rows.clone()))
                    .collect()
            } else {
                batch
                    .iter()
                    .map(|rows| self.block(table, rows.clone()))
                    .collect()
            };
            for text in texts {
                out.write_all(&text?)?;
            }
        }
        Ok(())
    }
}

impl DelimitedRenderer {
    fn writer(&self) -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(Vec::new())
    }

    /// The text of `rows` of `table`: numbers straight into the buffer, text quoted when it
    /// holds the delimiter, a quote or a line break (as the csv crate quotes the header).
    fn block(&self, table: &Table, rows: Range<usize>) -> Result<Vec<u8>> {
        let mut text = Vec::with_capacity(rows.len() * 16 * table.columns.len());
        let columns = table.columns.len();
        for row in rows {
            let start = text.len();
            for col in 0..columns {
                if col > 0 {
                    text.push(self.delimiter);
                }
                match table.rows.cell(row, col) {
                    Cell::Text(s) => self.push_text(s, &mut text),
                    cell => push_machine(cell, &mut text),
                }
            }
            if text.len() == start {
                // An empty line would read as no row at all.
                text.extend_from_slice(b"\"\"");
            }
            text.push(b'\n');
        }
        Ok(text)
    }

    fn push_text(&self, s: &str, out: &mut Vec<u8>) {
        let bytes = s.as_bytes();
        let special = |b: &u8| *b == self.delimiter || matches!(*b, b'"' | b'\n' | b'\r');
        if !bytes.iter().any(special) {
            out.extend_from_slice(bytes);
            return;
        }
        out.push(b'"');
        for &b in bytes {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    }
}
