//! CSV and TSV: the primary table only, stable column keys as the header, full precision,
//! empty cells for nulls. Text is quoted as the csv crate (and RFC 4180) would: only when it
//! holds the delimiter, a quote or a line break. Rows stream to the destination in blocks
//! formatted on all cores (number formatting is most of the cost of a large table).

use super::{push_machine, Renderer};
use crate::output::{Cell, ColumnView, Output, Table};
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
        out.write_all(&self.header(table))?;
        for batch in blocks(table).chunks(BLOCKS_AT_ONCE) {
            for text in self.blocks(table, batch) {
                out.write_all(&text)?;
            }
        }
        Ok(())
    }

    fn render_blocks(&self, output: &Output) -> Result<Vec<Vec<u8>>> {
        let Some(table) = output.tables.first() else {
            return Ok(Vec::new());
        };
        Ok(std::iter::once(self.header(table))
            .chain(self.blocks(table, &blocks(table)))
            .collect())
    }
}

/// The table's rows in blocks of [`BLOCK_ROWS`].
fn blocks(table: &Table) -> Vec<Range<usize>> {
    let height = table.rows.len();
    (0..height)
        .step_by(BLOCK_ROWS)
        .map(|start| start..(start + BLOCK_ROWS).min(height))
        .collect()
}

impl DelimitedRenderer {
    /// The header row (empty when `header` is off).
    fn header(&self, table: &Table) -> Vec<u8> {
        let mut text = Vec::new();
        if self.header {
            for (i, column) in table.columns.iter().enumerate() {
                if i > 0 {
                    text.push(self.delimiter);
                }
                self.push_text(&column.key, &mut text);
            }
            text.push(b'\n');
        }
        text
    }

    /// The text of each of `ranges`, formatted on all cores when there are several.
    fn blocks(&self, table: &Table, ranges: &[Range<usize>]) -> Vec<Vec<u8>> {
        if ranges.len() > 1 {
            ranges
                .par_iter()
                .map(|rows| self.block(table, rows.clone()))
                .collect()
        } else {
            ranges
                .iter()
                .map(|rows| self.block(table, rows.clone()))
                .collect()
        }
    }

    /// The text of `rows` of `table`: numbers straight into the buffer, text quoted when
    /// needed.
    fn block(&self, table: &Table, rows: Range<usize>) -> Vec<u8> {
        let mut text = Vec::with_capacity(rows.len() * 16 * table.columns.len());
        let columns: Vec<ColumnView> = (0..table.columns.len())
            .map(|c| table.rows.column(c))
            .collect();
        for row in rows {
            let start = text.len();
            for (col, column) in columns.iter().enumerate() {
                if col > 0 {
                    text.push(self.delimiter);
                }
                match column.cell(row) {
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
        text
    }

    /// Appends `s`, in quotes (with inner quotes doubled) when it holds the delimiter, a
    /// quote or a line break.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SourceMeta;
    use crate::output::{Column, Kind, Meta, Value};

    fn one_column(values: &[Value]) -> Output {
        let source = SourceMeta {
            input: "t".to_string(),
            sha256: None,
            title: None,
            citation: None,
            series: Default::default(),
            notes: Vec::new(),
        };
        Output {
            tables: vec![Table {
                key: "rows".to_string(),
                title: String::new(),
                columns: vec![Column::new("a,b", "a", Kind::Text)],
                rows: values
                    .iter()
                    .map(|v| vec![v.clone()])
                    .collect::<Vec<_>>()
                    .into(),
            }],
            meta: Meta::new("test", source),
        }
    }

    #[test]
    fn text_is_quoted_only_when_it_must_be() {
        let output = one_column(&[
            Value::text("plain"),
            Value::text("say \"hi\""),
            Value::text("two\nlines"),
            Value::text("tab\there"),
            Value::Null,
        ]);
        let csv = DelimitedRenderer {
            delimiter: b',',
            header: true,
        }
        .render(&output)
        .unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "\"a,b\"\nplain\n\"say \"\"hi\"\"\"\n\"two\nlines\"\ntab\there\n\"\"\n"
        );
        let tsv = DelimitedRenderer {
            delimiter: b'\t',
            header: false,
        }
        .render(&output)
        .unwrap();
        assert_eq!(
            String::from_utf8(tsv).unwrap(),
            "plain\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n\"tab\there\"\n\"\"\n"
        );
    }
}
