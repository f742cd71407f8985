//! `tradestat check`: a claim ("cbec reaches 16 in 2020") against history and projections.

use super::project::series_names;
use super::{key_cells, key_columns, load_series, unit_column, unit_label, Status};
use crate::analysis::claim::{check, Verdict};
use crate::analysis::pct;
use crate::analysis::project::Method;
use crate::analysis::{key_label, Reads};
use crate::cli::{CheckArgs, SpanArgs};
use crate::config::Config;
use crate::data::{load_claims, Claim, Dataset, Unit, UNIT, YEAR};
use crate::output::{Column, Kind, Output, Table, Value};
use crate::pipeline::Pipeline;
use anyhow::{bail, Result};

pub fn run(args: CheckArgs) -> Result<Status> {
    let claims = match (&args.claims, &args.series, args.year, args.value) {
        (Some(path), _, _, _) => load_claims(path)?,
        (None, Some(series), Some(year), Some(value)) => vec![Claim {
            series: series.clone(),
            year,
            value,
            unit: args.claim_unit.clone(),
        }],
        _ => bail!("give a claim as SERIES YEAR VALUE (e.g. `tradestat check cbec 2020 16`) or --claims FILE"),
    };
    let span = SpanArgs {
        from: args.from,
        to: None,
    };
    let mut config = Config::new(args.data, span, args.output)?;
    config.reads = Reads::SPAN;
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
    let methods = Method::all(args.damped);
    let flag = if args.claims.is_some() {
        "--claims"
    } else {
        "SERIES"
    };
    let (mut output, rejected) = build(
        pipeline.config(),
        &dataset,
        &claims,
        &methods,
        flag,
        args.methods,
    )?;
    output.meta.param("strict", args.strict);
    pipeline.emit(&output)?;
    Ok(if args.strict && rejected {
        Status::ClaimRejected
    } else {
        Status::Success
    })
}

