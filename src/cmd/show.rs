//! `tradestat show`: the loaded data with units, or the bundled modes table.

use super::{ensure_rows, selected_frame, Common, Selected};
use crate::analysis::missing_value_notes;
use crate::cli::{ShowArgs, ShowTable};
use crate::data::{self, Dataset, SourceMeta};
use crate::output::{Meta, Output, UnitLabel};
use crate::schema::columns::{canonical_columns, flag_column};
use crate::schema::{ColumnDef, Reads, FLAG, SERIES};
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
        let mut output = Output::new(Meta::new("show modes", source));
        let title = "Modes of cross-border e-commerce (seed paper, Table 2)";
        let modes = data::modes_frame()?;
        output.push(
            ("rows", title),
            &modes,
            &modes_columns(),
            &UnitLabel::default(),
        )?;
        return common.emit(&output);
    }
    common.emit_by_groups(|common: &Common, dataset: Dataset| build(common, &dataset, &args.series))
}

/// The loaded data: the selected series within the span, with their units.
pub fn compute(
    common: &Common,
    dataset: &Dataset,
    series: &[String],
) -> Result<Selected<DataFrame>> {
    let (df, units) = selected_frame(common, dataset, series)?;
    ensure_rows(df.height(), common.span)?;
    Ok(Selected { result: df, units })
}

/// The table of `computed`, with notes on its empty cells.
pub fn describe(
    common: &Common,
    dataset: &Dataset,
    computed: &Selected<DataFrame>,
) -> Result<Output> {
    let Selected { result: df, units } = computed;
    let mut meta = common.meta("show", dataset, units);
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
pub fn build(common: &Common, dataset: &Dataset, series: &[String]) -> Result<Output> {
    describe(common, dataset, &compute(common, dataset, series)?)
}

/// Number of distinct series in a frame.
pub fn series_count(df: &DataFrame) -> Result<usize> {
    Ok(df.column(SERIES)?.n_unique()?)
}

/// The columns of the bundled modes table (the seed paper's Table 2).
pub fn modes_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::text("mode", "trading mode: C2C, B2B or B2C"),
        ColumnDef::text("characteristic", "who trades with whom"),
        ColumnDef::text(
            "representative_websites",
            "example platforms named in the paper",
        )
        .header("representative websites"),
    ]
}
