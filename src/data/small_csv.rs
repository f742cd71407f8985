//! Side files (claims, exchange rates): small CSVs read whole, with named columns located
//! case-insensitively and every row checked for its field count, so each file's own parser
//! only interprets cells (and can name their line and column).

use anyhow::{bail, Context, Result};

/// A data row: its line in the file and its fields, trimmed.
pub struct Row {
    pub line: u64,
    pub fields: csv::StringRecord,
}

/// A side file: where its named columns are, and its rows.
pub struct Sheet {
    /// Position of each required column, in the order asked for.
    pub required: Vec<usize>,
    /// Position of each optional column, `None` when absent.
    pub optional: Vec<Option<usize>>,
    pub rows: Vec<Row>,
}

/// Reads `bytes` (named `name` in messages), which must have the `required` columns and may
/// have the `optional` ones. `example` shows a good header.
pub fn read(
    bytes: &[u8],
    name: &str,
    required: &[&str],
    optional: &[&str],
    example: &str,
) -> Result<Sheet> {
    // Decoded like data files (a BOM dropped; GBK, windows-1252, UTF-16 when unambiguous).
    let decoded = super::decode::decode(bytes, name, &Default::default())?;
    let bytes: &[u8] = &decoded.text;
    let mut lines = super::parse::LineCounter::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{name}: cannot read the header"))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    let find = |wanted: &&str| header.iter().position(|h| h == wanted);
    let Some(required_at) = required.iter().map(find).collect::<Option<Vec<_>>>() else {
        bail!(
            "{name}:1: the file needs the columns {} (found: {}; expected e.g. `{example}`)",
            required.join(", "),
            header.join(", ")
        );
    };
    let optional_at = optional.iter().map(find).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let mut fields = record.with_context(|| format!("{name}: cannot read the CSV data"))?;
        // The csv crate's own line count drifts on CRLF files and after blank lines.
        lines.fix(&mut fields);
        let line = fields.position().map_or(0, |p| p.line());
        if fields.len() != header.len() {
            bail!(
                "{name}:{line}: the row has {} fields but the header has {} (expected every row to have as many fields as the header)",
                fields.len(),
                header.len()
            );
        }
        rows.push(Row { line, fields });
    }
    Ok(Sheet {
        required: required_at,
        optional: optional_at,
        rows,
    })
}
