//! `tradestat growth`: per-year change and growth, and the CAGR summary.

use super::show::series_count;
use super::Selected;
use crate::analysis::growth;
use crate::cli::GrowthArgs;
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use anyhow::Result;

pub fn run(args: GrowthArgs) -> Result<()> {
    let config = Config::new(args.data, args.span, args.output)?;
    Pipeline::new(config).run_by_groups(|config: &Config, dataset: Dataset| {
        build(config, &dataset, &args.series, args.summary)
    })
}

/// Growth of the selected series by year and their CAGR.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
) -> Result<Selected<growth::Growth>> {
    let (lf, units) = dataset.select("--series", series)?;
    let result = growth::run(lf, &dataset.keys(), config.span)?;
    crate::progress::mark("growth and cagr collected");
    config.span.ensure_rows(result.yearly.height())?;
    Ok(Selected { result, units })
}

/// The tables of `computed`: growth by year and the CAGR summary (only the summary when
/// `summary_only`).
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<growth::Growth>,
    summary_only: bool,
) -> Result<Output> {
    let Selected { result, units } = computed;
    let mut meta = config.meta("growth", dataset, units);
    meta.notes.extend(result.notes.iter().cloned());
    meta.conventions = growth::CONVENTIONS.map(String::from).to_vec();
    let unit = UnitLabel::new(units, series_count(&result.yearly)?);
    let yearly = growth::yearly_columns(&dataset.groups);
    let mut output = Output::new(meta);
    if summary_only {
        output.meta.describe_all(&yearly);
    } else {
        output.push(("rows", "Growth by year"), &result.yearly, &yearly, &unit)?;
    }
    let summary = growth::summary_columns(&dataset.groups);
    let title = ("summary", "Compound annual growth rate (CAGR)");
    output.push(title, &result.summary, &summary, &unit)?;
    Ok(output)
}

/// Growth by year and the CAGR summary (only the summary when `summary_only`).
pub fn build(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
    summary_only: bool,
) -> Result<Output> {
    describe(
        config,
        dataset,
        &compute(config, dataset, series)?,
        summary_only,
    )
}
