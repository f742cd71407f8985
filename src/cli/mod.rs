//! Command-line definitions (clap derive). Long help lives in the doc comments; examples in
//! `after_long_help`. Nothing here computes: `settings.rs` checks these into a
//! [`crate::config::Config`] (the one place where clap's types meet the settings). The value
//! enums are the domain's own (`Format`, `Layout`, `Method`, `ChartKind`, `Engine`).

use crate::analysis::project::Method;
mod settings;
pub use settings::resolve_methods;

use crate::chart::ChartKind;
use crate::config::Engine;
use crate::data::Layout;
use crate::render::Format;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "Growth rates, CAGR, shares and index numbers on yearly trade series";

const LONG_ABOUT: &str = "\
Growth rates, CAGR, shares and index numbers on yearly trade series.

tradestat reads yearly series from a CSV file (or uses its bundled table: China's \
cross-border e-commerce (CBEC) transaction scale and total foreign trade, 2015-2019, in \
trillion yuan), computes growth, shares and indices, projects the series with prediction \
intervals, checks claims against them, answers SQL, draws SVG charts and writes reports. It \
prints tables for people or CSV/JSON (and TSV, NDJSON, Markdown, LaTeX, xlsx) for programs. \
Rates are computed per year, not per row: a missing year gives an empty growth rate with a \
note, never a silent multi-year 'YoY'.";

const EXAMPLES: &str = "\
Examples:
  tradestat growth                            growth of the bundled series
  tradestat share --part cbec --whole trade   CBEC's share of foreign trade
  tradestat index --base 2015 --format csv    index numbers as CSV
  tradestat growth --data panel.csv --by region --format json
  cat data.csv | tradestat growth --data -
  tradestat check cbec 2020 16                the paper's claim: implausible
  tradestat growth --data API_NE.EXP.GNFS.CD_DS2_en_csv_v2.csv --where \"Country Code=CHN,USA\"
                                              a World Bank download as published: metadata
                                              lines, years as columns, unit from the label
  tradestat growth --data nama_10_gdp.tsv --layout years --series-col na_item
  tradestat inspect nbs.csv                   what tradestat finds in a file, and the command
                                              line that pins it
  tradestat report --out report               every table and figure
  tradestat panel --data panel.csv --by region --part cbec --whole trade --output out.csv
                                              per region and year: values, YoY, share and
                                              CAGR; a large file is read by Polars' reader
                                              and analysed in pieces of whole regions

Exit status: 0 success, 1 data, input or output error, 2 command-line usage error,
3 `check --strict` found an implausible claim.

Environment: TRADESTAT_TIMINGS=1 prints the time of each stage to stderr.";

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
    /// What tradestat finds in a file: encoding, delimiter, header, layout, series, units
    #[command(after_long_help = INSPECT_EXAMPLES)]
    Inspect(InspectArgs),
    /// Value, absolute change and year-on-year growth per year; CAGR over the span
    #[command(after_long_help = GROWTH_EXAMPLES)]
    Growth(GrowthArgs),
    /// Index numbers: 100 × value / value in the base year
    #[command(after_long_help = INDEX_EXAMPLES)]
    Index(IndexArgs),
    /// Share of one series in another, its change and contribution to growth
    #[command(after_long_help = SHARE_EXAMPLES)]
    Share(ShareArgs),
    /// Every series side by side per group and year: values, YoY growth, a share, CAGR
    #[command(after_long_help = PANEL_EXAMPLES)]
    Panel(PanelArgs),
    /// Project each series forward with prediction intervals (linear, log-linear, drift, Holt, CAGR)
    #[command(after_long_help = PROJECT_EXAMPLES)]
    Project(ProjectArgs),
    /// Rolling-origin backtest: how well would each method have forecast the past?
    #[command(after_long_help = BACKTEST_EXAMPLES)]
    Backtest(BacktestArgs),
    /// Check a claim such as "cbec reaches 16 in 2020" against history and every projection
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Run a SQL query over the data and derived tables (growth, cagr, index, shares, …)
    #[command(after_long_help = SQL_EXAMPLES)]
    Sql(SqlArgs),
    /// Draw an SVG figure: levels, growth, share, index or a projection with its bands
    #[command(after_long_help = CHART_EXAMPLES)]
    Chart(ChartArgs),
    /// Write a report (Markdown, self-contained HTML, CSV, JSON and SVG) to a directory
    #[command(after_long_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_long_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `tradestat man > tradestat.1`
    Man,
}

