//! The command line's arguments checked into a [`Config`], once: the only place where clap's
//! types meet the settings the rest of tradestat reads.

use super::{DataArgs, MethodArgs, OutputArgs, SpanArgs};
use crate::analysis::project::Method;
use crate::config::{Config, PIECE_BYTES};
use crate::data::{self, ColumnChoice, Filter, FxTable, ReadOptions, Unit};
use crate::render::Format;
use crate::schema::{Reads, Span};
use anyhow::{bail, Result};
use std::io::IsTerminal;

impl Config {
    pub fn new(data: DataArgs, span: SpanArgs, output: OutputArgs) -> Result<Self> {
        if let (Some(from), Some(to)) = (span.from, span.to) {
            if from > to {
                bail!("--from {from} is after --to {to} (expected --from to be at most --to)");
            }
        }
        let read = read_options(&data)?;
        let input = data::expand(&data.data)?;
        if let (Some(sheet), false) = (&read.sheet, input.has_workbook()) {
            bail!("--sheet {sheet}: no --data file is a workbook (expected an .xlsx, .xls or .ods file)");
        }
        // `--format auto` (`None`): the --output file's extension, else a table on a terminal
        // and CSV otherwise.
        let format = match output.format {
            Some(format) => format,
            None => match &output.output {
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
        Ok(Config {
            input,
            unit,
            fx,
            read,
            span: Span {
                from: span.from,
                to: span.to,
            },
            reads: Reads::default(),
            flag_column: false,
            format,
            output: destination,
            precision: usize::from(output.precision),
            quiet: output.quiet,
            engine: output.engine,
            piece_bytes: output.piece_bytes.map_or(PIECE_BYTES, |bytes| {
                usize::try_from(bytes).unwrap_or(usize::MAX)
            }),
        })
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
        layout: data.layout,
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
        sheet: data.sheet.clone(),
        file_col: match data.file_col.as_deref().map(str::trim) {
            Some("") => bail!("--file-col: expected a column name, e.g. --file-col file"),
            other => other.map(str::to_string),
        },
        aggregate: aggregate(data)?,
    })
}

/// `--sum-by`, `--part-where` and `--strict-duplicates` checked.
fn aggregate(data: &DataArgs) -> Result<data::Aggregate> {
    let mut sum_by: Vec<String> = Vec::new();
    for column in data.sum_by.iter().map(|c| c.trim()) {
        if column.is_empty() {
            bail!("--sum-by: a column name is empty (expected COL[,COL], e.g. --sum-by i)");
        }
        if sum_by.iter().any(|c| c == column) {
            bail!("--sum-by names {column:?} twice (expected each column once)");
        }
        sum_by.push(column.to_string());
    }
    let part_where = data
        .part_where
        .as_deref()
        .map(|p| data::PartWhere::parse(p).map_err(|why| anyhow::anyhow!("--part-where {why}")))
        .transpose()?;
    Ok(data::Aggregate {
        sum_by,
        part_where,
        strict_duplicates: data.strict_duplicates,
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

/// The methods named on the command line, in a fixed order; `all` is every projection method.
pub fn resolve_methods(args: &MethodArgs) -> Vec<Method> {
    let named: Vec<Method> = args
        .method
        .iter()
        .flat_map(|m| match m {
            None => Method::all(false),
            Some(m) => vec![*m],
        })
        .collect();
    Method::resolve(&named, args.damped)
}
