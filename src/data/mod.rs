//! The one place that reads input: the bundled tables, a file, or standard input.
//!
//! Whatever the layout of the input, the result is a [`Dataset`] whose frame is in canonical
//! long form — group columns, `series`, `year`, `value` (f64, null for an empty cell), `unit` —
//! so every analysis is written once. The frame's columns and order are in [`crate::schema`].
//!
//! Files go through one front end ([`front`], [`decode`]): encoding, delimiter, the header
//! after a publisher's metadata lines, footers, and the layout (wide, long, years as columns,
//! SDMX-CSV, UN Comtrade). The careful reader, Polars' fast reader and the piece cutter for
//! large panels read what it found. Detail data (`--sum-by`) are summed in [`aggregate`]
//! after the careful reader, into the same canonical frame.

mod aggregate;
mod claims;
pub mod containers;
pub mod decode;
mod fast;
pub mod front;
mod fx;
pub mod inspect;
mod many;
mod number;
mod parse;
mod part_whole;
mod small_csv;
mod units;

pub use aggregate::{Aggregate, PartWhere, Summed};
pub use claims::{load_claims, parse_claim, parse_claims, Claim};
pub use front::{ColumnChoice, Filter, ReadOptions};
pub use fx::FxTable;
pub use many::expand;
pub use number::{parse_value, parse_year};
pub use parse::{chunks, Body, Chunks, Found, Layout};
pub use units::Unit;

use crate::notes::Note;
use crate::schema::{self, SERIES, UNIT, VALUE, YEAR};
use anyhow::{bail, Context, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

const BUNDLED_CSV: &str = include_str!("../../data/cbec-trade.csv");
const BUNDLED_META: &str = include_str!("../../data/cbec-trade.json");
const MODES_CSV: &str = include_str!("../../data/modes.csv");

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The seed paper's Table 1, embedded in the binary.
    Bundled,
    /// One file, or a container's data (`a.csv.gz`, `a.zip:b.csv`, `book.xlsx`).
    Path(PathBuf),
    Stdin,
    /// Several files read as one table, in this order (see [`expand`]).
    Paths(Vec<PathBuf>),
}

