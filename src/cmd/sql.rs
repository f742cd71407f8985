//! `tradestat sql`: Polars SQL over the loaded data, the modes table and derived tables.

use crate::analysis::growth::{cagr, growth};
use crate::analysis::index::index;
use crate::analysis::share::share;
use crate::cli::SqlArgs;
use crate::config::Config;
use crate::data::{self, Dataset};
use crate::output::{frame::table_from_frame, Column, Kind, Output, Table, Value};
use crate::pipeline::Pipeline;
use crate::schema::{Span, SERIES};
use anyhow::{bail, Context, Result};
use polars::prelude::*;
use polars::sql::SQLContext;

/// Most series for which every ordered pair is registered in the `shares` table.
const MAX_SHARE_SERIES: usize = 20;

/// A registered table and what it holds.
struct Registered {
    name: &'static str,
    about: String,
    frame: LazyFrame,
}

fn tables(common: &Config, dataset: &Dataset) -> Result<Vec<Registered>> {
    let keys = dataset.keys();
    let lf = || dataset.frame.clone().lazy();
    let mut out = vec![
        Registered {
            name: "data",
            about: "the loaded data, long: group columns, series, year, value, unit".to_string(),
            frame: lf(),
        },
        Registered {
            name: "wide",
            about: "the loaded data, wide: group columns, year, one column per series".to_string(),
            frame: dataset.wide()?,
        },
        Registered {
            name: "modes",
            about: "modes of cross-border e-commerce (seed paper, Table 2)".to_string(),
            frame: data::modes_frame()?.lazy(),
        },
        Registered {
            name: "growth",
            about: "per series and year: value, change, yoy, gap_growth, cagr_since_first (rates as fractions)".to_string(),
            frame: growth(lf(), &keys, Span::default())?.drop(by_name(["prev_year", "prev_value", "first_year", "first_value"], true, false)),
        },
        Registered {
            name: "cagr",
            about: "per series: from_year, to_year, years, observations, first_value, last_value, cagr".to_string(),
            frame: cagr(lf(), &keys, Span::default())?,
        },
        Registered {
            name: "index",
            about: "per series and year: value, base_year (the first), index (base = 100)".to_string(),
            frame: index(lf(), &keys, Span::default(), None)?.drop(by_name(["base_value"], true, false)),
        },
    ];
    // Shares of every series in every other one that can be brought into its unit (the
    // whole converted for the share, as the `share` command does: by scale, or with --fx).
    let names = dataset.series_names()?;
    if names.len() <= MAX_SHARE_SERIES {
        let mut pairs = Vec::new();
        for part in &names {
            for whole in names.iter().filter(|w| *w != part) {
                let mut converted = dataset.clone();
                let (fx, span, reads) = (common.fx.as_ref(), common.span, common.reads);
                let brought = converted.whole_in_part_unit(part, whole, fx, span, reads);
                if brought.is_err() {
                    continue; // different currencies and no rate: no share
                }
                let frame = share(
                    converted.frame.lazy(),
                    &dataset.groups,
                    part,
                    whole,
                    Span::default(),
                )?
                .with_columns([
                    lit(part.clone()).alias("part_series"),
                    lit(whole.clone()).alias("whole_series"),
                ]);
                pairs.push(frame);
            }
        }
        if !pairs.is_empty() {
            out.push(Registered {
                name: "shares",
                about: "every ordered pair of series (the whole in the part's unit): part_series, whole_series, year, part, whole, share (fraction), share_change_pp, contribution_pp".to_string(),
                frame: concat(pairs, UnionArgs::default())?,
            });
        }
    }
    Ok(out)
}

/// Runs `query` over the tables registered for `dataset` (no files: the sandbox of a run
/// without `--allow-files`) and returns the result as tradestat would print it. For the
/// fuzz target and tests; `run` is the command.
pub fn query(dataset: &Dataset, query: &str) -> Result<DataFrame> {
    let common = Config::new(
        crate::cli::DataArgs::default(),
        Default::default(),
        Default::default(),
    )?;
    execute(tables(&common, dataset)?, query, false, &common.read)
}

