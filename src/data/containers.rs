//! Files inside containers, by extension: `.gz` (decompressed as it is read), `.zip` (the
//! one member that looks like data, or `book.zip:member.csv`), and workbooks (`.xlsx`,
//! `.xls`, `.ods`: one sheet, written out as a CSV export would write it), and Parquet (a
//! `.parquet` file, or a directory of them with hive partitions such as `year=2019/`). What
//! comes out is the bytes of a CSV file, which then go through the same front end as any
//! other.

use anyhow::{bail, Context, Result};
use std::io::Read;
use std::path::Path;

/// What a `--data` value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plain,
    Gzip,
    /// A zip file, or a member of one (`book.zip:member.csv`).
    Zip,
    /// `.xlsx`, `.xlsm`, `.xls`, `.xlsb` or `.ods`.
    Workbook,
    /// A `.parquet` file, or a directory (of Parquet files, hive-partitioned or not).
    Parquet,
}

/// Extensions of the workbooks calamine reads.
const WORKBOOKS: [&str; 5] = [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"];
/// Extensions of the zip members that look like data.
const DATA_MEMBERS: [&str; 3] = [".csv", ".tsv", ".txt"];

impl Kind {
    /// The kind of `path`, by its extension (case-insensitive).
    pub fn of(path: &Path) -> Kind {
        let text = path.to_string_lossy().to_ascii_lowercase();
        if zip_member(&text).is_some() || text.ends_with(".zip") {
            Kind::Zip
        } else if text.ends_with(".gz") {
            Kind::Gzip
        } else if WORKBOOKS.iter().any(|e| text.ends_with(e)) {
            Kind::Workbook
        } else if text.ends_with(".parquet") || path.is_dir() {
            Kind::Parquet
        } else {
            Kind::Plain
        }
    }
}

/// Where `.zip:` ends in `lower` (a lower-cased `book.zip:member.csv`), if it names a member.
fn zip_member(lower: &str) -> Option<usize> {
    lower.find(".zip:").map(|at| at + ".zip:".len())
}

/// The bytes of the CSV text that `path` holds, `sheet` choosing a workbook's sheet (its
/// name, or its number from 1; default: the first).
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Vec<u8>> {
    let name = path.display().to_string();
    match Kind::of(path) {
        Kind::Plain => std::fs::read(path).with_context(|| format!("cannot read {name}")),
        Kind::Gzip => {
            let file = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
            let mut bytes = Vec::new();
            flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file))
                .read_to_end(&mut bytes)
                .map_err(|e| {
                    anyhow::anyhow!("{name}: cannot decompress it: {e} (expected a gzip file)")
                })?;
            Ok(bytes)
        }
        Kind::Zip => read_zip(&name),
        Kind::Workbook => {
            let book = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
            workbook_csv(&name, book, sheet)
        }
        Kind::Parquet => parquet_csv(path, &name),
    }
}

/// A Parquet file, or every Parquet file under a directory with its hive partitions
/// (`year=2019/part.parquet`) as columns, read with Polars and written as CSV text (every
/// float at full precision, nulls as empty cells). Converting to CSV is the simple route: the
/// front end (layout detection, units, `--sum-by`) then reads it as any other file. It is
/// kept until the streaming engine reads Parquet directly.
fn parquet_csv(path: &Path, name: &str) -> Result<Vec<u8>> {
    use polars::prelude::SerWriter;
    use polars::prelude::{CsvWriter, HiveOptions, LazyFrame, PlRefPath, ScanArgsParquet};
    let dir = path.is_dir();
    if dir && !holds_parquet(path) {
        bail!("cannot read {name}: it is a directory with no .parquet file in it (expected a CSV file, or a directory of Parquet files)");
    }
    if !dir && !path.is_file() {
        bail!("cannot read {name}: no such file");
    }
    let args = ScanArgsParquet {
        // Dates are not parsed from the paths (Polars here has no date types): `2019` is an
        // integer, anything else text.
        hive_options: if dir {
            HiveOptions {
                try_parse_dates: false,
                ..HiveOptions::new_enabled()
            }
        } else {
            HiveOptions::new_disabled()
        },
        glob: false,
        ..Default::default()
    };
    let not_parquet = |e: polars::prelude::PolarsError| {
        anyhow::anyhow!("{name}: cannot read it as Parquet: {e} (expected a Parquet file, or a directory of them)")
    };
    let mut frame = LazyFrame::scan_parquet(PlRefPath::new(path.to_string_lossy()), args)
        .and_then(|lazy| lazy.collect())
        .map_err(not_parquet)?;
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes)
        .with_float_scientific(Some(false))
        .finish(&mut frame)
        .map_err(|e| anyhow::anyhow!("{name}: cannot write its table as CSV: {e}"))?;
    Ok(bytes)
}

/// Whether `dir` or a directory under it holds a `.parquet` file.
fn holds_parquet(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            holds_parquet(&path)
        } else {
            path.to_string_lossy()
                .to_ascii_lowercase()
                .ends_with(".parquet")
        }
    })
}

