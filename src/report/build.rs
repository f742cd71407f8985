//! What a report holds: its sections, the analyses in them, their tables and figures, and
//! the figures' files. Each analysis is asked for once ([`Analyses`]); its tables and its
//! figure are both made from that one result.

use super::{Block, Figure, Report, Section};
use crate::analysis::growth::Growth;
use crate::analysis::index::Indexed;
use crate::analysis::project::{Method, Projection};
use crate::analysis::share::Share;
use crate::analysis::Selected;
use crate::chart;
use crate::data::{Claim, Dataset, ReportDefaults};
use crate::output::Output;
use crate::schema::SERIES;
use anyhow::{bail, Result};
use polars::prelude::*;

/// Every projection method: the report projects, backtests and checks claims with all.
const ALL: [Method; 5] = [
    Method::Linear,
    Method::LogLinear,
    Method::Drift,
    Method::Holt,
    Method::Cagr,
];

/// Size of the report's figures, in pixels.
const FIGURE_SIZE: (u32, u32) = (800, 440);

/// What goes into a report beyond the data.
pub struct Settings {
    pub share: Option<(String, String)>,
    pub claims: Vec<Claim>,
    pub claim_source: Option<String>,
    pub horizon: u16,
    pub precision: usize,
    pub timestamp: Option<String>,
}

impl Settings {
    /// The data's own report defaults where the command line gives none: its share, and its
    /// claims (with where they come from) when neither a claim nor a claims file is given.
    pub fn or_defaults(mut self, defaults: &ReportDefaults, claims_file: bool) -> Self {
        if self.share.is_none() {
            let share = defaults.share.as_ref();
            self.share = share.map(|s| (s.part.clone(), s.whole.clone()));
        }
        if self.claims.is_empty() && !claims_file {
            self.claims = defaults.claims.clone();
            self.claim_source = defaults.claim_source.clone();
        }
        self
    }
}

/// A result computed once, and the tables its command describes it as.
pub struct Described<T> {
    pub computed: Selected<T>,
    pub tables: Output,
}

impl<T> Described<T> {
    pub fn new(tables: Output, computed: Selected<T>) -> Self {
        Described { computed, tables }
    }
}

/// The analyses a report shows, on the report's data: each call computes its result (the
/// report calls each once) and describes it as its command's tables. An error is what the
/// data cannot give; the report says so in place of the section's tables.
pub trait Analyses {
    /// The selected data (`show`).
    fn data(&self) -> Result<Described<DataFrame>>;
    fn growth(&self) -> Result<Described<Growth>>;
    /// Index numbers on each series' first year.
    fn index(&self) -> Result<Described<Indexed>>;
    fn share(&self, part: &str, whole: &str) -> Result<Described<Share>>;
    /// Every series projected `horizon` years with `methods`: the tables without history
    /// rows, the computed result with them (what each series' figure draws).
    fn project(&self, methods: &[Method], horizon: u16) -> Result<Described<Projection>>;
    fn backtest(&self, methods: &[Method]) -> Result<Output>;
    fn check(&self, claims: &[Claim], methods: &[Method]) -> Result<Output>;
}

/// The report on `dataset`: its sections in order, each analysis asked of `analyses` once.
pub fn build(analyses: &impl Analyses, dataset: &Dataset, settings: &Settings) -> Result<Report> {
    check_share(dataset, settings)?;
    let mut conventions: Vec<String> = Vec::new();
    let mut sections = vec![data_section(analyses, dataset)?];
    sections.push(growth_section(analyses, dataset, &mut conventions));
    sections.push(share_section(analyses, dataset, settings, &mut conventions));
    sections.push(index_section(analyses, dataset, &mut conventions));
    sections.push(projections_section(
        analyses,
        dataset,
        settings,
        &mut conventions,
    )?);
    sections.push(backtest_section(analyses, &mut conventions));
    sections.push(claims_section(analyses, settings, &mut conventions)?);
    sections.push(methods_section(conventions));
    let source = &dataset.source;
    Ok(Report {
        title: source
            .title
            .clone()
            .unwrap_or_else(|| format!("tradestat report on {}", source.input)),
        preamble: preamble(dataset, settings),
        sections,
        precision: settings.precision,
    })
}

/// The lines under the title: input, its SHA-256, tool version, optional timestamp.
fn preamble(dataset: &Dataset, settings: &Settings) -> Vec<String> {
    let source = &dataset.source;
    let mut preamble = vec![format!("Input: {}", source.input)];
    if let Some(sha) = &source.sha256 {
        preamble.push(format!("SHA-256 of the input: {sha}"));
    }
    preamble.push(format!("tradestat {}", env!("CARGO_PKG_VERSION")));
    if let Some(t) = &settings.timestamp {
        preamble.push(format!("Generated: {t}"));
    }
    preamble
}

