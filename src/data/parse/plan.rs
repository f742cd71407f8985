//! The plan: which column of the header holds what, and every check that needs only the
//! header. Wide and long tables are planned here, publishers' layouts and years as columns
//! in [`super::keyed`].

use super::keyed::{
    is_code_header, plan_publisher, plan_years, Keyed, Publisher, PublisherColumns,
};
use super::{Layout, LINE};
use crate::data::front::{self, ReadOptions};
use crate::data::units::Unit;
use crate::schema::{SERIES, UNIT, VALUE, YEAR};
use anyhow::{bail, Result};

const RESERVED: [&str; 4] = [SERIES, YEAR, VALUE, UNIT];

/// Which input column holds what (read off the header), and the per-row checks that need
/// that knowledge.
pub(in crate::data) struct ColumnsIn<'a> {
    pub name: &'a str,
    pub header: &'a [String],
    /// The header's line in the file.
    pub header_line: u64,
    /// The year column (`usize::MAX` when years are columns).
    pub year: usize,
    pub groups: Vec<usize>,
    pub shape: Shape,
    /// Eurostat: the first cell of every row holds this many comma-separated keys.
    pub split_first: Option<usize>,
    /// Every line ends with a delimiter (an empty column after the last named one).
    pub trailing_empty: bool,
    pub rules: front::CellRules,
    /// `--where`: (column, filter).
    pub filters: Vec<(usize, front::Filter)>,
    /// Notes about the plan (a publisher's layout recognised).
    pub notes: Vec<String>,
    /// Columns read past: structure and attribute columns, a labelled series' code.
    pub ignored: Vec<usize>,
    /// `--keep-flags`: the frame gets a [`FLAG`](crate::schema::FLAG) column.
    pub keep_flags: bool,
    /// `--sum-by`: the key columns the values are summed to.
    pub summing: Option<super::sum::SumPlan>,
}

/// Where the series are: a column of names and one of values, or one column per series.
pub(in crate::data) enum Shape {
    Long {
        series: usize,
        value: usize,
        unit: Option<usize>,
    },
    /// (column, series name, canonical unit from a `name [unit]` header).
    Wide(Vec<(usize, String, Option<String>)>),
    /// A publisher's layout: key columns, a value column or one column per year.
    Keyed(Keyed),
}

impl<'a> ColumnsIn<'a> {
    /// A plan that knows only the header: no groups, no series, default cell rules.
    pub(super) fn new(name: &'a str, header: &'a [String], header_line: u64) -> Self {
        ColumnsIn {
            name,
            header,
            header_line,
            year: usize::MAX,
            groups: Vec::new(),
            shape: Shape::Wide(Vec::new()),
            split_first: None,
            trailing_empty: false,
            rules: front::CellRules::default(),
            filters: Vec::new(),
            notes: Vec::new(),
            ignored: Vec::new(),
            keep_flags: false,
            summing: None,
        }
    }
}

impl ColumnsIn<'_> {
    /// The headers of `cols`.
    pub(super) fn names(&self, cols: &[usize]) -> Vec<String> {
        cols.iter().map(|&c| self.header[c].clone()).collect()
    }

    /// The group columns' names.
    pub(super) fn group_names(&self) -> Vec<String> {
        self.names(&self.groups)
    }

    pub(super) fn check_groups(&self) -> Result<()> {
        for &g in &self.groups {
            let h = &self.header[g];
            if g == self.year || RESERVED.contains(&h.to_lowercase().as_str()) || h == LINE {
                bail!(
                    "{}:{}:{}: column {h:?} cannot be a group column (year, series, value and unit have fixed meanings, and {LINE} is tradestat's own)",
                    self.name,
                    self.header_line,
                    g + 1
                );
            }
        }
        Ok(())
    }
}

/// The `--where` filters as column indices.
pub(super) fn plan_filters(
    name: &str,
    header: &[String],
    header_line: u64,
    filters: &[front::Filter],
) -> Result<Vec<(usize, front::Filter)>> {
    filters
        .iter()
        .map(|f| {
            let wanted = f.column.to_lowercase();
            header
                .iter()
                .position(|h| h.to_lowercase() == wanted || front::name_key(h) == wanted)
                .map(|i| (i, f.clone()))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--where {}: {name}:{header_line} has no column {:?} (its columns are: {})",
                        f.column,
                        f.column,
                        header.join(", ")
                    )
                })
        })
        .collect()
}

/// The header as the planner reads it: its cells, and each cell's name key to look columns
/// up by.
pub(super) struct Header<'a> {
    pub(super) name: &'a str,
    pub(super) cells: &'a [String],
    pub(super) line: u64,
    pub(super) keys: Vec<String>,
}

impl<'a> Header<'a> {
    fn new(name: &'a str, cells: &'a [String], line: u64) -> Self {
        let keys = cells.iter().map(|h| front::name_key(h)).collect();
        Header {
            name,
            cells,
            line,
            keys,
        }
    }