/// The data member of a zip file (`book.zip`, or `book.zip:member.csv`), decompressed.
fn read_zip(spec: &str) -> Result<Vec<u8>> {
    let (file, wanted) = match zip_member(&spec.to_ascii_lowercase()) {
        Some(at) => (&spec[..at - 1], Some(&spec[at..])),
        None => (spec, None),
    };
    let handle = std::fs::File::open(file).with_context(|| format!("cannot read {file}"))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(handle))
        .map_err(|e| anyhow::anyhow!("{file}: cannot open it as a zip file: {e}"))?;
    let members: Vec<String> = archive
        .file_names()
        .map(|m| m.map(|m| m.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{file}: cannot list the zip file's members: {e}"))?;
    let mut listed = members.clone();
    listed.sort();
    let chosen = match wanted {
        Some(member) => match members.iter().find(|m| *m == member) {
            Some(m) => m.clone(),
            None => bail!(
                "{file}: no member {member:?} (members: {}; expected {file}:MEMBER with one of them)",
                listed.join(", ")
            ),
        },
        None => {
            let data: Vec<&String> = listed.iter().filter(|m| looks_like_data(m)).collect();
            match data.as_slice() {
                [one] => (*one).clone(),
                [] => bail!(
                    "{file}: no member looks like data (.csv, .tsv or .txt; members: {}; expected {file}:MEMBER to pick one)",
                    if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
                ),
                many => bail!(
                    "{file}: {} members look like data ({}); expected one, or {file}:MEMBER to pick one (e.g. {file}:{})",
                    many.len(),
                    many.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "),
                    many[0]
                ),
            }
        }
    };
    let mut entry = archive
        .by_name(&chosen)
        .map_err(|e| anyhow::anyhow!("{file}:{chosen}: cannot read the member: {e}"))?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 30));
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("{file}:{chosen}: cannot decompress the member: {e}"))?;
    Ok(bytes)
}

/// Whether a zip member looks like data: a `.csv`, `.tsv` or `.txt` file, not macOS's
/// `__MACOSX/` copies nor a dot file.
fn looks_like_data(member: &str) -> bool {
    let lower = member.to_lowercase();
    let base = lower.rsplit('/').next().unwrap_or_default();
    !lower.starts_with("__macosx/")
        && !base.starts_with('.')
        && DATA_MEMBERS.iter().any(|e| base.ends_with(e))
}

/// One sheet of the workbook `book` (named `name`) as CSV text.
fn workbook_csv(name: &str, book: Vec<u8>, sheet: Option<&str>) -> Result<Vec<u8>> {
    use calamine::Reader;
    let mut sheets = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(book))
        .map_err(|e| anyhow::anyhow!("{name}: cannot open it as a workbook: {e}"))?;
    let names = sheets.sheet_names();
    let chosen = match sheet {
        None => names.first().cloned(),
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .or_else(|| {
                let index = wanted.trim().parse::<usize>().ok()?;
                names.get(index.checked_sub(1)?).cloned()
            }),
    };
    let Some(chosen) = chosen else {
        bail!(
            "{name}: no sheet {} (sheets: {}; expected --sheet NAME or its number from 1)",
            sheet.map_or("at all".to_string(), |s| format!("{s:?}")),
            names.join(", ")
        );
    };
    let range = sheets
        .worksheet_range(&chosen)
        .map_err(|e| anyhow::anyhow!("{name}: cannot read sheet {chosen:?}: {e}"))?;
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    // From A1, as a CSV export writes it: line N of the text is row N of the sheet.
    let (height, width) = match range.end() {
        Some((row, column)) => (row as usize + 1, column as usize + 1),
        None => (0, 0),
    };
    for row in 0..height {
        let cells = (0..width).map(|column| {
            range
                .get_value((row as u32, column as u32))
                .map_or(String::new(), cell_text)
        });
        out.write_record(cells)
            .context("internal error: cannot write a sheet as CSV")?;
    }
    out.into_inner()
        .map_err(|e| anyhow::anyhow!("internal error: cannot write a sheet as CSV: {e}"))
}

/// A cell as a CSV export writes it: integers without `.0`, other numbers in the shortest
/// text that reads back the same, dates in ISO 8601, errors as Excel shows them.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::Int(i) => i.to_string(),
        // Rust's `Display` for f64: the shortest round-trip digits, `2015` for 2015.0.
        Data::Float(f) => f.to_string(),
        Data::String(s) => s.clone(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            match (h, mi, s, ms) {
                (0, 0, 0, 0) => format!("{y:04}-{mo:02}-{d:02}"),
                (_, _, _, 0) => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
                _ => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}"),
            }
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension() {
        for (path, kind) in [
            ("a.csv", Kind::Plain),
            ("a.CSV.GZ", Kind::Gzip),
            ("a.zip", Kind::Zip),
            ("dir/a.zip:b.csv", Kind::Zip),
            ("a.xlsx", Kind::Workbook),
            ("a.ods", Kind::Workbook),
            ("a.xls", Kind::Workbook),
            ("a.Parquet", Kind::Parquet),
        ] {
            assert_eq!(Kind::of(Path::new(path)), kind, "{path}");
        }
    }

    #[test]
    fn data_members() {
        assert!(looks_like_data("data.csv"));
        assert!(looks_like_data("dir/DATA.TSV"));
        assert!(!looks_like_data("__MACOSX/._data.csv"));
        assert!(!looks_like_data("dir/.hidden.csv"));
        assert!(!looks_like_data("readme.md"));
    }

    #[test]
    fn cells_as_a_csv_export_writes_them() {
        use calamine::{Data, ExcelDateTime, ExcelDateTimeType};
        assert_eq!(cell_text(&Data::Float(2015.0)), "2015");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(cell_text(&Data::Float(-12.5)), "-12.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Empty), "");
        let date = ExcelDateTime::new(45943.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2025-10-13");
        let noon = ExcelDateTime::new(45943.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(noon)), "2025-10-13T12:00:00");
    }
}
