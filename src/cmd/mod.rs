//! One module per subcommand, each a thin `run`: load → analyse → build an [`Output`] → emit.
//! This module turns clap's arguments into a checked [`Common`] config once, so the rest of
//! the program never sees clap types.

mod backtest;
mod chart;
mod check;
mod growth;
mod index;
mod inspect;
mod panel;
mod pieces;
mod project;
pub use project::MAX_HORIZON;
mod report;
mod share;
mod shell;
mod show;
pub mod sql;

use crate::analysis::project::{series_of, KeyedSeries, Method};
pub use crate::analysis::Selected;
use crate::cli::{
    Cli, Command, DataArgs, FormatArg, LayoutArg, MethodArg, MethodArgs, OutputArgs, SpanArgs,
};
use crate::data::{self, ColumnChoice, Dataset, Filter, FxTable, Input, Layout, ReadOptions, Unit};
use crate::output::Value;
use crate::output::{Column, Kind, Meta, Output};
use crate::progress::Progress;
use crate::render::{self, Format};
use crate::schema::{sort_keys, Reads, Span, FLAG, SERIES, UNIT, VALUE, YEAR};
use anyhow::{bail, Result};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

/// How a successful run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// `check --strict` found an implausible claim (exit status 3).
    ClaimRejected,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    let done = |result: Result<()>| result.map(|()| Status::Success);
    match cli.command {
        Command::Show(args) => done(show::run(args)),
        Command::Inspect(args) => done(inspect::run(args)),
        Command::Growth(args) => done(growth::run(args)),
        Command::Index(args) => done(index::run(args)),
        Command::Share(args) => done(share::run(args)),
        Command::Panel(args) => done(panel::run(args)),
        Command::Project(args) => done(project::run(args)),
        Command::Backtest(args) => done(backtest::run(args)),
        Command::Check(args) => check::run(args),
        Command::Sql(args) => done(sql::run(args)),
        Command::Chart(args) => done(chart::run(args)),
        Command::Report(args) => done(report::run(args)),
        Command::Completions { shell } => done(shell::completions(shell)),
        Command::Man => done(shell::man()),
    }
}

/// Checked options shared by every analysis command.
pub struct Common {
    pub input: Input,
    /// Convert every series to this unit after loading.
    pub unit: Option<Unit>,
    pub fx: Option<FxTable>,
    /// How to read the input: layout, groups, and the front end's options.
    pub read: ReadOptions,
    pub span: Span,
    /// The rows the command reads besides the span: `--unit` converts only these (and the
    /// span), so exchange rates are needed for no other year.
    pub reads: Reads,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub precision: usize,
    pub quiet: bool,
    /// A spinner for large inputs on a terminal (hidden otherwise).
    pub progress: Progress,
    /// Whether the command shows `--keep-flags`' column (`show`, `sql`); others drop it.
    pub flag_column: bool,
}

impl Common {
    pub fn new(data: DataArgs, span: SpanArgs, output: OutputArgs) -> Result<Self> {
        if let (Some(from), Some(to)) = (span.from, span.to) {
            if from > to {
                bail!("--from {from} is after --to {to} (expected --from to be at most --to)");
            }
        }
        let read = read_options(&data)?;
        let input = match data.data {
            None => Input::Bundled,
            Some(p) if p.as_os_str() == "-" => Input::Stdin,
            Some(p) => Input::Path(p),
        };
        let format = match output.format {
            FormatArg::Table => Format::Table,
            FormatArg::Csv => Format::Csv,
            FormatArg::Tsv => Format::Tsv,
            FormatArg::Json => Format::Json,
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Latex => Format::Latex,
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::Auto => match &output.output {
                Some(path) => format_of(path)?,
                None if std::io::stdout().is_terminal() => Format::Table,
                None => Format::Csv,
            },
        };
        let fx = data.fx.as_deref().map(FxTable::load).transpose()?;
        let unit = match data.unit.as_deref() {
            None => None,
            Some(text) => match Unit::read(text).map_err(|why| anyhow::anyhow!("--unit: {why}"))? {
                Unit::Other(_) => bail!(
                    "--unit {text:?} is not a unit of money (expected a scale and a currency, e.g. \"billion CNY\", \"100 million USD\" or 亿元)"
                ),
                unit => Some(unit),
            },
        };
        // `--output -` is standard output, as if no --output were given.
        let destination = output.output.filter(|path| path.as_os_str() != "-");
        Ok(Common {
            input,
            unit,
            fx,
            read,
            span: Span {
                from: span.from,
                to: span.to,
            },
            reads: Reads::default(),
            format,
            output: destination,
            precision: usize::from(output.precision),
            quiet: output.quiet,
            progress: Progress::hidden(),
            flag_column: false,
        })
    }

    pub fn load(&mut self) -> Result<Dataset> {
        if let Input::Path(path) = &self.input {
            let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
            self.progress = Progress::reading(path, bytes, self.quiet);
        }
        crate::progress::mark("start");
        let mut dataset = self.converted(data::load_with(&self.input, &self.read)?)?;
        if !self.flag_column && dataset.frame.get_column_index(FLAG).is_some() {
            dataset.frame = dataset.frame.drop(FLAG)?;
        }
        self.progress
            .stage(format!("analysing {} values", dataset.frame.height()));
        Ok(dataset)
    }

