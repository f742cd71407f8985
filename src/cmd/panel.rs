//! `tradestat panel`: every series side by side per group and year, with YoY growth, an
//! optional share and each series' CAGR — one row per group and year.

use super::Selected;
use crate::analysis::panel::{self, PanelSpec};
use crate::analysis::share::unit_notes;
use crate::cli::PanelArgs;
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use anyhow::Result;
use polars::prelude::*;

pub fn run(args: PanelArgs) -> Result<()> {
    let config = Config::new(args.data, args.span, args.output)?;
    let share = args.part.zip(args.whole);
    Pipeline::new(config).run_by_groups(|config: &Config, dataset: Dataset| {
        let share = share
            .clone()
            .or_else(|| dataset.part_whole_or_default(None, None).ok());
        build(config, &dataset, &args.series, share.as_ref())
    })
}

/// The panel of `series` (all when empty), with the share of `part` in `whole` when given;
/// the units are those of the series shown and of part and whole.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
    share: Option<&(String, String)>,
) -> Result<Selected<panel::Panel>> {
    let series = match series {
        [] => dataset.series_names()?,
        named => dataset.resolve_series("--series", named)?,
    };
    let share = share
        .map(|(p, w)| dataset.resolve_part_whole(p, w))
        .transpose()?;
    // The share reads the whole in the part's unit; every column keeps its own.
    let (mut converted, mut share_lf) = (None, None);
    if let Some((part, whole)) = &share {
        let mut in_one_unit = dataset.clone();
        let (fx, reads) = (config.fx.as_ref(), config.reads);
        converted = in_one_unit.whole_in_part_unit(part, whole, fx, config.span, reads)?;
        share_lf = converted.is_some().then(|| in_one_unit.frame.lazy());
    }
    let spec = PanelSpec { series, share };
    let lf = dataset.frame.clone().lazy();
    let mut result = panel::run(lf, share_lf, &dataset.groups, spec, config.span)?;
    config.span.ensure_rows(result.frame.height())?;
    let mut units = dataset.units()?;
    units.retain(|s, _| result.spec.reads(s));
    if let Some((part, whole)) = &result.spec.share {
        let notes = unit_notes(converted, &units, part, whole, false);
        result.notes.splice(0..0, notes);
    }
    Ok(Selected { result, units })
}

/// The table of `computed`.
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<panel::Panel>,
) -> Result<Output> {
    let Selected { result, units } = computed;
    let mut meta = config.meta("panel", dataset, units);
    if let Some((part, whole)) = &result.spec.share {
        meta.param("part", part);
        meta.param("whole", whole);
    }
    meta.notes.extend(result.notes.iter().cloned());
    meta.conventions = panel::conventions(&result.spec);
    let columns = panel::columns(&dataset.groups, &result.spec, units);
    // Each value column's header names its own unit.
    let unit = UnitLabel::default();
    let title = ("rows", "Panel: values, growth and CAGR");
    let mut output = Output::new(meta);
    output.push(title, &result.frame, &columns, &unit)?;
    Ok(output)
}

/// The panel of `series` (all when empty), with the share of `part` in `whole` when given.
pub fn build(
    config: &Config,
    dataset: &Dataset,
    series: &[String],
    share: Option<&(String, String)>,
) -> Result<Output> {
    describe(config, dataset, &compute(config, dataset, series, share)?)
}
