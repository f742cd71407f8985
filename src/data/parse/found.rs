//! How a plan read a file, in words and flags, for `inspect`.

use super::keyed::{Keyed, SeriesFrom, UnitFrom, Values};
use super::plan::{ColumnsIn, Shape};
use super::Found;
use crate::data::front;
use crate::schema::{SERIES, UNIT, VALUE, YEAR};

/// How a plan reads a file, in words (for `inspect`).
struct Described {
    layout: String,
    years: Vec<String>,
    series_from: String,
    unit_from: String,
}

impl ColumnsIn<'_> {
    /// How the file was read, for `inspect`.
    pub(super) fn found(
        &self,
        encoding: &str,
        delimiter: u8,
        header_line: u64,
        footer: usize,
    ) -> Found {
        let Described {
            layout,
            years,
            series_from,
            unit_from,
        } = self.described();
        Found {
            flags: self.pinning_flags(),
            series_flags: Default::default(),
            encoding: encoding.to_string(),
            delimiter: front::delimiter_name(delimiter),
            header_line,
            preamble_lines: header_line.saturating_sub(1) as usize,
            footer_lines: footer,
            layout,
            year_columns: years,
            group_columns: self.group_names(),
            series_from,
            unit_from,
            ignored_columns: self.names(&self.ignored),
            header: self.header.to_vec(),
        }
    }

    /// The layout, the year columns and where the series and units come from, in words.
    fn described(&self) -> Described {
        match &self.shape {
            Shape::Wide(series) => Described {
                layout: "wide".to_string(),
                years: vec![self.header[self.year].clone()],
                series_from: format!(
                    "one column per series ({})",
                    series
                        .iter()
                        .map(|(_, s, _)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                unit_from: "the header (`name [unit]`)".to_string(),
            },
            Shape::Long { series, unit, .. } => Described {
                layout: "long".to_string(),
                years: vec![self.header[self.year].clone()],
                series_from: format!("column {}", self.header[*series]),
                unit_from: unit
                    .map_or("none".to_string(), |u| format!("column {}", self.header[u])),
            },
            Shape::Keyed(k) => self.described_keyed(k),
        }
    }

    /// [`Self::described`] for a publisher's layout.
    fn described_keyed(&self, k: &Keyed) -> Described {
        let (layout, years) = match &k.values {
            Values::Long(v) => (
                format!("long (values in {})", self.header[*v]),
                vec![self.header[self.year].clone()],
            ),
            Values::Years(ys) => (
                "years as columns".to_string(),
                ys.iter().map(|(c, _)| self.header[*c].clone()).collect(),
            ),
        };
        let series_from = match &k.series {
            SeriesFrom::Column { col, label_unit } => format!(
                "column {}{}",
                self.header[*col],
                if *label_unit {
                    " (a unit in brackets at its end is the unit)"
                } else {
                    ""
                }
            ),
            SeriesFrom::Keys(cols) => {
                format!(
                    "columns {} joined with \" / \"",
                    self.names(cols).join(", ")
                )
            }
            SeriesFrom::Fixed(s) => format!("the name {s:?} for every row"),
        };
        let unit_from = match &k.unit {
            UnitFrom::None => match &k.series {
                SeriesFrom::Column {
                    label_unit: true, ..
                } => "the series label".to_string(),
                _ => "none".to_string(),
            },
            UnitFrom::Column { col, mult, .. } => format!(
                "column {}{}",
                self.header[*col],
                mult.map_or(String::new(), |m| format!(
                    " times 10 to the power in {}",
                    self.header[m]
                ))
            ),
            UnitFrom::Fixed(u) => u.clone(),
        };
        Described {
            layout,
            years,
            series_from,
            unit_from,
        }
    }

    /// The flags that pin what was detected (`--layout years`, `--series-col …`).
    fn pinning_flags(&self) -> Vec<(String, String)> {
        let mut flags: Vec<(String, String)> = Vec::new();
        let mut pin = |flag: &str, value: &str| flags.push((flag.to_string(), value.to_string()));
        let year_named =
            self.year != usize::MAX && front::name_key(&self.header[self.year]) != YEAR;
        match &self.shape {
            Shape::Wide(_) => {
                if year_named {
                    pin("--year-col", &self.header[self.year]);
                }
            }
            Shape::Long {
                series,
                value,
                unit,
            } => {
                pin("--layout", "long");
                if year_named {
                    pin("--year-col", &self.header[self.year]);
                }
                if front::name_key(&self.header[*series]) != SERIES {
                    pin("--series-col", &self.header[*series]);
                }
                if front::name_key(&self.header[*value]) != VALUE {
                    pin("--value-col", &self.header[*value]);
                }
                if let Some(u) = unit.filter(|u| front::name_key(&self.header[*u]) != UNIT) {
                    pin("--unit-col", &self.header[u]);
                }
            }
            Shape::Keyed(k) => {
                match &k.values {
                    Values::Years(_) => pin("--layout", "years"),
                    Values::Long(v) => {
                        pin("--layout", "long");
                        pin("--year-col", &self.header[self.year]);
                        pin("--value-col", &self.header[*v]);
                    }
                }
                if let SeriesFrom::Column { col, .. } = &k.series {
                    pin("--series-col", &self.header[*col]);
                }
                if let UnitFrom::Column { col, .. } = &k.unit {
                    pin("--unit-col", &self.header[*col]);
                }
            }
        }
        flags
    }
}