    /// The column whose name key is `wanted`.
    pub(super) fn find(&self, wanted: &str) -> Option<usize> {
        self.keys.iter().position(|h| h == wanted)
    }

    /// The column of the first of `names` (name keys) that the header has.
    pub(super) fn find_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.find(n))
    }

    /// The column a flag names (`--year-col`), which must exist: the exact name first, as SDMX
    /// labels differ from their codes by case only.
    fn named(&self, flag: &str, wanted: &Option<String>) -> Result<Option<usize>> {
        let (name, hl, header) = (self.name, self.line, self.cells);
        match wanted {
            None => Ok(None),
            Some(w) => header
                .iter()
                .position(|h| h == w)
                .or_else(|| self.find(&front::name_key(w)))
                .map(Some)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{flag} {w}: {name}:{hl} has no column {w:?} (its columns are: {})",
                        header.join(", ")
                    )
                }),
        }
    }

    /// The column a long table needs (`series`, `value`), found or an error.
    fn require(&self, found: Option<usize>, wanted: &str) -> Result<usize> {
        found.ok_or_else(|| {
            anyhow::anyhow!(
                "{}:{}: a long table needs a `{wanted}` column (found: {}; expected year, series, value and optionally unit)",
                self.name,
                self.line,
                self.cells.join(", ")
            )
        })
    }
}

/// The columns that flags name (`--year-col`, `--value-col`, `--series-col`, `--unit-col`,
/// `--by`), each checked to exist.
pub(super) struct Named {
    year: Option<usize>,
    value: Option<usize>,
    pub(super) series: Option<usize>,
    pub(super) unit: Option<usize>,
    pub(super) by: Vec<usize>,
}

impl Named {
    fn read(head: &Header<'_>, options: &ReadOptions) -> Result<Named> {
        let choice = &options.columns;
        let year = head.named("--year-col", &choice.year)?;
        let value = head.named("--value-col", &choice.value)?;
        let series = head.named("--series-col", &choice.series)?;
        let unit = head.named("--unit-col", &choice.unit)?;
        let by = options
            .by
            .iter()
            .map(|b| {
                head.find(&front::name_key(b)).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--by {b}: {} has no column {b:?} (its columns are: {})",
                        head.name,
                        head.cells.join(", ")
                    )
                })
            })
            .collect::<Result<Vec<usize>>>()?;
        Ok(Named {
            year,
            value,
            series,
            unit,
            by,
        })
    }
}

/// Reads the header: which column holds what, and every check that needs only the header.
/// `header_line` is the header's line in the file (1 unless metadata lines come first).
pub(super) fn plan<'a>(
    name: &'a str,
    header: &'a [String],
    header_line: u64,
    options: &ReadOptions,
) -> Result<ColumnsIn<'a>> {
    check_header(name, header, header_line)?;
    let head = Header::new(name, header, header_line);
    let named = Named::read(&head, options)?;
    let year_col = named.year.or_else(|| head.find_any(&front::YEAR_NAMES));
    let year_cells: Vec<(usize, i32)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| front::header_year(h).map(|y| (i, y)))
        .collect();
    let years_layout = match options.layout {
        Layout::Years => true,
        Layout::Auto => year_col.is_none() && year_cells.len() >= 2,
        _ => false,
    };
    let mut plan = ColumnsIn::new(name, header, header_line);
    if years_layout {
        plan_years(&mut plan, &head, year_cells, named)?;
    } else {
        let Some(year_col) = year_col else {
            return Err(no_year_column(&head));
        };
        plan.year = year_col;
        plan_year_column(&mut plan, &head, named, options)?;
    }
    super::sum::plan_sum(&mut plan, &head, &options.aggregate)?;
    Ok(plan)
}

/// The error for a header without a year column, with a hint at what to give.
fn no_year_column(head: &Header<'_>) -> anyhow::Error {
    let (name, hl, header) = (head.name, head.line, head.cells);
    // A file separated by semicolons or tabs reads as one column; say so.
    let hint = match header {
        [only] if only.contains(';') => {
            "; the file looks semicolon-separated: give --delimiter ';'"
        }
        [only] if only.contains('\t') => "; the file looks tab-separated: give --delimiter tab",
        _ if hl == 1 => "; no line among the first ones names a year column or holds two or more years: name the column with --year-col, give --layout years when years are columns, or --skip N when the header comes after N lines",
        _ => "; name it with --year-col, or give --layout years when years are columns",
    };
    anyhow::anyhow!(
        "{name}:{hl}: the header has no `year` column (found: {}; expected a column named year{hint})",
        header.join(", ")
    )
}

