//! Publishers' layouts (SDMX-CSV, UN Comtrade) and years as columns: key columns name the
//! groups and the series; the values are in one column or one column per year. Their plan,
//! and the reading of one of their rows.

use super::plan::{file_stem, ColumnsIn, Header, Named, Shape};
use super::rows::Sink;
use crate::data::front;
use crate::data::units::{self, Unit};
use anyhow::{bail, Result};

pub(in crate::data) struct Keyed {
    pub(super) values: Values,
    pub(super) series: SeriesFrom,
    pub(super) unit: UnitFrom,
}

/// Where a row's values are.
pub(super) enum Values {
    /// One value column; the year in the year column.
    Long(usize),
    /// (column, year) for each year column.
    Years(Vec<(usize, i32)>),
}

/// What names a row's series.
pub(super) enum SeriesFrom {
    /// A column; `label_unit`: its text may end with the unit, `Exports (current US$)`.
    Column { col: usize, label_unit: bool },
    /// The key columns' values joined with ` / `.
    Keys(Vec<usize>),
    /// One name for every row (a table with no label: its file name).
    Fixed(String),
}

impl SeriesFrom {
    /// The key columns `parts` joined, or the name `fixed` for every row when there are none.
    fn keys_or(parts: Vec<usize>, fixed: &str) -> SeriesFrom {
        if parts.is_empty() {
            SeriesFrom::Fixed(fixed.to_string())
        } else {
            SeriesFrom::Keys(parts)
        }
    }
}

/// Where a row's unit comes from.
pub(super) enum UnitFrom {
    None,
    /// A unit column, SDMX's `UNIT_MULT` (a power of ten) and `CURRENCY` (which names the
    /// currency when the unit is `XDC`, national currency) when there are.
    Column {
        col: usize,
        mult: Option<usize>,
        currency: Option<usize>,
    },
    Fixed(String),
}

impl UnitFrom {
    /// A plain unit column (no multiplier, no currency column), or none.
    pub(super) fn column(unit: Option<usize>) -> UnitFrom {
        match unit {
            Some(col) => UnitFrom::Column {
                col,
                mult: None,
                currency: None,
            },
            None => UnitFrom::None,
        }
    }
}

/// The code of an SDMX cell "with labels": `A: Annual` → `A`.
fn sdmx_code(cell: &str) -> &str {
    cell.split_once(": ").map_or(cell, |(code, _)| code)
}

/// Publishers whose long tables are recognised by their column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Publisher {
    Sdmx,
    Comtrade,
}

impl Publisher {
    /// A publisher's long table, recognised by its value column's name key: SDMX-CSV
    /// (TIME_PERIOD, OBS_VALUE) or UN Comtrade (refYear, primaryValue).
    pub(super) fn of(value_key: Option<&str>) -> Option<Publisher> {
        match value_key {
            Some("obs_value") => Some(Publisher::Sdmx),
            Some("primaryvalue") | Some("trade value (us$)") => Some(Publisher::Comtrade),
            _ => None,
        }
    }
}

/// SDMX-CSV columns that are not dimensions: the structure, the action, the frequency
/// (yearly here) and observation attributes.
const SDMX_NOT_DIMENSIONS: [&str; 19] = [
    "structure",
    "structure_id",
    "structure_name",
    "action",
    "dataflow",
    "freq",
    "obs_status",
    "obs_conf",
    "conf_status",
    "decimals",
    "unit_mult",
    "obs_flag",
    "obs_comment",
    "time_format",
    "obs_pre_break",
    "base_per",
    "ref_year_price",
    "currency",
    "time_period",
];

/// Dimensions that say what is measured: the series, when a file has one of them.
const MEASURE_NAMES: [&str; 8] = [
    "measure",
    "transaction",
    "indicator",
    "na_item",
    "subject",
    "bop_item",
    "indic",
    "item",
];

