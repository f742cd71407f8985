//! What the input front end found in a file (`tradestat inspect`): encoding, delimiter,
//! header line, metadata and footer lines, layout, the columns it reads and each series,
//! and the command line that reads the file as detected, as two described frames.

use super::{Dataset, Found, Input, ReadOptions};
use crate::schema::{ColumnDef, SERIES, VALUE, YEAR};
use anyhow::Result;
use polars::prelude::*;

/// What was found (`property`, `value`), and per series what was read.
pub struct Inspection {
    pub about: DataFrame,
    pub series: DataFrame,
}

/// The inspection of `dataset`, read from `input` with `read`.
pub fn inspect(dataset: &Dataset, input: &Input, read: &ReadOptions) -> Result<Inspection> {
    if let Input::Paths(paths) = input {
        anyhow::bail!(
            "inspect reads one file at a time ({} files given: {}; expected one, e.g. tradestat inspect {})",
            paths.len(),
            input.name(),
            paths[0].display()
        );
    }
    Ok(Inspection {
        about: about(dataset, input, read)?,
        series: series(dataset)?,
    })
}

/// The columns of [`Inspection::about`].
pub fn about_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::text("property", "what the front end looked at"),
        ColumnDef::text("value", "what it found"),
    ]
}

/// The columns of [`Inspection::series`].
pub fn series_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::series(),
        ColumnDef::text(
            "unit",
            "the series' unit (empty: none, or different between groups)",
        ),
        ColumnDef::integer("values", "cells with a number"),
        ColumnDef::integer(
            "empty",
            "empty cells read (years as columns leave them out)",
        ),
        ColumnDef::integer(
            "flagged",
            "values that carried a flag (Eurostat's p, e, b, …)",
        ),
        ColumnDef::integer("first_year", "first year with a row").header("from"),
        ColumnDef::integer("last_year", "last year with a row").header("to"),
        ColumnDef::integer("groups", "number of groups the series appears in"),
    ]
}

/// Property by property, what was found.
fn about(dataset: &Dataset, input: &Input, read: &ReadOptions) -> Result<DataFrame> {
    let found = &dataset.found;
    let mut rows: Vec<(&str, String)> = vec![
        ("file", dataset.source.input.clone()),
        ("encoding", found.encoding.clone()),
        ("delimiter", found.delimiter.clone()),
        ("header line", found.header_line.to_string()),
        (
            "lines before the header",
            match (found.preamble_lines, dataset.source.notes.len()) {
                (0, _) => "none".to_string(),
                (n, 0) => format!("{n} (blank)"),
                (n, notes) => format!("{n} ({notes} with text, kept as source notes)"),
            },
        ),
        (
            "lines after the data",
            match found.footer_lines {
                0 => "none".to_string(),
                n => format!("{n} (notes, not data)"),
            },
        ),
        ("layout", found.layout.clone()),
        ("year columns", year_columns(&found.year_columns)),
        (
            "group columns",
            if found.group_columns.is_empty() {
                "none".to_string()
            } else {
                found.group_columns.join(", ")
            },
        ),
        ("series from", found.series_from.clone()),
        ("unit from", found.unit_from.clone()),
    ];
    match found.ignored_columns.as_slice() {
        [] => {}
        few @ [_, ..] if few.len() <= 8 => rows.push(("columns not read", few.join(", "))),
        many => rows.push((
            "columns not read",
            format!("{}, … ({} in all)", many[..8].join(", "), many.len()),
        )),
    }
    if let Some(summed) = &dataset.summed {
        rows.push(("summed", summed.text()));
    }
    rows.push(("command", command_line(dataset, input, read)));
    let (properties, values): (Vec<&str>, Vec<String>) = rows.into_iter().unzip();
    Ok(df!("property" => properties, "value" => values)?)
}