    /// The dataset in `--unit`, when given: only the rows the command reads (its span and
    /// [`Common::reads`]) are kept and converted.
    pub(crate) fn converted(&self, mut dataset: Dataset) -> Result<Dataset> {
        if let Some(unit) = &self.unit {
            self.convert(&mut dataset, unit, None)?;
        }
        Ok(dataset)
    }

    /// Converts `dataset` (or only the series `only`) to `target`, keeping only the rows the
    /// command reads, so that `--fx` needs rates for those years alone.
    pub(crate) fn convert(
        &self,
        dataset: &mut Dataset,
        target: &Unit,
        only: Option<&str>,
    ) -> Result<()> {
        dataset.retain(self.span.rows(self.reads, &dataset.keys())?)?;
        dataset.convert(target, self.fx.as_ref(), only)
    }

    /// Starts the metadata of a result: source, span and units of the series in it.
    pub fn meta(&self, command: &str, dataset: &Dataset, units: &BTreeMap<String, String>) -> Meta {
        let mut meta = Meta::new(command, dataset.source.clone());
        meta.units = units.clone();
        meta.notes
            .extend(dataset.notes.iter().map(crate::notes::Note::input));
        if let Some(from) = self.span.from {
            meta.param("from", from);
        }
        if let Some(to) = self.span.to {
            meta.param("to", to);
        }
        if !dataset.groups.is_empty() {
            meta.param("by", &dataset.groups);
        }
        meta
    }

    pub fn emit(&self, output: &Output) -> Result<()> {
        let rows = output.tables.first().map_or(0, |t| t.rows.len());
        self.progress.stage(format!("writing {rows} rows"));
        crate::progress::mark("analysed");
        let result = render::emit(
            output,
            self.format,
            self.precision,
            self.output.as_deref(),
            self.quiet,
        );
        self.progress.finish();
        crate::progress::mark("written");
        result
    }
}

/// The front end's options from the command line.
fn read_options(data: &DataArgs) -> Result<ReadOptions> {
    let delimiter = match data.delimiter.as_deref() {
        None => None,
        Some("tab" | "\\t" | "\t") => Some(b'\t'),
        Some(d) if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
        Some(d) => bail!("--delimiter {d:?}: expected one character such as , ; | or the word tab"),
    };
    let decimal = match data.decimal.as_deref() {
        None => None,
        Some(".") => Some('.'),
        Some(",") => Some(','),
        Some(d) => bail!("--decimal {d:?}: expected . or ,"),
    };
    let filters = data
        .r#where
        .iter()
        .map(|w| Filter::parse(w).map_err(|why| anyhow::anyhow!("--where {why}")))
        .collect::<Result<_>>()?;
    Ok(ReadOptions {
        layout: match data.layout {
            LayoutArg::Auto => Layout::Auto,
            LayoutArg::Wide => Layout::Wide,
            LayoutArg::Long => Layout::Long,
            LayoutArg::Years => Layout::Years,
        },
        by: data
            .by
            .iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
        skip: data.skip,
        delimiter,
        decimal,
        encoding: match data.encoding.as_deref() {
            None => Default::default(),
            Some(text) => data::decode::parse_encoding(text)
                .map_err(|why| anyhow::anyhow!("--encoding {text}: {why}"))?,
        },
        na: data
            .na
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        columns: ColumnChoice {
            year: data.year_col.clone(),
            value: data.value_col.clone(),
            series: data.series_col.clone(),
            unit: data.unit_col.clone(),
        },
        filters,
        keep_flags: data.keep_flags,
    })
}

/// The format `--format auto` picks for `--output FILE`: the one its extension names; CSV
/// for a name without one (`--output /dev/null`, `--output out`); an error for an extension
/// that names no format, rather than CSV in a file called `.xlsx`-something-else.
fn format_of(path: &std::path::Path) -> Result<Format> {
    if path.as_os_str() == "-" {
        return Ok(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Csv
        });
    }
    match path.extension() {
        None => Ok(Format::Csv),
        Some(ext) => Format::from_extension(path).ok_or_else(|| {
            anyhow::anyhow!(
                "--output {}: the extension {:?} names no format (expected one of {}; or give --format)",
                path.display(),
                ext.to_string_lossy(),
                Format::extensions().join(", ")
            )
        }),
    }
}

/// The data restricted to the named series (all when none are named), and the units of those.
pub fn select(
    dataset: &Dataset,
    flag: &str,
    series: &[String],
) -> Result<(LazyFrame, BTreeMap<String, String>)> {
    let mut units = dataset.units()?;
    let lf = dataset.frame.clone().lazy();
    if series.is_empty() {
        return Ok((lf, units));
    }
    let names = dataset.resolve_series(flag, series)?;
    units.retain(|s, _| names.contains(s));
    let wanted = names
        .iter()
        .fold(lit(false), |any, n| any.or(col(SERIES).eq(lit(n.clone()))));
    Ok((lf.filter(wanted), units))
}