/// The share's series are the user's own input, like claims: a name that is not in the data
/// is an error, not a note. (What the data then cannot give is a note.)
fn check_share(dataset: &Dataset, settings: &Settings) -> Result<()> {
    if let Some((part, whole)) = &settings.share {
        let part = dataset.resolve_series("--part", std::slice::from_ref(part))?;
        let whole = dataset.resolve_series("--whole", std::slice::from_ref(whole))?;
        if part == whole {
            bail!(
                "--part and --whole are both {:?} (expected two different series)",
                part[0]
            );
        }
    }
    Ok(())
}

/// The note in place of what the data cannot give (`what`: "growth figure", …), so one
/// table or figure never costs the whole report.
fn missing(what: &str, e: &anyhow::Error) -> Block {
    Block::Text(format!("No {what}: {e:#}"))
}

/// The figure `file` with its caption, drawn at the report's size; or, when the data cannot
/// give it (one year has no growth to draw, values that overflow have no index), a note in
/// its place saying which (`what`) and why.
fn figure(figure: Result<chart::Figure>, file: &str, caption: &str, what: &str) -> Block {
    let (width, height) = FIGURE_SIZE;
    match figure.and_then(|f| f.draw(None, width, height)) {
        Ok(svg) => Block::Figure(Figure {
            file: file.to_string(),
            caption: caption.to_string(),
            svg,
        }),
        Err(e) => missing(what, &e),
    }
}

/// Adds a command's tables, warnings and notes to `section` under the file stem `stem` (see
/// [`Section::add_output`]) and remembers its conventions.
fn add_tables(section: &mut Section, conventions: &mut Vec<String>, out: &Output, stem: &str) {
    for c in &out.meta.conventions {
        if !conventions.contains(c) {
            conventions.push(c.clone());
        }
    }
    section.add_output(out, stem);
}

/// The input's title, citation, series and notes, the data's table and its figure.
fn data_section(analyses: &impl Analyses, dataset: &Dataset) -> Result<Section> {
    let source = &dataset.source;
    let mut data = Section::new("data", "Data");
    if let Some(title) = &source.title {
        data.blocks.push(Block::Text(title.clone()));
    }
    if let Some(citation) = &source.citation {
        data.blocks.push(Block::Text(format!("Source: {citation}")));
    }
    let units = dataset.units()?;
    let series_lines: Vec<String> = dataset
        .series_names()?
        .into_iter()
        .map(|s| {
            let about = source
                .series
                .get(&s)
                .map(|a| format!(" — {a}"))
                .unwrap_or_default();
            let unit = units.get(&s).map_or("no unit".to_string(), |u| u.clone());
            format!("{s} ({unit}){about}")
        })
        .collect();
    data.blocks.push(Block::List(series_lines));
    if !source.notes.is_empty() {
        data.blocks.push(Block::List(source.notes.clone()));
    }
    let (file, caption, what) = ("series.svg", "The series over time", "figure of the series");
    match analyses.data() {
        Ok(shown) => {
            // The data's own table carries no conventions; its notes (empty cells) are kept.
            add_tables(&mut data, &mut Vec::new(), &shown.tables, "data");
            let series = chart::series(&shown.computed, &dataset.keys(), source);
            data.blocks.push(figure(series, file, caption, what));
        }
        Err(e) => {
            data.blocks.push(missing("data table", &e));
            data.blocks.push(missing(what, &e));
        }
    }
    Ok(data)
}

/// Adds the tables of `described` under the file stem `stem`, then the block `figure` makes
/// of the same computed result; or, when the data cannot give the result, a note in their
/// place saying which (`tables`: "growth tables", …) and why.
fn add_described<T>(
    section: &mut Section,
    conventions: &mut Vec<String>,
    described: Result<Described<T>>,
    (stem, tables): (&str, &str),
    figure: impl FnOnce(&Selected<T>) -> Block,
) {
    match described {
        Ok(described) => {
            add_tables(section, conventions, &described.tables, stem);
            section.blocks.push(figure(&described.computed));
        }
        Err(e) => section.blocks.push(missing(tables, &e)),
    }
}

