//! `tradestat index`: index numbers against a base year.

use super::show::series_count;
use super::Selected;
use crate::analysis::index;
use crate::cli::IndexArgs;
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::Reads;
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

/// Index numbers of the selected series against `base` (default: each series' first year
/// in the span).
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
    base: Option<i32>,
) -> Result<Selected<index::Indexed>> {
    let (lf, units) = dataset.select("--series", series)?;
    let result = index::run(lf, &dataset.keys(), config.span, base)?;
    let df = &result.frame;
    config.span.ensure_rows(df.height())?;
    if let Some(base) = base {
        if df.column("index")?.null_count() == df.height() {
            bail!("--base {base}: no selected series has a value in {base} (expected a year with data)");
        }
    }
    Ok(Selected { result, units })
}

/// The table of `computed`, indexed on `base`.
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<index::Indexed>,
    base: Option<i32>,
) -> Result<Output> {
    let Selected { result, units } = computed;
    let mut meta = config.meta("index", dataset, units);
    if let Some(base) = base {
        meta.param("base", base);
    }
    meta.notes.extend(result.notes.iter().cloned());
    meta.conventions = index::CONVENTIONS.map(String::from).to_vec();
    let title = index::title(base);
    let unit = UnitLabel::new(units, series_count(&result.frame)?);
    let mut output = Output::new(meta);
    let columns = index::columns(&dataset.groups);
    output.push(("rows", &title), &result.frame, &columns, &unit)?;
    Ok(output)
}

/// Index numbers against `base` (default: each series' first year in the span).
pub fn build(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
    base: Option<i32>,
) -> Result<Output> {
    let computed = compute(config, dataset, series, base)?;
    describe(config, dataset, &computed, base)
}