/// Columns of a query result: integers named like a year are years, other numbers numbers.
fn result_columns(df: &DataFrame) -> Vec<Column> {
    df.schema()
        .iter()
        .map(|(name, dtype)| {
            let kind = if dtype.is_integer() {
                if name.as_str().contains("year") {
                    Kind::Integer
                } else {
                    Kind::Number
                }
            } else if dtype.is_float() {
                Kind::Number
            } else {
                Kind::Text
            };
            Column::new(name.as_str(), name.as_str(), kind)
        })
        .collect()
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
    let common = pipeline.config();
    let frame = data::load_raw(&common.input, &common.read)?;
    let registered = vec![Registered {
        name: "raw",
        about: "the input as read: every column as text".to_string(),
        frame: frame.lazy(),
    }];
    let df = execute(registered, &query, allow_files, &common.read)?;
    let source = crate::data::SourceMeta {
        input: common.input.name(),
        sha256: None,
        title: None,
        citation: None,
        series: Default::default(),
        notes: Vec::new(),
    };
    let mut meta = crate::output::Meta::new("sql", source);
    meta.param("query", query.trim());
    let table = table_from_frame("rows", "Query result", &df, result_columns(&df))?;
    pipeline.emit(&Output {
        tables: vec![table],
        meta,
    })
}

/// Checks `query` ([`vet`]), registers the tables and the files it may read, runs it.
fn execute(
    registered: Vec<Registered>,
    query: &str,
    allow_files: bool,
    read: &data::ReadOptions,
) -> Result<DataFrame> {
    let vetted = vet(query, allow_files)?;
    let mut ctx = SQLContext::new();
    for table in registered {
        ctx.register(table.name, table.frame);
    }
    for (name, path, raw) in &vetted.files {
        let input = data::Input::Path(path.into());
        let frame = if *raw {
            data::load_raw(&input, read)
                .with_context(|| format!("read_raw('{path}') in the query"))?
        } else {
            data::load_with(&input, read)
                .with_context(|| format!("read_csv('{path}') in the query"))?
                .frame
        };
        ctx.register(name, frame.lazy());
    }
    let df = ctx
        .execute(&vetted.query)
        .and_then(|lf| lf.collect())
        .map_err(|e| anyhow::anyhow!("{}", explain(query, &e.to_string())))?;
    printable(df)
}

