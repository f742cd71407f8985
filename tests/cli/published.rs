//! Files shaped byte for byte like the publishers' own (tests/inputs/published, described in
//! its EXPECTED.md): each loads with no layout options and gives the hand-computed growth;
//! `inspect` on each is golden-tested, and its command line reads the file the same way.
//! Rows are found by column *name* (see [`field`]).

use super::{assert_close, input, ok, parse_csv, run, stderr, stdout};

/// `growth --data tests/inputs/published/<file> --format csv` plus `extra`; asserts success.
fn growth(file: &str, extra: &[&str]) -> String {
    let path = input(&format!("published/{file}"));
    let mut args = vec!["growth", "--data", path.as_str(), "--format", "csv"];
    args.extend_from_slice(extra);
    ok(&args)
}

/// The text in column `name` of the row whose columns `key` hold the given values; `None`
/// when no row matches. Panics when a column is missing or several rows match.
fn field(csv: &str, key: &[(&str, &str)], name: &str) -> Option<String> {
    let (header, rows) = parse_csv(csv);
    let pos = |c: &str| {
        header
            .iter()
            .position(|h| h == c)
            .unwrap_or_else(|| panic!("no column {c:?} in {header:?}"))
    };
    let wanted: Vec<(usize, &str)> = key.iter().map(|&(c, v)| (pos(c), v)).collect();
    let col = pos(name);
    let found: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| wanted.iter().all(|&(i, v)| r[i] == v))
        .collect();
    assert!(found.len() <= 1, "{} rows match {key:?}", found.len());
    found.first().map(|r| r[col].clone())
}

/// The float in column `name` of the row matching `key` (`None` for an empty cell).
fn at(csv: &str, key: &[(&str, &str)], name: &str) -> Option<f64> {
    let text = field(csv, key, name).unwrap_or_else(|| panic!("no row {key:?}"));
    (!text.is_empty()).then(|| text.parse().unwrap())
}

/// Checks one series against its published values, `(year, value)` for every year that has
/// one: the value as written (flags stripped, no scaling), the unit, no row for a missing
/// year, and per year YoY = v_t / v_{t-1} − 1 (only when t−1 is present), gap_growth =
/// (v_t / v_{t−k})^(1/k) − 1 after a gap of k > 1 years, and cagr_since_first =
/// (v_t / v_first)^(1/(t − first)) − 1, whose last value is the CAGR over the span.
fn check(csv: &str, key: &[(&str, &str)], unit: &str, points: &[(i32, f64)]) {
    let (first_year, first) = points[0];
    let mut prev: Option<(i32, f64)> = None;
    let (lo, hi) = (points[0].0 - 1, points[points.len() - 1].0);
    for year in lo..=hi {
        let y = year.to_string();
        let mut k = key.to_vec();
        k.push(("year", y.as_str()));
        let Some(&(_, value)) = points.iter().find(|p| p.0 == year) else {
            assert_eq!(
                field(csv, &k, "value"),
                None,
                "{k:?}: a missing year has no row"
            );
            continue;
        };
        assert_eq!(at(csv, &k, "value"), Some(value), "{k:?} value");
        assert_eq!(field(csv, &k, "unit").as_deref(), Some(unit), "{k:?} unit");
        match prev {
            None => {
                assert_eq!(at(csv, &k, "yoy"), None, "{k:?} first year");
                assert_eq!(at(csv, &k, "cagr_since_first"), None, "{k:?} first year");
            }
            Some((py, pv)) if year - py == 1 => {
                assert_close(at(csv, &k, "yoy"), value / pv - 1.0, 1e-12);
                assert_eq!(at(csv, &k, "gap_growth"), None, "{k:?}");
            }
            Some((py, pv)) => {
                assert_eq!(at(csv, &k, "yoy"), None, "{k:?}: no YoY after a gap");
                let gap = f64::from(year - py);
                assert_close(
                    at(csv, &k, "gap_growth"),
                    (value / pv).powf(1.0 / gap) - 1.0,
                    1e-12,
                );
            }
        }
        if year > first_year {
            let span = f64::from(year - first_year);
            assert_close(
                at(csv, &k, "cagr_since_first"),
                (value / first).powf(1.0 / span) - 1.0,
                1e-12,
            );
        }
        prev = Some((year, value));
    }
}

