//! `tradestat share`: share of a part in a whole, its change and contribution to growth.

use super::Selected;
use crate::analysis::share;
use crate::cli::ShareArgs;
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::UNIT;
use anyhow::Result;
use polars::prelude::IntoLazy;

pub fn run(args: ShareArgs) -> Result<()> {
    let config = Config::new(args.data, args.span, args.output)?;
    Pipeline::new(config).run_by_groups(|config: &Config, dataset: Dataset| {
        let (part, whole) = (args.part.as_deref(), args.whole.as_deref());
        let (part, whole) = dataset.part_whole_or_default(part, whole)?;
        build(config, &dataset, &part, &whole)
    })
}

/// The share of `part` in `whole`, the whole converted to the part's unit when needed; the
/// units are those of part and whole after that.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    part: &str,
    whole: &str,
) -> Result<Selected<share::Share>> {
    let (part, whole) = dataset.resolve_part_whole(part, whole)?;
    let mut dataset = dataset.clone();
    let (fx, span) = (config.fx.as_ref(), config.span);
    let converted = dataset.whole_in_part_unit(&part, &whole, fx, span, config.reads)?;
    let mut units = dataset.units()?;
    units.retain(|s, _| *s == part || *s == whole);
    let lf = dataset.frame.clone().lazy();
    let mut result = share::run(lf, &dataset.groups, &part, &whole, span)?;
    span.ensure_rows(result.frame.height())?;
    let unit = dataset.frame.column(UNIT);
    let per_group = unit.is_ok_and(|u| u.null_count() < u.len());
    let notes = share::unit_notes(converted, &units, &part, &whole, per_group);
    result.notes.splice(0..0, notes);
    Ok(Selected { result, units })
}

/// The table of `computed`.
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<share::Share>,
) -> Result<Output> {
    let Selected { result, units } = computed;
    let (part, whole) = (&result.part, &result.whole);
    let mut meta = config.meta("share", dataset, units);
    meta.param("part", part);
    meta.param("whole", whole);
    meta.notes.extend(result.notes.iter().cloned());
    meta.conventions = share::CONVENTIONS.map(String::from).to_vec();
    // Part and whole are in one unit (the unit column says so, for machines).
    let unit = units.get(part).or(units.get(whole));
    let unit = UnitLabel {
        suffix: unit.map(|u| format!(" ({u})")).unwrap_or_default(),
        column_for_people: false,
    };
    let columns = share::columns(&dataset.groups, part, whole);
    let title = share::title(part, whole);
    let mut output = Output::new(meta);
    output.push(("rows", &title), &result.frame, &columns, &unit)?;
    Ok(output)
}

/// The share of `part` in `whole` (the whole converted to the part's unit when needed).
pub fn build(config: &Config, dataset: &Dataset, part: &str, whole: &str) -> Result<Output> {
    describe(config, dataset, &compute(config, dataset, part, whole)?)
}
