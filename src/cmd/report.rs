//! `tradestat report --out DIR`: every table and figure for the data in one directory.

use super::chart::{self, ChartRequest};
use super::project::ProjectRequest;
use super::{backtest, check, growth, index, project, share, show, Common};
use crate::analysis::project::Method;
use crate::cli::{ChartKind, ReportArgs};
use crate::data::{load_claims, parse_claim, Claim, Dataset};
use crate::report::{self, Block, Figure, Report, Section};
use anyhow::Result;
use std::io::Write;

const ALL: [Method; 5] = [
    Method::Linear,
    Method::LogLinear,
    Method::Drift,
    Method::Holt,
    Method::Cagr,
];

pub fn run(args: ReportArgs) -> Result<()> {
    let mut common = Common::new(args.data, Default::default(), Default::default())?;
    let dataset = common.load()?;
    let mut claims: Vec<Claim> = args
        .claim
        .iter()
        .map(|c| parse_claim(c))
        .collect::<Result<_>>()?;
    if let Some(path) = &args.claims {
        claims.extend(load_claims(path)?);
    }
    let defaults = &dataset.report;
    let share_pair = match (&args.part, &args.whole) {
        (Some(p), Some(w)) => Some((p.clone(), w.clone())),
        (None, None) => defaults
            .share
            .as_ref()
            .map(|s| (s.part.clone(), s.whole.clone())),
        _ => anyhow::bail!("--part and --whole go together (e.g. --part cbec --whole trade)"),
    };
    let claim_source = if claims.is_empty() && args.claims.is_none() {
        claims = defaults.claims.clone();
        defaults.claim_source.clone()
    } else {
        None
    };
    let timestamp = args
        .timestamp
        .then(|| humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string());
    let settings = Settings {
        share: share_pair,
        claims,
        claim_source,
        horizon: args.horizon,
        precision: usize::from(args.precision),
        timestamp,
    };
    let report = build(&common, &dataset, &settings)?;
    let files = report::files(&report)?;
    report::write_dir_atomic(&args.out, &files, args.force)?;
    // A closed stderr is no reason to fail a report that is already written.
    let _ = writeln!(
        std::io::stderr(),
        "tradestat: wrote {} files to {}",
        files.len(),
        args.out.display()
    );
    Ok(())
}

/// What goes into a report beyond the data.
pub struct Settings {
    pub share: Option<(String, String)>,
    pub claims: Vec<Claim>,
    pub claim_source: Option<String>,
    pub horizon: u16,
    pub precision: usize,
    pub timestamp: Option<String>,
}

/// A chart request for the report: the defaults of `tradestat chart`, at report width.
fn chart_request(kind: ChartKind) -> ChartRequest {
    ChartRequest {
        kind,
        series: Vec::new(),
        part: None,
        whole: None,
        base: None,
        methods: ALL.to_vec(),
        horizon: 3,
        title: None,
        width: 800,
        height: 440,
    }
}

fn figure(
    common: &Common,
    dataset: &Dataset,
    request: &ChartRequest,
    file: &str,
    caption: &str,
) -> Result<Block> {
    Ok(Block::Figure(Figure {
        file: file.to_string(),
        caption: caption.to_string(),
        svg: chart::build(common, dataset, request)?,
    }))
}

