//! `tradestat check`: a claim ("cbec reaches 16 in 2020") against history and projections.

use super::{Selected, Status};
use crate::analysis::claim::{self, Checker, Checks, Claimed};
use crate::analysis::project::Method;
use crate::cli::{CheckArgs, SpanArgs};
use crate::config::Config;
use crate::data::{load_claims, Claim, Dataset};
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::Reads;
use anyhow::{anyhow, bail, Result};

/// What to check: the claims, with which methods; `flag` names where the claims came from
/// (`SERIES`, `--claims`) in errors.
pub struct CheckRequest<'a> {
    pub claims: &'a [Claim],
    pub methods: &'a [Method],
    pub flag: &'a str,
}

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
    let request = CheckRequest {
        claims: &claims,
        methods: &methods,
        flag,
    };
    let computed = compute(pipeline.config(), &dataset, &request)?;
    let mut output = describe(pipeline.config(), &dataset, &computed, args.methods)?;
    output.meta.param("strict", args.strict);
    pipeline.emit(&output)?;
    Ok(if args.strict && computed.result.rejected {
        Status::ClaimRejected
    } else {
        Status::Success
    })
}

/// Every claim judged, in the order given, on each series of its name.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    request: &CheckRequest,
) -> Result<Selected<Checks>> {
    let keys = dataset.keys();
    let (mut checker, mut units) = (Checker::default(), std::collections::BTreeMap::new());
    for claim in request.claims {
        let named = std::slice::from_ref(&claim.series);
        let name = dataset.resolve_series(request.flag, named)?.remove(0);
        let (series, found) = config.load_series(dataset, std::slice::from_ref(&name))?;
        let unit = found.get(&name).map(String::as_str);
        let claimed = Claimed {
            name: &name,
            year: claim.year,
            value: claim.value,
            claimed_unit: claim.unit.as_deref(),
            factor: claim.factor_to(&name, unit)?,
            unit,
            series: &series,
        };
        checker
            .add(&claimed, &keys, request.methods)
            .map_err(|why| {
                let (flag, value) = (request.flag, claimed.converted());
                anyhow!("{flag} {} {} {value}: {why}", claim.series, claim.year)
            })?;
        units.extend(found);
    }
    let result = checker.finish(&keys)?;
    Ok(Selected { result, units })
}

/// The tables of `computed`: the verdicts and each method's view (only the latter when
/// `methods_only`).
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<Checks>,
    methods_only: bool,
) -> Result<Output> {
    let Selected { result, units } = computed;
    let mut meta = config.meta("check", dataset, units);
    meta.notes.extend(result.notes.iter().cloned());
    meta.warnings.extend(result.warnings.iter().cloned());
    meta.conventions = claim::CONVENTIONS.map(String::from).to_vec();
    let unit = UnitLabel::new(units, result.series);
    let mut output = Output::new(meta);
    let claims = claim::claim_columns(&dataset.groups);
    output.push_if(
        !methods_only,
        ("rows", "Claims"),
        &result.claims,
        &claims,
        &unit,
    )?;
    let methods = claim::method_columns(&dataset.groups);
    let title = ("methods", "Claims against each method");
    output.push(title, &result.methods, &methods, &unit)?;
    Ok(output)
}