/// The `year` column of the rows whose columns `key` match, in output order.
fn years_of(csv: &str, key: &[(&str, &str)]) -> Vec<String> {
    let (header, rows) = parse_csv(csv);
    let pos = |c: &str| header.iter().position(|h| h == c).unwrap();
    let year = pos("year");
    rows.iter()
        .filter(|r| key.iter().all(|&(c, v)| r[pos(c)] == v))
        .map(|r| r[year].clone())
        .collect()
}

const EXPORTS: &str = "Exports of goods and services";
const IMPORTS: &str = "Imports of goods and services";

/// World Bank bulk download API_NE.EXP.GNFS.CD_DS2_en_csv_v2_<n>.csv: BOM, CRLF, 4 preamble
/// lines, every cell quoted, trailing comma, years 1960–2023 with values only in 2015–2019,
/// "Korea, Rep." (comma in a quoted name) with 2017 empty.
/// Expected: group `Country Code`; series = Indicator Name without its unit; unit USD.
#[test]
fn wdi_api_bulk_download() {
    let csv = growth("wdi-api.csv", &[]);
    let (header, _) = parse_csv(&csv);
    assert_eq!(
        header,
        [
            "Country Code",
            "series",
            "year",
            "unit",
            "value",
            "change",
            "yoy",
            "gap_growth",
            "cagr_since_first"
        ],
        "proposed layout; adjust to the front end"
    );
    let series = |code| [("Country Code", code), ("series", EXPORTS)];
    check(
        &csv,
        &series("CHN"),
        "USD",
        &[
            (2015, 2273468224113.46),
            (2016, 2199609508618.67),
            (2017, 2424208948853.17),
            (2018, 2655609104875.44),
            (2019, 2641517240000.1),
        ],
    );
    check(
        &csv,
        &series("KOR"),
        "USD",
        &[
            (2015, 626853300000.5),
            (2016, 603514400000.25),
            (2018, 722437100000.75),
            (2019, 665800000000.0),
        ],
    );
    check(
        &csv,
        &series("USA"),
        "USD",
        &[
            (2015, 2266700000000.0),
            (2016, 2232100000000.0),
            (2017, 2383800000000.0),
            (2018, 2533000000000.0),
            (2019, 2546300000000.0),
        ],
    );
    // The numbers of EXPECTED.md, as printed there.
    let k = |code, year| [("Country Code", code), ("series", EXPORTS), ("year", year)];
    assert_close(
        at(&csv, &k("CHN", "2016"), "yoy"),
        -0.032487243371783325,
        1e-15,
    );
    assert_close(
        at(&csv, &k("CHN", "2019"), "cagr_since_first"),
        0.03822418229674995,
        1e-15,
    );
    assert_close(
        at(&csv, &k("KOR", "2018"), "gap_growth"),
        0.09409794380935099,
        1e-15,
    );
    assert_close(
        at(&csv, &k("USA", "2019"), "cagr_since_first"),
        0.02950599836209733,
        1e-15,
    );
    // Nothing from the 59 empty year columns, nor from the trailing empty column.
    assert_eq!(parse_csv(&csv).1.len(), 5 + 4 + 5);

    // One country, as a user would pick it.
    let chn = growth("wdi-api.csv", &["--where", "Country Code=CHN"]);
    assert_eq!(parse_csv(&chn).1.len(), 5);
    assert_eq!(
        at(&chn, &k("CHN", "2017"), "yoy"),
        at(&csv, &k("CHN", "2017"), "yoy")
    );

    // The gap is reported as for any CSV (the note's wording may name the group).
    let out = run(&[
        "growth",
        "--data",
        &input("published/wdi-api.csv"),
        "--format",
        "csv",
    ]);
    assert!(
        stderr(&out).contains("2018: no value for 2017"),
        "{}",
        stderr(&out)
    );
}

