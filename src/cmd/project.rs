//! `tradestat project`: forecasts with prediction intervals, and the model summary.

use super::Selected;
use crate::analysis::project::{self, Method, Plan, Projection};
use crate::cli::resolve_methods;
use crate::cli::{ProjectArgs, SpanArgs};
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::Reads;
use anyhow::Result;

/// What to project, after the command line is checked: the series (all when empty) and
/// the plan.
pub struct ProjectRequest {
    pub series: Vec<String>,
    pub plan: Plan,
}

pub fn run(args: ProjectArgs) -> Result<()> {
    let span = SpanArgs {
        from: args.from,
        to: None,
    };
    let mut config = Config::new(args.data, span, args.output)?;
    config.reads = Reads::SPAN;
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
    let plan = Plan {
        methods: resolve_methods(&args.methods),
        to: args.to,
        horizon: args.horizon.unwrap_or(1),
        levels: args.level,
        with_history: args.with_history,
    };
    let request = ProjectRequest {
        series: args.series,
        plan,
    };
    let computed = compute(pipeline.config(), &dataset, &request)?;
    pipeline.emit(&describe(
        pipeline.config(),
        &dataset,
        &computed,
        args.models,
    )?)
}

/// The projections of the selected series; an error when no method projects any.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    request: &ProjectRequest,
) -> Result<Selected<Projection>> {
    let (all, units) = config.load_series(dataset, &request.series)?;
    let result = project::run(&all, &dataset.keys(), &units, &request.plan)?;
    if result.forecasts.height() == 0 {
        return Err(nothing_projected(dataset, &result));
    }
    Ok(Selected { result, units })
}

/// The tables of `computed`: the forecasts and the models (only the models when
/// `models_only`).
pub fn describe(
    config: &Config,
    dataset: &Dataset,
    computed: &Selected<Projection>,
    models_only: bool,
) -> Result<Output> {
    let Selected { result, units } = computed;
    let mut meta = config.meta("project", dataset, units);
    meta.param("methods", Method::names(&result.methods));
    meta.param("levels", &result.levels);
    meta.notes.extend(result.notes.iter().cloned());
    meta.warnings.extend(result.warnings.iter().cloned());
    meta.conventions = result.conventions.iter().map(|c| c.to_string()).collect();
    let unit = UnitLabel::new(units, result.series);
    let mut output = Output::new(meta);
    let forecasts = project::forecast_columns(&dataset.groups, &result.levels);
    let title = ("rows", "Projections with prediction intervals");
    output.push_if(!models_only, title, &result.forecasts, &forecasts, &unit)?;
    let models = project::model_columns(&dataset.groups);
    output.push(("models", "Models"), &result.models, &models, &unit)?;
    Ok(output)
}

/// The error of a projection without a forecast: no method could project any series.
pub fn nothing_projected(dataset: &Dataset, result: &Projection) -> anyhow::Error {
    let why = dataset.joined_notes(&result.notes);
    anyhow::anyhow!("no method could project any selected series ({why})")
}
