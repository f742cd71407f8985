//! `tradestat report --out DIR`: every table and figure for the data in one directory.

use super::chart::{self, ChartRequest};
use super::project::ProjectRequest;
use super::{backtest, check, growth, index, project, share, show};
use crate::analysis::project::Method;
use crate::chart::ChartKind;
use crate::cli::ReportArgs;
use crate::config::Config;
use crate::data::{load_claims, parse_claim, Claim, Dataset};
use crate::output::Output;
use crate::pipeline::Pipeline;
use crate::report::{self, Block, Figure, Report, Section};
use anyhow::{bail, Result};
use std::io::Write;

const ALL: [Method; 5] = [
    Method::Linear,
    Method::LogLinear,
    Method::Drift,
    Method::Holt,
    Method::Cagr,
];

pub fn run(args: ReportArgs) -> Result<()> {
    let config = Config::new(args.data, Default::default(), Default::default())?;
    let mut pipeline = Pipeline::new(config);
    let dataset = pipeline.load()?;
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
    let report = build(pipeline.config(), &dataset, &settings)?;
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

/// A figure, or — when the data cannot give it (one year has no growth to draw, values that
/// overflow have no index) — a note in its place saying which and why, so one figure never
/// costs the whole report. `what` names the figure in the note ("No growth figure: …").
fn figure(
    common: &Config,
    dataset: &Dataset,
    request: &ChartRequest,
    file: &str,
    caption: &str,
    what: &str,
) -> Block {
    match chart::build(common, dataset, request) {
        Ok(svg) => Block::Figure(Figure {
            file: file.to_string(),
            caption: caption.to_string(),
            svg,
        }),
        Err(e) => Block::Text(format!("No {what}: {e:#}")),
    }
}

/// Adds a command's tables, warnings and notes to `section` under the file stem `stem` (see
/// [`Section::add_output`]) and remembers its conventions; when the data cannot give the
/// result, a note in its place, as for [`figure`]. True when the tables are there.
fn add_tables(
    section: &mut Section,
    conventions: &mut Vec<String>,
    result: Result<Output>,
    stem: &str,
    what: &str,
) -> bool {
    match result {
        Ok(out) => {
            for c in &out.meta.conventions {
                if !conventions.contains(c) {
                    conventions.push(c.clone());
                }
            }
            section.add_output(&out, stem);
            true
        }
        Err(e) => {
            section
                .blocks
                .push(Block::Text(format!("No {what}: {e:#}")));
            false
        }
    }
}

pub fn build(common: &Config, dataset: &Dataset, settings: &Settings) -> Result<Report> {
    let source = &dataset.source;
    let mut preamble = vec![format!("Input: {}", source.input)];
    if let Some(sha) = &source.sha256 {
        preamble.push(format!("SHA-256 of the input: {sha}"));
    }
    preamble.push(format!("tradestat {}", env!("CARGO_PKG_VERSION")));
    if let Some(t) = &settings.timestamp {
        preamble.push(format!("Generated: {t}"));
    }
    // The share's series are the user's own input, like claims: a name that is not in the
    // data is an error, not a note. (What the data then cannot give is a note.)
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
    let mut sections = Vec::new();
    let mut conventions: Vec<String> = Vec::new();

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
    // The data's own table carries no conventions; its notes (empty cells) are kept.
    add_tables(
        &mut data,
        &mut Vec::new(),
        show::build(common, dataset, &[]),
        "data",
        "data table",
    );
    data.blocks.push(figure(
        common,
        dataset,
        &chart_request(ChartKind::Series),
        "series.svg",
        "The series over time",
        "figure of the series",
    ));
    sections.push(data);

    // Growth and CAGR
    let mut section = Section::new("growth", "Growth and CAGR");
    let built = add_tables(
        &mut section,
        &mut conventions,
        growth::build(common, dataset, &[], false),
        "growth",
        "growth tables",
    );
    if built {
        section.blocks.push(figure(
            common,
            dataset,
            &chart_request(ChartKind::Growth),
            "growth.svg",
            "Year-on-year growth",
            "growth figure",
        ));
    }
    sections.push(section);

    // Shares
    let mut section = Section::new("shares", "Shares and contributions");
    match &settings.share {
        Some((part, whole)) => {
            let built = add_tables(
                &mut section,
                &mut conventions,
                share::build(common, dataset, part, whole),
                "share",
                "share table",
            );
            if built {
                let request = ChartRequest {
                    part: Some(part.clone()),
                    whole: Some(whole.clone()),
                    ..chart_request(ChartKind::Share)
                };
                let caption = format!("Share of {part} in {whole}");
                section.blocks.push(figure(
                    common,
                    dataset,
                    &request,
                    "share.svg",
                    &caption,
                    "share figure",
                ));
            }
        }
        None => section.blocks.push(Block::Text(
            "No share requested: pass --part and --whole.".to_string(),
        )),
    }
    sections.push(section);

    // Index
    let mut section = Section::new("index", "Index");
    let built = add_tables(
        &mut section,
        &mut conventions,
        index::build(common, dataset, &[], None),
        "index",
        "index table",
    );
    if built {
        section.blocks.push(figure(
            common,
            dataset,
            &chart_request(ChartKind::Index),
            "index.svg",
            "Index numbers (first year = 100)",
            "index figure",
        ));
    }
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
    let built = add_tables(
        &mut section,
        &mut conventions,
        project::build(common, dataset, &request),
        "projections",
        "projections",
    );
    if built {
        // One list of names, files and captions: each figure's file and caption travel
        // together into report.md, report.html and figures/.
        for (name, file) in projection_files(&dataset.series_names()?) {
            let caption = format!("{name}: history and projections with 80 % and 95 % bands");
            let request = ChartRequest {
                series: vec![name.clone()],
                horizon: settings.horizon,
                ..chart_request(ChartKind::Projection)
            };
            section.blocks.push(figure(
                common,
                dataset,
                &request,
                &file,
                &caption,
                &format!("projection figure for {name}"),
            ));
        }
    }
    sections.push(section);

    // Backtest
    let mut section = Section::new("backtest", "Backtest");
    add_tables(
        &mut section,
        &mut conventions,
        backtest::build(common, dataset, &[], &ALL, (1, 3), false),
        "backtest",
        "backtest",
    );
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
        // Claims are the user's own input: a claim that cannot be checked is an error.
        let (out, _) = check::build(common, dataset, &settings.claims, &ALL, "--claim", false)?;
        add_tables(
            &mut section,
            &mut conventions,
            Ok(out),
            "claims",
            "claim checks",
        );
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
    use super::projection_files;
    use crate::report::{files as report_files, Block, Figure, Report, Section};

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