/// World Bank DataBank download (<guid>_Data.csv): BOM, CRLF, `2015 [YR2015]` headers, ".."
/// for missing (China imports 2017), footer of 3 comma-only rows, "Data from database: …" and
/// "Last Updated: …", each padded with commas to the full width.
/// Expected: group `Country Code`; series = Series Name without its unit; unit USD.
#[test]
fn wdi_databank_export() {
    let csv = growth("wdi-databank.csv", &[]);
    let s = |code, name| [("Country Code", code), ("series", name)];
    check(
        &csv,
        &s("CHN", EXPORTS),
        "USD",
        &[
            (2015, 2273468224113.46),
            (2016, 2199609508618.67),
            (2017, 2424208948853.17),
            (2018, 2655609104875.44),
            (2019, 2641517240000.1),
        ],
    );
    check(
        &csv,
        &s("CHN", IMPORTS),
        "USD",
        &[
            (2015, 1979830000000.12),
            (2016, 1840000000000.5),
            (2018, 2549000000000.0),
            (2019, 2497000000000.75),
        ],
    );
    check(
        &csv,
        &s("USA", EXPORTS),
        "USD",
        &[
            (2015, 2266700000000.0),
            (2016, 2232100000000.0),
            (2017, 2383800000000.0),
            (2018, 2533000000000.0),
            (2019, 2546300000000.0),
        ],
    );
    check(
        &csv,
        &s("USA", IMPORTS),
        "USD",
        &[
            (2015, 2786500000000.0),
            (2016, 2738100000000.0),
            (2017, 2928600000000.0),
            (2018, 3138400000000.0),
            (2019, 3114200000000.0),
        ],
    );
    let k = |code, name, year| [("Country Code", code), ("series", name), ("year", year)];
    assert_close(
        at(&csv, &k("CHN", IMPORTS, "2018"), "gap_growth"),
        0.17699876251258018,
        1e-15,
    );
    assert_close(
        at(&csv, &k("CHN", IMPORTS, "2019"), "cagr_since_first"),
        0.059735932935014,
        1e-15,
    );
    assert_close(
        at(&csv, &k("USA", IMPORTS, "2019"), "cagr_since_first"),
        0.02818641932608168,
        1e-15,
    );
    // The footer is not data: 19 rows, none from "Data from database" or "Last Updated".
    assert_eq!(parse_csv(&csv).1.len(), 5 + 4 + 5 + 5);
    assert!(!csv.contains("Data from database") && !csv.contains("Last Updated"));
    // Same figures as the bulk download.
    let api = growth("wdi-api.csv", &[]);
    let e = |year| [("Country Code", "USA"), ("series", EXPORTS), ("year", year)];
    assert_eq!(at(&csv, &e("2018"), "yoy"), at(&api, &e("2018"), "yoy"));
}

/// Eurostat SDMX-API TSV (nama_10_gdp): first cell `freq,unit,na_item,geo\TIME_PERIOD`, tab
/// separated, `2015 ` headers with a trailing space, values `1607400.0 p`, `711500.5 e`,
/// `770100.0 b`, missing `: ` (FR P6 2015) and `: c` (FR P7 2017), LF, no BOM.
/// Expected: group `geo`; series = na_item code (P6 exports, P7 imports); unit CP_MEUR read
/// as "million EUR".
#[test]
fn eurostat_tsv() {
    let csv = growth("eurostat.tsv", &[]);
    let s = |geo, item| [("geo", geo), ("series", item)];
    let unit = "million EUR";
    check(
        &csv,
        &s("DE", "P6"),
        unit,
        &[
            (2015, 1418972.6),
            (2016, 1441456.0),
            (2017, 1542541.0),
            (2018, 1586300.0),
            (2019, 1607400.0),
        ],
    );
    check(
        &csv,
        &s("FR", "P6"),
        unit,
        &[
            (2016, 680200.0),
            (2017, 711500.5),
            (2018, 751000.0),
            (2019, 766000.0),
        ],
    );
    check(
        &csv,
        &s("DE", "P7"),
        unit,
        &[
            (2015, 1193600.0),
            (2016, 1203900.0),
            (2017, 1300100.0),
            (2018, 1366300.0),
            (2019, 1385200.0),
        ],
    );
    check(
        &csv,
        &s("FR", "P7"),
        unit,
        &[
            (2015, 680500.0),
            (2016, 694000.0),
            (2018, 770100.0),
            (2019, 789000.0),
        ],
    );
    let k = |geo, item, year| [("geo", geo), ("series", item), ("year", year)];
    // 711500.5 e: the flag is dropped, the number kept.
    assert_close(
        at(&csv, &k("FR", "P6", "2017"), "yoy"),
        0.0460166127609527,
        1e-15,
    );
    assert_close(
        at(&csv, &k("FR", "P6", "2019"), "cagr_since_first"),
        0.040392902204008374,
        1e-15,
    );
    // ": c" is a missing year, so 2018 has no YoY but a two-year rate.
    assert_close(
        at(&csv, &k("FR", "P7", "2018"), "gap_growth"),
        0.05340124296222082,
        1e-15,
    );
    assert_close(
        at(&csv, &k("DE", "P6", "2019"), "cagr_since_first"),
        0.031662129485051205,
        1e-15,
    );
}