/// A table with a year column (`plan.year`): long, a publisher's (see [`plan_publisher`]) or
/// `year,series,value[,unit]` with every other column a group (or those of `--by`); else
/// wide.
fn plan_year_column(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    named: Named,
    options: &ReadOptions,
) -> Result<()> {
    let summing = options.aggregate.is_set();
    let value_col = named.value.or_else(|| head.find_any(&front::VALUE_NAMES));
    let series_col = named.series.or_else(|| head.find(SERIES));
    let publisher = Publisher::of(value_col.map(|v| head.keys[v].as_str()));
    let long = match options.layout {
        // A `series` column means long layout; without `value` that is an error below. Detail
        // data to sum are long.
        Layout::Auto => {
            series_col.is_some()
                || publisher.is_some()
                || named.value.is_some()
                || (summing && value_col.is_some())
        }
        Layout::Long => true,
        _ => false,
    };
    if !long {
        plan.groups = named.by;
        plan.check_groups()?;
        return plan_wide(plan);
    }
    let unit = named.unit.or_else(|| head.find_any(&front::UNIT_NAMES));
    if let Some(publisher) = publisher {
        let columns = PublisherColumns {
            value: head.require(value_col, VALUE)?,
            series: named.series,
            unit,
            by: named.by,
        };
        return plan_publisher(plan, head, publisher, columns);
    }
    if series_col.is_none() && summing {
        let value = head.require(value_col, VALUE)?;
        return super::sum::plan_fixed_series(plan, head, value, unit);
    }
    let series = head.require(series_col, SERIES)?;
    let value = head.require(value_col, VALUE)?;
    let year = plan.year;
    plan.groups = if named.by.is_empty() {
        (0..head.cells.len())
            .filter(|i| ![Some(year), Some(series), Some(value), unit].contains(&Some(*i)))
            .collect()
    } else {
        named.by
    };
    plan.check_groups()?;
    plan.shape = Shape::Long {
        series,
        value,
        unit,
    };
    Ok(())
}

/// A wide table: every column but the year and the groups is a series, its unit in its
/// header (`cbec [trillion CNY]`).
fn plan_wide(plan: &mut ColumnsIn<'_>) -> Result<()> {
    let (name, hl, header) = (plan.name, plan.header_line, plan.header);
    let series: Vec<(usize, String, Option<String>)> = (0..header.len())
        .filter(|i| *i != plan.year && !plan.groups.contains(i))
        .map(|i| {
            let (series, unit) = split_unit(&header[i]);
            let unit = unit
                .map(|u| Unit::read(&u).map(|u| u.to_string()))
                .transpose()
                .map_err(|why| anyhow::anyhow!("{name}:{hl}:{}: {why}", i + 1))?;
            Ok((i, series, unit))
        })
        .collect::<Result<_>>()?;
    if series.is_empty() {
        bail!(
            "{name}:{hl}: the header has no series columns (found: {}; expected `year` and one column per series, e.g. year,cbec,trade)",
            header.join(", ")
        );
    }
    plan.shape = Shape::Wide(series);
    Ok(())
}

/// `data/eurostat.tsv` → `eurostat`: the series name of a table with no label of its own.
pub(super) fn file_stem(name: &str) -> String {
    // `data.csv.gz` → `data`; `book.zip:dir/data.csv` → `data`.
    let name = name.rsplit(".zip:").next().unwrap_or(name);
    let name = name.strip_suffix(".gz").unwrap_or(name);
    std::path::Path::new(name)
        .file_stem()
        .map_or("value".to_string(), |s| s.to_string_lossy().into_owned())
}

/// `cbec [trillion CNY]` → (`cbec`, Some(`trillion CNY`)): a wide header may carry the unit.
fn split_unit(header: &str) -> (String, Option<String>) {
    if let Some(open) = header.find('[') {
        if let Some(inner) = header[open + 1..].strip_suffix(']') {
            let unit = inner.trim();
            let name = header[..open].trim();
            if !name.is_empty() {
                return (
                    name.to_string(),
                    (!unit.is_empty()).then(|| unit.to_string()),
                );
            }
        }
    }
    (header.to_string(), None)
}

/// Every header cell has a name, and no name is there twice (`name [unit]` counts by its
/// name; SDMX code and label columns differ by case).
pub(super) fn check_header(name: &str, header: &[String], hl: u64) -> Result<()> {
    // SDMX-CSV "with labels" follows each code column with its label: `TRANSACTION`,
    // `Transaction` are two columns, told apart by case.
    let sdmx = header.iter().any(|h| h == "OBS_VALUE");
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            bail!(
                "{name}:{hl}:{}: column {} of the header has no name (expected a name for every column)",
                i + 1,
                i + 1
            );
        }
        let key = split_unit(h).0.to_lowercase();
        if let Some(first) = header[..i].iter().position(|o| {
            split_unit(o).0.to_lowercase() == key
                && !(sdmx && is_code_header(o) != is_code_header(h))
        }) {
            bail!(
                "{name}:{hl}:{}: column {h:?} appears twice in the header (first as column {}; expected unique names)",
                i + 1,
                first + 1
            );
        }
    }
    Ok(())
}
