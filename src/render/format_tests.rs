//! Every renderer, in process, on one hand-built result: the exact bytes of each format.
//! A result with two tables (the second one only for JSON and people), a null, a fraction, a
//! quantity large enough to group digits, a unit in the headers, a note and a warning.

use super::{renderer, Format};
use crate::data::SourceMeta;
use crate::notes::{Note, Subject, What};
use crate::output::{Meta, Output, UnitLabel};
use crate::schema::columns::canonical_columns;
use crate::schema::ColumnDef;
use polars::prelude::*;

fn fixture() -> Output {
    let source = SourceMeta {
        input: "in.csv".to_string(),
        sha256: None,
        title: None,
        citation: None,
        series: Default::default(),
        notes: vec!["a source note".to_string()],
    };
    let mut meta = Meta::new("test", source);
    meta.notes.push(Note::new(
        Subject::series("cbec").at_year(2017),
        What::MissingValue,
    ));
    meta.warnings.push(Note::new(
        Subject::series("cbec"),
        What::Model {
            method: "holt".to_string(),
            text: "interval not trustworthy".to_string(),
        },
    ));
    let rows = df!(
        "series" => ["cbec", "cbec"],
        "year" => [2015i32, 2016],
        "unit" => ["trillion CNY", "trillion CNY"],
        "value" => [315400.0, 6.7],
        "yoy" => [None, Some(0.240740740740740)],
    )
    .unwrap();
    let mut columns = canonical_columns(&[]);
    columns.push(ColumnDef::fraction("yoy", "growth").header("YoY (%)"));
    let units = [("cbec".to_string(), "trillion CNY".to_string())].into();
    let unit = UnitLabel::new(&units, 1);
    let mut output = Output::new(meta);
    output.meta.units = units;
    output
        .push(("rows", "Growth"), &rows, &columns, &unit)
        .unwrap();
    let summary = df!("series" => ["cbec"], "cagr" => [0.1]).unwrap();
    let columns = [
        ColumnDef::series(),
        ColumnDef::fraction("cagr", "compound growth").header("CAGR (%)"),
    ];
    output
        .push(("summary", "CAGR"), &summary, &columns, &unit)
        .unwrap();
    output
}

fn render(format: Format) -> String {
    let bytes = renderer(format, 2).render(&fixture()).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn csv_and_tsv_write_the_primary_table_at_full_precision() {
    assert_eq!(
        render(Format::Csv),
        "series,year,unit,value,yoy\ncbec,2015,trillion CNY,315400,\ncbec,2016,trillion CNY,6.7,0.24074074074074\n"
    );
    assert_eq!(
        render(Format::Tsv),
        "series\tyear\tunit\tvalue\tyoy\ncbec\t2015\ttrillion CNY\t315400\t\ncbec\t2016\ttrillion CNY\t6.7\t0.24074074074074\n"
    );
}

#[test]
fn ndjson_writes_one_object_per_row() {
    assert_eq!(
        render(Format::Ndjson),
        "{\"series\":\"cbec\",\"year\":2015,\"unit\":\"trillion CNY\",\"value\":315400.0,\"yoy\":null}\n{\"series\":\"cbec\",\"year\":2016,\"unit\":\"trillion CNY\",\"value\":6.7,\"yoy\":0.24074074074074}\n"
    );
}

#[test]
fn json_carries_every_table_the_meanings_and_coded_notes() {
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
    assert_eq!(json["rows"][1]["yoy"], 0.24074074074074);
    assert_eq!(json["rows"][0]["yoy"], serde_json::Value::Null);
    assert_eq!(json["summary"][0]["cagr"], 0.1);
    let meta = &json["meta"];
    assert_eq!(meta["columns"]["yoy"], "growth");
    assert_eq!(meta["columns"]["cagr"], "compound growth");
    assert_eq!(meta["columns"]["value"], "the series' value in its unit");
    assert_eq!(meta["notes"][0]["code"], "missing_value");
    assert_eq!(
        meta["notes"][0]["text"],
        "cbec 2017: empty value, treated as a missing year"
    );
    assert_eq!(meta["notes"][0]["year"], 2017);
    assert_eq!(meta["warnings"][0]["code"], "model");
    assert_eq!(meta["source"]["notes"][0], "a source note");
}

#[test]
fn people_see_rounded_cells_units_in_headers_and_notes() {
    let table = render(Format::Table);
    assert!(table.contains("value (trillion CNY)"), "{table}");
    // The unit column is hidden: the headers say it.
    assert!(!table.contains("┆ unit"), "{table}");
    assert!(table.contains("315,400.00"), "{table}");
    assert!(table.contains("24.07"), "{table}");
    assert!(
        table.contains("CAGR (%)") && table.contains("10.00"),
        "{table}"
    );
    assert!(
        table.contains("Warnings:\n  - cbec holt: interval not trustworthy"),
        "{table}"
    );
    assert!(
        table.contains("  - a source note\n  - cbec 2017: empty value"),
        "{table}"
    );
    let markdown = render(Format::Markdown);
    assert!(
        markdown.contains("| series | year | value (trillion CNY) | YoY (%) |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| cbec | 2016 | 6.70 | 24.07 |"),
        "{markdown}"
    );
    assert!(markdown.contains("- cbec 2017: empty value"), "{markdown}");
    let latex = render(Format::Latex);
    assert!(latex.contains("315,400.00"), "{latex}");
    assert!(latex.contains("24.07"), "{latex}");
}

#[test]
fn xlsx_is_a_workbook_with_a_sheet_per_table_and_notes() {
    let bytes = renderer(Format::Xlsx, 2).render(&fixture()).unwrap();
    // A zip archive (the xlsx container), with a sheet per table and one for notes.
    assert_eq!(&bytes[..2], b"PK");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("xl/worksheets/sheet3.xml"), "three sheets");
}

