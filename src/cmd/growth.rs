//! `tradestat growth`: per-year change and growth, and the CAGR summary.

use super::show::series_count;
use super::{
    ensure_rows, key_columns, select, unit_column, unit_label, unit_value_columns, year_column,
};
use crate::analysis::growth::{cagr, cagr_notes, growth, growth_notes};
use crate::analysis::{missing_value_notes, overflow_notes};
use crate::cli::GrowthArgs;
use crate::config::Config;
use crate::data::{Dataset, YEAR};
use crate::output::{frame::table_from_frame, Column, Kind, Output};
use crate::pipeline::Pipeline;
use anyhow::Result;

pub fn run(args: GrowthArgs) -> Result<()> {
    let config = Config::new(args.data, args.span, args.output)?;
    Pipeline::new(config).run_by_groups(|config: &Config, dataset: Dataset| {
        build(config, &dataset, &args.series, args.summary)
    })
}

/// Growth by year and the CAGR summary (only the summary when `summary_only`).
pub fn build(
    common: &Config,
    dataset: &Dataset,
    series: &[String],
    summary_only: bool,
) -> Result<Output> {
    let (lf, units) = select(dataset, "--series", series)?;
    let keys = dataset.keys();
    let yearly = growth(lf.clone(), &keys, common.span)?.collect()?;
    crate::progress::mark("growth collected");
    ensure_rows(yearly.height(), common.span)?;
    let summary = cagr(lf.clone(), &keys, common.span)?.collect()?;
    crate::progress::mark("cagr collected");

    let mut meta = common.meta("growth", dataset, &units);
    meta.notes.extend(missing_value_notes(
        lf.filter(common.span.contains()),
        &keys,
    )?);
    meta.notes.extend(growth_notes(&yearly, &keys)?);
    meta.notes.extend(cagr_notes(&summary, &keys)?);
    meta.notes.extend(overflow_notes(
        &yearly,
        &keys,
        Some(YEAR),
        &[
            ("change", "change"),
            ("yoy", "YoY growth"),
            ("gap_growth", "gap growth"),
            ("cagr_since_first", "CAGR since first"),
        ],
    )?);
    meta.notes
        .extend(overflow_notes(&summary, &keys, None, &[("cagr", "CAGR")])?);
    meta.conventions = vec![
        "yoy = y_t / y_(t-1) - 1, only when year t-1 is present and y_(t-1) > 0".to_string(),
        "gap_growth = (y_t / y_(t-k))^(1/k) - 1 when the previous present year is t-k, k > 1"
            .to_string(),
        "cagr = (y_last / y_first)^(1 / (last year - first year)) - 1: years, not rows, count"
            .to_string(),
    ];

    crate::progress::mark("notes");
    let unit = unit_label(&units, series_count(&yearly)?);
    let mut columns = key_columns(dataset, &mut meta);
    columns.push(year_column(&mut meta));
    columns.extend(unit_value_columns(&unit, &mut meta));
    meta.describe(
        "change",
        "value minus the previous year's value, in the series' unit",
    );
    meta.describe(
        "yoy",
        "year-on-year growth, a unitless fraction (0.1 = 10 %); null without the previous year",
    );
    meta.describe(
        "gap_growth",
        "annualised growth since the previous present year, only after missing years (unitless fraction)",
    );
    meta.describe(
        "cagr_since_first",
        "annualised growth from the first year of the span to this year (unitless fraction)",
    );
    columns.extend([
        Column::new("change", format!("change{}", unit.suffix), Kind::Number),
        Column::new("yoy", "YoY (%)", Kind::Percent),
        Column::new("gap_growth", "gap growth (%/yr)", Kind::Percent),
        Column::new("cagr_since_first", "CAGR since first (%)", Kind::Percent),
    ]);
    let yearly = table_from_frame("rows", "Growth by year", &yearly, columns)?;

    let mut columns = key_columns(dataset, &mut meta);
    meta.describe("from_year", "first year with a value in the span");
    meta.describe("to_year", "last year with a value in the span");
    meta.describe(
        "years",
        "to_year - from_year: the number of years the CAGR spans",
    );
    meta.describe("observations", "number of years with a value in the span");
    meta.describe("first_value", "value in from_year");
    meta.describe("last_value", "value in to_year");
    meta.describe(
        "cagr",
        "compound annual growth rate from from_year to to_year (unitless fraction)",
    );
    columns.extend([
        unit_column(&unit),
        Column::new("from_year", "from", Kind::Integer),
        Column::new("to_year", "to", Kind::Integer),
        Column::new("years", "years", Kind::Integer),
        Column::new("observations", "observations", Kind::Integer),
        Column::new("first_value", format!("first{}", unit.suffix), Kind::Number),
        Column::new("last_value", format!("last{}", unit.suffix), Kind::Number),
        Column::new("cagr", "CAGR (%)", Kind::Percent),
    ]);
    let summary = table_from_frame(
        "summary",
        "Compound annual growth rate (CAGR)",
        &summary,
        columns,
    )?;

    let tables = if summary_only {
        vec![summary]
    } else {
        vec![yearly, summary]
    };
    Ok(Output { tables, meta })
}