fn growth_section(
    analyses: &impl Analyses,
    dataset: &Dataset,
    conventions: &mut Vec<String>,
) -> Section {
    let mut section = Section::new("growth", "Growth and CAGR");
    let stem = ("growth", "growth tables");
    add_described(
        &mut section,
        conventions,
        analyses.growth(),
        stem,
        |growth| {
            let bars = chart::growth(growth, &dataset.keys());
            figure(bars, "growth.svg", "Year-on-year growth", "growth figure")
        },
    );
    section
}

fn share_section(
    analyses: &impl Analyses,
    dataset: &Dataset,
    settings: &Settings,
    conventions: &mut Vec<String>,
) -> Section {
    let mut section = Section::new("shares", "Shares and contributions");
    let Some((part, whole)) = &settings.share else {
        let text = "No share requested: pass --part and --whole.".to_string();
        section.blocks.push(Block::Text(text));
        return section;
    };
    let stem = ("share", "share table");
    add_described(
        &mut section,
        conventions,
        analyses.share(part, whole),
        stem,
        |share| {
            let lines = chart::share(share, &dataset.groups, part, whole);
            let caption = format!("Share of {part} in {whole}");
            figure(lines, "share.svg", &caption, "share figure")
        },
    );
    section
}

fn index_section(
    analyses: &impl Analyses,
    dataset: &Dataset,
    conventions: &mut Vec<String>,
) -> Section {
    let mut section = Section::new("index", "Index");
    let stem = ("index", "index table");
    add_described(&mut section, conventions, analyses.index(), stem, |index| {
        let lines = chart::index(index, &dataset.keys(), None);
        let caption = "Index numbers (first year = 100)";
        figure(lines, "index.svg", caption, "index figure")
    });
    section
}

fn projections_section(
    analyses: &impl Analyses,
    dataset: &Dataset,
    settings: &Settings,
    conventions: &mut Vec<String>,
) -> Result<Section> {
    let mut section = Section::new("projections", "Projections");
    let keys = dataset.keys();
    match analyses.project(&ALL, settings.horizon) {
        Ok(projected) => {
            add_tables(&mut section, conventions, &projected.tables, "projections");
            // One list of names, files and captions: each figure's file and caption travel
            // together into report.md, report.html and figures/.
            for (name, file) in projection_files(&dataset.series_names()?) {
                let caption = format!("{name}: history and projections with 80 % and 95 % bands");
                let what = format!("projection figure for {name}");
                let lines = projection_figure(&projected.computed, &keys, &name);
                section.blocks.push(figure(lines, &file, &caption, &what));
            }
        }
        Err(e) => section.blocks.push(missing("projections", &e)),
    }
    Ok(section)
}

/// The figure of one series' history and projections, from the report's one projection.
fn projection_figure(
    projected: &Selected<Projection>,
    keys: &[String],
    name: &str,
) -> Result<chart::Figure> {
    let forecasts = projected
        .result
        .forecasts
        .clone()
        .lazy()
        .filter(col(SERIES).eq(lit(name)))
        .collect()?;
    let mut units = projected.units.clone();
    units.retain(|series, _| series == name);
    chart::projection(&forecasts, keys, &units)
}

fn backtest_section(analyses: &impl Analyses, conventions: &mut Vec<String>) -> Section {
    let mut section = Section::new("backtest", "Backtest");
    match analyses.backtest(&ALL) {
        Ok(out) => add_tables(&mut section, conventions, &out, "backtest"),
        Err(e) => section.blocks.push(missing("backtest", &e)),
    }
    section
}

fn claims_section(
    analyses: &impl Analyses,
    settings: &Settings,
    conventions: &mut Vec<String>,
) -> Result<Section> {
    let mut section = Section::new("claims", "Claim checks");
    if let Some(text) = &settings.claim_source {
        section.blocks.push(Block::Text(text.clone()));
    }
    if settings.claims.is_empty() {
        section.blocks.push(Block::Text(
            "No claims to check: pass --claim \"SERIES YEAR VALUE\" or --claims FILE.".to_string(),
        ));
    } else {
        // Claims are the user's own input: a claim that cannot be checked is an error.
        let out = analyses.check(&settings.claims, &ALL)?;
        add_tables(&mut section, conventions, &out, "claims");
    }
    Ok(section)
}

/// How every number above was made: the conventions of the analyses shown, and the methods.
fn methods_section(conventions: Vec<String>) -> Section {
    let mut section = Section::new("methods", "Methods");
    section.blocks.push(Block::Text(
        "Every number above was computed by tradestat from the input named at the top. Rates are per year, not per row: a missing year gives an empty growth rate, never a multi-year change posing as one. Tables round for reading; the CSV and JSON files beside this report keep full precision.".to_string(),
    ));
    section.blocks.push(Block::List(conventions));
    section.blocks.push(Block::Text(
        "Prediction intervals are two-sided; quantiles come from Student's t (linear, log-linear; T − 2 degrees of freedom) and the normal distribution (drift, Holt), computed by the statrs library. Holt's α and β* minimise the one-step squared error (Nelder–Mead); on 8 years or fewer its interval is flagged as untrustworthy and left out of claim verdicts.".to_string(),
    ));
    section
}

