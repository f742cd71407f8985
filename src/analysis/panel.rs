//! The panel view: every series side by side per group and year, with its year-on-year
//! growth, a share and each series' CAGR over the group's span — the usual panel job in one
//! pass (METHODS.md, "Growth, change, CAGR" and "Share"; the same formulas as
//! [`super::growth`] and [`super::share`]).
//!
//! Each series is computed on its own run of rows (canonical order: groups, then year), and
//! the results are set side by side: row for row when every series has the same
//! (group, year) rows — a complete panel — else by an outer join on groups and year.

use super::growth::{annualised, cagr_notes, growth_notes_with, previous, yoy};
use super::share::share_notes;
use super::{first_in_run, last_in_run, missing_value_notes, overflow_notes, with_runs};
use crate::notes::Note;
use crate::schema::{
    keys, sort_keys, ColumnDef, Kind, Span, UnitOf, PREV_VALUE, PREV_YEAR, RUN, SERIES, SHARE_PART,
    SHARE_WHOLE, VALUE, YEAR,
};
use anyhow::{bail, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What a panel holds besides the values: the series to show and an optional share.
#[derive(Debug, Clone, Default)]
pub struct PanelSpec {
    /// Series shown, in this order.
    pub series: Vec<String>,
    /// Share of the first in the second (both in one unit; the caller checks).
    pub share: Option<(String, String)>,
}

impl PanelSpec {
    /// Whether the panel reads `series`: shown, or the share's part or whole.
    pub fn reads(&self, series: &str) -> bool {
        self.series.iter().any(|s| s == series)
            || self.share.iter().any(|(p, w)| p == series || w == series)
    }
}

/// Column names of a panel.
pub fn yoy_column(series: &str) -> String {
    format!("{series}_yoy")
}

pub fn cagr_column(series: &str) -> String {
    format!("{series}_cagr")
}

pub const SHARE: &str = "share";

/// A panel: one row per group and year, and notes on missing values, undefined rates and
/// shares, and values too large to represent. The frame holds the columns [`columns`]
/// describes for its `spec`, no helper columns.
pub struct Panel {
    /// What the panel holds: each series once, in the order asked for.
    pub spec: PanelSpec,
    pub frame: DataFrame,
    pub notes: Vec<Note>,
}

/// What `panel` computes, in words (JSON's `meta.conventions`); with a share, also
/// [`SHARE_CONVENTION`] (see [`conventions`]).
pub const CONVENTIONS: [&str; 2] = [
    "<series>_yoy = y_t / y_(t-1) - 1, only when year t-1 is present and y_(t-1) > 0",
    "<series>_cagr = (y_last / y_first)^(1 / (last year - first year)) - 1 over the group's years in the span",
];

pub const SHARE_CONVENTION: &str =
    "share = part / whole with the whole in the part's unit; every value column keeps its own unit";

/// The conventions of a panel that holds `spec`.
pub fn conventions(spec: &PanelSpec) -> Vec<String> {
    let share = spec.share.as_ref().map(|_| SHARE_CONVENTION);
    CONVENTIONS
        .into_iter()
        .chain(share)
        .map(String::from)
        .collect()
}

/// The panel of `spec` (a series named twice counts once) from `lf`, and its notes: empty
/// value cells of the series shown in the span, undefined rates and shares (see [`panel`]),
/// then values too large to represent.
pub fn run(
    lf: LazyFrame,
    share_lf: Option<LazyFrame>,
    groups: &[String],
    mut spec: PanelSpec,
    span: Span,
) -> Result<Panel> {
    let mut seen = BTreeSet::new();
    spec.series.retain(|s| seen.insert(s.clone()));
    let (frame, notes) = panel(lf.clone(), share_lf, groups, &spec, span)?;
    let shown = spec
        .series
        .iter()
        .fold(lit(false), |any, s| any.or(col(SERIES).eq(lit(s.clone()))));
    let shown = lf.filter(shown.and(span.contains()));
    let mut all = missing_value_notes(shown, &keys(groups))?;
    all.extend(notes);
    all.extend(overflows(&frame, groups, &spec)?);
    Ok(Panel {
        spec,
        frame,
        notes: all,
    })
}

/// Notes on rates, shares and CAGRs of a panel that are not finite.
fn overflows(df: &DataFrame, groups: &[String], spec: &PanelSpec) -> Result<Vec<Note>> {
    let mut rates: Vec<(String, String)> = spec
        .series
        .iter()
        .map(|s| (yoy_column(s), format!("{s} YoY growth")))
        .collect();
    if spec.share.is_some() {
        rates.push((SHARE.to_string(), "share".to_string()));
    }
    let cagrs: Vec<(String, String)> = spec
        .series
        .iter()
        .map(|s| (cagr_column(s), format!("{s} CAGR")))
        .collect();
    fn pairs(named: &[(String, String)]) -> Vec<(&str, &str)> {
        named
            .iter()
            .map(|(c, n)| (c.as_str(), n.as_str()))
            .collect()
    }
    let mut notes = overflow_notes(df, groups, Some(YEAR), &pairs(&rates))?;
    notes.extend(overflow_notes(df, groups, None, &pairs(&cagrs))?);
    Ok(notes)
}

/// The columns of a panel of `spec` ([`Panel::frame`]), in the order people read them: the
/// groups, `year`, each series' values (headed with its unit from `units`, when it has one),
/// each series' YoY growth, the share, each series' CAGR.
pub fn columns(
    groups: &[String],
    spec: &PanelSpec,
    units: &BTreeMap<String, String>,
) -> Vec<ColumnDef> {
    let mut columns: Vec<ColumnDef> = groups.iter().map(|g| ColumnDef::group(g)).collect();
    columns.push(ColumnDef::year());
    let series = &spec.series;
    columns.extend(series.iter().map(|s| {
        let (header, about) = match units.get(s) {
            Some(u) => (format!("{s} ({u})"), format!("value of {s} ({u})")),
            None => (s.clone(), format!("value of {s} (no unit given)")),
        };
        ColumnDef::new(s.clone(), Kind::Number, about)
            .header(header)
            .unit(UnitOf::Series)
    }));
    let fraction = |key: String, header: String, about: String| {
        ColumnDef::new(key, Kind::Percent, about)
            .header(header)
            .unit(UnitOf::Fraction)
    };
    columns.extend(series.iter().map(|s| {
        fraction(
            yoy_column(s),
            format!("{s} YoY (%)"),
            format!("year-on-year growth of {s}, a unitless fraction (0.1 = 10 %); null without the previous year"),
        )
    }));
    if let Some((part, whole)) = &spec.share {
        columns.push(fraction(
            SHARE.to_string(),
            format!("{part} in {whole} (%)"),
            format!("{part} / {whole}, a unitless fraction (0.3 = 30 %)"),
        ));
    }
    columns.extend(series.iter().map(|s| {
        fraction(
            cagr_column(s),
            format!("{s} CAGR (%)"),
            format!("CAGR of {s} from its first to its last year in the span, per group (unitless fraction)"),
        )
    }));
    columns
}

/// The panel: group columns, `year`, one value column per series (named after it), then
/// `<series>_yoy` per series, `share` (with a share), `<series>_cagr` per series. Rows are
/// the (group, year) pairs in the span where any of the series (or the share's part or
/// whole) has a value, sorted by groups and year; a series without a value there has null
/// value, growth and CAGR.
///
/// `yoy` is keyed on the year (null when year t−1 is absent or not positive, with a note);
/// `<series>_cagr` is the CAGR from the series' first to its last present year in the span
/// of that group, the same on every row of the group; `share` = part / whole when the whole
/// is positive. Every series keeps its own unit; the share reads part and whole from
/// `share_lf` when given (the same data with the whole in the part's unit), so asking for a
/// share never changes another column. `lf` and `share_lf` are in canonical order (see
/// [`super`]). Returns the frame and its notes.
pub fn panel(
    lf: LazyFrame,
    share_lf: Option<LazyFrame>,
    groups: &[String],
    spec: &PanelSpec,
    span: Span,
) -> Result<(DataFrame, Vec<Note>)> {
    let Sides {
        frames,
        mut notes,
        share,
    } = sides(lf, share_lf, groups, spec, span)?;
    let df = side_by_side(frames, groups)?;
    let (Some((part, whole)), Some(columns)) = (&spec.share, share) else {
        return Ok((df, notes));
    };
    let (df, share_notes) = with_share(df, groups, (part, whole), columns)?;
    notes.extend(share_notes);
    Ok((df, notes))
}

/// The frames a panel sets side by side, and their notes.
struct Sides {
    frames: Vec<DataFrame>,
    notes: Vec<Note>,
    /// The columns of the share's part and whole among the frames' (with a share).
    share: Option<(String, String)>,
}

/// Each series shown (a series named twice counts once), computed on its own, then the
/// share's two sides: the shown values when they are in the right unit, else values read
/// for the share alone (no growth, no notes of their own). See [`panel`].
fn sides(
    lf: LazyFrame,
    share_lf: Option<LazyFrame>,
    groups: &[String],
    spec: &PanelSpec,
    span: Span,
) -> Result<Sides> {
    let mut shown: Vec<&String> = Vec::new();
    for s in &spec.series {
        if !shown.contains(&s) {
            shown.push(s);
        }
    }
    check_names(groups, &shown, spec.share.is_some())?;
    let mut notes = Vec::new();
    let mut frames = Vec::with_capacity(shown.len() + 2);
    for name in &shown {
        let (side, side_notes) = one_series(lf.clone(), groups, name, span)?;
        notes.extend(side_notes);
        frames.push(side);
    }
    let mut share = None;
    if let Some((part, whole)) = &spec.share {
        let converted = share_lf.is_some();
        let source = share_lf.unwrap_or_else(|| lf.clone());
        let mut side_for = |name: &String, internal: &'static str| -> Result<String> {
            if !converted && shown.contains(&name) {
                return Ok(name.clone());
            }
            frames.push(values_only(source.clone(), groups, name, internal, span)?);
            Ok(internal.to_string())
        };
        share = Some((side_for(part, SHARE_PART)?, side_for(whole, SHARE_WHOLE)?));
    }
    Ok(Sides {
        frames,
        notes,
        share,
    })
}

