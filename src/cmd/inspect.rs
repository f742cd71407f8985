//! `tradestat inspect FILE`: what the input front end found in a file (see
//! [`crate::data::inspect`]), and the command line that reads it as detected, so detection
//! can be checked and then pinned in a script.

use crate::cli::InspectArgs;
use crate::config::Config;
use crate::data::inspect::{about_columns, inspect, series_columns};
use crate::data::Dataset;
use crate::output::{Output, UnitLabel};
use crate::pipeline::Pipeline;
use anyhow::Result;

pub fn run(args: InspectArgs) -> Result<()> {
    let mut data = args.data;
    if let Some(file) = args.file {
        if !data.data.is_empty() {
            anyhow::bail!(
                "give the file once: as FILE or as --data (expected tradestat inspect FILE)"
            );
        }
        data.data = vec![file];
    }
    let mut pipeline = Pipeline::new(Config::new(data, Default::default(), args.output)?);
    let dataset = pipeline.load()?;
    pipeline.emit(&build(pipeline.config(), &dataset)?)
}

/// The two tables: what was found, and the series.
pub fn build(config: &Config, dataset: &Dataset) -> Result<Output> {
    let found = inspect(dataset, &config.input, &config.read)?;
    let units = dataset.units()?;
    let mut output = Output::new(config.meta("inspect", dataset, &units));
    let plain = UnitLabel::default();
    let about = ("rows", "What tradestat found");
    output.push(about, &found.about, &about_columns(), &plain)?;
    output.push(
        ("series", "Series"),
        &found.series,
        &series_columns(),
        &plain,
    )?;
    Ok(output)
}
