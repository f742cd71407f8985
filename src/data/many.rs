//! Several files read as one table (`--data a.csv --data 'b_*.csv'`): each file goes through
//! the front end on its own (its encoding, delimiter, metadata lines and line numbers), then
//! the tables are checked to be read the same way (the same header, layout, units) and
//! concatenated; `--file-col NAME` keeps each row's file as a key column.

use super::parse::{self, Catalog, Parsed};
use super::{Input, ReadOptions};
use crate::schema::{self, FLAG, SERIES, UNIT, VALUE, YEAR};
use anyhow::{bail, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The column that holds each row's file while the tables are joined.
const FILE: &str = "__file";

/// The input the `--data` values name: none (the bundled table), `-` (standard input), one
/// file or several. A value with `*`, `?` or `[` that is not a file's name is a pattern,
/// expanded in path order; a pattern that matches no file is an error.
pub fn expand(values: &[PathBuf]) -> Result<Input> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for value in values {
        let text = value.to_string_lossy();
        if text == "-" {
            if values.len() > 1 {
                bail!("--data -: standard input cannot be one of several inputs (expected --data - alone)");
            }
            return Ok(Input::Stdin);
        }
        if !text.contains(['*', '?', '[']) || value.exists() {
            paths.push(value.clone());
            continue;
        }
        let matches = glob::glob(&text)
            .map_err(|e| anyhow::anyhow!("--data {text}: not a valid pattern: {e}"))?;
        let mut found: Vec<PathBuf> = matches
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        if found.is_empty() {
            bail!("--data {text}: no file matches the pattern (expected e.g. 'data/BACI_*.csv', quoted so the shell leaves it to tradestat)");
        }
        found.sort();
        paths.extend(found);
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = paths.iter().find(|p| !seen.insert(*p)) {
        bail!(
            "--data {}: the file is named twice (expected each file once; a pattern counts the files it matches)",
            twice.display()
        );
    }
    Ok(match paths.len() {
        0 => Input::Bundled,
        1 => Input::Path(paths.remove(0)),
        _ => Input::Paths(paths),
    })
}

/// Parses the file `name` after the files of `parts`. When it fails and its header differs
/// from the first file's, the differing header is the error (a column the plan needs may
/// just have another name in this file).
pub(super) fn parse_next(
    parts: &[(String, Parsed)],
    bytes: &[u8],
    name: &str,
    options: &ReadOptions,
) -> Result<Parsed> {
    let parsed = if bytes.len() < parse::FAST_READER_MIN {
        parse::parse_small_csv(bytes, name, options)
    } else {
        parse::parse_csv(bytes, name, options)
    };
    if let (Err(_), Some((first, part))) = (&parsed, parts.first()) {
        if let Ok(header) = parse::header(bytes, name, options) {
            same_header(first, &part.found.header, name, &header)?;
        }
    }
    parsed
}

/// The tables of `parts` (each with its file's name) as one: the same header and reading
/// required, no (group, series, year) in two files, units agreeing; with `file_col`, the
/// file's name as the first group column. One part without `file_col` is returned as it is.
pub(super) fn combine(mut parts: Vec<(String, Parsed)>, file_col: Option<&str>) -> Result<Parsed> {
    if parts.len() == 1 && file_col.is_none() {
        return Ok(parts.remove(0).1);
    }
    let (first_name, first) = &parts[0];
    for (name, part) in &parts[1..] {
        same_header(first_name, &first.found.header, name, &part.found.header)?;
        same_reading(first_name, &first.found, name, &part.found)?;
    }
    if let Some(c) = file_col {
        check_file_col(c, first_name, &first.found.header)?;
    }
    let catalog = merged_catalog(&parts)?;
    let summed = summed_together(&parts);
    let (frame, groups) = joined(&mut parts, file_col, summed.is_some())?;
    let summed = summed.map(|mut s| {
        s.values = frame.height();
        s
    });
    let mut notes = Vec::new();
    let mut source_notes: Vec<String> = Vec::new();
    for (name, part) in &parts {
        notes.extend(part.notes.iter().map(|n| format!("{name}: {n}")));
        for note in &part.source_notes {
            if !source_notes.contains(note) {
                source_notes.push(note.clone());
            }
        }
    }
    let mut found = parts.remove(0).1.found;
    if let Some(c) = file_col {
        found.group_columns.insert(0, c.to_string());
    }
    Ok(Parsed {
        frame,
        groups,
        catalog,
        notes,
        source_notes,
        found,
        summed,
    })
}

/// What `--sum-by` summed in all the files together, when it summed: the counts added up,
/// the first duplicate the first file's (its lines count in its own file).
fn summed_together(parts: &[(String, Parsed)]) -> Option<super::Summed> {
    let mut all = parts.iter().filter_map(|(_, p)| p.summed.as_ref());
    let mut total = all.next()?.clone();
    for s in all {
        total.rows += s.rows;
        total.empty += s.empty;
        total.duplicates += s.duplicates;
        total.first_duplicate = total.first_duplicate.or(s.first_duplicate);
    }
    Some(total)
}

/// The frames of `parts` as one, sorted (taken out of `parts`, so that each is freed as
/// soon as it is copied), and the group columns; without `file_col`, checked for a (group,
/// series, year) in two files.
fn joined(
    parts: &mut [(String, Parsed)],
    file_col: Option<&str>,
    summing: bool,
) -> Result<(DataFrame, Vec<String>)> {
    let mut groups = parts[0].1.groups.clone();
    let mut order: Vec<Expr> = parts[0]
        .1
        .frame
        .get_column_names()
        .iter()
        .map(|n| col(n.as_str()))
        .collect();
    let frames: Vec<LazyFrame> = parts
        .iter_mut()
        .map(|(name, p)| {
            std::mem::take(&mut p.frame)
                .lazy()
                .with_column(lit(name.as_str()).alias(FILE))
        })
        .collect();
    let file = match file_col {
        Some(c) => {
            groups.insert(0, c.to_string());
            col(FILE).alias(c)
        }
        None => col(FILE),
    };
    order.insert(0, file);
    let keys = schema::sort_keys(&schema::keys(&groups));
    let frame = concat(frames, UnionArgs::default())?
        .select(order)
        .sort(keys, Default::default())
        .collect()?;
    if file_col.is_some() {
        return Ok((frame, groups));
    }
    if summing {
        // Sums of the same group, series and year in several files add up.
        return Ok((summed_across(frame.drop(FILE)?, &groups)?, groups));
    }
    no_twins(&frame, &groups)?;
    Ok((frame.drop(FILE)?, groups))
}

/// The raw tables of `parts` (`sql --raw`) as one: the same columns required; with
/// `file_col`, the file's name as the first column.
pub(super) fn combine_raw(
    mut parts: Vec<(String, DataFrame)>,
    file_col: Option<&str>,
) -> Result<DataFrame> {
    if parts.len() == 1 && file_col.is_none() {
        return Ok(parts.remove(0).1);
    }
    let header = |f: &DataFrame| -> Vec<String> {
        f.get_column_names().iter().map(|n| n.to_string()).collect()
    };
    let (first_name, first) = &parts[0];
    let first_header = header(first);
    for (name, part) in &parts[1..] {
        same_header(first_name, &first_header, name, &header(part))?;
    }
    if let Some(c) = file_col {
        check_file_col(c, first_name, &first_header)?;
    }
    let frames: Vec<LazyFrame> = parts
        .iter()
        .map(|(name, p)| {
            let mut columns: Vec<Expr> = file_col
                .map(|c| lit(name.as_str()).alias(c))
                .into_iter()
                .collect();
            columns.push(all().as_expr());
            p.clone().lazy().select(columns)
        })
        .collect();
    Ok(concat(frames, UnionArgs::default())?.collect()?)
}

/// Two files' headers must be the same: else an error naming both and the first column
/// that differs.
fn same_header(a: &str, header_a: &[String], b: &str, header_b: &[String]) -> Result<()> {
    let Some(i) =
        (0..header_a.len().max(header_b.len())).find(|&i| header_a.get(i) != header_b.get(i))
    else {
        return Ok(());
    };
    let show = |h: Option<&String>| h.map_or("no column".to_string(), |c| format!("{c:?}"));
    bail!(
        "{b}: the header differs from {a}'s in column {}: {} here, {} in {a} (expected the same header in every --data file)",
        i + 1,
        show(header_b.get(i)),
        show(header_a.get(i))
    )
}

/// Two files with the same header must be read the same way (layout, series, units).
fn same_reading(a: &str, found_a: &super::Found, b: &str, found_b: &super::Found) -> Result<()> {
    let describe = |f: &super::Found| {
        format!(
            "{} (series from {}, unit from {}, groups: {})",
            f.layout,
            f.series_from,
            f.unit_from,
            if f.group_columns.is_empty() {
                "none".to_string()
            } else {
                f.group_columns.join(", ")
            }
        )
    };
    let (da, db) = (describe(found_a), describe(found_b));
    if da != db || found_a.year_columns != found_b.year_columns {
        bail!("{b}: read as {db}, but {a} as {da} (expected every --data file read the same way; pin it with --layout, --series-col, --unit-col or --by)");
    }
    Ok(())
}

/// `--file-col NAME` must not name a column the data has.
fn check_file_col(name: &str, file: &str, header: &[String]) -> Result<()> {
    let taken = [SERIES, YEAR, VALUE, UNIT, FLAG, FILE];
    if header.iter().any(|h| h == name) || taken.contains(&name) {
        bail!("--file-col {name}: {file} already has a column {name:?} (expected a new name, e.g. --file-col file)");
    }
    Ok(())
}

/// Each series' unit over all files: a series in two units is an error naming both files.
fn merged_catalog(parts: &[(String, Parsed)]) -> Result<Catalog> {
    let mut seen: BTreeMap<&str, (&Option<String>, &str)> = BTreeMap::new();
    for (name, part) in parts {
        for (series, unit) in &part.catalog {
            match seen.get(series.as_str()) {
                Some((known, other)) if *known != unit => {
                    let show = |u: &Option<String>| {
                        u.as_ref()
                            .map_or("no unit".to_string(), |u| format!("{u:?}"))
                    };
                    bail!(
                        "{name}: series {series:?} is in {} here but in {} in {other} (expected one unit per series in every --data file)",
                        show(unit),
                        show(known)
                    );
                }
                Some(_) => {}
                None => {
                    seen.insert(series, (unit, name));
                }
            }
        }
    }
    Ok(seen
        .into_iter()
        .map(|(s, (u, _))| (s.to_string(), u.clone()))
        .collect())
}

/// The sums of the files joined: one value per group, series and year, the sum of the files'
/// values (empty only when every file's is), in canonical order.
fn summed_across(frame: DataFrame, groups: &[String]) -> Result<DataFrame> {
    let keys = schema::keys(groups);
    let by: Vec<Expr> = keys
        .iter()
        .map(|k| col(k.as_str()))
        .chain([col(YEAR)])
        .collect();
    let mut aggs = vec![when(col(VALUE).count().gt(lit(0)))
        .then(col(VALUE).sum())
        .otherwise(lit(NULL).cast(DataType::Float64))
        .alias(VALUE)];
    let names: Vec<Expr> = frame
        .get_column_names()
        .iter()
        .map(|n| col(n.as_str()))
        .collect();
    for extra in [UNIT, FLAG] {
        if frame.get_column_index(extra).is_some() {
            aggs.push(col(extra).first());
        }
    }
    Ok(frame
        .lazy()
        .group_by(by)
        .agg(aggs)
        .select(names)
        .sort(schema::sort_keys(&keys), Default::default())
        .collect()?)
}

/// No (group, series, year) may be in two files (each file was checked on its own): else
/// an error naming both.
fn no_twins(joined: &DataFrame, groups: &[String]) -> Result<()> {
    let keys: Vec<Expr> = schema::keys(groups)
        .iter()
        .map(|k| col(k.as_str()))
        .chain([col(YEAR)])
        .collect();
    let twins = joined
        .clone()
        .lazy()
        .group_by(keys.clone())
        .agg([
            col(FILE).first().alias("__a"),
            col(FILE).last().alias("__b"),
            len().alias("__n"),
        ])
        .filter(col("__n").gt(lit(1)))
        .sort_by_exprs(keys, Default::default())
        .limit(1)
        .collect()?;
    if twins.height() == 0 {
        return Ok(());
    }
    let text = |c: &str| -> Result<String> {
        Ok(twins
            .column(c)?
            .str()?
            .get(0)
            .unwrap_or_default()
            .to_string())
    };
    let mut what = format!(
        "series {:?}, year {}",
        text(SERIES)?,
        twins.column(YEAR)?.i32()?.get(0).unwrap_or(0)
    );
    for g in groups.iter().rev() {
        what = format!("{g} {:?}, {what}", text(g)?);
    }
    bail!(
        "{}: {what} is also in {} (expected each value in one --data file; give --file-col NAME to keep the files apart as a key)",
        text("__b")?,
        text("__a")?
    )
}