/// OECD SDMX-CSV 2.0 (`format=csvfile`, DSD_NAMAIN10@DF_TABLE1_EXPENDITURE): long, one
/// observation per row, TIME_PERIOD and OBS_VALUE, UNIT_MEASURE XDC with CURRENCY USD / EUR
/// and UNIT_MULT 6, CRLF.
/// Expected: group `REF_AREA`; series = TRANSACTION code; unit "million USD" / "million EUR";
/// values as written (the multiplier goes into the unit, not into the numbers).
#[test]
fn oecd_sdmx_csv() {
    sdmx_checks(&growth("sdmx.csv", &[]), "P6", "P7");
}

/// The same observations with `format=csvfilewithlabels`: STRUCTURE_NAME, and a label column
/// after each coded one (`REF_AREA,Reference area`, …, `TIME_PERIOD,Time period`).
/// Expected: as [`oecd_sdmx_csv`], the series named by the TRANSACTION label.
#[test]
fn oecd_sdmx_csv_with_labels() {
    let labelled = growth("sdmx-labels.csv", &[]);
    sdmx_checks(&labelled, EXPORTS, IMPORTS);
    // Same numbers as the coded file.
    let coded = growth("sdmx.csv", &[]);
    let k = |s, y| [("REF_AREA", "FRA"), ("series", s), ("year", y)];
    assert_eq!(
        at(&labelled, &k(IMPORTS, "2019"), "cagr_since_first"),
        at(&coded, &k("P7", "2019"), "cagr_since_first")
    );
}

fn sdmx_checks(csv: &str, exports: &str, imports: &str) {
    let s = |area, tr| [("REF_AREA", area), ("series", tr)];
    check(
        csv,
        &s("USA", exports),
        "million USD",
        &[
            (2015, 2266700.5),
            (2016, 2232100.25),
            (2017, 2383800.0),
            (2018, 2533000.75),
            (2019, 2546300.0),
        ],
    );
    check(
        csv,
        &s("USA", imports),
        "million USD",
        &[
            (2015, 2786500.0),
            (2016, 2738100.5),
            (2017, 2928600.0),
            (2018, 3138400.25),
            (2019, 3114200.0),
        ],
    );
    check(
        csv,
        &s("FRA", exports),
        "million EUR",
        &[
            (2015, 683900.4),
            (2016, 690100.2),
            (2017, 728800.0),
            (2018, 760300.6),
            (2019, 783000.1),
        ],
    );
    check(
        csv,
        &s("FRA", imports),
        "million EUR",
        &[
            (2015, 709600.0),
            (2016, 716100.3),
            (2017, 764200.8),
            (2018, 793100.0),
            (2019, 810900.5),
        ],
    );
    let k = |area, tr, year| [("REF_AREA", area), ("series", tr), ("year", year)];
    assert_close(
        at(csv, &k("USA", exports, "2016"), "yoy"),
        -0.01526458833004185,
        1e-15,
    );
    assert_close(
        at(csv, &k("USA", exports, "2019"), "cagr_since_first"),
        0.029505941588712226,
        1e-15,
    );
    assert_close(
        at(csv, &k("FRA", imports, "2019"), "cagr_since_first"),
        0.033923699614783365,
        1e-15,
    );
    assert_eq!(parse_csv(csv).1.len(), 20);
}

