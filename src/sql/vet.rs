//! The sandbox of `tradestat sql`: a query is parsed and checked before Polars sees it, and
//! its errors are explained with the query quoted.

use anyhow::{bail, Result};
use polars::prelude::PolarsError;
use sqlparser::ast::{FunctionArg, Statement, TableFactor, VisitorMut};
use std::ops::ControlFlow;

/// A query checked before Polars sees it, with the files it reads (`--allow-files`).
pub(super) struct Vetted {
    /// The query to run: the original text, or (when it reads files) the parsed query with
    /// each `read_csv('…')` replaced by the name its file is registered under.
    pub query: String,
    /// (registered name, path, raw) of each file read.
    pub files: Vec<(String, String, bool)>,
}

/// The sandbox: one statement that reads (a query, `EXPLAIN` of one, `SHOW TABLES`), and
/// no table functions (`read_csv('…')`, `read_parquet`, …) unless `allow_files`; then only
/// `read_csv` of one named file, which tradestat loads itself, like `--data`. Polars would
/// read any file on disk, globs included, and panic on some; a query that comes from a CI
/// configuration or another person should see the data it was given and nothing else.
pub(super) fn vet(query: &str, allow_files: bool) -> Result<Vetted> {
    use sqlparser::ast::VisitMut;

    let mut statement = one_statement(query)?;
    reads_only(&statement)?;
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

/// The query's one statement, parsed as Polars parses it; an error quotes the query.
fn one_statement(query: &str) -> Result<Statement> {
    use sqlparser::dialect::GenericDialect;
    use sqlparser::parser::{Parser, ParserOptions};

    // The parser and options Polars uses, so both read the query alike.
    let parsed = Parser::new(&GenericDialect)
        .with_options(ParserOptions {
            trailing_commas: true,
            ..Default::default()
        })
        .try_with_sql(query)
        .and_then(|mut p| p.parse_statements());
    let statements = match parsed {
        Ok(statements) => statements,
        Err(e) => {
            let e = PolarsError::SQLInterface(e.to_string().into());
            bail!("{}", explain(query, &e.to_string()))
        }
    };
    match <[Statement; 1]>::try_from(statements) {
        Ok([statement]) => Ok(statement),
        Err(statements) => bail!(
            "SQL query failed: found {} statements (expected exactly one query)\n  query: {}",
            statements.len(),
            query.trim()
        ),
    }
}

/// Refuses a statement that does more than read (an error names its keyword).
fn reads_only(statement: &Statement) -> Result<()> {
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
    Ok(())
}

/// Visits a statement's table factors: registers each file it reads (renaming the call to
/// the registered name) or stops at the first it may not call.
struct Files {
    allow: bool,
    /// (registered name, path, raw) of each file read.
    found: Vec<(String, String, bool)>,
    /// Why the statement is refused.
    refused: Option<String>,
}

impl VisitorMut for Files {
    type Break = ();
    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        match self.register(factor) {
            Ok(()) => ControlFlow::Continue(()),
            Err(why) => {
                self.refused = Some(why);
                ControlFlow::Break(())
            }
        }
    }
}

impl Files {
    /// Registers the file `factor` reads, if it calls a reader, and puts the registered
    /// name in the call's place; the error says why the call is refused.
    fn register(&mut self, factor: &mut TableFactor) -> Result<(), String> {
        let Some(call) = Call::of(factor)? else {
            return Ok(());
        };
        let text = &call.text;
        if !self.allow {
            return Err(if call.function.to_ascii_lowercase().starts_with("read_") {
                format!("SQL: the query reads a file with {text}; tradestat sql reads its registered tables only (see --schema), unless --allow-files is given")
            } else {
                format!("SQL: the query calls the table function {text} (tradestat sql reads its registered tables only; see --schema)")
            });
        }
        let reader = call.function.to_ascii_lowercase();
        let path = call.path(&reader)?;
        let registered = format!("__file_{}", self.found.len() + 1);
        self.found
            .push((registered.clone(), path, reader == "read_raw"));
        if let TableFactor::Table { name, args, .. } = factor {
            *name = sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::new(registered)]);
            *args = None;
        }
        Ok(())
    }
}

/// A table function called where a query reads a table.
struct Call {
    function: String,
    args: Vec<FunctionArg>,
    /// The call as written, for messages.
    text: String,
}

impl Call {
    /// The call `factor` makes, if any; an error for a table function of another kind.
    fn of(factor: &TableFactor) -> Result<Option<Call>, String> {
        let (function, args) = match factor {
            TableFactor::Table {
                name,
                args: Some(args),
                ..
            } => (name.to_string(), args.args.clone()),
            TableFactor::Function { name, args, .. } => (name.to_string(), args.clone()),
            TableFactor::TableFunction { expr, .. } => {
                return Err(format!(
                    "SQL: the query calls the table function {expr} (tradestat sql reads its registered tables only; see --schema)"
                ));
            }
            _ => return Ok(None),
        };
        let text = format!(
            "{function}({})",
            args.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(Some(Call {
            function,
            args,
            text,
        }))
    }

    /// The one named file a call of `reader` (the function's name in lower case) reads;
    /// the error says why the call is not one.
    fn path(&self, reader: &str) -> Result<String, String> {
        let (function, text) = (&self.function, &self.text);
        let quoted = match (reader, self.args.as_slice()) {
            ("read_csv" | "read_raw", [arg]) => arg
                .to_string()
                .strip_prefix('\'')
                .and_then(|a| a.strip_suffix('\''))
                .filter(|path| !path.is_empty())
                .map(|path| path.replace("''", "'")),
            ("read_csv" | "read_raw", _) => None,
            _ => {
                return Err(format!(
                    "SQL: {text}: tradestat reads files with read_csv('FILE') (loaded as --data loads it) or read_raw('FILE') (every column as text) (found {function}, which is not one of its readers)"
                ));
            }
        };
        let Some(path) = quoted else {
            return Err(format!(
                "SQL: {text}: expected one file path in single quotes, e.g. read_csv('data.csv')"
            ));
        };
        if path.contains(['*', '?', '[']) {
            return Err(format!(
                "SQL: {text}: the path is a pattern; read_csv reads one named file (expected e.g. read_csv('data.csv'))"
            ));
        }
        Ok(path)
    }
}

/// A SQL error with the query quoted and, when the message names something that appears in
/// the query, a caret under it.
pub(super) fn explain(query: &str, message: &str) -> String {
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
