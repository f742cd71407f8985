//! Structured notes: what a result says about its own numbers (an undefined rate, a missing
//! year, a value too large to represent, a method that could not run).
//!
//! A [`Note`] is data: the row it concerns ([`Subject`]: group and series keys, year) and
//! what happened ([`What`], with its numbers). Its English text is produced here and nowhere
//! else, in [`What::text`]; JSON carries the stable [`Note::code`] beside the text, so a
//! program can tell one kind of note from another without parsing sentences.
//!
//! Long lists are capped with [`cap`]: a panel with thousands of gaps would otherwise bury
//! the table. The count of notes left out is itself a note ([`What::More`]), so lists capped
//! separately (one per piece of a large input) merge exactly ([`merge`]).
//!
//! This module depends on [`crate::schema`] alone: the loader, the analyses and the
//! renderers all use it.

use crate::schema::SERIES;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Most notes of one kind a result carries.
pub const MAX_NOTES: usize = 20;

/// The row a note concerns: its keys (group columns, then the series) and year, each
/// optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    /// `(column, value)` pairs in key order: group columns, then `series`.
    pub key: Vec<(String, String)>,
    pub year: Option<i32>,
}

impl Subject {
    /// The row with `values` for the key columns `keys`.
    pub fn new<S: AsRef<str>>(keys: &[String], values: &[S], year: Option<i32>) -> Self {
        Subject {
            key: keys
                .iter()
                .zip(values)
                .map(|(k, v)| (k.clone(), v.as_ref().to_string()))
                .collect(),
            year,
        }
    }

    /// A note about the whole result or the input, not one row.
    pub fn none() -> Self {
        Subject::default()
    }

    /// A note about one series, named alone.
    pub fn series(name: &str) -> Self {
        Subject {
            key: vec![(SERIES.to_string(), name.to_string())],
            year: None,
        }
    }

    pub fn at_year(mut self, year: i32) -> Self {
        self.year = Some(year);
        self
    }