impl Input {
    /// Name used in messages and metadata.
    pub fn name(&self) -> String {
        match self {
            Input::Bundled => "bundled:cbec-trade".to_string(),
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
            Input::Paths(paths) => paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The inputs read one by one: this one, or each file of several.
    fn each(&self) -> Vec<Input> {
        match self {
            Input::Paths(paths) => paths.iter().cloned().map(Input::Path).collect(),
            one => vec![one.clone()],
        }
    }

    /// The one plain file this input is: not several, not in a container (the piece cutter
    /// reads only such a file).
    pub fn plain_file(&self) -> Option<&std::path::Path> {
        match self {
            Input::Path(p) if containers::Kind::of(p) == containers::Kind::Plain => Some(p),
            _ => None,
        }
    }

    /// Whether a file of this input is a workbook (`--sheet` applies).
    pub fn has_workbook(&self) -> bool {
        let workbook = |p: &PathBuf| containers::Kind::of(p) == containers::Kind::Workbook;
        match self {
            Input::Path(p) => workbook(p),
            Input::Paths(paths) => paths.iter().any(workbook),
            _ => false,
        }
    }

    /// The CSV bytes of one input (not [`Input::Paths`]): decompressed, or a workbook's
    /// sheet as CSV.
    fn bytes(&self, options: &ReadOptions) -> Result<Vec<u8>> {
        match self {
            Input::Bundled => Ok(BUNDLED_CSV.as_bytes().to_vec()),
            Input::Path(path) => containers::read(path, options.sheet.as_deref()),
            Input::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .context("cannot read standard input")?;
                Ok(bytes)
            }
            Input::Paths(_) => bail!("internal error: several files are read one by one"),
        }
    }
}

/// Units by series name (a series without a unit is absent).
pub type Units = BTreeMap<String, String>;

/// A loaded table in canonical long form.
#[derive(Clone)]
pub struct Dataset {
    /// Group columns, then `series`, `year`, `value`, `unit`, sorted by all keys and year.
    pub frame: DataFrame,
    pub groups: Vec<String>,
    pub source: SourceMeta,
    pub report: ReportDefaults,
    /// Each series' unit (`None`: no unit), from the loader and kept current by
    /// [`Dataset::convert`]: the series never need a pass over a large frame.
    catalog: parse::Catalog,
    /// What reading the input found that a person should know (markers, flags, a footer,
    /// a filter, what was summed): shown with every result.
    pub notes: Vec<Note>,
    /// How the input was read (`tradestat inspect`).
    pub found: Found,
    /// What `--sum-by` summed.
    pub summed: Option<Summed>,
}

#[derive(Deserialize)]
struct BundledMeta {
    title: String,
    source: String,
    series: BTreeMap<String, String>,
    notes: Vec<String>,
    report: ReportDefaults,
}

/// What a report on this data shows when the command line does not say: the share to
/// compute and the claims to check (for the bundled table: CBEC in trade, and the paper's
/// 16 trillion yuan).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportDefaults {
    pub share: Option<SharePair>,
    #[serde(default)]
    pub claims: Vec<Claim>,
    pub claim_source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SharePair {
    pub part: String,
    pub whole: String,
}

/// Loads `input` as a tidy file: `by` names group columns (see [`parse::parse_csv`]).
pub fn load(input: &Input, layout: Layout, by: &[String]) -> Result<Dataset> {
    load_with(input, &ReadOptions::tidy(layout, by))
}

/// Loads `input` as `options` say (see [`front`]); several files are read one by one and
/// joined (see [`many`]).
pub fn load_with(input: &Input, options: &ReadOptions) -> Result<Dataset> {
    let (mut source, report) = match input {
        Input::Bundled => {
            let meta: BundledMeta = serde_json::from_str(BUNDLED_META)
                .context("internal error: bundled metadata is not valid JSON")?;
            let source = SourceMeta {
                input: input.name(),
                sha256: None,
                title: Some(meta.title),
                citation: Some(meta.source),
                series: meta.series,
                notes: meta.notes,
            };
            (source, meta.report)
        }
        _ => (SourceMeta::input(&input.name()), ReportDefaults::default()),
    };
    use sha2::{Digest, Sha256};
    let mut sha256 = Sha256::new();
    let mut parts = Vec::new();
    let inputs = input.each();
    prefetched(&inputs, options, |one, bytes| {
        let name = one.name();
        crate::progress::mark("read input");
        // A large file's digest is taken on a thread of its own while the file is parsed:
        // parsing leaves a core idle now and then (20 M BACI-like records: 3.36 → 3.21 s). A
        // small one's costs less than starting a thread.
        let parsed = if bytes.len() < parse::FAST_READER_MIN {
            sha256.update(&bytes);
            many::parse_next(&parts, &bytes, &name, options)
        } else {
            std::thread::scope(|scope| {
                scope.spawn(|| sha256.update(&bytes));
                many::parse_next(&parts, &bytes, &name, options)
            })
        }?;
        crate::progress::mark("parsed and validated");
        parts.push((name, parsed));
        Ok(())
    })?;
    source.sha256 = Some(
        sha256
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    );
    let parsed = many::combine(parts, options.file_col.as_deref())?;
    source.notes.extend(parsed.source_notes.iter().cloned());
    Ok(Dataset::from_parsed(parsed, source, report))
}

/// Calls `each` on every input's bytes in order, reading (and decompressing) the next input
/// on another thread while `each` parses the current one: with one file per year in gzip, the
/// decompression of one overlaps the parsing of the other. At most one input waits read
/// (a rendezvous channel: the reader hands over the next file when the current one is done).
fn prefetched(
    inputs: &[Input],
    options: &ReadOptions,
    mut each: impl FnMut(&Input, Vec<u8>) -> Result<()>,
) -> Result<()> {
    if inputs.len() < 2 {
        for one in inputs {
            each(one, one.bytes(options)?)?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel(0);
        scope.spawn(move || {
            for one in inputs {
                let read = one.bytes(options);
                let failed = read.is_err();
                // The receiver has gone: an earlier input failed.
                if send.send(read).is_err() || failed {
                    return;
                }
            }
        });
        for one in inputs {
            let bytes = receive
                .recv()
                .map_err(|_| anyhow::anyhow!("internal error: the reading thread stopped"))??;
            each(one, bytes)?;
        }
        Ok(())
    })
}

/// `input` as a raw table: every column as text, as the front end finds it (see
/// [`parse::raw_table`]); several files joined (the same columns required).
pub fn load_raw(input: &Input, options: &ReadOptions) -> Result<DataFrame> {
    let parts = input
        .each()
        .into_iter()
        .map(|one| {
            let name = one.name();
            let frame = parse::raw_table(&one.bytes(options)?, &name, options)?;
            Ok((name, frame))
        })
        .collect::<Result<Vec<_>>>()?;
    many::combine_raw(parts, options.file_col.as_deref())
}

/// [`load_raw`] on bytes, for the fuzz target.
pub fn raw_from_bytes(bytes: &[u8], name: &str, options: &ReadOptions) -> Result<DataFrame> {
    parse::raw_table(bytes, name, options)
}

/// Parses and validates CSV `bytes` (named `name` in messages) into a dataset with no source
/// metadata. The loader's core, exposed for the fuzz target.
pub fn from_bytes(bytes: &[u8], name: &str, layout: Layout, by: &[String]) -> Result<Dataset> {
    from_bytes_with(bytes, name, &ReadOptions::tidy(layout, by))
}

/// [`from_bytes`] as `options` say.
pub fn from_bytes_with(bytes: &[u8], name: &str, options: &ReadOptions) -> Result<Dataset> {
    let parsed = parse::parse_csv(bytes, name, options)?;
    Ok(Dataset::from_parsed(
        parsed,
        SourceMeta::input(name),
        ReportDefaults::default(),
    ))
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceMeta {
    /// `bundled:cbec-trade`, a path, or `-` for standard input.
    pub input: String,
    /// SHA-256 of the input's bytes, so a report says exactly which data it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// What each series measures, where the input says so.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub series: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SourceMeta {
    fn input(name: &str) -> Self {
        SourceMeta {
            input: name.to_string(),
            sha256: None,
            title: None,
            citation: None,
            series: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// The title of the data's own table and figure: the input's title, else its name.
    pub fn data_title(&self) -> String {
        self.title
            .clone()
            .unwrap_or_else(|| format!("Data from {}", self.input))
    }
}

impl Dataset {
    fn from_parsed(parsed: parse::Parsed, source: SourceMeta, report: ReportDefaults) -> Self {
        let mut notes: Vec<Note> = parsed.notes.into_iter().map(Note::input).collect();
        let mut report = report;
        if let Some(summed) = &parsed.summed {
            notes.extend(summed.notes());
            if let Some((part, whole)) = &summed.part_whole {
                let (part, whole) = (part.clone(), whole.clone());
                report.share = report.share.or(Some(SharePair { part, whole }));
            }
        }
        Dataset {
            frame: parsed.frame,
            groups: parsed.groups,
            source,
            report,
            catalog: parsed.catalog,
            notes,
            found: parsed.found,
            summed: parsed.summed,
        }
    }

    /// `--part` and `--whole` as given, else the part and the whole of `--part-where` (the
    /// default share of summed detail data); an error when neither says.
    pub fn part_whole_or_default(
        &self,
        part: Option<&str>,
        whole: Option<&str>,
    ) -> Result<(String, String)> {
        let default = self.report.share.as_ref().filter(|_| self.summed.is_some());
        match (part, whole, default) {
            (Some(p), Some(w), _) => Ok((p.to_string(), w.to_string())),
            (p, w, Some(d)) => Ok((
                p.unwrap_or(&d.part).to_string(),
                w.unwrap_or(&d.whole).to_string(),
            )),
            _ => bail!(
                "--part and --whole name the share's series (or --part-where with --sum-by gives them, on a file of one series)"
            ),
        }
    }

    /// Series names in sorted order.
    pub fn series_names(&self) -> Result<Vec<String>> {
        Ok(self.catalog.keys().cloned().collect())
    }

    /// Resolves names given on the command line (exact, else case-insensitive) to the names
    /// in the data; an unknown name is an error that lists the known ones.
    pub fn resolve_series(&self, flag: &str, wanted: &[String]) -> Result<Vec<String>> {
        let known = self.series_names()?;
        wanted
            .iter()
            // `--series "cbec, trade"`: the space after a comma is not part of the name.
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let w = &w.to_string();
                if known.contains(w) {
                    return Ok(w.clone());
                }
                let folded: Vec<&String> =
                    known.iter().filter(|k| k.eq_ignore_ascii_case(w)).collect();
                match folded.as_slice() {
                    [one] => Ok((*one).clone()),
                    _ => bail!(
                        "{flag} {w}: no series {w:?} in {} (known series: {})",
                        self.source.input,
                        known.join(", ")
                    ),
                }
            })
            .collect()
    }

    /// The unit of each series (series without a unit are left out).
    pub fn units(&self) -> Result<BTreeMap<String, String>> {
        Ok(self
            .catalog
            .iter()
            .filter_map(|(s, u)| Some((s.clone(), u.clone()?)))
            .collect())
    }

    /// Keeps only the rows that `rows` selects (evaluated on the frame in canonical order,
    /// which filtering keeps); series and their units stay known.
    pub fn retain(&mut self, rows: Expr) -> Result<()> {
        self.frame = self.frame.clone().lazy().filter(rows).collect()?;
        Ok(())
    }

    /// Converts every series (or only `only`) to `target`: by scale within a currency, and
    /// through `fx`, year by year, across currencies, for the years with a value (an empty
    /// cell needs no rate). The unit column says the new unit. To convert only the years a
    /// command reads, [`Dataset::retain`] them first.
    pub fn convert(
        &mut self,
        target: &Unit,
        fx: Option<&FxTable>,
        only: Option<&str>,
    ) -> Result<()> {
        let factors = Conversion { target, fx, only }.factors(&self.frame)?;
        let converted = match only {
            Some(o) => col(SERIES).eq(lit(o.to_string())),
            None => lit(true),
        };
        let columns: Vec<Expr> = self
            .frame
            .get_column_names()
            .into_iter()
            .map(|c| col(c.clone()))
            .collect();
        for (name, unit) in self.catalog.iter_mut() {
            if only.is_none_or(|o| o == name) {
                *unit = Some(target.to_string());
            }
        }
        self.frame = self
            .frame
            .clone()
            .lazy()
            .join(
                factors.lazy(),
                [col(SERIES), col(YEAR), col(UNIT)],
                [col(SERIES), col(YEAR), col(UNIT)],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                when(converted.clone())
                    .then(col(VALUE) * col("__factor"))
                    .otherwise(col(VALUE))
                    .alias(VALUE),
                when(converted)
                    .then(lit(target.to_string()))
                    .otherwise(col(UNIT))
                    .alias(UNIT),
            ])
            .select(columns)
            .sort(self.sort_order(), Default::default())
            .collect()?;
        Ok(())
    }

    /// The data in wide layout: group columns, `year`, then one column per series (null where
    /// a series has no value that year).
    pub fn wide(&self) -> Result<LazyFrame> {
        let mut on: Vec<Expr> = self.groups.iter().map(|g| col(g.as_str())).collect();
        on.push(col(YEAR));
        let mut wide: Option<LazyFrame> = None;
        for name in self.series_names()? {
            let mut columns = on.clone();
            columns.push(col(VALUE).alias(name.as_str()));
            let one = self
                .frame
                .clone()
                .lazy()
                .filter(col(SERIES).eq(lit(name.clone())))
                .select(columns);
            wide = Some(match wide {
                None => one,
                Some(w) => w.join(
                    one,
                    on.clone(),
                    on.clone(),
                    JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
                ),
            });
        }
        let mut order: Vec<PlSmallStr> = self.groups.iter().map(|g| g.as_str().into()).collect();
        order.push(YEAR.into());
        Ok(wide
            .unwrap_or_else(|| self.frame.clone().lazy())
            .sort(order, Default::default()))
    }

    /// The order of the frame: groups, series, year.
    fn sort_order(&self) -> Vec<PlSmallStr> {
        schema::sort_keys(&self.keys())
    }

    /// The group values of the first and the last row (the smallest and the largest group).
    pub fn group_range(&self) -> Result<(Vec<String>, Vec<String>)> {
        let row = |i: usize| -> Result<Vec<String>> {
            self.groups
                .iter()
                .map(|g| {
                    Ok(self
                        .frame
                        .column(g)?
                        .str()?
                        .get(i)
                        .unwrap_or_default()
                        .to_string())
                })
                .collect()
        };
        let last = self.frame.height().saturating_sub(1);
        Ok((row(0)?, row(last)?))
    }

    /// The data restricted to the named series (all when none are named; `flag` names
    /// where the names came from in errors), and the units of those series.
    pub fn select(&self, flag: &str, series: &[String]) -> Result<(LazyFrame, Units)> {
        let mut units = self.units()?;
        let lf = self.frame.clone().lazy();
        if series.is_empty() {
            return Ok((lf, units));
        }
        let names = self.resolve_series(flag, series)?;
        units.retain(|s, _| names.contains(s));
        let wanted = names
            .iter()
            .fold(lit(false), |any, n| any.or(col(SERIES).eq(lit(n.clone()))));
        Ok((lf.filter(wanted), units))
    }

    /// The input's notes, then `notes`, joined: what an error says when a result is empty.
    pub fn joined_notes(&self, notes: &[Note]) -> String {
        let input = self.notes.iter().cloned();
        crate::notes::joined(&input.chain(notes.iter().cloned()).collect::<Vec<_>>())
    }

    /// Group columns, then `series`: the partition of every per-series computation.
    pub fn keys(&self) -> Vec<String> {
        schema::keys(&self.groups)
    }
}

/// A conversion of [`Dataset::convert`]: to `target`, through `fx` across currencies, of
/// every series or only `only`.
struct Conversion<'a> {
    target: &'a Unit,
    fx: Option<&'a FxTable>,
    only: Option<&'a str>,
}