pub fn run(args: SqlArgs) -> Result<()> {
    let mut config = Config::new(args.data, Default::default(), args.output)?;
    config.flag_column = true;
    let mut pipeline = Pipeline::new(config);
    if args.raw {
        return run_raw(&pipeline, &args.query, &args.file, args.allow_files);
    }
    let dataset = pipeline.load()?;
    let registered = tables(pipeline.config(), &dataset)?;
    let units = dataset.units()?;
    let mut meta = pipeline.config().meta("sql", &dataset, &units);

    if args.schema {
        let mut rows = Vec::new();
        for table in &registered {
            let schema = table.frame.clone().collect_schema()?;
            for (name, dtype) in schema.iter() {
                let unit = match name.as_str() {
                    "value" | "change" | "part" | "whole" | "first_value" | "last_value" => {
                        "the series' unit (see unit)"
                    }
                    "yoy" | "gap_growth" | "cagr_since_first" | "cagr" | "share" => {
                        "fraction (unitless)"
                    }
                    "share_change_pp" | "contribution_pp" => "percentage points",
                    "index" => "index points (base = 100)",
                    "year" | "from_year" | "to_year" | "base_year" => "calendar year",
                    _ => "",
                };
                rows.push(vec![
                    Value::text(table.name),
                    Value::text(name.as_str()),
                    Value::text(dtype.to_string()),
                    Value::text(unit),
                    Value::text(table.about.as_str()),
                ]);
            }
        }
        meta.describe("table", "table name to use in FROM");
        meta.describe("column", "column name");
        meta.describe("type", "Polars data type");
        meta.describe("unit", "unit or scale of the column's values");
        meta.describe("about", "what the table holds");
        let table = Table {
            key: "rows".to_string(),
            title: "Tables for tradestat sql".to_string(),
            columns: vec![
                Column::new("table", "table", Kind::Text),
                Column::new("column", "column", Kind::Text),
                Column::new("type", "type", Kind::Text),
                Column::new("unit", "unit", Kind::Text),
                Column::new("about", "about", Kind::Text).machine_only(),
            ],
            rows: rows.into(),
        };
        return pipeline.emit(&Output {
            tables: vec![table],
            meta,
        });
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

/// The result with every column in a type the renderers print: booleans become `true` /
/// `false` text; dates, lists, structs and the like are refused by name (tradestat is built
/// without Polars' temporal and nested types, so it can neither format nor cast them).
fn printable(df: DataFrame) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(df.width());
    for column in df.columns() {
        let dtype = column.dtype();
        if dtype.is_bool() {
            columns.push(column.cast(&DataType::String)?);
        } else if dtype.is_primitive_numeric()
            || dtype == &DataType::String
            || dtype == &DataType::Null
        {
            columns.push(column.clone());
        } else {
            bail!(
                "SQL: the result column {:?} is of type {dtype}, which tradestat cannot print (expected numbers, text or true/false)",
                column.name().as_str()
            );
        }
    }
    Ok(DataFrame::new(df.height(), columns)?)
}

/// A query checked before Polars sees it, with the files it reads (`--allow-files`).
struct Vetted {
    /// The query to run: the original text, or (when it reads files) the parsed query with
    /// each `read_csv('…')` replaced by the name its file is registered under.
    query: String,
    /// (registered name, path, raw) of each file read.
    files: Vec<(String, String, bool)>,
}

/// The sandbox: one statement that reads (a query, `EXPLAIN` of one, `SHOW TABLES`), and
/// no table functions (`read_csv('…')`, `read_parquet`, …) unless `allow_files`; then only
/// `read_csv` of one named file, which tradestat loads itself, like `--data`. Polars would
/// read any file on disk, globs included, and panic on some; a query that comes from a CI
/// configuration or another person should see the data it was given and nothing else.
fn vet(query: &str, allow_files: bool) -> Result<Vetted> {
    use sqlparser::ast::{Statement, TableFactor, VisitMut, VisitorMut};
    use sqlparser::dialect::GenericDialect;
    use sqlparser::parser::{Parser, ParserOptions};
    use std::ops::ControlFlow;

    // The parser and options Polars uses, so both read the query alike.
    let parsed = Parser::new(&GenericDialect)
        .with_options(ParserOptions {
            trailing_commas: true,
            ..Default::default()
        })
        .try_with_sql(query)
        .and_then(|mut p| p.parse_statements());
    let mut statements = match parsed {
        Ok(statements) => statements,
        Err(e) => {
            let e = PolarsError::SQLInterface(e.to_string().into());
            bail!("{}", explain(query, &e.to_string()))
        }
    };
    let [statement] = statements.as_mut_slice() else {
        bail!(
            "SQL query failed: found {} statements (expected exactly one query)\n  query: {}",
            statements.len(),
            query.trim()
        );
    };
    let reads = match statement {
        Statement::Query(_) | Statement::ShowTables { .. } => true,
        Statement::Explain { statement, .. } => matches!(**statement, Statement::Query(_)),
        _ => false,
    };
    if !reads {
        let keyword = statement
            .to_string()
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_uppercase();
        bail!(
            "SQL: {keyword} statements are not run (tradestat sql only reads: SELECT, WITH, EXPLAIN, SHOW TABLES; the registered tables cannot be changed)"
        );
    }

    struct Files {
        allow: bool,
        found: Vec<(String, String, bool)>,
        refused: Option<String>,
    }
    impl VisitorMut for Files {
        type Break = ();
        fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
            let call = match factor {
                TableFactor::Table {
                    name,
                    args: Some(args),
                    ..
                } => Some((name.to_string(), args.args.clone())),
                TableFactor::Function { name, args, .. } => Some((name.to_string(), args.clone())),
                TableFactor::TableFunction { expr, .. } => {
                    self.refused = Some(format!(
                        "SQL: the query calls the table function {expr} (tradestat sql reads its registered tables only; see --schema)"
                    ));
                    return ControlFlow::Break(());
                }
                _ => None,
            };
            let Some((function, args)) = call else {
                return ControlFlow::Continue(());
            };
            let text = format!(
                "{function}({})",
                args.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if !self.allow {
                self.refused = Some(if function.to_ascii_lowercase().starts_with("read_") {
                    format!("SQL: the query reads a file with {text}; tradestat sql reads its registered tables only (see --schema), unless --allow-files is given")
                } else {
                    format!("SQL: the query calls the table function {text} (tradestat sql reads its registered tables only; see --schema)")
                });
                return ControlFlow::Break(());
            }
            let reader = function.to_ascii_lowercase();
            let path = match (reader.as_str(), args.as_slice()) {
                ("read_csv" | "read_raw", [arg]) => match arg
                    .to_string()
                    .strip_prefix('\'')
                    .and_then(|a| a.strip_suffix('\''))
                {
                    Some(path) if !path.is_empty() => path.replace("''", "'"),
                    _ => {
                        self.refused = Some(format!("SQL: {text}: expected one file path in single quotes, e.g. read_csv('data.csv')"));
                        return ControlFlow::Break(());
                    }
                },
                ("read_csv" | "read_raw", _) => {
                    self.refused = Some(format!("SQL: {text}: expected one file path in single quotes, e.g. read_csv('data.csv')"));
                    return ControlFlow::Break(());
                }
                _ => {
                    self.refused = Some(format!(
                        "SQL: {text}: tradestat reads files with read_csv('FILE') (loaded as --data loads it) or read_raw('FILE') (every column as text) (found {function}, which is not one of its readers)"
                    ));
                    return ControlFlow::Break(());
                }
            };
            if path.contains(['*', '?', '[']) {
                self.refused = Some(format!(
                    "SQL: {text}: the path is a pattern; read_csv reads one named file (expected e.g. read_csv('data.csv'))"
                ));
                return ControlFlow::Break(());
            }
            let registered = format!("__file_{}", self.found.len() + 1);
            self.found
                .push((registered.clone(), path, reader == "read_raw"));
            if let TableFactor::Table { name, args, .. } = factor {
                *name =
                    sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::new(registered)]);
                *args = None;
            }
            ControlFlow::Continue(())
        }
    }
    let mut files = Files {
        allow: allow_files,
        found: Vec::new(),
        refused: None,
    };
    let _ = statement.visit(&mut files);
    if let Some(why) = files.refused {
        bail!("{why}");
    }
    Ok(Vetted {
        query: if files.found.is_empty() {
            query.to_string()
        } else {
            statement.to_string()
        },
        files: files.found,
    })
}

