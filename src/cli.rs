//! Command-line definitions (clap derive). Long help lives in the doc comments; examples in
//! `after_long_help`. Nothing here computes: [`crate::cmd`] turns these into a checked config.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "Growth rates, CAGR, shares and index numbers on yearly trade series";

const LONG_ABOUT: &str = "\
Growth rates, CAGR, shares and index numbers on yearly trade series.

tradestat reads yearly series from a CSV file (or uses its bundled table: China's \
cross-border e-commerce (CBEC) transaction scale and total foreign trade, 2015-2019, in \
trillion yuan) and prints tables for people or CSV/JSON for programs. Rates are computed per \
year, not per row: a missing year gives an empty growth rate with a note, never a silent \
multi-year 'YoY'.";

const EXAMPLES: &str = "\
Examples:
  tradestat growth                            growth of the bundled series
  tradestat share --part cbec --whole trade   CBEC's share of foreign trade
  tradestat index --base 2015 --format csv    index numbers as CSV
  tradestat growth --data panel.csv --by region --format json
  cat data.csv | tradestat growth --data -

Exit status: 0 success, 1 data, input or output error, 2 command-line usage error.";

#[derive(Debug, Parser)]
#[command(name = "tradestat", version, about = ABOUT, long_about = LONG_ABOUT, after_long_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the loaded data with its units, or the bundled modes table
    #[command(after_long_help = SHOW_EXAMPLES)]
    Show(ShowArgs),
    /// Value, absolute change and year-on-year growth per year; CAGR over the span
    #[command(after_long_help = GROWTH_EXAMPLES)]
    Growth(GrowthArgs),
    /// Index numbers: 100 × value / value in the base year
    #[command(after_long_help = INDEX_EXAMPLES)]
    Index(IndexArgs),
    /// Share of one series in another, its change and contribution to growth
    #[command(after_long_help = SHARE_EXAMPLES)]
    Share(ShareArgs),
}

const SHOW_EXAMPLES: &str = "\
Examples:
  tradestat show                    the bundled Table 1 (trillion yuan)
  tradestat show modes              the bundled Table 2: C2C, B2B, B2C
  tradestat show --data my.csv --series exports --from 2010";

const GROWTH_EXAMPLES: &str = "\
Columns (CSV/JSON): series, year, unit, value, change, yoy, gap_growth, cagr_since_first.
  yoy          (value / previous year's value) - 1, as a fraction (0.24 = 24 %); empty when
               the previous year is missing or not positive
  gap_growth   annualised growth since the previous present year, only after missing years
  cagr_since_first  annualised growth from the first year of the span to this year
With --summary: series, unit, from_year, to_year, years, observations, first_value,
last_value, cagr.

Examples:
  tradestat growth
  tradestat growth --series cbec --from 2016 --to 2019
  tradestat growth --summary --format csv
  tradestat growth --data panel.csv --by region --output growth.json";

const INDEX_EXAMPLES: &str = "\
Examples:
  tradestat index                   base: each series' first year in the span
  tradestat index --base 2015       CBEC 2019 = 200.00, trade 2019 = 127.69
  tradestat index --base 2015 --from 2017 --format csv";

const SHARE_EXAMPLES: &str = "\
Columns (CSV/JSON): year, part, whole, unit, share, share_change_pp, contribution_pp.
  share            part / whole, as a fraction (0.34 = 34 %)
  share_change_pp  100 × (share - previous year's share), percentage points
  contribution_pp  100 × (part - previous part) / previous whole: the points of the whole's
                   growth that the part accounts for
Both series must be in the same unit.

Examples:
  tradestat share --part cbec --whole trade
  tradestat share --part cbec --whole trade --format markdown --precision 1";

/// Where the data comes from and how it is laid out.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// CSV file to analyse instead of the bundled table ('-' reads standard input)
    ///
    /// Wide layout: a `year` column and one numeric column per series; a unit may follow the
    /// name in brackets (`cbec [trillion CNY]`). Long layout: `year,series,value` and an
    /// optional `unit`; any other column is a group key (e.g. `region`). Empty cells are
    /// missing values; quoted thousands separators ("1,234.5") are accepted.
    #[arg(short = 'd', long, value_name = "FILE")]
    pub data: Option<PathBuf>,

    /// Layout of the input; `auto` picks long when the header has `series` and `value`
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    pub layout: LayoutArg,

    /// Group columns: results are computed per group and sorted by group
    ///
    /// Needed for group columns of a wide file (`region,year,cbec,trade` → --by region). In a
    /// long file every extra column is a group column unless --by names a subset.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    pub by: Vec<String>,
}

/// The years to report.
#[derive(Debug, Args)]
pub struct SpanArgs {
    /// First year to report (growth still uses the year before as its base)
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true)]
    pub from: Option<i32>,

    /// Last year to report
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true)]
    pub to: Option<i32>,
}

/// How and where to write the result.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format; `auto` is a table on a terminal and CSV otherwise (or follows the
    /// --output file's extension)
    ///
    /// table and markdown are for people (rounded, units in headers, notes below); csv, tsv,
    /// json and ndjson are for programs (full precision, stable column names; empty cell or
    /// null for missing values; notes on stderr, or in JSON's "meta").
    #[arg(short = 'f', long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,

    /// Write to FILE instead of standard output (atomically: all or nothing)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Decimals shown in table and markdown output (CSV and JSON keep full precision)
    #[arg(short = 'p', long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u8).range(0..=15))]
    pub precision: u8,

    /// Do not print notes on stderr (they stay in table, markdown and JSON output)
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Which table: the loaded data, or the bundled modes table (seed paper, Table 2)
    #[arg(value_enum, default_value_t = ShowTable::Data)]
    pub table: ShowTable,
    /// Series to show (comma-separated or repeated; default: all)
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub series: Vec<String>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct GrowthArgs {
    /// Series to analyse (comma-separated or repeated; default: all)
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub series: Vec<String>,
    /// Output the CAGR summary (one row per series) instead of the per-year rows
    ///
    /// Table, markdown and JSON output always include the summary after the yearly rows.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Base year (index = 100 there); default: each series' first year in the span
    #[arg(short = 'b', long, value_name = "YEAR", allow_negative_numbers = true)]
    pub base: Option<i32>,
    /// Series to index (comma-separated or repeated; default: all)
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub series: Vec<String>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The part, e.g. cbec
    #[arg(long, value_name = "SERIES")]
    pub part: String,
    /// The whole, e.g. trade
    #[arg(long, value_name = "SERIES")]
    pub whole: String,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowTable {
    /// The loaded series (bundled Table 1 or --data)
    Data,
    /// Modes of cross-border e-commerce (seed paper, Table 2)
    Modes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    Auto,
    Wide,
    Long,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Auto,
    Table,
    Csv,
    Tsv,
    Json,
    Ndjson,
    Markdown,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
