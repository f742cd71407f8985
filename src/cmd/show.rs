//! `tradestat show`: the loaded data with units, or the bundled modes table.

use super::{
    ensure_rows, key_columns, selected_frame, unit_label, unit_value_columns, year_column,
};
use crate::analysis::{missing_value_notes, Reads};
use crate::cli::{ShowArgs, ShowTable};
use crate::config::Config;
use crate::data::{self, Dataset};
use crate::output::{frame::table_from_frame, Column, Kind, Meta, Output, SourceMeta};
use crate::pipeline::Pipeline;
use anyhow::Result;
use polars::prelude::*;

pub fn run(args: ShowArgs) -> Result<()> {
    let mut config = Config::new(args.data, args.span, args.output)?;
    config.reads = Reads::SPAN;
    config.flag_column = true;
    let mut pipeline = Pipeline::new(config);
    if args.table == ShowTable::Modes {
        let source = SourceMeta {
            input: "bundled:modes".to_string(),
            sha256: None,
            title: Some("Modes and characteristics of cross-border e-commerce".to_string()),
            citation: Some("Table 2 of the source paper of the bundled data".to_string()),
            series: Default::default(),
            notes: Vec::new(),
        };
        let mut meta = Meta::new("show modes", source);
        meta.describe("mode", "trading mode: C2C, B2B or B2C");
        meta.describe("characteristic", "who trades with whom");
        meta.describe(
            "representative_websites",
            "example platforms named in the paper",
        );
        let output = Output {
            tables: vec![data::modes_table()?],
            meta,
        };
        return pipeline.emit(&output);
    }
    pipeline
        .run_by_groups(|config: &Config, dataset: Dataset| build(config, &dataset, &args.series))
}

/// The loaded data (selected series and span) with units.
pub fn build(common: &Config, dataset: &Dataset, series: &[String]) -> Result<Output> {
    let (df, units) = selected_frame(common, dataset, series)?;
    let keys = dataset.keys();
    ensure_rows(df.height(), common.span)?;
    let mut meta = common.meta("show", dataset, &units);
    meta.notes
        .extend(missing_value_notes(df.clone().lazy(), &keys)?);
    let unit = unit_label(&units, series_count(&df)?);
    let mut columns = key_columns(dataset, &mut meta);
    columns.push(year_column(&mut meta));
    columns.extend(unit_value_columns(&unit, &mut meta));
    if df.get_column_index(data::FLAG).is_some() {
        meta.describe(data::FLAG, "the flag after the value in the input (Eurostat: p provisional, e estimated, b break in series, …)");
        columns.push(Column::new(data::FLAG, data::FLAG, Kind::Text));
    }
    let title = dataset
        .source
        .title
        .clone()
        .unwrap_or_else(|| format!("Data from {}", dataset.source.input));
    let table = table_from_frame("rows", &title, &df, columns)?;
    Ok(Output {
        tables: vec![table],
        meta,
    })
}

/// Number of distinct series in a frame.
pub fn series_count(df: &DataFrame) -> Result<usize> {
    Ok(df.column(data::SERIES)?.n_unique()?)
}