const CHART_EXAMPLES: &str = "\
Kinds:
  series      the values over time, the unit on the axis
  growth      year-on-year growth, bars per series
  share       share of --part in --whole, in percent
  index       index numbers (--base, default the first year), with the 100 line
  projection  one series' history, point forecasts and shaded 80 % / 95 % bands per method
              (--method, default all; cagr has no interval: marked points without a band)
The same input gives the same bytes: charts can be committed and diffed.

Examples:
  tradestat chart --kind series --output levels.svg
  tradestat chart --kind share --part cbec --whole trade --output share.svg
  tradestat chart --kind projection --series cbec --horizon 3 --output cbec.svg";

const REPORT_EXAMPLES: &str = "\
DIR gets report.md, report.html (inline CSS and SVG: one file to open or mail), tables/*.csv and
tables/*.json (full precision, with metadata) and figures/*.svg. Sections: data (with the
input's SHA-256), growth and CAGR, shares and contributions, index, projections, backtest, claim
checks and the methods used. The same input gives byte-identical files (no timestamps unless
--timestamp), and the directory is replaced atomically: a failed run leaves the old report.
A figure or table the data cannot give (growth of a one-year file) is replaced by a note.
On the bundled data the share (cbec in trade) and the paper's claim (16 trillion yuan in 2020)
are included by default.

Examples:
  tradestat report --out report
  tradestat report --data panel.csv --part exports --whole gdp --claim \"exports 2025 120\" --out out
  tradestat report --out report && git diff --exit-code report   # in CI: fail when figures change

An existing DIR is replaced only when it is empty or a previous report (listed in
DIR/.tradestat-report); other files in it stop the run unless --force.";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  tradestat completions bash > ~/.local/share/bash-completion/completions/tradestat
  tradestat completions zsh > ~/.zfunc/_tradestat
  tradestat completions fish > ~/.config/fish/completions/tradestat.fish
  tradestat man | man -l -";

const SQL_EXAMPLES: &str = "\
Tables (tradestat sql --schema lists every column with its type and unit):
  data     the loaded data, long: group columns, series, year, value, unit
  wide     the loaded data, wide: group columns, year, one column per series
  modes    modes of cross-border e-commerce (seed paper, Table 2)
  growth   value, change, yoy, gap_growth, cagr_since_first per series and year
  cagr     CAGR per series over all its years
  index    index numbers, base = each series' first year
  shares   every ordered pair of series in one unit: part_series, whole_series, share, …
Rates are fractions (0.2 = 20 %). The dialect is Polars SQL (SELECT, WHERE, GROUP BY, JOIN,
window functions such as LAG(x) OVER (PARTITION BY … ORDER BY …)).

Examples:
  tradestat sql \"SELECT year, yoy FROM growth WHERE series = 'cbec' AND yoy > 0.2\"
  tradestat sql \"SELECT year, share FROM shares WHERE part_series = 'cbec' AND share > 0.3\"
  tradestat sql \"SELECT c.year FROM growth c JOIN growth t ON c.year = t.year
                 WHERE c.series = 'cbec' AND t.series = 'trade' AND c.yoy > t.yoy\"
  tradestat sql --file query.sql --format json
  tradestat sql --schema
  tradestat sql --allow-files \"SELECT * FROM read_csv('other.csv') WHERE year > 2016\"

A query reads the tables above and nothing else. --allow-files lets read_csv('FILE') read one
named CSV file, loaded as --data loads it. Only reading statements run (SELECT, WITH, EXPLAIN,
SHOW TABLES).";

const PROJECT_EXAMPLES: &str = "\
Methods (T years observed, horizon h):
  linear     OLS on the year; interval ŷ ± t(T-2)·s·sqrt(1 + 1/T + (x0 - x̄)²/Sxx)
  loglinear  OLS on ln(value): constant growth; the interval is exponentiated (asymmetric)
  drift      random walk with drift; ŷ ± z·σ·sqrt(h(1 + h/(T-1))), as R's forecast::rwf
  holt       Holt's linear trend, α and β* fitted by least squares (--damped adds φ);
             σ² = SSE/(T-4) (T-5 damped; statsmodels' ETSModel divides by T); β* is left
             empty when α = 0, where it has no effect. On 8 years or fewer, or with a
             parameter on its bound, the output warns that its interval is not trustworthy
  cagr       last value × (1 + CAGR)^h; no interval
Needs: linear and loglinear 3 years (loglinear: values > 0), drift 2 consecutive years, holt
more than 4 (damped 5). Missing years: linear and loglinear use the actual years; drift and
holt refuse and say so.

Columns (CSV/JSON): series, year, method, unit, point, lower_80, upper_80, lower_95, upper_95
(one lower/upper pair per --level). With --models: the model summary.

Examples:
  tradestat project                             all methods, 2020, 80 % and 95 %
  tradestat project --series cbec --to 2022 --method linear,loglinear
  tradestat project --horizon 5 --level 90 --with-history --format csv > projection.csv";

const BACKTEST_EXAMPLES: &str = "\
For each training window of the first k years (k = --min-train, ..., T - h) every method is
fitted and forecasts h years ahead. Scores per method: MAE, RMSE, MAPE (mean |100·e/y|), MASE
(mean of |e| / the one-step naive MAE on that training window), ranked by MASE among the
methods scored on every origin; a method that needs more years (linear with --min-train 2)
gets an empty rank and a note. The naive forecast (last value) is the baseline. With 5 years and one-step forecasts there are only two
origins: read the scores with that in mind (the origins column says how many).

Examples:
  tradestat backtest --series cbec
  tradestat backtest --horizon 2 --min-train 3 --trials --format csv";

const CHECK_EXAMPLES: &str = "\
The verdict: plausible when the value is inside every trusted 95 % interval, implausible
when outside every one, mixed otherwise. Intervals that a model flags as untrustworthy (Holt
on few years) are shown but not counted. boundary_level is the level of the interval whose
edge passes through the claimed value (95 % → the value sits on the 95 % boundary).

Exit status with --strict: 3 when any claim is implausible.

Examples:
  tradestat check cbec 2020 16                  the seed paper's claim
  tradestat check cbec 2020 16 \"trillion CNY\"
  tradestat check --claims claims.csv --strict  CSV with series,year,value[,unit]";

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
  tradestat growth --data API_NE.EXP.GNFS.CD_DS2_en_csv_v2.csv --where \"Country Code=CHN\"
  tradestat growth --data comtrade.csv --where flowDesc=Export --by reporterISO
  tradestat growth --data table.csv --layout years --skip 3 --series-col Indicator
  tradestat growth --summary --format csv
  tradestat growth --data panel.csv --by region --output growth.json
  tradestat growth --data baci.csv --year-col t --value-col v --sum-by i
                       detail data (one row per exporter i, importer j, product k and year
                       t) summed to each exporter's total per year";

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
  tradestat share --part cbec --whole trade --format markdown --precision 1
  tradestat share --data baci.csv --year-col t --value-col v --sum-by i --part-where 'k=85*'
                       each exporter's share of products 85 (electrical machinery) in its
                       exports: --part v[k=85*] --whole v";

const PANEL_EXAMPLES: &str = "\
One row per group and year (wide), for spreadsheets and for the usual panel job in one pass.
Columns (CSV/JSON): group columns, year, then for series a, b, …:
  a, b, …              the values, each in its own unit (JSON: meta.units; people: headers)
  a_yoy, b_yoy, …      (value / previous year's value) - 1, a fraction; empty when the
                       previous year is missing or not positive (a note says why)
  share                --part / --whole, a fraction (with --part and --whole only; the
                       whole in the part's unit, converted for the share alone)
  a_cagr, b_cagr, …    CAGR from the series' first to its last year in the span, the same
                       on every row of a group
A year where a series has no value gives empty cells for it. Same formulas as growth and
share; `growth` adds change and gap growth, `share` the pp change and contribution.

Examples:
  tradestat panel --part cbec --whole trade
  tradestat panel --data panel.csv --by region --part cbec --whole trade --output panel.csv
  tradestat panel --series cbec --from 2017 --format markdown";

/// Where the data comes from and how it is laid out.
#[derive(Debug, Default, Args)]
pub struct DataArgs {
    /// CSV file to analyse instead of the bundled table ('-' reads standard input);
    /// repeatable, and a pattern ('data/BACI_*.csv') names every file it matches
    ///
    /// Wide layout: a `year` column and one numeric column per series; a unit may follow the
    /// name in brackets (`cbec [trillion CNY]`). Long layout: `year,series,value` and an
    /// optional `unit`; any other column is a group key (e.g. `region`). Empty cells are
    /// missing values; quoted thousands separators ("1,234.5") are accepted.
    ///
    /// Several files (--data a.csv --data b.csv, or a pattern with * ? [ in quotes, expanded in
    /// path order) are read as one table: each file as it is (encoding, delimiter, metadata
    /// lines), all with the same header. Containers are read by extension: FILE.gz, FILE.zip
    /// (the one .csv/.tsv/.txt member, or FILE.zip:MEMBER), workbooks .xlsx, .xls, .ods
    /// (see --sheet), and Parquet: FILE.parquet, or a directory of Parquet files with hive
    /// partitions (DIR/year=2019/part.parquet: year becomes a column).
    #[arg(short = 'd', long, value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// The sheet of an .xlsx, .xls or .ods file: its name, or its number from 1 (default:
    /// the first)
    #[arg(
        long,
        value_name = "NAME|NUMBER",
        help_heading = "Reading published files"
    )]
    pub sheet: Option<String>,

    /// Add each row's file name (as given, or `book.zip:member.csv`) as a key column NAME,
    /// like a --by column: rows of several files stay apart
    #[arg(long, value_name = "NAME", help_heading = "Reading published files")]
    pub file_col: Option<String>,

    /// Layout of the input; `auto` picks long when the header has `series` and `value` (or a
    /// publisher's value column), years when two or more header cells are years
    #[arg(long, value_enum, default_value_t = Layout::Auto)]
    pub layout: Layout,

    /// Lines before the header (default: found, the first line naming a year column or
    /// holding two or more years; lines above it are kept as source notes)
    #[arg(long, value_name = "N", help_heading = "Reading published files")]
    pub skip: Option<usize>,

    /// Field delimiter: , ; | or tab (default: sniffed from the first lines)
    #[arg(long, value_name = "CHAR", help_heading = "Reading published files")]
    pub delimiter: Option<String>,

    /// Decimal mark: `,` reads 1.234,5 as 1234.5, `.` reads 1,234.5 as 1234.5 (in a file not
    /// separated by commas, a comma in a number needs one of them)
    #[arg(long, value_name = "MARK", help_heading = "Reading published files")]
    pub decimal: Option<String>,

    /// Text encoding: utf-8, utf-16, gbk, gb18030, windows-1252, latin1, … (default: detected)
    #[arg(long, value_name = "NAME", help_heading = "Reading published files")]
    pub encoding: Option<String>,

    /// More texts that mean "no value", besides empty cells and .. : - – NA n/a N/A _
    #[arg(
        long,
        value_name = "TEXT",
        value_delimiter = ',',
        help_heading = "Reading published files"
    )]
    pub na: Vec<String>,

    /// Keep Eurostat-style flags (`31.3 p` → p) as a `flag` column in `show` and in sql's
    /// `data` table, and split them off in any file (Eurostat files always have them split
    /// off and counted in a note; elsewhere `1.2 bn` is an error without this)
    #[arg(long, help_heading = "Reading published files")]
    pub keep_flags: bool,

    /// Keep only rows where COL holds one of the values (repeatable; a value with a comma
    /// goes in double quotes: --where 'Country Name="Korea, Rep."')
    #[arg(
        long = "where",
        value_name = "COL=VALUE[,VALUE…]",
        help_heading = "Reading published files"
    )]
    pub r#where: Vec<String>,

    /// The year column (default: year, TIME_PERIOD, refYear, time)
    #[arg(long, value_name = "COL", help_heading = "Reading published files")]
    pub year_col: Option<String>,

    /// The value column of a long file (default: value, OBS_VALUE, primaryValue)
    #[arg(long, value_name = "COL", help_heading = "Reading published files")]
    pub value_col: Option<String>,

    /// The column that names the series (default: series; years as columns: the indicator
    /// or label column, else the key columns together)
    #[arg(long, value_name = "COL", help_heading = "Reading published files")]
    pub series_col: Option<String>,

    /// The unit column (default: unit, UNIT_MEASURE)
    #[arg(long, value_name = "COL", help_heading = "Reading published files")]
    pub unit_col: Option<String>,

    /// Group columns: results are computed per group and sorted by group
    ///
    /// Needed for group columns of a wide file (`region,year,cbec,trade` → --by region). In a
    /// long file every extra column is a group column unless --by names a subset.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    pub by: Vec<String>,

    /// Convert every series to this unit before analysing, e.g. "billion CNY" or 亿元
    ///
    /// A unit is a scale (thousand, 万, million, 亿 / 100 million, billion, trillion / 万亿;
    /// also k, mn, bn, tn) and a currency (CNY / yuan / 元, USD / 美元, EUR, any ISO code).
    /// Scales convert freely; currencies need --fx. Growth rates, shares and indices are
    /// unitless and do not change.
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,

    /// Exchange rates for --unit (and share) across currencies: CSV with year,from,to,rate,
    /// where rate is units of `to` per unit of `from` in that year
    ///
    /// Rates are needed only for the years a command reads: those it shows, plus the base
    /// year before --from for growth, share and panel, and --base for index. One rate per
    /// year and pair (a repeated identical row is fine); a rate given in both directions must
    /// be its own inverse within 0.1 %.
    #[arg(long, value_name = "FILE")]
    pub fx: Option<PathBuf>,

    /// Sum the value over every other key column, to these columns and the year (detail
    /// data, e.g. BACI: --year-col t --value-col v --sum-by i)
    ///
    /// The groups become these columns (as with --by); the columns that are neither the year,
    /// the value, the series, the unit nor these are the keys summed over (BACI's importer j
    /// and product k; another number column such as q is summed over too, never added). A
    /// file without a series column has one series, named after the value column (v). A
    /// group and year whose values are all empty is a missing year. Every summed value must
    /// have one unit. Notes count the records summed, the empty values left out and the
    /// records equal in every column to an earlier one (summed as they are). Example:
    /// tradestat growth --data baci.csv --year-col t --value-col v --sum-by i
    #[arg(
        long,
        value_name = "COL[,COL]",
        value_delimiter = ',',
        help_heading = "Detail data",
        conflicts_with_all = ["by", "keep_flags"]
    )]
    pub sum_by: Vec<String>,

    /// With --sum-by: a second series, the part of the value where COL matches PATTERN (a
    /// value, or a prefix and `*`; alternatives separated by commas), e.g. k=85*
    ///
    /// The value summed as a whole is the series named after the value column (v), its part
    /// the series v[k=85*]; on a file of one series, share (and panel and report) take these
    /// as --part and --whole unless told otherwise. Example:
    /// tradestat share --data baci.csv --year-col t --value-col v --sum-by i --part-where 'k=85*'
    #[arg(
        long,
        value_name = "COL=PATTERN",
        requires = "sum_by",
        help_heading = "Detail data"
    )]
    pub part_where: Option<String>,

    /// Records equal in every column to an earlier one are an error naming both lines
    /// (default with --sum-by: summed as they are, with a note; without --sum-by a repeated
    /// key is an error anyway)
    #[arg(long, help_heading = "Detail data")]
    pub strict_duplicates: bool,
}

/// The years to report.
#[derive(Debug, Default, Args)]
pub struct SpanArgs {
    /// First year to report (growth still uses the year before as its base)
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true, value_parser = year)]
    pub from: Option<i32>,

    /// Last year to report
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true, value_parser = year)]
    pub to: Option<i32>,
}

/// Decimals in human output unless `--precision` says otherwise.
const PRECISION: u8 = 2;

/// How and where to write the result.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format; `auto` is a table on a terminal and CSV otherwise (or follows the
    /// --output file's extension)
    ///
    /// table, markdown and latex (booktabs) are for people (rounded, units in headers, notes
    /// below); csv, tsv, json, ndjson, xlsx and parquet are for programs (full precision,
    /// stable column names; empty cell or null for missing values; notes on stderr, or in
    /// JSON's "meta" and the workbook's notes sheet). xlsx and parquet (the primary table,
    /// typed columns) need --output.
    // `None` is `auto`. The full path keeps clap from reading `Option` as "optional".
    #[arg(short = 'f', long, value_parser = word_or::<Format>("auto"), default_value = "auto")]
    pub format: std::option::Option<Format>,

    /// Write to FILE instead of standard output (atomically: all or nothing)
    ///
    /// A regular file is replaced through a temporary file and a rename; a symbolic link is
    /// followed to its file; devices, FIFOs and /dev/stdout are written in place, never
    /// replaced; `-` is standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Decimals shown in table and markdown output (CSV and JSON keep full precision)
    #[arg(short = 'p', long, value_name = "N", default_value_t = PRECISION,
          value_parser = clap::value_parser!(u8).range(0..=15))]
    pub precision: u8,

    /// Do not print notes on stderr (they stay in table, markdown and JSON output)
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Whole file or piece by piece (`auto`: in pieces when the run qualifies)
    ///
    /// show, growth, index, share and panel can analyse a large file in pieces of whole groups
    /// and write them in order, holding a few pieces in memory rather than the file. A run
    /// qualifies when the input is a file of 16 MiB or more read as tidy CSV, with --by groups
    /// (or a long file's group columns), written with --output FILE as CSV, TSV or NDJSON. A
    /// file sorted by group is cut where the group changes, any other by group range (each
    /// piece's lines put in order). The result is the same byte for byte. `auto` analyses the whole file
    /// when the run does not qualify or a piece fails (a bad cell: the message names its line
    /// in the file); `pieces` stops with an error that says why instead, at any file size.
    /// TRADESTAT_TIMINGS=1 prints the choice and its reason on stderr.
    #[arg(long, value_enum, value_name = "ENGINE", default_value_t = Engine::Auto)]
    pub engine: Engine,

    /// Size of a piece in bytes (default 8 MiB), for tests and tuning
    #[arg(long, value_name = "BYTES", hide = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub piece_bytes: Option<u64>,
}

/// The command line's defaults, for commands without output flags (`report`, `chart`).
impl Default for OutputArgs {
    fn default() -> Self {
        OutputArgs {
            format: None,
            output: None,
            precision: PRECISION,
            quiet: false,
            engine: Engine::Auto,
            piece_bytes: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file to inspect (or --data; '-' reads standard input)
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

const INSPECT_EXAMPLES: &str = "\
Shows how the input front end reads a file: its encoding, delimiter, the header line (after a
publisher's metadata lines), lines after the data (a footer), the layout (wide, long, years as
columns), the columns it reads as years, groups, series and units, and per series the values,
empty cells and flagged values. The `command` row is a tradestat command line with every
detected choice spelled out, for scripts that should not depend on detection. Reading flags
(--skip, --layout, --delimiter, --encoding, --series-col, --where, …) change what it finds.

Examples:
  tradestat inspect API_NE.EXP.GNFS.CD_DS2_en_csv_v2.csv
  tradestat inspect nama_10_gdp.tsv --format json
  tradestat inspect nbs.csv --encoding gbk";

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
    #[arg(short = 'b', long, value_name = "YEAR", allow_negative_numbers = true, value_parser = year)]
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
    /// The part, e.g. cbec (default with --part-where: its part, e.g. v[k=85*])
    #[arg(long, value_name = "SERIES", required_unless_present = "part_where")]
    pub part: Option<String>,
    /// The whole, e.g. trade (default with --part-where: the value summed, e.g. v)
    #[arg(long, value_name = "SERIES", required_unless_present = "part_where")]
    pub whole: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PanelArgs {
    /// Series to show (comma-separated or repeated; default: all)
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub series: Vec<String>,
    /// Add the share of this series in --whole, e.g. cbec
    #[arg(long, value_name = "SERIES", requires = "whole")]
    pub part: Option<String>,
    /// The whole of the share, e.g. trade (with --part)
    #[arg(long, value_name = "SERIES", requires = "part")]
    pub whole: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Series to project (comma-separated or repeated; default: all)
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub series: Vec<String>,
    #[command(flatten)]
    pub methods: MethodArgs,
    /// Project up to this year (at most 200 years past the last observed one)
    #[arg(
        long,
        value_name = "YEAR",
        conflicts_with = "horizon",
        allow_negative_numbers = true,
        value_parser = year
    )]
    pub to: Option<i32>,
    /// Project this many years past the last observed one (default 1, at most 200)
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=crate::analysis::project::MAX_HORIZON as i64))]
    pub horizon: Option<u16>,
    /// Interval levels in percent, each strictly between 0 and 100
    #[arg(short = 'l', long, value_name = "PCT", value_delimiter = ',', default_value = "80,95",
          value_parser = parse_level)]
    pub level: Vec<f64>,
    /// Include the observed years (method `history`) so one file charts both
    #[arg(long)]
    pub with_history: bool,
    /// Output the model summary (parameters and fit) instead of the forecasts
    ///
    /// Table, markdown and JSON output always include it after the forecasts.
    #[arg(long)]
    pub models: bool,
    /// First year of history to fit on (default: the first in the data)
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true, value_parser = year)]
    pub from: Option<i32>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Series to evaluate (comma-separated or repeated; default: all)
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub series: Vec<String>,
    #[command(flatten)]
    pub methods: MethodArgs,
    /// Forecast this many years ahead from each origin
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub horizon: u16,
    /// Smallest training window, in years
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(2..))]
    pub min_train: u16,
    /// Output every forecast and its error instead of the scores
    ///
    /// Table, markdown and JSON output always include them after the scores.
    #[arg(long)]
    pub trials: bool,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The series the claim is about, e.g. cbec
    #[arg(required_unless_present = "claims", requires = "year")]
    pub series: Option<String>,
    /// The year the claim is about, e.g. 2020
    #[arg(requires = "value", allow_negative_numbers = true, value_parser = year)]
    pub year: Option<i32>,
    /// The claimed value, e.g. 16
    #[arg(allow_negative_numbers = true, value_parser = finite)]
    pub value: Option<f64>,
    /// The claim's unit, e.g. "trillion CNY" or 亿元; converted to the series' unit by scale
    #[arg(id = "claim_unit", value_name = "UNIT")]
    pub claim_unit: Option<String>,
    /// Check every claim in a CSV file with columns series, year, value and optionally unit
    #[arg(long, value_name = "FILE", conflicts_with = "series")]
    pub claims: Option<std::path::PathBuf>,
    /// Exit with status 3 when any claim is implausible (for CI)
    #[arg(long)]
    pub strict: bool,
    /// Damped Holt instead of Holt's linear trend
    #[arg(long)]
    pub damped: bool,
    /// Output one row per claim and method instead of one per claim
    ///
    /// Table, markdown and JSON output always include them after the verdicts.
    #[arg(long)]
    pub methods: bool,
    /// First year of history to fit on (default: the first in the data)
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true, value_parser = year)]
    pub from: Option<i32>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query, e.g. "SELECT * FROM growth WHERE yoy > 0.2"
    #[arg(conflicts_with_all = ["file", "schema"], required_unless_present_any = ["file", "schema"],
          value_parser = query_text)]
    pub query: Option<String>,
    /// Read the query from FILE
    #[arg(long, value_name = "FILE", conflicts_with = "schema")]
    pub file: Option<PathBuf>,
    /// List the tables, their columns, types and units instead of running a query
    #[arg(long)]
    pub schema: bool,
    /// Let the query read CSV files with read_csv('FILE'), loaded as --data loads them
    ///
    /// Without it a query sees only the registered tables (--schema lists them): no file on
    /// disk, which matters when the query comes from a CI configuration or another person.
    #[arg(long)]
    pub allow_files: bool,
    /// Query the input as the table `raw`: every column as text, as the front end reads it
    /// (header found, footer dropped, encoding decoded), without the tidy loader
    ///
    /// For reshaping the reading flags cannot express; the other tables are not registered.
    /// CAST or TRY_CAST the year columns to numbers, e.g. TRY_CAST("2019" AS DOUBLE).
    #[arg(long, conflicts_with = "schema")]
    pub raw: bool,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// What to draw
    #[arg(short = 'k', long, value_enum, default_value_t = ChartKind::Series)]
    pub kind: ChartKind,
    /// Series to draw (comma-separated or repeated; default: all; projection: exactly one)
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub series: Vec<String>,
    /// The part, for --kind share
    #[arg(long, value_name = "SERIES")]
    pub part: Option<String>,
    /// The whole, for --kind share
    #[arg(long, value_name = "SERIES")]
    pub whole: Option<String>,
    /// Base year, for --kind index
    #[arg(short = 'b', long, value_name = "YEAR", allow_negative_numbers = true, value_parser = year)]
    pub base: Option<i32>,
    /// Methods, for --kind projection; cagr has no interval and is drawn as marked points
    /// without a band (said in CHART_EXAMPLES: clap shows MethodArgs' own help here)
    #[command(flatten)]
    pub methods: MethodArgs,
    /// Years to project, for --kind projection
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub horizon: u16,
    /// Title (default: one that says what is drawn)
    #[arg(long)]
    pub title: Option<String>,
    /// Width in pixels
    #[arg(long, default_value_t = 800, value_parser = clap::value_parser!(u32).range(200..=4000))]
    pub width: u32,
    /// Height in pixels
    #[arg(long, default_value_t = 480, value_parser = clap::value_parser!(u32).range(150..=4000))]
    pub height: u32,
    /// Write the SVG to FILE (atomically) instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub span: SpanArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Directory to write (replaced as a whole)
    ///
    /// A new directory is created. An existing one is replaced only when it is empty or holds
    /// a previous report and nothing else (the report lists its files in .tradestat-report);
    /// otherwise tradestat stops and names the first other file. Never the current directory,
    /// one above it or a mount point.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace --out even when it holds files that are not a previous report's (they are
    /// deleted)
    #[arg(long)]
    pub force: bool,
    /// Share to report: the part (with --whole)
    #[arg(long, value_name = "SERIES")]
    pub part: Option<String>,
    /// Share to report: the whole (with --part)
    #[arg(long, value_name = "SERIES")]
    pub whole: Option<String>,
    /// A claim to check, "SERIES YEAR VALUE [UNIT]" (repeatable)
    #[arg(long, value_name = "CLAIM")]
    pub claim: Vec<String>,
    /// Claims to check from a CSV file (series,year,value[,unit])
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// Years to project
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub horizon: u16,
    /// Decimals in the report's tables (its CSV and JSON keep full precision)
    #[arg(short = 'p', long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u8).range(0..=15))]
    pub precision: u8,
    /// Add the time of generation (makes reruns differ)
    #[arg(long)]
    pub timestamp: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

/// Which projection methods to run.
#[derive(Debug, Args)]
pub struct MethodArgs {
    /// Methods (comma-separated); `all` is linear, loglinear, drift, holt and cagr
    // `None` is `all`.
    #[arg(
        short = 'm',
        long,
        value_parser = word_or::<Method>("all"),
        value_delimiter = ',',
        default_value = "all"
    )]
    pub method: Vec<Option<Method>>,
    /// Damped Holt (fits φ in [0.8, 0.98]) instead of Holt's linear trend
    #[arg(long)]
    pub damped: bool,
}

/// A year on the command line: an integer within the range data files may hold.
fn year(text: &str) -> Result<i32, String> {
    crate::data::parse_year(text)
}

/// A number on the command line: finite, as in data files (`16`, `12.5`, `"1,234"`).
fn finite(text: &str) -> Result<f64, String> {
    match crate::data::parse_value(text) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err("it is empty (expected a number such as 16)".to_string()),
        Err(why) => Err(why),
    }
}

/// A query on the command line: not blank.
fn query_text(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("the query is empty (expected SQL such as \"SELECT * FROM growth\")".to_string())
    } else {
        Ok(text.to_string())
    }
}

/// `--level 95` → 95.0: a percentage, not a fraction; refuses 0, 100 and anything outside.
fn parse_level(text: &str) -> Result<f64, String> {
    let level: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number (expected a percentage such as 95)"))?;
    if level > 0.0 && level < 100.0 {
        Ok(level)
    } else {
        Err(format!(
            "{text} is not a level strictly between 0 and 100 (e.g. 80 or 95)"
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowTable {
    /// The loaded series (bundled Table 1 or --data)
    Data,
    /// Modes of cross-border e-commerce (seed paper, Table 2)
    Modes,
}

/// The values of `E` after `word` (`auto`, `all`), which names none of them: `None`. The
/// possible values, in that order, are what `--help` and usage errors list.
fn word_or<E: ValueEnum + Clone + Send + Sync + 'static>(
    word: &'static str,
) -> impl TypedValueParser<Value = Option<E>> {
    let values = std::iter::once(PossibleValue::new(word))
        .chain(E::value_variants().iter().filter_map(E::to_possible_value));
    PossibleValuesParser::new(values).map(move |name| {
        if name == word {
            None
        } else {
            E::from_str(&name, true).ok()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("tradestat").chain(args.iter().copied()))
            .unwrap()
            .command
    }

    #[test]
    fn default_output_args_are_the_command_lines() {
        let Command::Growth(args) = parse(&["growth"]) else {
            unreachable!()
        };
        let (parsed, default) = (args.output, OutputArgs::default());
        assert_eq!(parsed.format, default.format);
        assert_eq!(parsed.output, default.output);
        assert_eq!(parsed.precision, default.precision);
        assert_eq!(parsed.quiet, default.quiet);
        assert_eq!(parsed.engine, default.engine);
        assert_eq!(parsed.piece_bytes, default.piece_bytes);
        assert_eq!(default.precision, 2);
    }

    #[test]
    fn auto_and_all_name_no_value_of_their_enum() {
        let format = |value: &str| match parse(&["growth", "--format", value]) {
            Command::Growth(args) => args.output.format,
            _ => unreachable!(),
        };
        assert_eq!(format("auto"), None);
        assert_eq!(format("ndjson"), Some(Format::Ndjson));
        let methods = |args: &[&str]| match parse(args) {
            Command::Project(args) => resolve_methods(&args.methods),
            _ => unreachable!(),
        };
        use Method::*;
        assert_eq!(
            methods(&["project", "--method", "holt,all", "--damped"]),
            [Linear, LogLinear, Drift, HoltDamped, Cagr]
        );
        assert_eq!(
            methods(&["project", "-m", "cagr,loglinear"]),
            [LogLinear, Cagr]
        );
        assert_eq!(methods(&["project"]), Method::all(false));
        for hidden in ["holt-damped", "naive"] {
            assert!(Cli::try_parse_from(["tradestat", "project", "-m", hidden]).is_err());
        }
    }
}

#[cfg(test)]
mod horizon_tests {
    use crate::analysis::project::MAX_HORIZON;

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
