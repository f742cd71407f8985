//! Running a command: a [`Pipeline`] owns loading the input, how the run goes through it
//! (the whole file at once, or piece by piece: [`Engine`]), writing the result and the
//! progress shown meanwhile. Commands only build results from a [`Config`] and a dataset.

mod pieces;

use crate::config::{Config, Engine};
use crate::data::{self, Dataset};
use crate::output::Output;
use crate::progress::{mark, Progress};
use crate::render;
use crate::schema::FLAG;
use anyhow::{bail, Result};

/// Loads, runs and writes one command's work, with its progress indicator.
pub struct Pipeline {
    config: Config,
    /// A spinner for large inputs on a terminal (hidden otherwise).
    progress: Progress,
}

impl Pipeline {
    pub fn new(config: Config) -> Self {
        Pipeline {
            config,
            progress: Progress::hidden(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The whole input, in `--unit` when given, without the `--keep-flags` column unless the
    /// command shows it.
    pub fn load(&mut self) -> Result<Dataset> {
        self.whole_file()?;
        if let Some(path) = self.config.input.plain_file() {
            let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
            self.progress = Progress::reading(path, bytes, self.config.quiet);
        }
        mark("start");
        let config = &self.config;
        let mut dataset = config.converted(data::load_with(&config.input, &config.read)?)?;
        if !config.flag_column && dataset.frame.get_column_index(FLAG).is_some() {
            dataset.frame = dataset.frame.drop(FLAG)?;
        }
        self.progress
            .stage(format!("analysing {} values", dataset.frame.height()));
        Ok(dataset)
    }

    /// Writes `output` in the configured format to `--output` or standard output.
    pub fn emit(&self, output: &Output) -> Result<()> {
        self.whole_file()?;
        let rows = output.tables.first().map_or(0, |t| t.rows.len());
        self.progress.stage(format!("writing {rows} rows"));
        mark("analysed");
        let config = &self.config;
        let result = render::emit(
            output,
            config.format,
            config.precision,
            config.output.as_deref(),
            config.quiet,
        );
        self.progress.finish();
        mark("written");
        result
    }

    /// Runs an analysis that works group by group (`build` on a dataset gives the rows of
    /// its groups alone) and writes its result: piece by piece when the run qualifies and
    /// `--engine` allows it (see `Pipeline::in_pieces`), else on the whole file. With
    /// `--engine pieces`, a run that cannot go in pieces is an error that says why.
    pub fn run_by_groups(
        &mut self,
        build: impl Fn(&Config, Dataset) -> Result<Output> + Sync,
    ) -> Result<()> {
        let engine = self.config.engine;
        if engine == Engine::Whole {
            mark("engine: whole file (--engine whole)");
        } else {
            let forced = engine == Engine::Pieces;
            match self.in_pieces(&build, forced) {
                pieces::Outcome::Written => return Ok(()),
                pieces::Outcome::Unsuitable(why) if forced => bail!("--engine pieces: {why}"),
                pieces::Outcome::Unsuitable(why) => mark(&format!("engine: whole file ({why})")),
                pieces::Outcome::Abandoned(why) if forced => bail!(
                    "--engine pieces: the file cannot go in pieces: {why:#} (a line number counts from the piece's header; --engine auto analyses the whole file instead)"
                ),
                pieces::Outcome::Abandoned(why) => {
                    mark(&format!("pieces abandoned ({why:#}): whole file instead"))
                }
            }
        }
        let dataset = self.load()?;
        let output = build(&self.config, dataset)?;
        self.emit(&output)
    }

    /// Fails when `--engine pieces` asks for pieces from a run that reads the whole file
    /// (`load` and `emit` check it; a command that does other work first checks it itself).
    pub fn whole_file(&self) -> Result<()> {
        if self.config.engine == Engine::Pieces {
            bail!(
                "--engine pieces: only show, growth, index, share and panel go in pieces; this command analyses the whole file (expected --engine auto or whole)"
            );
        }
        Ok(())
    }
}