/// `df` with the share of `part` in `whole` (their values in `df`'s `columns`) and the
/// notes on rows where it is undefined although part or whole is there (rows of other
/// series alone say nothing about the share); the share's helper columns dropped.
fn with_share(
    df: DataFrame,
    groups: &[String],
    (part, whole): (&str, &str),
    (p, w): (String, String),
) -> Result<(DataFrame, Vec<Note>)> {
    let df = df
        .lazy()
        .with_column(
            when(col(w.as_str()).gt(lit(0.0)))
                .then(col(p.as_str()) / col(w.as_str()))
                .otherwise(lit(NULL))
                .alias(SHARE),
        )
        .collect()?;
    if df.column(SHARE)?.null_count() == 0 {
        return Ok((df.drop_many([SHARE_PART, SHARE_WHOLE]), Vec::new()));
    }
    let flagged = df
        .clone()
        .lazy()
        .filter(
            col(SHARE).is_null().and(
                col(p.as_str())
                    .is_not_null()
                    .or(col(w.as_str()).is_not_null()),
            ),
        )
        .select(
            groups
                .iter()
                .map(|g| col(g.as_str()))
                .chain([
                    col(YEAR),
                    col(p.as_str()).alias("part"),
                    col(w.as_str()).alias("whole"),
                    col(SHARE),
                ])
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let notes = share_notes(&flagged, groups, part, whole)?;
    Ok((df.drop_many([SHARE_PART, SHARE_WHOLE]), notes))
}

/// One series' values alone, named `alias`: groups, `year`, `alias`, within the span.
fn values_only(
    lf: LazyFrame,
    groups: &[String],
    name: &str,
    alias: &str,
    span: Span,
) -> Result<DataFrame> {
    let columns: Vec<Expr> = groups
        .iter()
        .map(|g| col(g.as_str()))
        .chain([col(YEAR), col(VALUE).alias(alias)])
        .collect();
    Ok(lf
        .filter(
            col(SERIES)
                .eq(lit(name.to_string()))
                .and(col(VALUE).is_not_null())
                .and(span.contains()),
        )
        .select(columns)
        .collect()?)
}

/// Output columns must not collide: `a_yoy` of series `a` and a series called `a_yoy`.
fn check_names(groups: &[String], series: &[&String], share: bool) -> Result<()> {
    let mut seen: BTreeSet<String> = groups.iter().cloned().collect();
    seen.extend([YEAR, SHARE_PART, SHARE_WHOLE].map(String::from));
    let mut columns: Vec<(String, String)> = Vec::new();
    for s in series {
        columns.push((s.to_string(), format!("series {s:?}")));
        columns.push((yoy_column(s), format!("the growth of {s:?}")));
        columns.push((cagr_column(s), format!("the CAGR of {s:?}")));
    }
    if share {
        columns.push((SHARE.to_string(), "the share".to_string()));
    }
    for (name, what) in columns {
        if !seen.insert(name.clone()) {
            bail!(
                "column {name:?} for {what} would appear twice in the panel (expected series \
                 names that differ from the group columns, `year`, `share` and each other's \
                 `_yoy`/`_cagr` columns; rename the series in the input)"
            );
        }
    }
    Ok(())
}

/// One series: groups, `year`, its value (named after it), `<name>_yoy`, `<name>_cagr`; and
/// the notes about its undefined rates.
fn one_series(
    lf: LazyFrame,
    groups: &[String],
    name: &str,
    span: Span,
) -> Result<(DataFrame, Vec<Note>)> {
    let columns: Vec<Expr> = groups
        .iter()
        .map(|g| col(g.as_str()))
        .chain([col(YEAR), col(VALUE)])
        .collect();
    let df = with_runs(
        lf.filter(
            col(SERIES)
                .eq(lit(name.to_string()))
                .and(col(VALUE).is_not_null()),
        )
        .select(columns),
        groups,
    )
    .with_columns(previous())
    .filter(span.contains())
    .with_columns([
        yoy(),
        annualised(
            last_in_run(col(VALUE)),
            first_in_run(col(VALUE)),
            last_in_run(col(YEAR)) - first_in_run(col(YEAR)),
        )
        .alias("cagr"),
    ])
    .collect()?;
    let notes = series_notes(&df, groups, name)?;
    let mut keep: Vec<Expr> = groups.iter().map(|g| col(g.as_str())).collect();
    keep.extend([
        col(YEAR),
        col(VALUE).alias(name),
        col("yoy").alias(yoy_column(name)),
        col("cagr").alias(cagr_column(name)),
    ]);
    Ok((df.lazy().select(keep).collect()?, notes))
}

/// Notes of one series: undefined one-year rates (gaps, non-positive bases) and undefined
/// CAGRs, worded as `growth` words them.
fn series_notes(df: &DataFrame, groups: &[String], name: &str) -> Result<Vec<Note>> {
    let keys = keys(groups);
    let gap = col(YEAR) - col(PREV_YEAR);
    let rates = df
        .clone()
        .lazy()
        .filter(
            col(PREV_YEAR)
                .is_not_null()
                .and(gap.clone().gt(lit(1)).or(col(PREV_VALUE).lt_eq(lit(0.0)))),
        )
        .with_columns([
            lit(name.to_string()).alias(SERIES),
            annualised(col(VALUE), col(PREV_VALUE), gap).alias("gap_growth"),
        ])
        .collect()?;
    let mut notes = growth_notes_with(&rates, &keys, None)?;
    if df.column("cagr")?.null_count() == 0 {
        return Ok(notes);
    }
    // One row per group whose CAGR is undefined.
    let undefined = df
        .clone()
        .lazy()
        .filter(col("cagr").is_null())
        .group_by_stable([col(RUN)])
        .agg(
            groups
                .iter()
                .map(|g| col(g.as_str()).first())
                .chain([(col(YEAR).last() - col(YEAR).first()).alias("years")])
                .collect::<Vec<_>>(),
        )
        .with_columns([
            lit(name.to_string()).alias(SERIES),
            lit(NULL).cast(DataType::Float64).alias("cagr"),
        ])
        .collect()?;
    notes.extend(cagr_notes(&undefined, &keys)?);
    Ok(notes)
}

/// Puts the series' frames side by side on (groups, year): row for row when they hold the
/// same rows, else by an outer join, sorted by groups and year.
fn side_by_side(sides: Vec<DataFrame>, groups: &[String]) -> Result<DataFrame> {
    let keys: Vec<&str> = groups.iter().map(String::as_str).chain([YEAR]).collect();
    let mut sides = sides.into_iter();
    let Some(mut all) = sides.next() else {
        bail!("no series for the panel");
    };
    let mut joined = false;
    for side in sides {
        let aligned = all.height() == side.height()
            && keys.iter().all(|k| {
                matches!((all.column(k), side.column(k)), (Ok(a), Ok(b)) if a.as_materialized_series().equals(b.as_materialized_series()))
            });
        if aligned {
            let rest: Vec<Column> = side
                .columns()
                .iter()
                .filter(|c| !keys.contains(&c.name().as_str()))
                .cloned()
                .collect();
            all.hstack_mut(&rest)?;
        } else {
            let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
            all = all
                .lazy()
                .join(
                    side.lazy(),
                    on.clone(),
                    on,
                    JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
                )
                .collect()?;
            joined = true;
        }
    }
    if joined {
        all = all
            .lazy()
            .sort(sort_keys(groups), Default::default())
            .collect()?;
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{assert_close, f64s, frame, seed};

    fn spec(series: &[&str], share: Option<(&str, &str)>) -> PanelSpec {
        PanelSpec {
            series: series.iter().map(|s| s.to_string()).collect(),
            share: share.map(|(p, w)| (p.to_string(), w.to_string())),
        }
    }

    #[test]
    fn seed_panel_matches_methods() {
        let (df, notes) = panel(
            seed().lazy(),
            None,
            &[],
            &spec(&["cbec", "trade"], Some(("cbec", "trade"))),
            Span::default(),
        )
        .unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(df.height(), 5);
        let cbec_yoy = f64s(&df, "cbec_yoy");
        assert_eq!(cbec_yoy[0], None);
        assert_close(cbec_yoy[1], 0.2407407407407407, 1e-15);
        assert_close(cbec_yoy[4], 0.11340206185567037, 1e-15);
        assert_close(f64s(&df, "trade_yoy")[1], -0.0161943319838056, 1e-15);
        let share = f64s(&df, SHARE);
        assert_close(share[0], 0.21862348178137653, 1e-15);
        assert_close(share[4], 0.34242232086239693, 1e-15);
        // The CAGR over the span, on every row.
        for c in f64s(&df, "cbec_cagr") {
            assert_close(c, 0.18920711500272103, 1e-15);
        }
        for c in f64s(&df, "trade_cagr") {
            assert_close(c, 0.06301938410443642, 1e-15);
        }
        assert_eq!(f64s(&df, "cbec")[2], Some(8.06));
    }

    #[test]
    fn run_counts_a_series_once_and_describes_every_column() {
        let spec = spec(&["cbec", "trade", "cbec"], Some(("cbec", "trade")));
        let result = run(seed().lazy(), None, &[], spec, Span::default()).unwrap();
        assert_eq!(result.spec.series, ["cbec", "trade"]);
        let mut names: Vec<&str> = result
            .frame
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect();
        let described = columns(&[], &result.spec, &BTreeMap::new());
        let mut keys: Vec<&str> = described.iter().map(|c| c.key.as_ref()).collect();
        names.sort_unstable();
        keys.sort_unstable();
        assert_eq!(names, keys);
        assert_eq!(conventions(&result.spec).len(), 3);
    }

    #[test]
    fn gap_year_gives_null_yoy_a_note_and_the_cagr_over_years() {
        let df = frame(&[("cbec", &[(2015, 5.4), (2016, 6.7), (2018, 9.7)])]);
        let (df, notes) = panel(
            df.lazy(),
            None,
            &[],
            &spec(&["cbec"], None),
            Span::default(),
        )
        .unwrap();
        let yoy = f64s(&df, "cbec_yoy");
        assert_eq!(yoy[2], None);
        assert_close(yoy[1], 6.7 / 5.4 - 1.0, 1e-15);
        assert_close(
            f64s(&df, "cbec_cagr")[0],
            (9.7f64 / 5.4).powf(1.0 / 3.0) - 1.0,
            1e-15,
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].text().starts_with("cbec 2018: no value for 2017")
                && notes[0].text().ends_with("a year"),
            "{notes:?}"
        );
    }

    #[test]
    fn span_keeps_the_year_before_as_base_and_the_cagr_within_it() {
        let span = Span {
            from: Some(2017),
            to: Some(2018),
        };
        let (df, _) = panel(seed().lazy(), None, &[], &spec(&["cbec"], None), span).unwrap();
        assert_eq!(df.height(), 2);
        assert_close(f64s(&df, "cbec_yoy")[0], 8.06 / 6.7 - 1.0, 1e-15);
        assert_close(f64s(&df, "cbec_cagr")[1], 9.7 / 8.06 - 1.0, 1e-15);
    }

    #[test]
    fn series_with_different_years_are_joined_on_the_year() {
        let df = frame(&[
            ("p", &[(2015, 1.0), (2016, 2.0)]),
            ("w", &[(2016, 10.0), (2017, 0.0)]),
        ]);
        let (df, notes) = panel(
            df.lazy(),
            None,
            &[],
            &spec(&["p", "w"], Some(("p", "w"))),
            Span::default(),
        )
        .unwrap();
        let years: Vec<Option<i32>> = df.column(YEAR).unwrap().i32().unwrap().iter().collect();
        assert_eq!(years, [Some(2015), Some(2016), Some(2017)]);
        assert_eq!(f64s(&df, "p"), [Some(1.0), Some(2.0), None]);
        assert_eq!(f64s(&df, "w"), [None, Some(10.0), Some(0.0)]);
        assert_eq!(f64s(&df, SHARE), [None, Some(0.2), None]);
        assert_eq!(f64s(&df, "p_yoy"), [None, Some(1.0), None]);
        // w falls to zero: its CAGR is defined (last value 0 → -100 %).
        assert_eq!(f64s(&df, "w_cagr"), [None, Some(-1.0), Some(-1.0)]);
        assert_eq!(
            notes.iter().map(Note::text).collect::<Vec<_>>(),
            [
                "2015: share undefined, no w value",
                "2017: share undefined, no p value"
            ]
        );
    }

    #[test]
    fn undefined_rates_get_the_notes_growth_gives() {
        let df = frame(&[("x", &[(2015, 0.0), (2016, 2.0), (2017, -1.0), (2018, 1.0)])]);
        let (out, notes) =
            panel(df.lazy(), None, &[], &spec(&["x"], None), Span::default()).unwrap();
        assert_eq!(f64s(&out, "x_yoy"), [None, None, Some(-1.5), None]);
        assert_eq!(f64s(&out, "x_cagr"), [None; 4]);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(
            notes[2].text(),
            "x: CAGR undefined, the first value is not positive or the last is negative"
        );
    }

    #[test]
    fn a_series_named_twice_gives_one_set_of_columns_and_the_share_none_of_its_own() {
        let (df, _) = panel(
            seed().lazy(),
            None,
            &[],
            &spec(&["cbec", "cbec"], Some(("cbec", "trade"))),
            Span::default(),
        )
        .unwrap();
        let names: Vec<&str> = df
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(names, ["year", "cbec", "cbec_yoy", "cbec_cagr", "share"]);
        assert_close(f64s(&df, SHARE)[4], 10.8 / 31.54, 1e-15);
    }

    #[test]
    fn the_share_reads_its_own_frame_and_leaves_the_columns_in_their_units() {
        // The whole in another unit: the share's frame has it ×0.1 (as a conversion would).
        let own = frame(&[
            ("p", &[(2015, 1.0), (2016, 2.0)]),
            ("w", &[(2015, 10.0), (2016, 30.0)]),
        ]);
        let converted = frame(&[
            ("p", &[(2015, 1.0), (2016, 2.0)]),
            ("w", &[(2015, 1.0), (2016, 3.0)]),
        ]);
        let (df, notes) = panel(
            own.lazy(),
            Some(converted.lazy()),
            &[],
            &spec(&["p", "w"], Some(("p", "w"))),
            Span::default(),
        )
        .unwrap();
        assert_eq!(f64s(&df, "w"), [Some(10.0), Some(30.0)]);
        assert_eq!(f64s(&df, "w_yoy"), [None, Some(2.0)]);
        assert_eq!(f64s(&df, SHARE), [Some(1.0), Some(2.0 / 3.0)]);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            df.width(),
            8,
            "no internal columns left: {:?}",
            df.get_column_names()
        );
    }

    #[test]
    fn share_notes_only_where_part_or_whole_is_there_and_no_notes_for_series_not_shown() {
        // 2017 has only c; w is not shown and has a gap and a zero.
        let df = frame(&[
            ("c", &[(2015, 5.0), (2016, 6.0), (2017, 7.0)]),
            ("p", &[(2015, 1.0), (2016, 2.0)]),
            ("w", &[(2015, 0.0), (2016, 20.0)]),
        ]);
        let (out, notes) = panel(
            df.lazy(),
            None,
            &[],
            &spec(&["c", "p"], Some(("p", "w"))),
            Span::default(),
        )
        .unwrap();
        assert_eq!(f64s(&out, SHARE), [None, Some(0.1), None]);
        assert_eq!(
            notes[0].text(),
            "2015: share undefined, w is 0 (not positive)"
        );
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn colliding_column_names_are_an_error() {
        let df = frame(&[("a", &[(2015, 1.0)]), ("a_yoy", &[(2015, 2.0)])]);
        let err = panel(
            df.lazy(),
            None,
            &[],
            &spec(&["a", "a_yoy"], None),
            Span::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("column \"a_yoy\" for series \"a_yoy\" would appear twice"),
            "{err}"
        );
        let err = panel(
            seed().lazy(),
            None,
            &["share".to_string()],
            &spec(&["cbec"], Some(("cbec", "trade"))),
            Span::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("column \"share\" for the share"), "{err}");
    }
}
