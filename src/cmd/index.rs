//! `tradestat index`: index numbers against a base year.

use super::show::series_count;
use super::{ensure_rows, key_columns, select, unit_label, unit_value_columns, year_column};
use crate::analysis::index::{index, index_notes};
use crate::analysis::{overflow_notes, Reads};
use crate::cli::IndexArgs;
use crate::config::Config;
use crate::data::{Dataset, YEAR};
use crate::output::{frame::table_from_frame, Column, Kind, Output};
use crate::pipeline::Pipeline;
use anyhow::{bail, Result};

pub fn run(args: IndexArgs) -> Result<()> {
    let mut config = Config::new(args.data, args.span, args.output)?;
    // The index reads its base year, wherever it lies; without --base, the span's first.
    config.reads = Reads {
        year: args.base,
        ..Reads::SPAN
    };
    Pipeline::new(config).run_by_groups(|config: &Config, dataset: Dataset| {
        build(config, &dataset, &args.series, args.base)
    })
}

/// Index numbers against `base` (default: each series' first year in the span).
pub fn build(
    common: &Config,
    dataset: &Dataset,
    series: &[String],
    base: Option<i32>,
) -> Result<Output> {
    let (lf, units) = select(dataset, "--series", series)?;
    let keys = dataset.keys();
    let df = index(lf, &keys, common.span, base)?.collect()?;
    ensure_rows(df.height(), common.span)?;
    if let Some(base) = base {
        if df.column("index")?.null_count() == df.height() {
            bail!("--base {base}: no selected series has a value in {base} (expected a year with data)");
        }
    }

    let mut meta = common.meta("index", dataset, &units);
    if let Some(base) = base {
        meta.param("base", base);
    }
    meta.notes.extend(index_notes(&df, &keys)?);
    meta.notes.extend(overflow_notes(
        &df,
        &keys,
        Some(YEAR),
        &[("index", "index")],
    )?);
    meta.conventions = vec![
        "index = 100 × y_t / y_base; empty when the base year has no positive value".to_string(),
    ];
    let unit = unit_label(&units, series_count(&df)?);
    let mut columns = key_columns(dataset, &mut meta);
    columns.push(year_column(&mut meta));
    columns.extend(unit_value_columns(&unit, &mut meta));
    meta.describe("base_year", "the year whose value is 100");
    meta.describe("index", "100 × value / value in base_year (unitless)");
    columns.extend([
        Column::new("base_year", "base year", Kind::Integer),
        Column::new("index", "index (base = 100)", Kind::Points),
    ]);
    let title = match base {
        Some(base) => format!("Index numbers ({base} = 100)"),
        None => "Index numbers (first year = 100)".to_string(),
    };
    let table = table_from_frame("rows", &title, &df, columns)?;
    Ok(Output {
        tables: vec![table],
        meta,
    })
}