/// Per series: its unit, values, empty cells, flags, years and groups.
fn series(dataset: &Dataset) -> Result<DataFrame> {
    let mut aggs = vec![
        col(VALUE).count().cast(DataType::Int64).alias("values"),
        col(VALUE).null_count().cast(DataType::Int64).alias("empty"),
        col(YEAR).min().cast(DataType::Int64).alias("first_year"),
        col(YEAR).max().cast(DataType::Int64).alias("last_year"),
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
    let mut stats = dataset
        .frame
        .clone()
        .lazy()
        .group_by([col(SERIES)])
        .agg(aggs)
        .sort([SERIES], Default::default())
        .collect()?;
    let names: Vec<String> = stats
        .column(SERIES)?
        .str()?
        .iter()
        .map(|n| n.unwrap_or_default().to_string())
        .collect();
    let units = dataset.units()?;
    let unit: Vec<Option<&str>> = names
        .iter()
        .map(|n| units.get(n).map(String::as_str))
        .collect();
    let flags = &dataset.found.series_flags;
    let flagged: Vec<i64> = names
        .iter()
        .map(|n| flags.get(n).copied().unwrap_or(0) as i64)
        .collect();
    stats.with_column(Column::new("unit".into(), unit))?;
    stats.with_column(Column::new("flagged".into(), flagged))?;
    if dataset.groups.is_empty() {
        let none = Column::full_null("groups".into(), stats.height(), &DataType::Int64);
        stats.with_column(none)?;
    }
    Ok(stats)
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
fn command_line(dataset: &Dataset, input: &Input, read: &ReadOptions) -> String {
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
    match input {
        Input::Path(p) => parts.push(format!("--data {}", quote(&p.display().to_string()))),
        Input::Stdin => parts.push("--data -".to_string()),
        Input::Bundled | Input::Paths(_) => {}
    }
    if let Some(sheet) = &read.sheet {
        parts.push(format!("--sheet {}", quote(sheet)));
    }
    // A byte-order mark decides by itself; a detected encoding is pinned by its name.
    if !found.encoding.starts_with("UTF-8") && !found.encoding.contains("(BOM)") {
        parts.push(format!(
            "--encoding {}",
            quote(&found.encoding.to_lowercase())
        ));
    }
    match (read.delimiter, found.delimiter.as_str()) {
        (None, "comma") => {}
        (Some(b'\t'), _) | (None, "tab") => parts.push("--delimiter tab".to_string()),
        (None, "semicolon") => parts.push("--delimiter ';'".to_string()),
        (None, "pipe") => parts.push("--delimiter '|'".to_string()),
        (Some(d), _) => parts.push(format!("--delimiter {}", quote(&(d as char).to_string()))),
        (None, _) => {}
    }
    if let Some(d) = read.decimal {
        parts.push(format!("--decimal {}", quote(&d.to_string())));
    }
    if !read.na.is_empty() {
        parts.push(format!("--na {}", quote(&super::front::csv_list(&read.na))));
    }
    if read.keep_flags {
        parts.push("--keep-flags".to_string());
    }
    if found.header_line > 1 {
        parts.push(format!("--skip {}", found.header_line - 1));
    }
    for (flag, value) in &found.flags {
        parts.push(format!("{flag} {}", quote(value)));
    }
    let aggregate = &read.aggregate;
    let file_col = read.file_col.as_ref();
    let groups: Vec<&str> = dataset
        .groups
        .iter()
        .filter(|g| Some(*g) != file_col)
        .map(String::as_str)
        .collect();
    if aggregate.is_set() {
        parts.push(format!("--sum-by {}", quote(&aggregate.sum_by.join(","))));
        if let Some(part) = &aggregate.part_where {
            parts.push(format!("--part-where {}", quote(&part.text())));
        }
        if aggregate.strict_duplicates {
            parts.push("--strict-duplicates".to_string());
        }
    } else if !groups.is_empty() {
        parts.push(format!("--by {}", quote(&groups.join(","))));
    }
    if let Some(c) = file_col {
        parts.push(format!("--file-col {}", quote(c)));
    }
    for filter in &read.filters {
        parts.push(format!("--where {}", quote(&filter.text())));
    }
    parts.join(" ")
}
