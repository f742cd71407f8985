//! Excel workbooks (rust_xlsxwriter): one worksheet per table with a header row of column
//! keys and real numeric cells at full precision, plus a `notes` sheet with units and notes.

use super::Renderer;
use crate::output::{Output, Value};
use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, Workbook};

pub struct XlsxRenderer;

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(key: &str, taken: &[String]) -> String {
    let clean: String = key
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    let mut name = if clean.is_empty() {
        "sheet".to_string()
    } else {
        clean
    };
    let base = name.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

impl Renderer for XlsxRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut workbook = Workbook::new();
        // A fixed creation time keeps the bytes the same from run to run.
        let properties = rust_xlsxwriter::DocProperties::new()
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?);
        workbook.set_properties(&properties);
        let bold = Format::new().set_bold();
        let mut names = Vec::new();
        for table in &output.tables {
            let name = sheet_name(
                if table.key == "rows" {
                    &output.meta.command
                } else {
                    &table.key
                },
                &names,
            );
            let sheet = workbook.add_worksheet();
            sheet
                .set_name(&name)
                .with_context(|| format!("worksheet name {name:?}"))?;
            names.push(name);
            for (c, column) in table.columns.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, &column.key, &bold)?;
            }
            for (r, row) in table.rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, value) in row.iter().enumerate() {
                    let c = c as u16;
                    match value {
                        Value::Null => {}
                        Value::Int(i) => {
                            sheet.write_number(r, c, *i as f64)?;
                        }
                        Value::Float(x) => {
                            sheet.write_number(r, c, *x)?;
                        }
                        Value::Text(s) => {
                            sheet.write_string(r, c, s)?;
                        }
                        Value::Bool(b) => {
                            sheet.write_boolean(r, c, *b)?;
                        }
                    }
                }
            }
            sheet.set_freeze_panes(1, 0)?;
        }
        let meta = &output.meta;
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name("notes", &names))?;
        sheet.write_string_with_format(0, 0, "kind", &bold)?;
        sheet.write_string_with_format(0, 1, "text", &bold)?;
        let lines = meta
            .units
            .iter()
            .map(|(s, u)| ("unit", format!("{s}: {u}")))
            .chain(
                meta.columns
                    .iter()
                    .map(|(c, d)| ("column", format!("{c}: {d}"))),
            )
            .chain(meta.warnings.iter().map(|w| ("warning", w.text())))
            .chain(
                meta.source
                    .notes
                    .iter()
                    .cloned()
                    .chain(meta.notes.iter().map(|n| n.text()))
                    .map(|n| ("note", n)),
            );
        for (r, (kind, text)) in lines.enumerate() {
            sheet.write_string(r as u32 + 1, 0, kind)?;
            sheet.write_string(r as u32 + 1, 1, &text)?;
        }
        Ok(workbook.save_to_buffer()?)
    }
}