/// Whether a column (by its name key) says what is measured: [`MEASURE_NAMES`] or
/// Eurostat's `indic_*`.
fn is_measure(key: &str) -> bool {
    MEASURE_NAMES.contains(&key) || key.starts_with("indic_")
}

/// An SDMX code column's header: `REF_AREA`, `OBS_VALUE` (a label column has words:
/// `Reference area`).
pub(super) fn is_code_header(header: &str) -> bool {
    !header.is_empty()
        && header
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Dimensions that say where (or between whom): groups, not part of the series.
const PLACE_NAMES: [&str; 12] = [
    "ref_area",
    "counterpart_area",
    "geo",
    "reporter",
    "partner",
    "country",
    "country code",
    "country name",
    "reporteriso",
    "partneriso",
    "region",
    "地区",
];

/// The columns of a publisher's long table besides the year: found, or named by flags.
pub(super) struct PublisherColumns {
    pub(super) value: usize,
    /// `--series-col`.
    pub(super) series: Option<usize>,
    pub(super) unit: Option<usize>,
    /// `--by`.
    pub(super) by: Vec<usize>,
}

/// A publisher's long table (`plan.year` set): its groups, its series, its unit, and the
/// columns read past.
pub(super) fn plan_publisher(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    publisher: Publisher,
    columns: PublisherColumns,
) -> Result<()> {
    match publisher {
        Publisher::Comtrade => plan_comtrade(plan, head, columns),
        Publisher::Sdmx => plan_sdmx(plan, head, columns),
    }
    plan.check_groups()
}

/// UN Comtrade: one row per reporter, partner, commodity, flow and year; the flow names the
/// series, values are in US dollars.
fn plan_comtrade(plan: &mut ColumnsIn<'_>, head: &Header<'_>, columns: PublisherColumns) {
    let PublisherColumns {
        value, series, by, ..
    } = columns;
    let series = series
        .or_else(|| head.find("flowdesc"))
        .or_else(|| head.find("trade flow"));
    let place = [
        "reporteriso",
        "partneriso",
        "cmdcode",
        "reporter iso",
        "partner iso",
        "commodity code",
    ];
    plan.groups = if by.is_empty() {
        place.iter().filter_map(|p| head.find(p)).collect()
    } else {
        by
    };
    let used: Vec<usize> = [Some(plan.year), Some(value), series]
        .into_iter()
        .flatten()
        .chain(plan.groups.iter().copied())
        .collect();
    plan.ignored = (0..head.keys.len()).filter(|i| !used.contains(i)).collect();
    plan.shape = Shape::Keyed(Keyed {
        values: Values::Long(value),
        series: match series {
            Some(col) => SeriesFrom::Column {
                col,
                label_unit: false,
            },
            None => SeriesFrom::Fixed("trade value".to_string()),
        },
        unit: UnitFrom::Fixed("USD".to_string()),
    });
    plan.notes
        .push("UN Comtrade layout: values in US dollars, series by trade flow".to_string());
}

/// SDMX-CSV: the place dimensions are the groups, a dimension saying what is measured (else
/// the other dimensions together) names the series; the unit is `UNIT_MEASURE` times 10 to
/// the power `UNIT_MULT`.
fn plan_sdmx(plan: &mut ColumnsIn<'_>, head: &Header<'_>, columns: PublisherColumns) {
    let PublisherColumns {
        value,
        series,
        unit,
        by,
    } = columns;
    let (header, keys) = (head.cells, &head.keys);
    let mult = head.find("unit_mult");
    let currency = head.find("currency");
    let year = plan.year;
    let not_dimension = |i: usize| {
        i == year
            || i == value
            || Some(i) == unit
            || !is_code_header(&header[i])
            || SDMX_NOT_DIMENSIONS.contains(&keys[i].as_str())
    };
    let dimensions: Vec<usize> = (0..keys.len()).filter(|&i| !not_dimension(i)).collect();
    let place = |i: &usize| PLACE_NAMES.contains(&keys[*i].as_str());
    plan.groups = if by.is_empty() {
        dimensions.iter().copied().filter(place).collect()
    } else {
        by
    };
    let series = sdmx_series(head, series, &dimensions, &plan.groups);
    let mut used: Vec<usize> = [Some(year), Some(value), unit, mult, currency]
        .into_iter()
        .flatten()
        .chain(plan.groups.iter().copied())
        .collect();
    match &series {
        SeriesFrom::Column { col, .. } => used.push(*col),
        SeriesFrom::Keys(cols) => used.extend(cols.iter().copied()),
        SeriesFrom::Fixed(_) => {}
    }
    plan.ignored = (0..keys.len())
        .filter(|i| !used.contains(i) && is_code_header(&header[*i]))
        .collect();
    plan.shape = Shape::Keyed(Keyed {
        values: Values::Long(value),
        series,
        unit: match unit {
            Some(col) => UnitFrom::Column {
                col,
                mult,
                currency,
            },
            None => UnitFrom::None,
        },
    });
    plan.notes.push(
        "SDMX-CSV layout: one observation per row; the unit is UNIT_MEASURE (for national currency, XDC, the CURRENCY column) times 10 to the power UNIT_MULT".to_string(),
    );
}

/// What names an SDMX row's series: `--series-col`, else the dimension saying what is
/// measured (its label column in a file "with labels"), else the dimensions that are not
/// groups, joined.
fn sdmx_series(
    head: &Header<'_>,
    named: Option<usize>,
    dimensions: &[usize],
    groups: &[usize],
) -> SeriesFrom {
    let header = head.cells;
    // "With labels" files follow each code column with its label column.
    let label_of = |i: usize| {
        (is_code_header(&header[i]) && i + 1 < header.len() && !is_code_header(&header[i + 1]))
            .then_some(i + 1)
    };
    let measure = dimensions
        .iter()
        .copied()
        .find(|&i| is_measure(&head.keys[i]));
    match (named, measure) {
        (Some(col), _) => SeriesFrom::Column {
            col,
            label_unit: false,
        },
        (None, Some(col)) => SeriesFrom::Column {
            col: label_of(col).unwrap_or(col),
            label_unit: false,
        },
        (None, None) => {
            let parts: Vec<usize> = dimensions
                .iter()
                .copied()
                .filter(|i| !groups.contains(i))
                .collect();
            SeriesFrom::keys_or(parts, "OBS_VALUE")
        }
    }
}

/// Years as columns: the key columns give the groups and the series, each year column a
/// value.
pub(super) fn plan_years(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    years: Vec<(usize, i32)>,
    named: Named,
) -> Result<()> {
    check_year_columns(head, &years)?;
    let keys = &head.keys;
    let Named {
        series, unit, by, ..
    } = named;
    let year_cols: Vec<usize> = years.iter().map(|(c, _)| *c).collect();
    let key_cols: Vec<usize> = (0..head.cells.len())
        .filter(|i| !year_cols.contains(i))
        .collect();
    let unit = unit.or_else(|| {
        head.find_any(&front::UNIT_NAMES)
            .filter(|u| key_cols.contains(u))
    });
    // The label of the series: --series-col, else a column such as `Indicator Name` or 指标.
    let label = series.or_else(|| {
        head.find_any(&front::LABEL_NAMES)
            .filter(|c| key_cols.contains(c) && !by.contains(c))
    });
    plan.ignored = restating_columns(head, &key_cols, label);
    // No label: a column saying what is measured (Eurostat's `na_item`, `indic_et`).
    let label = label.or_else(|| {
        key_cols
            .iter()
            .copied()
            .find(|c| is_measure(&keys[*c]) && Some(*c) != unit && !by.contains(c))
    });
    let rest: Vec<usize> = key_cols
        .iter()
        .copied()
        .filter(|c| Some(*c) != unit && Some(*c) != label && !plan.ignored.contains(c))
        .collect();
    let (groups, series) = years_series(head, label, unit.is_none(), rest, by);
    plan.groups = groups;
    plan.check_groups()?;
    plan.shape = Shape::Keyed(Keyed {
        values: Values::Years(years),
        series,
        unit: UnitFrom::column(unit),
    });
    Ok(())
}

/// The year columns of a years-as-columns header: at least one, each year once.
fn check_year_columns(head: &Header<'_>, years: &[(usize, i32)]) -> Result<()> {
    let (name, hl) = (head.name, head.line);
    if years.is_empty() {
        bail!(
            "{name}:{hl}: --layout years, but no header cell is a year (found: {}; expected cells such as 2015, \"2015\", 2015 [YR2015], 2015年 or X2015)",
            head.cells.join(", ")
        );
    }
    let mut sorted = years.to_vec();
    sorted.sort_by_key(|(c, y)| (*y, *c));
    if let Some(pair) = sorted.windows(2).find(|p| p[0].1 == p[1].1) {
        bail!(
            "{name}:{hl}:{}: the year {} is a column twice (first as column {}; expected each year once)",
            pair[1].0 + 1,
            pair[1].1,
            pair[0].0 + 1
        );
    }
    Ok(())
}

/// Key columns that say nothing the others do not: the code of a labelled series, a name
/// beside its code, a frequency.
fn restating_columns(head: &Header<'_>, key_cols: &[usize], label: Option<usize>) -> Vec<usize> {
    let keys = &head.keys;
    // The code of a labelled series (`Indicator Code` beside `Indicator Name`) says nothing
    // more: not a group.
    let twin = label.and_then(|l| {
        let key = &keys[l];
        let stem = key.strip_suffix(" name")?;
        head.find(&format!("{stem} code"))
    });
    // A name beside its code (`Country Name`, `Country Code`): the code is the group, the
    // name says nothing more.
    let names: Vec<usize> = key_cols
        .iter()
        .copied()
        .filter(|&c| Some(c) != label)
        .filter(|&c| {
            keys[c]
                .strip_suffix(" name")
                .is_some_and(|stem| head.find(&format!("{stem} code")).is_some())
        })
        .collect();
    // Always yearly here: a frequency column says nothing.
    let freq = head.find("freq").or_else(|| head.find("frequency"));
    [twin, freq].into_iter().flatten().chain(names).collect()
}

/// The groups and the series of a years-as-columns table, from its `label` column (whose
/// text may end with the unit when there is no unit column), `--by` and the `rest` of the
/// key columns.
fn years_series(
    head: &Header<'_>,
    label: Option<usize>,
    label_unit: bool,
    rest: Vec<usize>,
    by: Vec<usize>,
) -> (Vec<usize>, SeriesFrom) {
    let keys = &head.keys;
    match label {
        Some(col) => (
            if by.is_empty() { rest } else { by },
            SeriesFrom::Column { col, label_unit },
        ),
        None if !by.is_empty() => {
            let parts: Vec<usize> = rest.iter().copied().filter(|c| !by.contains(c)).collect();
            (by, SeriesFrom::keys_or(parts, &file_stem(head.name)))
        }
        None => {
            // Places are groups; the other keys together name the series.
            let (places, parts): (Vec<usize>, Vec<usize>) = rest
                .iter()
                .partition(|c| PLACE_NAMES.contains(&keys[**c].as_str()));
            (places, SeriesFrom::keys_or(parts, &file_stem(head.name)))
        }
    }
}

impl ColumnsIn<'_> {
    /// One row of a publisher's layout.
    pub(super) fn read_keyed(
        &self,
        keyed: &Keyed,
        record: &csv::StringRecord,
        line: u64,
        out: &mut Sink,
    ) -> Result<()> {
        let (series, label_unit) = self.keyed_series(&keyed.series, record, line)?;
        let unit = match self.unit_text(&keyed.unit, label_unit, record, line)? {
            Some((col, text, power)) => {
                let at = |why: String| anyhow::anyhow!("{}:{line}:{}: {why}", self.name, col + 1);
                Some(if power == 0 {
                    out.builder.canonical_unit(&text).map_err(at)?
                } else {
                    Unit::read(&text)
                        .map(|u| units::unit_multiplier(u, power).to_string())
                        .map_err(at)?
                })
            }
            None => None,
        };
        out.tally.series.clone_from(&series);
        match &keyed.values {
            Values::Long(value) => {
                let year = self.year(record, line)?;
                let value = self.value(record, *value, line, &mut out.tally)?;
                out.push(record, &series, year, value, unit, line);
            }
            Values::Years(years) => {
                // A year without a value is left out: a published table has a column for
                // every year of its span, and most rows fill only some. With --keep-flags a
                // flagged one stays (`: c`, confidential), so its flag is shown.
                for (col, year) in years {
                    let value = self.value(record, *col, line, &mut out.tally)?;
                    if value.is_none() && !(self.keep_flags && out.tally.last_flag.is_some()) {
                        out.tally.empty += 1;
                        continue;
                    }
                    out.push(record, &series, *year, value, unit.clone(), line);
                }
            }
        }
        Ok(())
    }

    /// A keyed row's series name, and the unit at the end of its label when the label
    /// carries one.
    fn keyed_series(
        &self,
        series: &SeriesFrom,
        record: &csv::StringRecord,
        line: u64,
    ) -> Result<(String, Option<String>)> {
        let name = self.name;
        Ok(match series {
            SeriesFrom::Column { col, label_unit } => {
                let text = record[*col].trim();
                if text.is_empty() {
                    bail!(
                        "{name}:{line}:{}: the series name in column {:?} is empty (expected a name, or choose another column with --series-col)",
                        col + 1,
                        self.header[*col]
                    );
                }
                if *label_unit {
                    front::split_label_unit(text)
                } else {
                    (text.to_string(), None)
                }
            }
            SeriesFrom::Keys(cols) => {
                let parts: Vec<&str> = cols.iter().map(|c| record[*c].trim()).collect();
                if parts.iter().all(|p| p.is_empty()) {
                    let names: Vec<&str> = cols.iter().map(|c| self.header[*c].as_str()).collect();
                    bail!(
                        "{name}:{line}: the key columns that name the series ({}) are all empty (expected a name, or choose the series column with --series-col)",
                        names.join(", ")
                    );
                }
                (parts.join(" / "), None)
            }
            SeriesFrom::Fixed(s) => (s.clone(), None),
        })
    }

    /// A keyed row's unit as written: (column, text, power of ten), `None` when it has none.
    /// `label_unit` is the unit at the end of the series label.
    fn unit_text(
        &self,
        unit: &UnitFrom,
        label_unit: Option<String>,
        record: &csv::StringRecord,
        line: u64,
    ) -> Result<Option<(usize, String, i32)>> {
        let (col, mult, currency) = match unit {
            UnitFrom::None => return Ok(label_unit.map(|u| (0, u, 0))),
            UnitFrom::Fixed(u) => return Ok(Some((0, u.clone(), 0))),
            UnitFrom::Column {
                col,
                mult,
                currency,
            } => (*col, *mult, *currency),
        };
        let mut text = sdmx_code(record[col].trim()).to_string();
        if let Some(c) = currency.filter(|_| text.eq_ignore_ascii_case("xdc")) {
            let named = sdmx_code(record[c].trim());
            if !named.is_empty() {
                text = named.to_string();
            }
        }
        Ok(match mult.map(|m| (m, front::name_key(&record[m]))) {
            _ if text.is_empty() => None,
            Some((m, power)) if !power.is_empty() && power != "0" => {
                let power: i32 = power.parse().map_err(|_| {
                    anyhow::anyhow!(
                        "{}:{line}:{}: {:?} is not a power of ten (expected an integer such as 6 for millions)",
                        self.name,
                        m + 1,
                        record[m].trim()
                    )
                })?;
                Some((col, text, power))
            }
            _ => Some((col, text, 0)),
        })
    }
}