/// UN Comtrade Plus CSV download (TradeData_….csv), current 47-column layout: every cell
/// quoted, trailing comma on every line, Windows-1252 ("Côte d'Ivoire", "Türkiye"), CRLF, one
/// row per reporter, flow and year (rows ordered by year).
/// Expected: group `reporterISO`; series = flowDesc (Export / Import); value = primaryValue;
/// unit USD (Comtrade values are US dollars; the file does not say so).
#[test]
fn comtrade_plus_latin1() {
    let csv = growth("comtrade.csv", &[]);
    let s = |iso, flow| [("reporterISO", iso), ("series", flow)];
    check(
        &csv,
        &s("CIV", "Export"),
        "USD",
        &[
            (2015, 11852432760.25),
            (2016, 11797590127.0),
            (2017, 12718002140.5),
            (2018, 11861354002.0),
            (2019, 12717845600.75),
        ],
    );
    check(
        &csv,
        &s("CIV", "Import"),
        "USD",
        &[
            (2015, 9483260850.0),
            (2016, 8757780000.5),
            (2017, 9576470900.0),
            (2018, 10468890200.25),
            (2019, 10137000000.0),
        ],
    );
    check(
        &csv,
        &s("TUR", "Export"),
        "USD",
        &[
            (2015, 143838871428.0),
            (2016, 142529584408.5),
            (2017, 164493861000.0),
            (2018, 177168756000.25),
            (2019, 180832722000.0),
        ],
    );
    check(
        &csv,
        &s("TUR", "Import"),
        "USD",
        &[
            (2015, 207234359000.0),
            (2016, 198618235000.0),
            (2017, 233799651000.5),
            (2018, 223047094000.0),
            (2019, 210345159000.0),
        ],
    );
    let k = |iso, flow, year| [("reporterISO", iso), ("series", flow), ("year", year)];
    assert_close(
        at(&csv, &k("CIV", "Export", "2019"), "cagr_since_first"),
        0.017774374442261376,
        1e-15,
    );
    assert_close(
        at(&csv, &k("TUR", "Import", "2017"), "yoy"),
        0.17713084601975249,
        1e-15,
    );
    assert_close(
        at(&csv, &k("TUR", "Import", "2019"), "cagr_since_first"),
        0.0037318143990805464,
        1e-15,
    );
    // Rows arrive by year; the output is sorted by group and series, then year.
    assert_eq!(
        years_of(&csv, &s("CIV", "Export")),
        ["2015", "2016", "2017", "2018", "2019"]
    );
    assert_eq!(parse_csv(&csv).1.len(), 20);
    // If names are kept (e.g. a reporterDesc group), they must come out as UTF-8.
    assert!(!csv.contains('\u{FFFD}'), "{csv}");
    // Latin-1 bytes such as "ô t" (F4 74) also form a valid GBK pair, so detection is a
    // heuristic; an explicit encoding must give the same result. (Flag spelling: adjust.)
    assert_eq!(growth("comtrade.csv", &["--encoding", "windows-1252"]), csv);
}

/// data.stats.gov.cn annual export: GBK, CRLF, preamble `数据库：年度数据` / `时间：最近5年`,
/// header `指标,2023年,…,2019年` (years descending), units in ASCII parentheses `(亿元)`,
/// footer `注：…` and `数据来源：国家统计局`.
/// Expected: no group; series = 指标 without its unit; unit 亿元 = "100 million CNY".
#[test]
fn nbs_gbk_descending_years() {
    let csv = growth("nbs.csv", &[]);
    let unit = "100 million CNY";
    check(
        &csv,
        &[("series", "货物进出口总额")],
        unit,
        &[
            (2019, 315627.3),
            (2020, 322215.2),
            (2021, 390921.7),
            (2022, 420678.2),
            (2023, 417568.3),
        ],
    );
    check(
        &csv,
        &[("series", "出口总额")],
        unit,
        &[
            (2019, 172373.6),
            (2020, 179278.8),
            (2021, 214255.2),
            (2022, 236337.6),
            (2023, 237726.0),
        ],
    );
    check(
        &csv,
        &[("series", "进口总额")],
        unit,
        &[
            (2019, 143253.7),
            (2020, 142936.4),
            (2021, 176666.5),
            (2022, 184340.6),
            (2023, 179842.4),
        ],
    );
    let k = |s, year| [("series", s), ("year", year)];
    // Descending columns still give growth forward in time: 2020 over 2019.
    assert_close(
        at(&csv, &k("货物进出口总额", "2020"), "yoy"),
        0.02087240235556309,
        1e-15,
    );
    assert_close(
        at(&csv, &k("货物进出口总额", "2023"), "cagr_since_first"),
        0.07247762501808674,
        1e-15,
    );
    assert_close(
        at(&csv, &k("出口总额", "2023"), "cagr_since_first"),
        0.08368105923457536,
        1e-15,
    );
    assert_eq!(
        years_of(&csv, &[("series", "进口总额")]),
        ["2019", "2020", "2021", "2022", "2023"]
    );
    // The note and the source line are not series.
    assert_eq!(parse_csv(&csv).1.len(), 15);
    assert!(!csv.contains("注") && !csv.contains("数据来源"), "{csv}");
    // GBK bytes are also valid Latin-1; an explicit encoding must agree with detection.
    assert_eq!(growth("nbs.csv", &["--encoding", "gbk"]), csv);
}

