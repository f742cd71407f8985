//! `tradestat sql`: Polars SQL over the loaded data, the modes table and derived tables
//! (see [`crate::sql`]).

use crate::cli::SqlArgs;
use crate::config::Config;
use crate::data::SourceMeta;
use crate::output::{frame::table_from_frame, Meta, Output, UnitLabel};
use crate::pipeline::Pipeline;
use crate::schema::SERIES;
use crate::sql::{self, execute, raw_table, result_columns, tables};
use anyhow::{bail, Context, Result};

pub fn run(args: SqlArgs) -> Result<()> {
    let mut config = Config::new(args.data, Default::default(), args.output)?;
    config.flag_column = true;
    let mut pipeline = Pipeline::new(config);
    pipeline.whole_file()?;
    if args.raw {
        return run_raw(&pipeline, &args.query, &args.file, args.allow_files);
    }
    let dataset = pipeline.load()?;
    let registered = tables(&dataset, pipeline.config().into())?;
    let units = dataset.units()?;
    let mut meta = pipeline.config().meta("sql", &dataset, &units);

    if args.schema {
        let mut output = Output::new(meta);
        let title = ("rows", "Tables for tradestat sql");
        let frame = sql::schema(&registered)?;
        output.push(title, &frame, &sql::schema_columns(), &UnitLabel::default())?;
        return pipeline.emit(&output);
    }

    let query = query_text(&args.query, &args.file)?;
    let df = execute(
        registered,
        &query,
        args.allow_files,
        &pipeline.config().read,
    )?;
    meta.param("query", query.trim());
    let columns = result_columns(&df);
    // Series names in the result narrow the units shown to those series.
    if let Ok(series) = df.column(SERIES).and_then(|c| c.str().cloned()) {
        let present: Vec<&str> = series.iter().flatten().collect();
        meta.units.retain(|s, _| present.contains(&s.as_str()));
    }
    let table = table_from_frame("rows", "Query result", &df, columns)?;
    pipeline.emit(&Output {
        tables: vec![table],
        meta,
    })
}

/// The query text from the argument or `--file`.
fn query_text(query: &Option<String>, file: &Option<std::path::PathBuf>) -> Result<String> {
    match (query, file) {
        (Some(q), None) => Ok(q.clone()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --file {}", path.display()))?;
            if text.trim().is_empty() {
                bail!("--file {}: the file is empty (expected a SQL query such as SELECT * FROM growth)", path.display());
            }
            Ok(text)
        }
        // clap requires one of them.
        _ => bail!("give a query (tradestat sql \"SELECT …\") or --file FILE, or --schema to list the tables"),
    }
}

/// `sql --raw`: the input as the table `raw`, every column as text, without the tidy loader:
/// for reshaping that the reading flags cannot express.
fn run_raw(
    pipeline: &Pipeline,
    query: &Option<String>,
    file: &Option<std::path::PathBuf>,
    allow_files: bool,
) -> Result<()> {
    let query = query_text(query, file)?;
    let config = pipeline.config();
    let registered = vec![raw_table(&config.input, &config.read)?];
    let df = execute(registered, &query, allow_files, &config.read)?;
    let source = SourceMeta {
        input: config.input.name(),
        sha256: None,
        title: None,
        citation: None,
        series: Default::default(),
        notes: Vec::new(),
    };
    let mut meta = Meta::new("sql", source);
    meta.param("query", query.trim());
    let table = table_from_frame("rows", "Query result", &df, result_columns(&df))?;
    pipeline.emit(&Output {
        tables: vec![table],
        meta,
    })
}