#[test]
fn parquet_holds_the_primary_table_typed_at_full_precision() {
    let bytes = renderer(Format::Parquet, 2).render(&fixture()).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    let frame = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .unwrap();
    // The columns CSV writes, in its order, with real types.
    let types: Vec<(String, DataType)> = frame
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.dtype().clone()))
        .collect();
    assert_eq!(
        types,
        [
            ("series", DataType::String),
            ("year", DataType::Int64),
            ("unit", DataType::String),
            ("value", DataType::Float64),
            ("yoy", DataType::Float64),
        ]
        .map(|(n, t)| (n.to_string(), t))
    );
    let yoy = frame.column("yoy").unwrap().f64().unwrap();
    assert_eq!(yoy.get(0), None, "a null stays a null");
    assert_eq!(yoy.get(1), Some(0.240740740740740));
    let value = frame.column("value").unwrap().f64().unwrap();
    assert_eq!(value.get(0), Some(315400.0));
    assert_eq!(
        frame.column("year").unwrap().i64().unwrap().get(1),
        Some(2016)
    );
    assert_eq!(
        frame.column("unit").unwrap().str().unwrap().get(0),
        Some("trillion CNY")
    );
}

#[test]
fn parquet_types_hand_built_cells_by_what_they_hold() {
    use crate::output::{Column, Kind, Table, Value};
    let table = Table {
        key: "rows".to_string(),
        title: String::new(),
        columns: vec![
            Column::new("n", "n", Kind::Integer),
            Column::new("mixed", "mixed", Kind::Number),
            Column::new("ok", "ok", Kind::Text),
            Column::new("empty", "empty", Kind::Percent),
            Column::new("text", "text", Kind::Text),
        ],
        rows: vec![
            vec![
                Value::Int(1),
                Value::Int(2),
                Value::Bool(true),
                Value::Null,
                Value::Text("a".to_string()),
            ],
            vec![
                Value::Null,
                Value::Float(0.5),
                Value::Bool(false),
                Value::Null,
                Value::Int(3),
            ],
        ]
        .into(),
    };
    let frame = super::parquet::frame(&table).unwrap();
    let types: Vec<DataType> = frame.columns().iter().map(|c| c.dtype().clone()).collect();
    assert_eq!(
        types,
        [
            DataType::Int64,
            DataType::Float64,
            DataType::Boolean,
            DataType::Float64,
            DataType::String
        ]
    );
    assert_eq!(frame.column("n").unwrap().i64().unwrap().get(1), None);
    assert_eq!(
        frame.column("mixed").unwrap().f64().unwrap().get(0),
        Some(2.0)
    );
    assert_eq!(
        frame.column("text").unwrap().str().unwrap().get(1),
        Some("3")
    );
}