impl Conversion<'_> {
    /// The factor of each (series, year, unit) of `frame` with a value, as columns `series`,
    /// `year`, `unit` and `__factor`. Keyed on the unit too: a publisher's series may be in a
    /// different unit in each group (each country in its own currency), and each row
    /// converts from its own.
    fn factors(&self, frame: &DataFrame) -> Result<DataFrame> {
        let pairs = frame
            .clone()
            .lazy()
            .filter(col(VALUE).is_not_null())
            .select([col(SERIES), col(YEAR), col(UNIT)])
            .unique(None, UniqueKeepStrategy::Any)
            .sort([SERIES, YEAR], Default::default())
            .collect()?;
        let (series, years, units) = (
            pairs.column(SERIES)?.str()?,
            pairs.column(YEAR)?.i32()?,
            pairs.column(UNIT)?.str()?,
        );
        let (mut f_series, mut f_years, mut f_units, mut factors) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..pairs.height() {
            let (Some(name), Some(year)) = (series.get(i), years.get(i)) else {
                continue;
            };
            if self.only.is_some_and(|o| o != name) {
                continue;
            }
            let Some(unit_text) = units.get(i) else {
                let target = self.target;
                bail!("--unit {target}: series {name:?} has no unit, so it cannot be converted (give the input a unit column or a `[unit]` in its header)");
            };
            factors.push(self.factor(name, year, unit_text)?);
            f_series.push(name.to_string());
            f_years.push(year);
            f_units.push(unit_text.to_string());
        }
        Ok(df!(SERIES => f_series, YEAR => f_years, UNIT => f_units, "__factor" => factors)?)
    }

    /// What a value of series `name` in `year`, in the unit written `unit_text`, is
    /// multiplied by.
    fn factor(&self, name: &str, year: i32, unit_text: &str) -> Result<f64> {
        let target = self.target;
        let unit = Unit::parse(unit_text);
        Ok(
            match (unit.factor_to(target), unit.currency(), target.currency()) {
                (Some(f), _, _) => f,
                (None, Some(from), Some(to)) => match self.fx {
                    Some(fx) => unit.scale() * fx.rate(year, from, to)? / target.scale(),
                    None => bail!(
                        "series {name:?} is in {unit} and cannot become {target} without exchange rates (expected --fx FILE with rows year,from,to,rate such as `{year},{from},{to},RATE`)"
                    ),
                },
                _ => bail!("series {name:?} is in {unit:?}, which cannot be converted to {target:?} (expected units of money such as \"billion CNY\")", unit = unit.to_string(), target = target.to_string()),
            },
        )
    }
}

/// The seed paper's Table 2 as a frame: `mode`, `characteristic`, `representative_websites`.
pub fn modes_frame() -> Result<DataFrame> {
    let mut reader = csv::Reader::from_reader(MODES_CSV.as_bytes());
    let header = reader.headers()?.clone();
    let records = reader
        .records()
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let columns = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<&str> = records.iter().map(|r| r.get(i).unwrap_or("")).collect();
            Column::new(name.into(), values)
        })
        .collect();
    Ok(DataFrame::new(records.len(), columns)?)
}

/// The columns of the bundled modes table (the seed paper's Table 2).
pub fn modes_columns() -> Vec<schema::ColumnDef> {
    use schema::ColumnDef;
    vec![
        ColumnDef::text("mode", "trading mode: C2C, B2B or B2C"),
        ColumnDef::text("characteristic", "who trades with whom"),
        ColumnDef::text(
            "representative_websites",
            "example platforms named in the paper",
        )
        .header("representative websites"),
    ]
}