/// A SQL error with the query quoted and, when the message names something that appears in
/// the query, a caret under it.
fn explain(query: &str, message: &str) -> String {
    let query = query.trim();
    let mut text = format!("SQL query failed: {message}\n  query: {query}");
    // The parser says where: "at Line: 1, Column: 8".
    let position = message.split_once("Line: ").and_then(|(_, rest)| {
        let (line, rest) = rest.split_once(", Column: ")?;
        let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((
            line.trim().parse::<usize>().ok()?,
            column.parse::<usize>().ok()?,
        ))
    });
    if let Some((1, column)) = position {
        text.push_str(&format!(
            "\n         {}^",
            " ".repeat(column.saturating_sub(1))
        ));
        return text;
    }
    let quoted = message
        .split(['"', '\'', '`'])
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .find_map(|s| query.find(s).map(|at| (at, s.chars().count())));
    if let Some((at, len)) = quoted {
        if !query[..at].contains('\n') {
            let offset = query[..at].chars().count();
            text.push_str(&format!(
                "\n         {}{}",
                " ".repeat(offset),
                "^".repeat(len.max(1))
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn errors_point_at_the_name() {
        let text = explain(
            "SELECT yoyy FROM growth",
            "unable to find column \"yoyy\"; valid columns: [\"series\"]",
        );
        assert!(
            text.ends_with("  query: SELECT yoyy FROM growth\n                ^^^^"),
            "{text}"
        );
        let text = explain(
            "SELECT * FORM growth",
            "sql parser error: Expected: end of statement, found: growth at Line: 1, Column: 15",
        );
        assert!(
            text.ends_with("  query: SELECT * FORM growth\n                       ^"),
            "{text}"
        );
    }
}
