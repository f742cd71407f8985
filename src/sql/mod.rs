//! SQL over a dataset: the tables `tradestat sql` registers (the data long and wide, the
//! modes table, growth, CAGR, index numbers and shares), each with its column descriptions,
//! the sandboxed execution of a query (`vet.rs`), and the schema listing. The command in
//! `cmd/sql.rs` only reads arguments and writes the result.

mod vet;

use crate::analysis::growth::{self, cagr, growth_documented};
use crate::analysis::index::{self, index_documented};
use crate::analysis::share::{self, share};
use crate::data::{self, Dataset, FxTable, Input, ReadOptions};
use crate::output::{Column, Kind};
use crate::schema::columns::{canonical_columns, find};
use crate::schema::{ColumnDef, Reads, Span};
use anyhow::{bail, Context, Result};
use polars::prelude::*;
use polars::sql::SQLContext;
use vet::{explain, vet};

/// Most series for which every ordered pair is registered in the `shares` table.
const MAX_SHARE_SERIES: usize = 20;

/// A registered table, what it holds, and what its columns are.
pub struct Registered {
    pub name: &'static str,
    pub about: String,
    pub frame: LazyFrame,
    /// Descriptions of the columns that have one (a `wide` table's series columns do not).
    pub columns: Vec<ColumnDef>,
}

/// How a share's whole is brought into the part's unit (`--fx`, and the rows it converts).
#[derive(Default, Clone, Copy)]
pub struct Conversion<'a> {
    pub fx: Option<&'a FxTable>,
    pub span: Span,
    pub reads: Reads,
}

/// Every table a query over `dataset` can read.
pub fn tables(dataset: &Dataset, conversion: Conversion) -> Result<Vec<Registered>> {
    let keys = dataset.keys();
    let groups = &dataset.groups;
    let lf = || dataset.frame.clone().lazy();
    let mut out = vec![
        Registered {
            name: "data",
            about: "the loaded data, long: group columns, series, year, value, unit".to_string(),
            frame: lf(),
            columns: canonical_columns(groups),
        },
        Registered {
            name: "wide",
            about: "the loaded data, wide: group columns, year, one column per series".to_string(),
            frame: dataset.wide()?,
            columns: vec![ColumnDef::year()],
        },
        Registered {
            name: "modes",
            about: "modes of cross-border e-commerce (seed paper, Table 2)".to_string(),
            frame: data::modes_frame()?.lazy(),
            columns: data::modes_columns(),
        },
        Registered {
            name: "growth",
            about: "per series and year: value, change, yoy, gap_growth, cagr_since_first (rates as fractions)".to_string(),
            frame: growth_documented(lf(), &keys, Span::default())?,
            columns: growth::yearly_columns(groups),
        },
        Registered {
            name: "cagr",
            about: "per series: from_year, to_year, years, observations, first_value, last_value, cagr".to_string(),
            frame: cagr(lf(), &keys, Span::default())?,
            columns: growth::summary_columns(groups),
        },
        Registered {
            name: "index",
            about: "per series and year: value, base_year (the first), index (base = 100)".to_string(),
            frame: index_documented(lf(), &keys, Span::default(), None)?,
            columns: index::columns(groups),
        },
    ];
    out.extend(shares(dataset, conversion)?);
    Ok(out)
}

/// Shares of every series in every other one that can be brought into its unit (the whole
/// converted for the share, as the `share` command does: by scale, or with --fx).
fn shares(dataset: &Dataset, conversion: Conversion) -> Result<Option<Registered>> {
    let names = dataset.series_names()?;
    if names.len() > MAX_SHARE_SERIES {
        return Ok(None);
    }
    let mut pairs = Vec::new();
    for part in &names {
        for whole in names.iter().filter(|w| *w != part) {
            let mut converted = dataset.clone();
            let Conversion { fx, span, reads } = conversion;
            if converted
                .whole_in_part_unit(part, whole, fx, span, reads)
                .is_err()
            {
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
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut columns = share::columns(&dataset.groups, "part", "whole");
    columns.extend([
        ColumnDef::text("part_series", "the series whose share it is"),
        ColumnDef::text("whole_series", "the series it is a share of"),
    ]);
    Ok(Some(Registered {
        name: "shares",
        about: "every ordered pair of series (the whole in the part's unit): part_series, whole_series, year, part, whole, share (fraction), share_change_pp, contribution_pp".to_string(),
        frame: concat(pairs, UnionArgs::default())?,
        columns,
    }))
}

/// The table `raw`: the input as read, every column as text (`sql --raw`).
pub fn raw_table(input: &Input, read: &ReadOptions) -> Result<Registered> {
    Ok(Registered {
        name: "raw",
        about: "the input as read: every column as text".to_string(),
        frame: data::load_raw(input, read)?.lazy(),
        columns: Vec::new(),
    })
}

/// Every column of every table: `table`, `column`, `type`, `unit` (from its description)
/// and `about`, for `sql --schema`.
pub fn schema(registered: &[Registered]) -> Result<DataFrame> {
    let (mut tables, mut names, mut types, mut units, mut abouts) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for table in registered {
        let schema = table.frame.clone().collect_schema()?;
        for (name, dtype) in schema.iter() {
            tables.push(table.name);
            names.push(name.to_string());
            types.push(dtype.to_string());
            units.push(find(&table.columns, name).map_or("", |c| c.unit.words()));
            abouts.push(table.about.clone());
        }
    }
    Ok(df!(
        "table" => tables,
        "column" => names,
        "type" => types,
        "unit" => units,
        "about" => abouts,
    )?)
}

/// The columns of [`schema`]'s frame.
pub fn schema_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::text("table", "table name to use in FROM"),
        ColumnDef::text("column", "column name"),
        ColumnDef::text("type", "Polars data type"),
        ColumnDef::text("unit", "unit or scale of the column's values"),
        ColumnDef::text("about", "what the table holds").machine_only(),
    ]
}

/// Runs `query` over the tables registered for `dataset` (no files: the sandbox of a run
/// without `--allow-files`) and returns the result as tradestat would print it. For the
/// fuzz target and tests; the command is `cmd::sql::run`.
pub fn query(dataset: &Dataset, query: &str) -> Result<DataFrame> {
    let read = ReadOptions::default();
    execute(tables(dataset, Conversion::default())?, query, false, &read)
}

/// Columns of a query result: integers named like a year are years, other numbers numbers.
pub fn result_columns(df: &DataFrame) -> Vec<Column> {
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

/// Checks `query` (`vet`), registers the tables and the files it may read, runs it.
pub fn execute(
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