/// Why the selection is empty, when it is: better than printing an empty table.
pub fn ensure_rows(height: usize, span: Span) -> Result<()> {
    if height > 0 {
        return Ok(());
    }
    match (span.from, span.to) {
        (None, None) => bail!("no values to analyse (every selected value is empty)"),
        (from, to) => bail!(
            "no values between --from {} and --to {} (expected a span that overlaps the data)",
            from.map_or("(first)".to_string(), |y| y.to_string()),
            to.map_or("(last)".to_string(), |y| y.to_string())
        ),
    }
}

/// How units show in human headers.
pub struct UnitLabel {
    /// ` (trillion CNY)` when every series shown has that one unit, else empty.
    pub suffix: String,
    /// Whether people need the `unit` column: only when series differ in unit.
    pub column_for_people: bool,
}

pub fn unit_label(units: &BTreeMap<String, String>, series_count: usize) -> UnitLabel {
    let mut distinct = units.values();
    match distinct.next() {
        None => UnitLabel {
            suffix: String::new(),
            column_for_people: false,
        },
        Some(first) if units.len() == series_count && distinct.all(|u| u == first) => UnitLabel {
            suffix: format!(" ({first})"),
            column_for_people: false,
        },
        Some(_) => UnitLabel {
            suffix: String::new(),
            column_for_people: true,
        },
    }
}

/// The `unit` column, hidden from people when the headers already say it.
pub fn unit_column(label: &UnitLabel) -> Column {
    let unit = Column::new(UNIT, UNIT, Kind::Text);
    if label.column_for_people {
        unit
    } else {
        unit.machine_only()
    }
}

/// The group columns of the input.
pub fn group_columns(dataset: &Dataset, meta: &mut Meta) -> Vec<Column> {
    dataset
        .groups
        .iter()
        .map(|g| {
            meta.describe(g, "group key from the input");
            Column::new(g, g.clone(), Kind::Text)
        })
        .collect()
}

/// Group columns, then `series`.
pub fn key_columns(dataset: &Dataset, meta: &mut Meta) -> Vec<Column> {
    let mut columns = group_columns(dataset, meta);
    meta.describe(SERIES, "series name");
    columns.push(Column::new(SERIES, SERIES, Kind::Text));
    columns
}

pub fn year_column(meta: &mut Meta) -> Column {
    meta.describe(YEAR, "calendar year");
    Column::new(YEAR, YEAR, Kind::Integer)
}

/// `unit` (hidden from people when the headers say it) and `value` columns.
pub fn unit_value_columns(label: &UnitLabel, meta: &mut Meta) -> Vec<Column> {
    meta.describe(UNIT, "unit of value (and of change)");
    meta.describe(VALUE, "the series' value in its unit");
    vec![
        unit_column(label),
        Column::new(VALUE, format!("value{}", label.suffix), Kind::Number),
    ]
}

/// The methods named on the command line, in a fixed order; `all` is every projection method.
pub fn resolve_methods(args: &MethodArgs) -> Vec<Method> {
    let holt = if args.damped {
        Method::HoltDamped
    } else {
        Method::Holt
    };
    let mut methods: Vec<Method> = args
        .method
        .iter()
        .flat_map(|m| match m {
            MethodArg::All => vec![
                Method::Linear,
                Method::LogLinear,
                Method::Drift,
                holt,
                Method::Cagr,
            ],
            MethodArg::Linear => vec![Method::Linear],
            MethodArg::Loglinear => vec![Method::LogLinear],
            MethodArg::Drift => vec![Method::Drift],
            MethodArg::Holt => vec![holt],
            MethodArg::Cagr => vec![Method::Cagr],
        })
        .collect();
    methods.sort();
    methods.dedup();
    methods
}

/// The selected series within the span, sorted by keys and year, with their units.
pub fn selected_frame(
    common: &Common,
    dataset: &Dataset,
    series: &[String],
) -> Result<(DataFrame, BTreeMap<String, String>)> {
    let (lf, units) = select(dataset, "--series", series)?;
    let df = lf
        .filter(common.span.contains())
        .sort(sort_keys(&dataset.keys()), Default::default())
        .collect()?;
    Ok((df, units))
}

/// The selected data split into series (keys: groups, then series name), with units.
pub fn load_series(
    common: &Common,
    dataset: &Dataset,
    series: &[String],
) -> Result<(Vec<KeyedSeries>, BTreeMap<String, String>)> {
    let (df, units) = selected_frame(common, dataset, series)?;
    let all = series_of(&df, &dataset.keys())?;
    ensure_rows(all.len(), common.span)?;
    Ok((all, units))
}

/// Key cells of a row: group values, then the series name.
pub fn key_cells(key: &[String]) -> Vec<Value> {
    key.iter().map(|k| Value::text(k.as_str())).collect()
}

/// `80` → `80`, `99.5` → `99.5`: the level as it appears in column names.
pub fn level_name(level: f64) -> String {
    if level.fract() == 0.0 {
        format!("{level:.0}")
    } else {
        format!("{level}")
    }
}