/// Verdicts per claim and each method's view (only the latter when `methods_only`), and
/// whether any claim is implausible. `flag` names where the claims came from in errors.
pub fn build(
    common: &Config,
    dataset: &Dataset,
    claims: &[Claim],
    methods: &[Method],
    flag: &str,
    methods_only: bool,
) -> Result<(Output, bool)> {
    let keys = dataset.keys();

    let mut claim_rows = Vec::new();
    let mut method_rows = Vec::new();
    let mut all_units = std::collections::BTreeMap::new();
    let mut all_series = Vec::new();
    let mut meta = common.meta("check", dataset, &all_units);
    let mut rejected = false;
    for claim in claims {
        let name = dataset
            .resolve_series(flag, std::slice::from_ref(&claim.series))?
            .remove(0);
        let (found, units) = load_series(common, dataset, std::slice::from_ref(&name))?;
        let unit = units.get(&name).cloned();
        let mut claim = claim.clone();
        if let (Some(claimed), Some(actual)) = (&claim.unit, &unit) {
            let claimed_unit = Unit::read(claimed)
                .map_err(|why| anyhow::anyhow!("the claim about {name}: {why}"))?;
            let factor = claimed_unit.factor_to(&Unit::parse(actual)).ok_or_else(|| {
                anyhow::anyhow!(
                    "the claim about {name} is in {claimed:?}, but {name} is in {actual:?} (expected a unit that converts by scale, e.g. another multiple of the same currency)"
                )
            })?;
            if factor != 1.0 {
                meta.notes.push(format!(
                    "the claim {} {claimed} for {name} is {} {actual}",
                    claim.value,
                    claim.value * factor
                ));
            }
            claim.value *= factor;
        }
        all_units.extend(units);
        for (key, series) in found {
            let label = key_label(&keys, &key);
            let models: Vec<_> = methods
                .iter()
                .filter_map(|m| match m.fit(&series) {
                    Ok(model) => Some(model),
                    Err(why) => {
                        meta.notes
                            .push(format!("{label}: no {} projection: {why}", m.name()));
                        None
                    }
                })
                .collect();
            let result = check(&series, claim.year, claim.value, &models).map_err(|why| {
                anyhow::anyhow!(
                    "{flag} {} {} {}: {why}",
                    claim.series,
                    claim.year,
                    claim.value
                )
            })?;
            rejected |= result.verdict == Verdict::Implausible;
            let ratio = match (result.implied_growth, result.cagr) {
                (Some(g), Some(c)) if c != 0.0 => Some(g / c),
                _ => None,
            };
            meta.notes.push(format!(
                "{label} {} = {}: implied growth {} a year from {} ({}) vs CAGR {} → {}",
                claim.year,
                claim.value,
                result.implied_growth.map_or("undefined".to_string(), pct),
                result.last_year,
                result.last_value,
                result.cagr.map_or("undefined".to_string(), pct),
                result.verdict.name()
            ));
            let unit_cell = Value::opt_text(unit.clone());
            let mut row = key_cells(&key);
            row.extend([
                Value::Int(i64::from(claim.year)),
                Value::float(claim.value),
                unit_cell.clone(),
                Value::Int(i64::from(result.last_year)),
                Value::float(result.last_value),
                Value::opt_float(result.implied_growth),
                Value::opt_float(result.cagr),
                Value::opt_float(ratio),
                Value::text(result.verdict.name()),
            ]);
            claim_rows.push(row);
            for m in &result.methods {
                if !m.trusted && m.intervals.is_some() {
                    let warning = format!(
                        "{label} {}: interval shown but not counted in the verdict: {}",
                        m.method.name(),
                        m.warning.as_deref().unwrap_or("")
                    );
                    if !meta.warnings.contains(&warning) {
                        meta.warnings.push(warning);
                    }
                }
                let bound = |level: usize, side: usize| {
                    Value::opt_float(m.intervals.map(|iv| {
                        if side == 0 {
                            iv[level].0
                        } else {
                            iv[level].1
                        }
                    }))
                };
                let mut row = key_cells(&key);
                row.extend([
                    Value::Int(i64::from(claim.year)),
                    Value::float(claim.value),
                    Value::text(m.method.name()),
                    unit_cell.clone(),
                    Value::float(m.point),
                    bound(0, 0),
                    bound(0, 1),
                    bound(1, 0),
                    bound(1, 1),
                    m.inside(0, claim.value).map_or(Value::Null, Value::Bool),
                    m.inside(1, claim.value).map_or(Value::Null, Value::Bool),
                    Value::opt_float(m.boundary_level),
                    Value::Bool(m.trusted),
                ]);
                method_rows.push(row);
            }
            all_series.push((key, series));
        }
    }
    meta.units = all_units.clone();
    meta.conventions = vec![
        "implied growth = (claimed / last observed value)^(1 / (claim year - last year)) - 1; CAGR over the whole history".to_string(),
        "plausible: inside every trusted 95 % interval; implausible: outside every one; mixed: otherwise; untrusted intervals (model warnings) are not counted".to_string(),
        "boundary_level: the level of the two-sided interval whose edge passes through the claimed value".to_string(),
    ];

    let unit = unit_label(&all_units, series_names(&all_series));
    for (key, description) in [
        (YEAR, "the year of the claim"),
        ("claimed", "the claimed value"),
        (
            UNIT,
            "unit of the claimed value, the data and the forecasts",
        ),
        ("last_year", "last observed year"),
        ("last_value", "value in last_year"),
        (
            "implied_growth",
            "growth per year the claim implies from last_year (fraction)",
        ),
        ("cagr", "historical compound annual growth rate (fraction)"),
        ("growth_ratio", "implied_growth / cagr"),
        ("verdict", "plausible, implausible, mixed or undetermined"),
        ("method", "projection method"),
        ("point", "point forecast for the year"),
        ("inside_80", "claimed value inside the 80 % interval"),
        ("inside_95", "claimed value inside the 95 % interval"),
        (
            "boundary_level",
            "level (fraction) of the interval whose boundary passes through the claim",
        ),
        (
            "counted",
            "whether this method's interval counts in the verdict",
        ),
    ] {
        meta.describe(key, description);
    }
    let mut columns = key_columns(dataset, &mut meta);
    columns.extend([
        Column::new(YEAR, YEAR, Kind::Integer),
        Column::new("claimed", format!("claimed{}", unit.suffix), Kind::Number),
        unit_column(&unit),
        Column::new("last_year", "last year", Kind::Integer),
        Column::new(
            "last_value",
            format!("last value{}", unit.suffix),
            Kind::Number,
        ),
        Column::new("implied_growth", "implied growth (%/yr)", Kind::Percent),
        Column::new("cagr", "CAGR (%)", Kind::Percent),
        Column::new("growth_ratio", "ratio", Kind::Points),
        Column::new("verdict", "verdict", Kind::Text),
    ]);
    let verdicts = Table {
        key: "rows".to_string(),
        title: "Claims".to_string(),
        columns,
        rows: claim_rows.into(),
    };
    let mut columns = key_columns(dataset, &mut meta);
    columns.extend([
        Column::new(YEAR, YEAR, Kind::Integer),
        Column::new("claimed", format!("claimed{}", unit.suffix), Kind::Number),
        Column::new("method", "method", Kind::Text),
        unit_column(&unit),
        Column::new("point", format!("point{}", unit.suffix), Kind::Number),
        Column::new("lower_80", "80 % low", Kind::Number),
        Column::new("upper_80", "80 % high", Kind::Number),
        Column::new("lower_95", "95 % low", Kind::Number),
        Column::new("upper_95", "95 % high", Kind::Number),
        Column::new("inside_80", "in 80 %", Kind::Text),
        Column::new("inside_95", "in 95 %", Kind::Text),
        Column::new("boundary_level", "on boundary at (%)", Kind::Percent),
        Column::new("counted", "counted", Kind::Text),
    ]);
    let per_method = Table {
        key: "methods".to_string(),
        title: "Claims against each method".to_string(),
        columns,
        rows: method_rows.into(),
    };
    let tables = if methods_only {
        vec![per_method]
    } else {
        vec![verdicts, per_method]
    };
    Ok((Output { tables, meta }, rejected))
}