    /// Names the row by its keys: `cbec`, or `region=north, cbec` in a panel.
    pub fn label(&self) -> String {
        self.key
            .iter()
            .map(|(k, v)| {
                if k == SERIES {
                    v.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `cbec 2017: `, `cbec: `, `2017: ` or nothing: how most notes begin.
    fn prefix(&self) -> String {
        match (self.label().as_str(), self.year) {
            ("", None) => String::new(),
            (label, None) => format!("{label}: "),
            ("", Some(y)) => format!("{y}: "),
            (label, Some(y)) => format!("{label} {y}: "),
        }
    }

    fn series_name(&self) -> Option<&str> {
        self.key
            .iter()
            .find(|(k, _)| k == SERIES)
            .map(|(_, v)| v.as_str())
    }
}

/// What a note says, with its numbers. The variant's name, in snake case, is its stable
/// code ([`What::code`]).
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// A note from the input's reader (encoding detected, rows skipped, units read…), in
    /// its own words.
    Input(String),
    /// An empty value cell, read as a missing year.
    MissingValue,
    /// `--sum-by`: `rows` records summed into `values` values per `by` and year, over the
    /// key columns `over`.
    Summed {
        rows: usize,
        values: usize,
        by: Vec<String>,
        over: Vec<String>,
    },
    /// `--sum-by`: records with an empty value, left out of the sums.
    EmptyValuesSkipped { count: usize },
    /// `--sum-by`: records equal in every column to an earlier one (summed as they are), and
    /// the first one's line with its twin's.
    ExactDuplicates { count: usize, line: i64, twin: i64 },
    /// Computed columns whose result is not a finite number.
    Overflow { columns: Vec<String> },
    /// Years missing before this one: no one-year growth; the rate over the gap instead
    /// (`None`: undefined too). `column` names the output column that shows it, if any.
    GrowthAfterGap {
        prev_year: i32,
        rate: Option<f64>,
        column: Option<String>,
    },
    /// The previous year's value is zero or negative.
    GrowthFromNonPositive { prev_year: i32, prev_value: f64 },
    /// A CAGR over a span of one year.
    CagrOneYear,
    /// A CAGR from a non-positive first value or to a negative last one.
    CagrNotPositive,
    /// `index --base`: the base year has no value.
    NoBaseValue { base_year: i32 },
    /// The base value is zero or negative.
    BaseNotPositive { base_year: i32, value: f64 },
    /// `share`: one side missing (`None`) or the whole not positive.
    ShareUndefined {
        part: String,
        whole: String,
        part_value: Option<f64>,
        whole_value: Option<f64>,
    },
    /// Values converted to another unit (`--unit`, `--fx`, or a share's whole brought into
    /// the part's unit), in the converter's words.
    Converted(String),
    /// A share of series that carry no unit, or each group's own.
    UnitsAssumed {
        part: String,
        whole: String,
        per_group: bool,
    },
    /// `project`: the data already reaches the last year asked for.
    NothingToProject { last_year: i32 },
    /// A method that could not be fitted to a series, and why.
    NoProjection { method: String, why: String },
    /// What a fitted model says about itself (a warning when under [`Note`]s of warnings).
    Model { method: String, text: String },
    /// Forecast years (ascending) whose point or interval bounds are not finite.
    ForecastOverflow {
        method: String,
        years: Vec<i32>,
        bounds: bool,
    },
    /// `backtest`: a series too short for one training window and the horizon.
    TooShortToBacktest {
        years: usize,
        min_train: usize,
        horizon: usize,
    },
    /// `backtest`: a method that produced no forecast from the training window ending in
    /// `window_end`, and why (in the method's words).
    TrialSkipped {
        method: String,
        window_end: i32,
        why: String,
    },
    /// `backtest`: how many forecasts the scores rest on.
    ScoresRestOn { count: usize, first: i32, last: i32 },
    /// `backtest`: methods left unranked because they were scored on fewer forecasts than
    /// the ranked ones. `groups`: the methods scored on the same forecast years, with those
    /// years; `ranked`: the years the ranked methods are scored on; `min_train`: the
    /// `--min-train` that scores every method on the same forecasts, when one does.
    Unranked {
        groups: Vec<(Vec<String>, Vec<i32>)>,
        ranked: Vec<i32>,
        min_train: Option<usize>,
    },
    /// `check`: a claim given in another unit of the series' currency.
    ClaimConverted {
        value: f64,
        unit: String,
        converted: f64,
        series_unit: String,
    },
    /// `check`: the verdict on a claim in words (the numbers are in the table).
    Verdict {
        claim_year: i32,
        claimed: f64,
        implied_growth: Option<f64>,
        last_year: i32,
        last_value: f64,
        cagr: Option<f64>,
        verdict: String,
    },
    /// `check`: an interval shown but left out of the verdict.
    IntervalNotCounted { method: String, why: String },
    /// `count` more notes like the ones before were left out.
    More { count: usize },
    /// A note a command words itself, with a stable code of its own.
    Other { code: &'static str, text: String },
}

impl What {
    /// A share's whole brought into its part's unit, `from` its own `to` the part's.
    pub fn whole_converted(whole: &str, from: &str, to: &str) -> What {
        What::Converted(format!(
            "{whole} converted from {from} to {to} for the share"
        ))
    }

    /// The stable, machine-readable name of this kind of note.
    pub fn code(&self) -> &'static str {
        match self {
            What::Input(_) => "input",
            What::MissingValue => "missing_value",
            What::Summed { .. } => "summed",
            What::EmptyValuesSkipped { .. } => "empty_values_skipped",
            What::ExactDuplicates { .. } => "exact_duplicates",
            What::Overflow { .. } => "overflow",
            What::GrowthAfterGap { .. } => "growth_after_gap",
            What::GrowthFromNonPositive { .. } => "growth_from_non_positive",
            What::CagrOneYear => "cagr_one_year",
            What::CagrNotPositive => "cagr_not_positive",
            What::NoBaseValue { .. } => "no_base_value",
            What::BaseNotPositive { .. } => "base_not_positive",
            What::ShareUndefined { .. } => "share_undefined",
            What::Converted(_) => "converted",
            What::UnitsAssumed { .. } => "units_assumed",
            What::NothingToProject { .. } => "nothing_to_project",
            What::NoProjection { .. } => "no_projection",
            What::Model { .. } => "model",
            What::ForecastOverflow { .. } => "forecast_overflow",
            What::TooShortToBacktest { .. } => "too_short_to_backtest",
            What::TrialSkipped { .. } => "trial_skipped",
            What::ScoresRestOn { .. } => "scores_rest_on",
            What::Unranked { .. } => "unranked",
            What::ClaimConverted { .. } => "claim_converted",
            What::Verdict { .. } => "verdict",
            What::IntervalNotCounted { .. } => "interval_not_counted",
            What::More { .. } => "more",
            What::Other { code, .. } => code,
        }
    }

    /// The note in English, about `at`.
    pub fn text(&self, at: &Subject) -> String {
        let prefix = at.prefix();
        let label = at.label();
        let year = at.year.unwrap_or_default();
        match self {
            What::Input(text) => text.clone(),
            What::MissingValue => format!("{prefix}empty value, treated as a missing year"),
            What::Summed { .. } | What::EmptyValuesSkipped { .. } | What::ExactDuplicates { .. } => {
                self.detail_text()
            }
            What::Overflow { columns } => {
                let verb = if columns.len() == 1 {
                    "overflows"
                } else {
                    "overflow"
                };
                format!(
                    "{prefix}{} {verb}: {OVERFLOWS}",
                    columns.join(" and ")
                )
            }
            What::GrowthAfterGap {
                prev_year,
                rate,
                column,
            } => after_gap(&prefix, year, *prev_year, *rate, column.as_deref()),
            What::GrowthFromNonPositive {
                prev_year,
                prev_value,
            } => format!(
                "{prefix}growth undefined because the {prev_year} value is {prev_value} (not positive)"
            ),
            What::CagrOneYear => format!("{label}: CAGR undefined, only one year in the span"),
            What::CagrNotPositive => format!(
                "{label}: CAGR undefined, the first value is not positive or the last is negative"
            ),
            What::NoBaseValue { base_year } => {
                format!("{label}: no value in base year {base_year}, so no index")
            }
            What::BaseNotPositive { base_year, value } => {
                format!("{label}: base value {value} in {base_year} is not positive, so no index")
            }
            What::ShareUndefined {
                part,
                whole,
                part_value,
                whole_value,
            } => {
                let why = match (part_value, whole_value) {
                    (None, _) => format!("no {part} value"),
                    (_, None) => format!("no {whole} value"),
                    (_, Some(w)) => format!("{whole} is {w} (not positive)"),
                };
                format!("{prefix}share undefined, {why}")
            }
            What::Converted(text) => text.clone(),
            What::UnitsAssumed {
                part,
                whole,
                per_group: true,
            } => format!("{part} and {whole} are in each group's own unit, the same for both"),
            What::UnitsAssumed { part, whole, .. } => {
                format!("{part} and {whole} carry no unit; they are assumed to be in the same one")
            }
            What::NothingToProject { .. }
            | What::NoProjection { .. }
            | What::Model { .. }
            | What::ForecastOverflow { .. }
            | What::TooShortToBacktest { .. }
            | What::TrialSkipped { .. }
            | What::ScoresRestOn { .. }
            | What::Unranked { .. }
            | What::ClaimConverted { .. }
            | What::Verdict { .. }
            | What::IntervalNotCounted { .. } => self.forecast_text(at),
            What::More { count } => format!("… and {count} more like these"),
            What::Other { text, .. } => text.clone(),
        }
    }
}

impl What {
    /// The text of the notes of summed detail data (`--sum-by`).
    fn detail_text(&self) -> String {
        let records = |n: usize| if n == 1 { "record" } else { "records" };
        match self {
            What::Summed {
                rows,
                values,
                by,
                over,
            } => format!(
                "{rows} {} summed into {values} value{} per {} and year (summed over {})",
                records(*rows),
                if *values == 1 { "" } else { "s" },
                by.join(", "),
                if over.is_empty() {
                    "no other column".to_string()
                } else {
                    over.join(", ")
                }
            ),
            What::EmptyValuesSkipped { count } => format!(
                "{count} {} with an empty value left out of the sums (a group and year with only empty values is a missing year)",
                records(*count)
            ),
            What::ExactDuplicates { count, line, twin } => {
                let (they, they_are, artefacts) = if *count == 1 {
                    ("it", "it is", "an export artefact")
                } else {
                    ("them", "they are", "export artefacts")
                };
                format!(
                    "{count} {} equal in every column to an earlier one, summed as {they_are}, which counts {they} twice if {they_are} {artefacts} (the first: line {line}, the same as line {twin}; --strict-duplicates makes this an error)",
                    records(*count)
                )
            }
            _ => unreachable!("not a note of summed data: {self:?}"),
        }
    }

    /// The text of the notes of `project`, `backtest` and `check`, about `at`.
    fn forecast_text(&self, at: &Subject) -> String {
        let label = at.label();
        match self {
            What::NothingToProject { last_year } => {
                format!("{label}: the data already runs to {last_year}, nothing to project")
            }
            What::NoProjection { method, why } => {
                format!("{label}: no {method} projection: {why}")
            }
            What::Model { method, text } => format!("{label} {method}: {text}"),
            What::ForecastOverflow {
                method,
                years,
                bounds,
            } => {
                let what = if *bounds {
                    "interval bounds overflow"
                } else {
                    "the point forecast overflows"
                };
                format!("{label} {method} {}: {what}: {OVERFLOWS}", year_runs(years))
            }
            What::TooShortToBacktest {
                years,
                min_train,
                horizon,
            } => format!(
                "{label}: {years} years are too few for a {min_train}-year training window and a {horizon}-year horizon"
            ),
            What::TrialSkipped {
                method,
                window_end,
                why,
            } => format!("{label} {method}: no forecast from the window ending {window_end}: {why}"),
            What::ScoresRestOn { count, first, last } => format!(
                "{label}: scores rest on {count} forecast{} ({first}–{last}){}",
                if *count == 1 { "" } else { "s" },
                if *count < 5 {
                    "; with so few, differences between methods are weak evidence"
                } else {
                    ""
                }
            ),
            What::Unranked {
                groups,
                ranked,
                min_train,
            } => format!("{label}: not ranked: {}", unranked(groups, ranked, *min_train)),
            What::ClaimConverted {
                value,
                unit,
                converted,
                series_unit,
            } => format!(
                "the claim {value} {unit} for {} is {converted} {series_unit}",
                at.series_name().unwrap_or_default()
            ),
            What::Verdict {
                claim_year,
                claimed,
                implied_growth,
                last_year,
                last_value,
                cagr,
                verdict,
            } => format!(
                "{label} {claim_year} = {claimed}: implied growth {} a year from {last_year} ({last_value}) vs CAGR {} → {verdict}",
                implied_growth.map_or("undefined".to_string(), pct),
                cagr.map_or("undefined".to_string(), pct),
            ),
            What::IntervalNotCounted { method, why } => {
                format!("{label} {method}: interval shown but not counted in the verdict: {why}")
            }
            _ => unreachable!("not a note of project, backtest or check: {self:?}"),
        }
    }
}

/// Why a year has no one-year growth after missing years (see [`What::GrowthAfterGap`]).
fn after_gap(
    prefix: &str,
    year: i32,
    prev_year: i32,
    rate: Option<f64>,
    column: Option<&str>,
) -> String {
    let missing = if year - prev_year == 2 {
        format!("{}", year - 1)
    } else {
        format!("{}–{}", prev_year + 1, year - 1)
    };
    let rate = match rate {
        Some(r) => format!(
            "annualised over {prev_year}–{year}: {} a year{}",
            pct(r),
            column.map_or(String::new(), |c| format!(" (column {c})"))
        ),
        None => format!("the rate over {prev_year}–{year} is undefined too (a non-positive value)"),
    };
    format!("{prefix}no value for {missing}, so the one-year growth is undefined; {rate}")
}

/// Why methods are left unranked (see [`What::Unranked`]).
fn unranked(
    groups: &[(Vec<String>, Vec<i32>)],
    ranked: &[i32],
    min_train: Option<usize>,
) -> String {
    let fewer: Vec<String> = groups
        .iter()
        .map(|(names, years)| {
            let n = years.len();
            let plural = if n == 1 { "" } else { "s" };
            format!(
                "{} (scored on {n} forecast{plural}, {})",
                names.join(", "),
                year_runs(years)
            )
        })
        .collect();
    let hint = min_train.map_or(String::new(), |min_train| {
        format!(" (--min-train {min_train} scores every method on the same ones)")
    });
    format!(
        "{}; the ranked methods are scored on {} ({}), and errors on different forecasts are not comparable{hint}",
        fewer.join("; "),
        ranked.len(),
        year_runs(ranked)
    )
}

/// Sorted years as runs: `2150`, `2150–2219`, `2150–2160, 2170` (never a range over years
/// not listed).
pub fn year_runs(years: &[i32]) -> String {
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for &year in years {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == year => *end = year,
            _ => runs.push((year, year)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a computed cell is empty although every input it needs is there.
pub const OVERFLOWS: &str = "the result is too large to represent";

/// One note: what happened, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub at: Subject,
    pub what: What,
}

impl Note {
    pub fn new(at: Subject, what: What) -> Self {
        Note { at, what }
    }

    /// A note from the input's reader.
    pub fn input(text: impl Into<String>) -> Self {
        Note::new(Subject::none(), What::Input(text.into()))
    }

    /// A note a command words itself, under a stable `code`.
    pub fn other(code: &'static str, at: Subject, text: impl Into<String>) -> Self {
        Note::new(
            at,
            What::Other {
                code,
                text: text.into(),
            },
        )
    }

    pub fn code(&self) -> &'static str {
        self.what.code()
    }

    /// The note in English, as people read it.
    pub fn text(&self) -> String {
        self.what.text(&self.at)
    }

    /// For a [`What::More`] note, how many notes it stands for.
    pub fn left_out(&self) -> usize {
        match self.what {
            What::More { count } => count,
            _ => 0,
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

/// JSON: `{"code": …, "text": …}`, then `series`, `groups` and `year` where the note has them.
impl Serialize for Note {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("text", &self.text())?;
        if let Some(series) = self.at.series_name() {
            map.serialize_entry("series", series)?;
        }
        let groups: std::collections::BTreeMap<&str, &str> = self
            .at
            .key
            .iter()
            .filter(|(k, _)| k != SERIES)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if !groups.is_empty() {
            map.serialize_entry("groups", &groups)?;
        }
        if let Some(year) = self.at.year {
            map.serialize_entry("year", &year)?;
        }
        if let What::More { count } = self.what {
            map.serialize_entry("count", &count)?;
        }
        map.end()
    }
}

/// Keeps at most [`MAX_NOTES`] notes and adds a [`What::More`] note with how many were left
/// out.
pub fn cap(mut notes: Vec<Note>) -> Vec<Note> {
    if notes.len() > MAX_NOTES {
        let count = notes.len() - MAX_NOTES;
        notes.truncate(MAX_NOTES);
        notes.push(Note::new(Subject::none(), What::More { count }));
    }
    notes
}

/// The number of notes a list left out (the sum of its [`What::More`] notes).
pub fn left_out(notes: &[Note]) -> usize {
    notes.iter().map(Note::left_out).sum()
}

/// Joins notes that were capped separately (one list per piece of a large input) into one
/// list capped the same way, counting the notes each piece left out. A note that every piece
/// gives (about the data, not a row) is kept once, as the whole file gives it.
pub fn merge(lists: Vec<Vec<Note>>) -> Vec<Note> {
    let mut kept: Vec<Note> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut more = 0;
    for note in lists.into_iter().flatten() {
        match note.what {
            What::More { count } => more += count,
            _ if !seen.insert((note.code(), note.text())) => {}
            _ if kept.len() < MAX_NOTES => kept.push(note),
            _ => more += 1,
        }
    }
    if more > 0 {
        kept.push(Note::new(Subject::none(), What::More { count: more }));
    }
    kept
}

/// The notes' texts joined by `; `, for an error message that gathers them.
pub fn joined(notes: &[Note]) -> String {
    notes.iter().map(Note::text).collect::<Vec<_>>().join("; ")
}

/// Percentages for notes: `24.07 %`.
pub fn pct(x: f64) -> String {
    format!("{:.2} %", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(series: &str, year: i32) -> Note {
        Note::new(Subject::series(series).at_year(year), What::MissingValue)
    }

    fn texts(notes: &[Note]) -> Vec<String> {
        notes.iter().map(Note::text).collect()
    }

    #[test]
    fn years_read_as_runs() {
        assert_eq!(year_runs(&[2150]), "2150");
        assert_eq!(year_runs(&[2150, 2151, 2152]), "2150–2152");
        assert_eq!(year_runs(&[2150, 2151, 2160]), "2150–2151, 2160");
        assert_eq!(year_runs(&[]), "");
    }

    #[test]
    fn capped_notes_merge_with_their_counts() {
        let piece = |n: usize, tag: &str| cap((0..n as i32).map(|i| missing(tag, i)).collect());
        let merged = merge(vec![piece(3, "a"), piece(25, "b"), piece(2, "c")]);
        assert_eq!(merged.len(), MAX_NOTES + 1);
        assert_eq!(
            texts(&merged[..4]),
            [
                "a 0: empty value, treated as a missing year",
                "a 1: empty value, treated as a missing year",
                "a 2: empty value, treated as a missing year",
                "b 0: empty value, treated as a missing year"
            ]
        );
        // 30 notes in all, 20 shown.
        assert_eq!(merged[MAX_NOTES].text(), "… and 10 more like these");
        assert_eq!(left_out(&merged), 10);
        assert_eq!(merge(vec![piece(1, "a"), piece(1, "b")]).len(), 2);
        // A note that every piece gives, once; counts of notes left out add up even when
        // two pieces left out as many.
        assert_eq!(
            merge(vec![piece(1, "a"), piece(1, "a"), piece(1, "b")]).len(),
            2
        );
        let merged = merge(vec![piece(22, "a"), piece(22, "b")]);
        assert_eq!(merged[MAX_NOTES].text(), "… and 24 more like these");
    }

    #[test]
    fn notes_name_their_row_and_carry_a_code() {
        let keys = vec!["region".to_string(), SERIES.to_string()];
        let at = Subject::new(&keys, &["north", "cbec"], Some(2017));
        let note = Note::new(
            at,
            What::GrowthFromNonPositive {
                prev_year: 2016,
                prev_value: -1.5,
            },
        );
        assert_eq!(
            note.text(),
            "region=north, cbec 2017: growth undefined because the 2016 value is -1.5 (not positive)"
        );
        assert_eq!(
            serde_json::to_string(&note).unwrap(),
            r#"{"code":"growth_from_non_positive","text":"region=north, cbec 2017: growth undefined because the 2016 value is -1.5 (not positive)","series":"cbec","groups":{"region":"north"},"year":2017}"#
        );
        let gap = Note::new(
            Subject::series("cbec").at_year(2018),
            What::GrowthAfterGap {
                prev_year: 2015,
                rate: Some(0.1),
                column: Some("gap_growth".into()),
            },
        );
        assert_eq!(
            gap.text(),
            "cbec 2018: no value for 2016–2017, so the one-year growth is undefined; annualised over 2015–2018: 10.00 % a year (column gap_growth)"
        );
        let overflow = Note::new(
            Subject::none().at_year(2019),
            What::Overflow {
                columns: vec!["change".into(), "YoY growth".into()],
            },
        );
        assert_eq!(
            overflow.text(),
            "2019: change and YoY growth overflow: the result is too large to represent"
        );
    }
}
