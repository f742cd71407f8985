//! `tradestat show`: the loaded data with units, or the bundled modes table.

use super::{
    ensure_rows, key_columns, selected_frame, unit_label, unit_value_columns, year_column, Common,
};
use crate::analysis::missing_value_notes;
use crate::cli::{ShowArgs, ShowTable};
use crate::data::{self, Dataset};
use crate::output::{frame::table_from_frame, Column, Kind, Meta, Output, SourceMeta};
use crate::schema::{Reads, FLAG, SERIES};
use anyhow::Result;
use polars::prelude::*;

pub fn run(args: ShowArgs) -> Result<()> {
    let mut common = Common::new(args.data, args.span, args.output)?;
    common.reads = Reads::SPAN;
    common.flag_column = true;
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
        return common.emit(&output);
    }
    common.emit_by_groups(|common: &Common, dataset: Dataset| build(common, &dataset, &args.series))
}

/// The loaded data (selected series and span) with units.
pub fn build(common: &Common, dataset: &Dataset, series: &[String]) -> Result<Output> {
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
    if df.get_column_index(FLAG).is_some() {
        meta.describe(FLAG, "the flag after the value in the input (Eurostat: p provisional, e estimated, b break in series, …)");
        columns.push(Column::new(FLAG, FLAG, Kind::Text));
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
    Ok(df.column(SERIES)?.n_unique()?)
}