/// Longest series part of a figure's file name, in bytes (file systems allow 255 in all).
const MAX_SLUG: usize = 60;

/// The file of each series' projection figure, `projection-<name>.svg`, unique among them and
/// safe on any file system. A name of ASCII letters, digits, `-` and `_` is used as it is (the
/// files of ordinary series keep their names); any other name becomes a slug of those
/// characters (runs of others as one `_`, at most [`MAX_SLUG`] bytes) plus the first six hex
/// digits of its SHA-256, so `a b`, `a/b`, `外贸` and `出口` each get their own file. Of plain
/// names equal but for case (`CBEC`, `cbec`, one file on a case-insensitive file system), all
/// but the last one in order get the hash too, so each file name stays unique.
fn projection_files(names: &[String]) -> Vec<(String, String)> {
    use sha2::{Digest, Sha256};
    let plain = |name: &str| {
        !name.is_empty()
            && name.len() <= MAX_SLUG
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let hashed = |name: &str| {
        let mut slug = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                slug.push(c);
            } else if !slug.ends_with('_') {
                slug.push('_');
            }
        }
        slug.truncate(MAX_SLUG);
        let slug = slug.trim_matches('_');
        let digest = Sha256::digest(name.as_bytes());
        let hash: String = digest[..3].iter().map(|b| format!("{b:02x}")).collect();
        if slug.is_empty() {
            hash
        } else {
            format!("{slug}-{hash}")
        }
    };
    let folded = |name: &str| name.to_ascii_lowercase();
    let mut stems: Vec<String> = names
        .iter()
        .map(|n| if plain(n) { n.clone() } else { hashed(n) })
        .collect();
    let clashes = |stems: &[String], i: usize| {
        stems
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && folded(other) == folded(&stems[i]))
    };
    for i in 0..stems.len() {
        if plain(&names[i]) && clashes(&stems, i) {
            stems[i] = hashed(&names[i]);
        }
    }
    // Six hex digits could still coincide; a counter settles it, in the order of the names.
    for i in 0..stems.len() {
        let mut n = 2;
        let base = stems[i].clone();
        while stems[..i].iter().any(|s| folded(s) == folded(&stems[i])) {
            stems[i] = format!("{base}-{n}");
            n += 1;
        }
    }
    names
        .iter()
        .zip(stems)
        .map(|(name, stem)| (name.clone(), format!("projection-{stem}.svg")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::project::{self, series_of, Plan};
    use crate::analysis::{growth, index, share};
    use crate::data::{load_with, parse_claim, Input, ReadOptions};
    use crate::output::Meta;
    use crate::report::files as report_files;
    use crate::schema::Span;
    use polars::prelude::{IntoLazy, LazyFrame};
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// Analyses that count how often the report asks for each. A report reaches analyses
    /// only through [`Analyses`] (src/layering.rs keeps `report` from naming `cmd`, where
    /// they run), so these counts are how often a report runs each. The results are real
    /// (computed here on the bundled data), so the figures are drawn from them; the tables
    /// are left empty.
    struct Counting {
        dataset: Dataset,
        calls: RefCell<BTreeMap<&'static str, usize>>,
    }

    impl Counting {
        fn count(&self, what: &'static str) {
            *self.calls.borrow_mut().entry(what).or_default() += 1;
        }

        fn tables(&self) -> Output {
            Output::new(Meta::new("test", self.dataset.source.clone()))
        }

        fn described<T>(&self, what: &'static str, result: Result<T>) -> Result<Described<T>> {
            self.count(what);
            let units = self.dataset.units()?;
            Ok(Described::new(
                self.tables(),
                Selected {
                    result: result?,
                    units,
                },
            ))
        }

        fn frame(&self) -> LazyFrame {
            self.dataset.frame.clone().lazy()
        }
    }

    impl Analyses for Counting {
        fn data(&self) -> Result<Described<DataFrame>> {
            self.described("data", Ok(self.dataset.frame.clone()))
        }

        fn growth(&self) -> Result<Described<Growth>> {
            let keys = self.dataset.keys();
            let result = growth::run(self.frame(), &keys, Span::default());
            self.described("growth", result)
        }

        fn index(&self) -> Result<Described<Indexed>> {
            let keys = self.dataset.keys();
            let result = index::run(self.frame(), &keys, Span::default(), None);
            self.described("index", result)
        }

        fn share(&self, part: &str, whole: &str) -> Result<Described<Share>> {
            let groups = &self.dataset.groups;
            let result = share::run(self.frame(), groups, part, whole, Span::default());
            self.described("share", result)
        }

        fn project(&self, methods: &[Method], horizon: u16) -> Result<Described<Projection>> {
            let keys = self.dataset.keys();
            let units = self.dataset.units()?;
            let all = series_of(&self.dataset.frame, &keys)?;
            let plan = Plan {
                methods: methods.to_vec(),
                to: None,
                horizon,
                levels: vec![80.0, 95.0],
                with_history: true,
            };
            let result = project::run(&all, &keys, &units, &plan);
            self.described("project", result)
        }

        fn backtest(&self, _: &[Method]) -> Result<Output> {
            self.count("backtest");
            Ok(self.tables())
        }

        fn check(&self, _: &[Claim], _: &[Method]) -> Result<Output> {
            self.count("check");
            Ok(self.tables())
        }
    }

    #[test]
    fn each_analysis_runs_once_per_report() {
        let dataset = load_with(&Input::Bundled, &ReadOptions::default()).unwrap();
        let analyses = Counting {
            dataset,
            calls: RefCell::default(),
        };
        let settings = Settings {
            share: Some(("cbec".to_string(), "trade".to_string())),
            claims: vec![parse_claim("cbec 2020 1.5").unwrap()],
            claim_source: None,
            horizon: 3,
            precision: 2,
            timestamp: None,
        };
        let report = build(&analyses, &analyses.dataset, &settings).unwrap();
        let once = [
            "backtest", "check", "data", "growth", "index", "project", "share",
        ];
        let expected: BTreeMap<&str, usize> = once.into_iter().map(|a| (a, 1)).collect();
        assert_eq!(analyses.calls.into_inner(), expected);
        // Each section's figure is drawn from the one result its tables came from.
        let figures: Vec<&str> = report
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .filter_map(|b| match b {
                Block::Figure(f) => Some(f.file.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            figures,
            [
                "series.svg",
                "growth.svg",
                "share.svg",
                "index.svg",
                "projection-cbec.svg",
                "projection-trade.svg"
            ]
        );
    }

    #[test]
    fn two_figures_on_one_file_are_refused() {
        let figure = |file: &str| {
            Block::Figure(Figure {
                file: file.to_string(),
                caption: file.to_string(),
                svg: "<svg/>".to_string(),
            })
        };
        let mut section = Section::new("projections", "Projections");
        section.blocks = vec![figure("projection-x.svg"), figure("projection-X.svg")];
        let report = Report {
            title: "t".to_string(),
            preamble: Vec::new(),
            sections: vec![section],
            precision: 2,
        };
        let e = report_files(&report).unwrap_err().to_string();
        assert!(e.contains("figures/projection-X.svg"), "{e}");
    }

    fn files(names: &[&str]) -> Vec<String> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        projection_files(&names)
            .into_iter()
            .map(|(_, file)| file)
            .collect()
    }

    #[test]
    fn plain_names_keep_their_files() {
        assert_eq!(
            files(&["cbec", "trade", "a_b-1"]),
            [
                "projection-cbec.svg",
                "projection-trade.svg",
                "projection-a_b-1.svg"
            ]
        );
    }

    #[test]
    fn other_names_get_distinct_safe_files() {
        for names in [
            &["外贸", "出口"][..],
            &["a b", "a/b", "a_b"],
            &["CBEC", "cbec"],
            &["x", "x", "X"],
            &[""],
        ] {
            let files = files(names);
            let mut folded: Vec<String> = files.iter().map(|f| f.to_ascii_lowercase()).collect();
            folded.sort();
            folded.dedup();
            assert_eq!(folded.len(), names.len(), "{names:?}: {files:?}");
            for f in &files {
                assert!(
                    f.starts_with("projection-")
                        && f.ends_with(".svg")
                        && f.len() <= 100
                        && f.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                    "{f}"
                );
            }
        }
        let slashed = files(&["a b", "a/b", "a_b"]);
        assert!(slashed[0].starts_with("projection-a_b-"), "{slashed:?}");
        assert_eq!(slashed[2], "projection-a_b.svg");
        assert!(files(&[&"é".repeat(300)])[0].len() <= 100);
        assert!(files(&[&"x".repeat(300)])[0].len() <= 100);
    }
}
