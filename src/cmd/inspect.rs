//! `tradestat inspect FILE`: what the input front end found in a file — encoding, delimiter,
//! header line, metadata and footer lines, layout, the columns it reads and each series —
//! and the command line that reads the file as detected, so detection can be checked and
//! then pinned in a script.

use crate::cli::InspectArgs;
use crate::config::Config;
use crate::data::{Dataset, Found, Input};
use crate::output::{Column, Kind, Output, Table, Value};
use crate::pipeline::Pipeline;
use crate::schema::{SERIES, VALUE, YEAR};
use anyhow::Result;
use polars::prelude::*;

pub fn run(args: InspectArgs) -> Result<()> {
    let mut data = args.data;
    if let Some(file) = args.file {
        if data.data.is_some() {
            anyhow::bail!(
                "give the file once: as FILE or as --data (expected tradestat inspect FILE)"
            );
        }
        data.data = Some(file);
    }
    let mut pipeline = Pipeline::new(Config::new(data, Default::default(), args.output)?);
    let dataset = pipeline.load()?;
    pipeline.emit(&build(pipeline.config(), &dataset)?)
}

/// The two tables: what was found, and the series.
pub fn build(common: &Config, dataset: &Dataset) -> Result<Output> {
    let found = &dataset.found;
    let units = dataset.units()?;
    let mut meta = common.meta("inspect", dataset, &units);
    meta.describe("property", "what the front end looked at");
    meta.describe("value", "what it found");
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut add = |property: &str, value: String| {
        rows.push(vec![Value::text(property), Value::text(value)]);
    };
    add("file", dataset.source.input.clone());
    add("encoding", found.encoding.clone());
    add("delimiter", found.delimiter.clone());
    add("header line", found.header_line.to_string());
    add(
        "lines before the header",
        match (found.preamble_lines, dataset.source.notes.len()) {
            (0, _) => "none".to_string(),
            (n, 0) => format!("{n} (blank)"),
            (n, notes) => format!("{n} ({notes} with text, kept as source notes)"),
        },
    );
    add(
        "lines after the data",
        match found.footer_lines {
            0 => "none".to_string(),
            n => format!("{n} (notes, not data)"),
        },
    );
    add("layout", found.layout.clone());
    add("year columns", year_columns(&found.year_columns));
    add(
        "group columns",
        if found.group_columns.is_empty() {
            "none".to_string()
        } else {
            found.group_columns.join(", ")
        },
    );
    add("series from", found.series_from.clone());
    add("unit from", found.unit_from.clone());
    match found.ignored_columns.as_slice() {
        [] => {}
        few @ [_, ..] if few.len() <= 8 => add("columns not read", few.join(", ")),
        many => add(
            "columns not read",
            format!("{}, … ({} in all)", many[..8].join(", "), many.len()),
        ),
    }
    add("command", command_line(common, dataset));
    let about = Table {
        key: "rows".to_string(),
        title: "What tradestat found".to_string(),
        columns: vec![
            Column::new("property", "property", Kind::Text),
            Column::new("value", "value", Kind::Text),
        ],
        rows: rows.into(),
    };

    // Per series: values, empty cells, flags, years, groups.
    let mut aggs = vec![
        col(VALUE).count().alias("values"),
        col(VALUE).null_count().alias("empty"),
        col(YEAR).min().alias("first_year"),
        col(YEAR).max().alias("last_year"),
    ];
    if !dataset.groups.is_empty() {
        let groups: Vec<Expr> = dataset.groups.iter().map(|g| col(g.as_str())).collect();
        aggs.push(
            as_struct(groups)
                .n_unique()
                .cast(DataType::Int64)
                .alias("groups"),
        );
    }
    let stats = dataset
        .frame
        .clone()
        .lazy()
        .group_by([col(SERIES)])
        .agg(aggs)
        .sort([SERIES], Default::default())
        .collect()?;
    let names = stats.column(SERIES)?.str()?;
    let int = |name: &str| -> Result<Vec<Option<i64>>> {
        let column = stats.column(name)?.cast(&DataType::Int64)?;
        Ok(column.i64()?.iter().collect())
    };
    let (values, empty) = (int("values")?, int("empty")?);
    let (first, last) = (int("first_year")?, int("last_year")?);
    let groups = if dataset.groups.is_empty() {
        vec![None; stats.height()]
    } else {
        int("groups")?
    };
    let mut series_rows = Vec::new();
    for i in 0..stats.height() {
        let name = names.get(i).unwrap_or_default();
        let int_or_null = |v: Option<i64>| v.map_or(Value::Null, Value::Int);
        series_rows.push(vec![
            Value::text(name),
            units
                .get(name)
                .map_or(Value::Null, |u| Value::text(u.as_str())),
            int_or_null(values[i]),
            int_or_null(empty[i]),
            Value::Int(found.series_flags.get(name).copied().unwrap_or(0) as i64),
            int_or_null(first[i]),
            int_or_null(last[i]),
            int_or_null(groups[i]),
        ]);
    }
    meta.describe(SERIES, "series name");
    meta.describe(
        "unit",
        "the series' unit (empty: none, or different between groups)",
    );
    meta.describe("values", "cells with a number");
    meta.describe(
        "empty",
        "empty cells read (years as columns leave them out)",
    );
    meta.describe(
        "flagged",
        "values that carried a flag (Eurostat's p, e, b, …)",
    );
    meta.describe("first_year", "first year with a row");
    meta.describe("last_year", "last year with a row");
    meta.describe("groups", "number of groups the series appears in");
    let series = Table {
        key: "series".to_string(),
        title: "Series".to_string(),
        columns: vec![
            Column::new(SERIES, SERIES, Kind::Text),
            Column::new("unit", "unit", Kind::Text),
            Column::new("values", "values", Kind::Integer),
            Column::new("empty", "empty", Kind::Integer),
            Column::new("flagged", "flagged", Kind::Integer),
            Column::new("first_year", "from", Kind::Integer),
            Column::new("last_year", "to", Kind::Integer),
            Column::new("groups", "groups", Kind::Integer),
        ],
        rows: series_rows.into(),
    };
    Ok(Output {
        tables: vec![about, series],
        meta,
    })
}