/// Every published file loads without options, and nothing panics.
#[test]
fn published_files_need_no_options() {
    for file in [
        "wdi-api.csv",
        "wdi-databank.csv",
        "eurostat.tsv",
        "sdmx.csv",
        "sdmx-labels.csv",
        "comtrade.csv",
        "nbs.csv",
    ] {
        let out = run(&[
            "growth",
            "--data",
            &input(&format!("published/{file}")),
            "--format",
            "csv",
        ]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
        assert!(!stdout(&out).is_empty(), "{file}");
        let notes = stderr(&out);
        assert!(!notes.contains("panicked"), "{file}: {notes}");
    }
}

pub const PUBLISHED: [&str; 7] = [
    "wdi-api.csv",
    "wdi-databank.csv",
    "eurostat.tsv",
    "sdmx.csv",
    "sdmx-labels.csv",
    "comtrade.csv",
    "nbs.csv",
];

/// `inspect` on every published file, as a table and as JSON, against tests/golden
/// (`UPDATE_GOLDEN=1` rewrites them).
#[test]
fn inspect_is_golden() {
    for file in PUBLISHED {
        let path = input(&format!("published/{file}"));
        for (format, ext) in [("table", "txt"), ("json", "json")] {
            let actual = ok(&["inspect", &path, "--format", format]);
            let stem = file.replace('.', "-");
            super::matches_golden(&format!("inspect-{stem}.{ext}"), &actual);
        }
    }
}

/// The `command` row of `inspect` spells out every detected choice: run as it stands, it
/// gives the same bytes as the detected read.
#[test]
fn the_inspect_command_line_reads_the_file_as_detected() {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_tradestat"))
        .parent()
        .unwrap()
        .to_path_buf();
    for file in PUBLISHED {
        let path = input(&format!("published/{file}"));
        let json: serde_json::Value =
            serde_json::from_str(&ok(&["inspect", &path, "--format", "json"])).unwrap();
        let command = json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["property"] == "command")
            .and_then(|r| r["value"].as_str())
            .unwrap()
            .to_string();
        assert!(command.starts_with("tradestat growth --data "), "{command}");
        let pinned = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{command} --format csv"))
            .current_dir(super::root())
            .env_clear()
            .env(
                "PATH",
                format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            )
            .output()
            .unwrap();
        assert!(pinned.status.success(), "{command}: {}", stderr(&pinned));
        assert_eq!(stdout(&pinned), growth(file, &[]), "{command}");
    }
}