pub fn build(common: &Common, dataset: &Dataset, settings: &Settings) -> Result<Report> {
    let source = &dataset.source;
    let mut preamble = vec![format!("Input: {}", source.input)];
    if let Some(sha) = &source.sha256 {
        preamble.push(format!("SHA-256 of the input: {sha}"));
    }
    preamble.push(format!("tradestat {}", env!("CARGO_PKG_VERSION")));
    if let Some(t) = &settings.timestamp {
        preamble.push(format!("Generated: {t}"));
    }
    let mut sections = Vec::new();
    let mut conventions: Vec<String> = Vec::new();
    let mut learn = |out: &crate::output::Output| {
        for c in &out.meta.conventions {
            if !conventions.contains(c) {
                conventions.push(c.clone());
            }
        }
    };

    // Data
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
    let shown = show::build(common, dataset, &[])?;
    data.add_output(&shown, "data");
    data.blocks.push(figure(
        common,
        dataset,
        &chart_request(ChartKind::Series),
        "series.svg",
        "The series over time",
    )?);
    sections.push(data);

    // Growth and CAGR
    let mut section = Section::new("growth", "Growth and CAGR");
    let out = growth::build(common, dataset, &[], false)?;
    learn(&out);
    section.add_output(&out, "growth");
    section.blocks.push(figure(
        common,
        dataset,
        &chart_request(ChartKind::Growth),
        "growth.svg",
        "Year-on-year growth",
    )?);
    sections.push(section);

    // Shares
    let mut section = Section::new("shares", "Shares and contributions");
    match &settings.share {
        Some((part, whole)) => {
            let out = share::build(common, dataset.clone(), part, whole)?;
            learn(&out);
            section.add_output(&out, "share");
            let request = ChartRequest {
                part: Some(part.clone()),
                whole: Some(whole.clone()),
                ..chart_request(ChartKind::Share)
            };
            let caption = format!("Share of {part} in {whole}");
            section
                .blocks
                .push(figure(common, dataset, &request, "share.svg", &caption)?);
        }
        None => section.blocks.push(Block::Text(
            "No share requested: pass --part and --whole.".to_string(),
        )),
    }
    sections.push(section);

    // Index
    let mut section = Section::new("index", "Index");
    let out = index::build(common, dataset, &[], None)?;
    learn(&out);
    section.add_output(&out, "index");
    section.blocks.push(figure(
        common,
        dataset,
        &chart_request(ChartKind::Index),
        "index.svg",
        "Index numbers (first year = 100)",
    )?);
    sections.push(section);

    // Projections
    let mut section = Section::new("projections", "Projections");
    let request = ProjectRequest {
        series: Vec::new(),
        methods: ALL.to_vec(),
        to: None,
        horizon: settings.horizon,
        levels: vec![80.0, 95.0],
        with_history: false,
        models_only: false,
    };
    match project::build(common, dataset, &request) {
        Ok(out) => {
            learn(&out);
            section.add_output(&out, "projections");
            for name in dataset.series_names()? {
                let file = format!("projection-{}.svg", file_safe(&name));
                let caption = format!("{name}: history and projections with 80 % and 95 % bands");
                let request = ChartRequest {
                    series: vec![name.clone()],
                    horizon: settings.horizon,
                    ..chart_request(ChartKind::Projection)
                };
                match figure(common, dataset, &request, &file, &caption) {
                    Ok(block) => section.blocks.push(block),
                    Err(e) => section.blocks.push(Block::Text(format!(
                        "No projection figure for {name}: {e:#}"
                    ))),
                }
            }
        }
        Err(e) => section
            .blocks
            .push(Block::Text(format!("No projections: {e:#}"))),
    }
    sections.push(section);

    // Backtest
    let mut section = Section::new("backtest", "Backtest");
    match backtest::build(common, dataset, &[], &ALL, (1, 3), false) {
        Ok(out) => {
            learn(&out);
            section.add_output(&out, "backtest");
        }
        Err(e) => section
            .blocks
            .push(Block::Text(format!("No backtest: {e:#}"))),
    }
    sections.push(section);

    // Claims
    let mut section = Section::new("claims", "Claim checks");
    if let Some(text) = &settings.claim_source {
        section.blocks.push(Block::Text(text.clone()));
    }
    if settings.claims.is_empty() {
        section.blocks.push(Block::Text(
            "No claims to check: pass --claim \"SERIES YEAR VALUE\" or --claims FILE.".to_string(),
        ));
    } else {
        let (out, _) = check::build(common, dataset, &settings.claims, &ALL, "--claim", false)?;
        learn(&out);
        section.add_output(&out, "claims");
    }
    sections.push(section);

    // Methods
    let mut section = Section::new("methods", "Methods");
    section.blocks.push(Block::Text(
        "Every number above was computed by tradestat from the input named at the top. Rates are per year, not per row: a missing year gives an empty growth rate, never a multi-year change posing as one. Tables round for reading; the CSV and JSON files beside this report keep full precision.".to_string(),
    ));
    section.blocks.push(Block::List(conventions));
    section.blocks.push(Block::Text(
        "Prediction intervals are two-sided; quantiles come from Student's t (linear, log-linear; T − 2 degrees of freedom) and the normal distribution (drift, Holt), computed by the statrs library. Holt's α and β* minimise the one-step squared error (Nelder–Mead); on 8 years or fewer its interval is flagged as untrustworthy and left out of claim verdicts.".to_string(),
    ));
    sections.push(section);

    Ok(Report {
        title: source
            .title
            .clone()
            .unwrap_or_else(|| format!("tradestat report on {}", source.input)),
        preamble,
        sections,
        precision: settings.precision,
    })
}

/// A series name as a file name: letters, digits, `-` and `_`; anything else becomes `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
