//! `tradestat show`: the loaded data with units, or the bundled modes table.

use super::Selected;
use crate::analysis::missing_value_notes;
use crate::cli::{ShowArgs, ShowTable};
use crate::config::Config;
use crate::data::{self, Dataset, SourceMeta};
use crate::output::{Meta, Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::columns::{canonical_columns, flag_column};
use crate::schema::{Reads, FLAG, SERIES};
use anyhow::Result;
use polars::prelude::*;

pub fn run(args: ShowArgs) -> Result<()> {
    let mut config = Config::new(args.data, args.span, args.output)?;
    config.reads = Reads::SPAN;
    config.flag_column = true;
    let mut pipeline = Pipeline::new(config);
    if args.table == ShowTable::Modes {
        pipeline.whole_file()?;
        let source = SourceMeta {
            input: "bundled:modes".to_string(),
            sha256: None,
            title: Some("Modes and characteristics of cross-border e-commerce".to_string()),
            citation: Some("Table 2 of the source paper of the bundled data".to_string()),
            series: Default::default(),
            notes: Vec::new(),
        };
        let mut output = Output::new(Meta::new("show modes", source));
        let title = "Modes of cross-border e-commerce (seed paper, Table 2)";
        let modes = data::modes_frame()?;
        output.push(
            ("rows", title),
            &modes,
            &data::modes_columns(),
            &UnitLabel::default(),
        )?;
        return pipeline.emit(&output);
    }
    pipeline
        .run_by_groups(|config: &Config, dataset: Dataset| build(config, &dataset, &args.series))
}

/// The loaded data: the selected series within the span, with their units.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
) -> Result<Selected<DataFrame>> {
    let (df, units) = config.selected_frame(dataset, series)?;
    config.span.ensure_rows(df.height())?;
    Ok(Selected { result: df, units })
}

/// The table of `computed`, with notes on its empty cells.
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<DataFrame>,
) -> Result<Output> {
    let Selected { result: df, units } = computed;
    let mut meta = config.meta("show", dataset, units);
    meta.notes
        .extend(missing_value_notes(df.clone().lazy(), &dataset.keys())?);
    let mut columns = canonical_columns(&dataset.groups);
    if df.get_column_index(FLAG).is_some() {
        columns.push(flag_column());
    }
    let title = dataset.source.data_title();
    let unit = UnitLabel::new(units, series_count(df)?);
    let mut output = Output::new(meta);
    output.push(("rows", &title), df, &columns, &unit)?;
    Ok(output)
}

/// The loaded data (selected series and span) with units.
pub fn build(config: &Config, dataset: &Dataset, series: &[String]) -> Result<Output> {
    describe(config, dataset, &compute(config, dataset, series)?)
}

/// Number of distinct series in a frame.
pub fn series_count(df: &DataFrame) -> Result<usize> {
    Ok(df.column(SERIES)?.n_unique()?)
}