/// When detection cannot decide, or a flag names what is not there, the message says what
/// was found and which flag decides.
#[test]
fn published_errors_name_what_was_found_and_the_flag() {
    let wdi = input("published/wdi-api.csv");
    let out = run(&["growth", "--data", &wdi, "--series-col", "Indicator"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("--series-col Indicator: tests/inputs/published/wdi-api.csv:5 has no column \"Indicator\""),
        "{message}"
    );
    let out = run(&["growth", "--data", &wdi, "--where", "Country Code=XYZ"]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        message.contains("--where Country Code=XYZ: no row"),
        "{message}"
    );
    assert!(message.contains("\"CHN\""), "lists values found: {message}");
    // A bad cell in a years-as-columns file names its line and its year column.
    let dir = super::temp_dir();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Country Name,Country Code,2015,2016\nChina,CHN,1,x2\n",
    )
    .unwrap();
    let out = run(&["growth", "--data", &bad.display().to_string()]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        message.contains("bad.csv:2:4: value \"x2\" in column \"2016\""),
        "{message}"
    );
    // Data after a footer is not silently dropped.
    std::fs::write(
        &bad,
        "Series Name,2015,2016\nexports,1,2\n,,\nimports,3,4\n",
    )
    .unwrap();
    let out = run(&["growth", "--data", &bad.display().to_string()]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        message.contains("bad.csv:4: a row of data after the end of the data on line 3"),
        "{message}"
    );
    // A semicolon file with decimal commas.
    std::fs::write(&bad, "year;exports\n2015;1.234,5\n2016;1.358,0\n").unwrap();
    let out = run(&[
        "growth",
        "--data",
        &bad.display().to_string(),
        "--decimal",
        ",",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_close(
        super::cell(&stdout(&out), &["exports", "2016"], "yoy"),
        1358.0 / 1234.5 - 1.0,
        1e-15,
    );
    let out = run(&["growth", "--data", &bad.display().to_string()]);
    let message = stderr(&out);
    assert!(message.contains("--decimal , for 1.234,5"), "{message}");
}

/// `--where` keeps rows before analysis; values with commas go in quotes.
#[test]
fn where_filters_rows_before_analysis() {
    let csv = growth(
        "wdi-api.csv",
        &["--where", "Country Name=\"Korea, Rep.\",China"],
    );
    let (_, rows) = parse_csv(&csv);
    assert!(rows.iter().all(|r| r[0] == "KOR" || r[0] == "CHN"), "{csv}");
    assert!(rows.iter().any(|r| r[0] == "KOR"));
    let csv = growth("comtrade.csv", &["--where", "flowDesc=Export"]);
    let (_, rows) = parse_csv(&csv);
    assert!(
        rows.iter().all(|r| r.contains(&"Export".to_string())),
        "{csv}"
    );
}

/// `--keep-flags` puts Eurostat's flags in a `flag` column of the long form.
#[test]
fn flags_are_kept_on_request() {
    let path = input("published/eurostat.tsv");
    let csv = ok(&["show", "--data", &path, "--keep-flags", "--format", "csv"]);
    assert!(
        csv.starts_with("geo,series,year,unit,value,flag\n"),
        "{csv}"
    );
    assert_eq!(
        field(
            &csv,
            &[("geo", "FR"), ("series", "P6"), ("year", "2017")],
            "flag"
        )
        .as_deref(),
        Some("e")
    );
    assert_eq!(
        at(
            &csv,
            &[("geo", "FR"), ("series", "P6"), ("year", "2017")],
            "value"
        ),
        Some(711500.5)
    );
    assert_eq!(
        field(
            &csv,
            &[("geo", "DE"), ("series", "P6"), ("year", "2015")],
            "flag"
        )
        .as_deref(),
        Some("")
    );
    // A flagged missing cell (`: c`, confidential) keeps its flag.
    assert_eq!(
        field(
            &csv,
            &[("geo", "FR"), ("series", "P7"), ("year", "2017")],
            "flag"
        )
        .as_deref(),
        Some("c")
    );
    // Without the flag: no column, same numbers.
    let plain = ok(&["show", "--data", &path, "--format", "csv"]);
    assert!(plain.starts_with("geo,series,year,unit,value\n"), "{plain}");
    // Analyses ignore it.
    assert_eq!(
        growth("eurostat.tsv", &["--keep-flags"]),
        growth("eurostat.tsv", &[])
    );
}

/// `sql --raw` queries the file as read, every column as text, without the tidy loader.
#[test]
fn sql_over_the_raw_file() {
    let path = input("published/wdi-api.csv");
    let csv = ok(&[
        "sql",
        "--raw",
        "--data",
        &path,
        "SELECT \"Country Code\" AS code, TRY_CAST(\"2019\" AS DOUBLE) / TRY_CAST(\"2015\" AS DOUBLE) - 1 AS growth FROM raw ORDER BY code",
        "--format",
        "csv",
    ]);
    let (header, rows) = parse_csv(&csv);
    assert_eq!(header, ["code", "growth"]);
    assert_eq!(rows.len(), 3, "{csv}");
    let chn: f64 = rows[0][1].parse().unwrap();
    assert_close(Some(chn), 2641517240000.1 / 2273468224113.46 - 1.0, 1e-15);
    // The raw table has the header's names and every year column, as text.
    let csv = ok(&[
        "sql",
        "--raw",
        "--data",
        &input("published/nbs.csv"),
        "SELECT \"指标\", \"2023年\" FROM raw",
        "--format",
        "csv",
    ]);
    assert!(csv.contains("货物进出口总额(亿元),417568.3"), "{csv}");
}

/// A header that detection cannot place: the message says so and names the flags; with them
/// the file reads.
#[test]
fn skip_and_year_col_place_what_detection_cannot() {
    let dir = super::temp_dir();
    let file = dir.path().join("titled.csv");
    std::fs::write(
        &file,
        "Exports by period\nperiod,exports\n2015,100\n2016,120\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let out = run(&["growth", "--data", &path]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    for flag in ["--year-col", "--layout years", "--skip N"] {
        assert!(message.contains(flag), "{message} lacks {flag}");
    }
    let csv = ok(&[
        "growth",
        "--data",
        &path,
        "--skip",
        "1",
        "--year-col",
        "period",
        "--format",
        "csv",
    ]);
    assert_close(super::cell(&csv, &["exports", "2016"], "yoy"), 0.2, 1e-15);
    // The title line is kept as a source note (JSON meta).
    let json = ok(&[
        "growth",
        "--data",
        &path,
        "--skip",
        "1",
        "--year-col",
        "period",
        "--format",
        "json",
    ]);
    assert!(json.contains("Exports by period"), "{json}");
}

/// Found in review: numbers that must not be read silently wrong, and data that must not
/// be dropped.
#[test]
fn ambiguous_numbers_and_rows_are_not_guessed() {
    let dir = super::temp_dir();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let fails = |path: &str, fragment: &str| {
        let out = run(&["growth", "--data", path]);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{path}: {message}");
        assert!(message.contains(fragment), "{message} lacks {fragment}");
    };
    // A comma in a semicolon file is a decimal mark or a thousands separator: not 52.
    let semi = file("semi.csv", "year;a\n2015;0,052\n2016;1,250\n");
    fails(&semi, "--decimal , for 1.234,5 or --decimal . for 1,234.5");
    let csv = ok(&[
        "growth",
        "--data",
        &semi,
        "--decimal",
        ",",
        "--format",
        "csv",
    ]);
    assert_close(super::cell(&csv, &["a", "2016"], "value"), 1.25, 0.0);
    let out = run(&["growth", "--data", &semi, "--decimal", "."]);
    assert!(
        stderr(&out).contains("its commas are not thousands separators"),
        "0,052 is no thousands number: {}",
        stderr(&out)
    );
    let thousands = file("thousands.csv", "year;a\n2015;1,250\n2016;2,500\n");
    let csv = ok(&[
        "growth",
        "--data",
        &thousands,
        "--decimal",
        ".",
        "--format",
        "csv",
    ]);
    assert!(csv.contains("a,2016,,2500,"), "{csv}");
    // Letters after a number are flags only in Eurostat files or with --keep-flags.
    fails(
        &file("bn.csv", "year,exports\n2015,1.2 bn\n2016,850 e\n"),
        "give --keep-flags",
    );
    // A data row whose numbers look like years is not a header.
    fails(
        &file(
            "yr.csv",
            "region,yr,exports,imports\nEast,2015,1500,2300\nWest,2015,1600,2400\n",
        ),
        "no `year` column",
    );
    // Rows after a blank row are data, not a footer to drop (the raw table too).
    let gap = file("gap.csv", "year,a,b\n2015,1,2\n,,\n2016,3,4\n");
    fails(
        &gap,
        "gap.csv:4: a row of data after the end of the data on line 3",
    );
    let out = run(&["sql", "--raw", "--data", &gap, "SELECT * FROM raw"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // An unterminated quote in a semicolon file.
    fails(
        &file("quote.csv", "year;a;b\n2015;1;2\n2016;3;\"4\n2017;5;6\n"),
        "quote.csv:3: a quote opens a field on this line and is never closed",
    );
}