/// `2015, 2016, …, 2019 (5)`, or the one column's name.
fn year_columns(columns: &[String]) -> String {
    match columns {
        [] => "none".to_string(),
        [one] => one.clone(),
        [first, .., last] if columns.len() > 4 => {
            format!("{first} … {last} ({} columns)", columns.len())
        }
        all => all.join(", "),
    }
}

/// The command line that reads the file as detected, with every detected choice spelled
/// out, for a script that should not depend on detection.
fn command_line(common: &Config, dataset: &Dataset) -> String {
    let found: &Found = &dataset.found;
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut parts = vec!["tradestat growth".to_string()];
    match &common.input {
        Input::Path(p) => parts.push(format!("--data {}", quote(&p.display().to_string()))),
        Input::Stdin => parts.push("--data -".to_string()),
        Input::Bundled => {}
    }
    // A byte-order mark decides by itself; a detected encoding is pinned by its name.
    if !found.encoding.starts_with("UTF-8") && !found.encoding.contains("(BOM)") {
        parts.push(format!(
            "--encoding {}",
            quote(&found.encoding.to_lowercase())
        ));
    }
    match (common.read.delimiter, found.delimiter.as_str()) {
        (None, "comma") => {}
        (Some(b'\t'), _) | (None, "tab") => parts.push("--delimiter tab".to_string()),
        (None, "semicolon") => parts.push("--delimiter ';'".to_string()),
        (None, "pipe") => parts.push("--delimiter '|'".to_string()),
        (Some(d), _) => parts.push(format!("--delimiter {}", quote(&(d as char).to_string()))),
        (None, _) => {}
    }
    if let Some(d) = common.read.decimal {
        parts.push(format!("--decimal {}", quote(&d.to_string())));
    }
    if !common.read.na.is_empty() {
        parts.push(format!(
            "--na {}",
            quote(&crate::data::front::csv_list(&common.read.na))
        ));
    }
    if common.read.keep_flags {
        parts.push("--keep-flags".to_string());
    }
    if found.header_line > 1 {
        parts.push(format!("--skip {}", found.header_line - 1));
    }
    for (flag, value) in &found.flags {
        parts.push(format!("{flag} {}", quote(value)));
    }
    if !dataset.groups.is_empty() {
        parts.push(format!("--by {}", quote(&dataset.groups.join(","))));
    }
    for filter in &common.read.filters {
        parts.push(format!("--where {}", quote(&filter.text())));
    }
    parts.join(" ")
}
