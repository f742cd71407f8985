//! `tradestat project`: forecasts with prediction intervals, and the model summary.

use super::{joined_notes, load_series, Selected};
use crate::analysis::project::{self, Method, Plan, Projection};
use crate::cli::resolve_methods;
use crate::cli::{ProjectArgs, SpanArgs};
use crate::config::Config;
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::Reads;
use anyhow::Result;

pub use crate::analysis::project::MAX_HORIZON;

/// What to project, after the command line is checked.
pub struct ProjectRequest {
    pub series: Vec<String>,
    pub methods: Vec<Method>,
    /// Last year to project; else `horizon` years past each series' last.
    pub to: Option<i32>,
    pub horizon: u16,
    /// Levels in percent.
    pub levels: Vec<f64>,
    pub with_history: bool,
    pub models_only: bool,
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
    let request = ProjectRequest {
        series: args.series,
        methods: resolve_methods(&args.methods),
        to: args.to,
        horizon: args.horizon.unwrap_or(1),
        levels: args.level,
        with_history: args.with_history,
        models_only: args.models,
    };
    pipeline.emit(&build(pipeline.config(), &dataset, &request)?)
}

/// The projections of the selected series; an error when no method projects any.
pub fn compute(
    config: &Config,
    dataset: &Dataset,
    request: &ProjectRequest,
) -> Result<Selected<Projection>> {
    let (all, units) = load_series(config, dataset, &request.series)?;
    let plan = Plan {
        methods: request.methods.clone(),
        to: request.to,
        horizon: request.horizon,
        levels: request.levels.clone(),
        with_history: request.with_history,
    };
    let result = project::run(&all, &dataset.keys(), &units, &plan)?;
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

/// Forecasts and the model summary.
pub fn build(config: &Config, dataset: &Dataset, request: &ProjectRequest) -> Result<Output> {
    let computed = compute(config, dataset, request)?;
    describe(config, dataset, &computed, request.models_only)
}

/// The error of a projection without a forecast: no method could project any series.
pub fn nothing_projected(dataset: &Dataset, result: &Projection) -> anyhow::Error {
    let why = joined_notes(dataset, &result.notes);
    anyhow::anyhow!("no method could project any selected series ({why})")
}

#[cfg(test)]
mod tests {
    use super::MAX_HORIZON;

    #[test]
    fn the_help_states_the_limit() {
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let project = cli.find_subcommand("project").unwrap();
        for flag in ["to", "horizon"] {
            let arg = project
                .get_arguments()
                .find(|a| a.get_id() == flag)
                .unwrap();
            let help = arg.get_help().unwrap().to_string();
            assert!(
                help.contains(&format!("at most {MAX_HORIZON}")),
                "--{flag}: {help}"
            );
        }
    }
}
