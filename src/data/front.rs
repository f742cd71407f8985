//! The input front end: what a file is before its rows are read. Decoding (encoding and
//! BOM), the dialect (delimiter, decimal mark), where the header is (after a publisher's
//! metadata lines) and which column holds what (years as columns, publisher column names)
//! are decided here, once; the readers ([`super::parse`]'s careful reader, Polars' reader in
//! [`super::fast`], the piece cutter for large files) only read what this plans.
//!
//! Detection looks at the first [`SNIFF_RECORDS`] records. It never guesses silently where a
//! guess would change numbers: a file it cannot place is an error that says what it saw and
//! which flag decides.

use super::number::parse_value;
use anyhow::Result;

/// How to read an input: all optional, detected when not given.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub layout: super::Layout,
    /// Group columns (`--by`).
    pub by: Vec<String>,
    /// Lines before the header (`--skip`).
    pub skip: Option<usize>,
    /// `--delimiter`.
    pub delimiter: Option<u8>,
    /// `--decimal`: `Some(',')` reads `1.234,5` as 1234.5, `Some('.')` reads `1,234.5` as
    /// 1234.5 in any file; `None` lets commas group thousands only in comma-separated files
    /// (where such a number is quoted) and refuses them elsewhere as ambiguous.
    pub decimal: Option<char>,
    /// `--encoding`.
    pub encoding: super::decode::EncodingChoice,
    /// More texts that mean "no value" (`--na`).
    pub na: Vec<String>,
    /// Columns named on the command line.
    pub columns: ColumnChoice,
    /// `--where COL=VALUE[,VALUE…]`, all of which must hold.
    pub filters: Vec<Filter>,
    /// `--keep-flags`: a `flag` column in the long frame.
    pub keep_flags: bool,
    /// Detail data summed: `--sum-by`, `--part-where`, `--strict-duplicates`.
    pub aggregate: super::Aggregate,
    // Many files and containers.
    /// `--sheet NAME|NUMBER`: the sheet of a workbook (default: the first).
    pub sheet: Option<String>,
    /// `--file-col NAME`: each row's file (`a.csv`, `a.zip:b.csv`) as a key column NAME.
    pub file_col: Option<String>,
}

/// `--year-col`, `--value-col`, `--series-col`, `--unit-col`.
#[derive(Debug, Clone, Default)]
pub struct ColumnChoice {
    pub year: Option<String>,
    pub value: Option<String>,
    pub series: Option<String>,
    pub unit: Option<String>,
}

/// One `--where`: the column and the values it may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub column: String,
    pub values: Vec<String>,
}

impl Filter {
    /// `COL=VALUE[,VALUE…]`; a value holding a comma goes in double quotes:
    /// `Country Name="Korea, Rep.",Japan`.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let (column, values) = text.split_once('=').ok_or_else(|| {
            format!(
                "{text:?} has no `=` (expected COL=VALUE[,VALUE…], e.g. \"Country Code=CHN,USA\")"
            )
        })?;
        let column = column.trim();
        if column.is_empty() {
            return Err(format!(
                "{text:?} names no column (expected COL=VALUE, e.g. flowDesc=Export)"
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .trim(csv::Trim::All)
            .from_reader(values.as_bytes());
        let values: Vec<String> = match reader.records().next() {
            Some(Ok(record)) => record.iter().map(str::to_string).collect(),
            Some(Err(e)) => return Err(format!("{text:?}: {e}")),
            None => Vec::new(),
        };
        if values.is_empty() || values.iter().all(String::is_empty) {
            return Err(format!(
                "{text:?} gives no value (expected COL=VALUE[,VALUE…])"
            ));
        }
        Ok(Filter {
            column: column.to_string(),
            values,
        })
    }

    /// The filter as `--where` reads it back: `Country Name="Korea, Rep.",China`.
    pub fn text(&self) -> String {
        format!("{}={}", self.column, csv_list(&self.values))
    }

    pub fn matches(&self, cell: &str) -> bool {
        self.values.iter().any(|v| v == cell.trim())
    }
}

/// Values as `--where` and `--na` read them back: comma-separated, a value with a comma or
/// a double quote in double quotes (`"Korea, Rep.",China`).
pub fn csv_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| {
            if v.contains([',', '"']) {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl ReadOptions {
    /// Options of a plain tidy read: the layout and groups only.
    pub fn tidy(layout: super::Layout, by: &[String]) -> Self {
        ReadOptions {
            layout,
            by: by.to_vec(),
            ..Default::default()
        }
    }

    /// Whether only tidy-file options are set, so the fast reader and the piece cutter (which
    /// know commas, a header on line 1 and plain numbers) may read the file.
    pub fn is_tidy(&self) -> bool {
        self.reads_cells_plainly()
            && !self.aggregate.is_set()
            && self.columns.year.is_none()
            && self.columns.value.is_none()
            && self.columns.series.is_none()
            && self.columns.unit.is_none()
    }

    /// Whether cells are read as they are: commas, no decimal comma, no extra missing
    /// markers, no `--where`, no flags kept, no rows skipped (the fast summed path's terms).
    pub fn reads_cells_plainly(&self) -> bool {
        self.layout != super::Layout::Years
            && self.skip.is_none()
            && self.delimiter.is_none_or(|d| d == b',')
            && self.decimal != Some(',')
            && self.na.is_empty()
            && self.filters.is_empty()
            && !self.keep_flags
    }
}

/// Records looked at to find the delimiter and the header.
pub const SNIFF_RECORDS: usize = 60;

/// Texts that stand for a missing value in published tables (World Bank `..`, Eurostat `:`,
/// dashes, `NA`), besides an empty cell.
pub const MISSING: [&str; 9] = ["..", ":", "-", "–", "—", "NA", "n/a", "N/A", "_"];

/// Eurostat's flags after a value: b break in series, c confidential, d definition differs,
/// e estimated, f forecast, n not significant, p provisional, r revised, s Eurostat estimate,
/// u low reliability, z not applicable.
pub const FLAG_LETTERS: &str = "bcdefnprsuz";

/// How value cells read: decimal mark, missing markers, flags.
#[derive(Debug, Clone, Default)]
pub struct CellRules {
    pub decimal_comma: bool,
    pub na: Vec<String>,
    /// Whether a comma in a number is ambiguous: in a file not separated by commas, with no
    /// `--decimal`, `0,052` could be 0.052 or (with a thousands comma) 52; it is refused.
    pub hint_decimal: bool,
    /// Whether letters after a number are flags to split off (Eurostat TSV, `--keep-flags`);
    /// elsewhere `1.2 bn` is no number, not 1.2 flagged b and n.
    pub flags: bool,
}

/// A value cell, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: Option<f64>,
    /// The marker that made it missing (`..`, `:`), when one did.
    pub marker: Option<String>,
    /// Flags after the number (`p`, `e`, `ce`).
    pub flag: Option<String>,
}

impl CellRules {
    pub fn new(options: &ReadOptions) -> Self {
        CellRules {
            decimal_comma: options.decimal == Some(','),
            na: options.na.clone(),
            hint_decimal: false,
            flags: options.keep_flags,
        }
    }

    fn is_marker(&self, text: &str) -> bool {
        MISSING.contains(&text) || self.na.iter().any(|m| m == text)
    }

    /// Reads a value cell: a number, an empty cell, a missing marker, or either of those
    /// followed by Eurostat flags (`31.3 p`, `: c`). The error says what the cell is not.
    pub fn read(&self, cell: &str) -> Result<Cell, String> {
        let text = cell.trim();
        let plain = |value: Option<f64>| Cell {
            value,
            marker: None,
            flag: None,
        };
        if text.is_empty() {
            return Ok(plain(None));
        }
        if self.is_marker(text) {
            return Ok(Cell {
                value: None,
                marker: Some(text.to_string()),
                flag: None,
            });
        }
        // A flag is split off only after a space: `12 b`, never `12b` (which is no number).
        if let Some((head, tail)) = text.rsplit_once(' ') {
            let tail = tail.trim();
            let flagged = !tail.is_empty() && tail.chars().all(|c| FLAG_LETTERS.contains(c));
            if flagged && !self.flags {
                let why = self.number(text).err().unwrap_or_default();
                return Err(format!(
                    "{why}; if {tail:?} is a flag after the number (Eurostat: p provisional, e estimated, …), give --keep-flags"
                ));
            }
            if flagged {
                let head = head.trim();
                let mut cell = if self.is_marker(head) {
                    Cell {
                        value: None,
                        marker: Some(head.to_string()),
                        flag: None,
                    }
                } else {
                    plain(self.number(head)?)
                };
                cell.flag = Some(tail.to_string());
                return Ok(cell);
            }
        }
        Ok(plain(self.number(text)?))
    }

    fn number(&self, text: &str) -> Result<Option<f64>, String> {
        if !self.decimal_comma {
            if self.hint_decimal && text.contains(',') {
                return Err(
                    "its comma could be a decimal mark or a thousands separator (expected --decimal , for 1.234,5 or --decimal . for 1,234.5)"
                        .to_string(),
                );
            }
            return parse_value(text);
        }
        // `1.234.567,5` → `1234567.5`: dots group thousands, the comma is the decimal mark.
        let (int, frac) = match text.split_once(',') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        if frac.is_some_and(|f| f.contains([',', '.'])) {
            return Err(
                "it is not a number with a decimal comma (expected e.g. 1.234,5)".to_string(),
            );
        }
        let digits = int.trim_start_matches(['-', '+']);
        let mut groups = digits.split('.');
        let first = groups.next().unwrap_or_default();
        let grouped = int.contains('.');
        if grouped
            && (first.is_empty()
                || first.len() > 3
                || first.starts_with('0')
                || groups.clone().any(|g| g.len() != 3))
        {
            return Err(
                "its dots are not thousands separators (expected groups of three digits, like 1.234,5)"
                    .to_string(),
            );
        }
        let mut plain = int.replace('.', "");
        if let Some(f) = frac {
            plain.push('.');
            plain.push_str(f);
        }
        parse_value(&plain)
    }
}

/// A header cell read as a year: `2015`, `2015 ` (spaces), `2015 [YR2015]` (World Bank
/// DataBank), `2015年` (China NBS), `X2015` (R's names), `YR2015`. Four digits only: a
/// column called `1` is no year.
pub fn header_year(cell: &str) -> Option<i32> {
    let mut text = cell.trim();
    if let Some((head, _)) = text.split_once(" [") {
        text = head.trim();
    }
    text = text.strip_suffix('年').unwrap_or(text).trim();
    text = text
        .strip_prefix("YR")
        .or_else(|| text.strip_prefix('X'))
        .or_else(|| text.strip_prefix('x'))
        .unwrap_or(text);
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|y| (1000..=2999).contains(y))
}

/// Names a year column goes by (compared lower-case): tidy files, SDMX, UN Comtrade.
pub const YEAR_NAMES: [&str; 5] = ["year", "time_period", "refyear", "time", "年份"];
/// Names a value column goes by.
pub const VALUE_NAMES: [&str; 5] = [
    "value",
    "obs_value",
    "primaryvalue",
    "trade value (us$)",
    "数值",
];
/// Names a unit column goes by.
pub const UNIT_NAMES: [&str; 3] = ["unit", "unit_measure", "单位"];
/// Names of a column that labels the series in a years-as-columns table.
pub const LABEL_NAMES: [&str; 8] = [
    "indicator name",
    "series name",
    "indicator",
    "series",
    "指标",
    "label",
    "variable",
    "item",
];

/// The key of a header cell for matching names: SDMX-CSV's `REF_AREA: Reference area`
/// matches as `ref_area`.
pub fn name_key(header: &str) -> String {
    let head = header.split_once(": ").map_or(header, |(code, _)| code);
    head.trim().to_lowercase()
}

/// The delimiter of `text`: `--delimiter`, else the one of `,` `;` tab `|` that splits the
/// first records most consistently into the most fields (a tie goes to the comma).
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    // Eurostat's TSV: the first tab-separated cell holds comma-separated key names and the
    // axis, `freq,unit,geo\TIME_PERIOD`.
    let first_line = text.split(|b| *b == b'\n').next().unwrap_or_default();
    if let Some(tab) = memchr::memchr(b'\t', first_line) {
        if first_line[..tab].contains(&b'\\') {
            return b'\t';
        }
    }
    let sample_end = text
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(SNIFF_RECORDS)
        .map_or(text.len(), |(i, _)| i);
    let sample = &text[..sample_end];
    let mut best = (b',', 0usize, 0usize);
    for delimiter in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(sample);
        let counts: Vec<usize> = reader
            .records()
            .map_while(Result::ok)
            .map(|r| r.len())
            .collect();
        // The most common field count above one, and how many records have it.
        let mut tally = std::collections::BTreeMap::new();
        for &c in counts.iter().filter(|c| **c > 1) {
            *tally.entry(c).or_insert(0usize) += 1;
        }
        if let Some((&fields, &records)) = tally.iter().max_by_key(|(f, n)| (**n, **f)) {
            if (records, fields) > (best.1, best.2) {
                best = (delimiter, records, fields);
            }
        }
    }
    best.0
}

/// The name of a delimiter for messages.
pub fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "comma".to_string(),
        b';' => "semicolon".to_string(),
        b'\t' => "tab".to_string(),
        b'|' => "pipe".to_string(),
        other => format!("{:?}", other as char),
    }
}

/// Whether a record is the header: it names a year column, or holds two or more distinct
/// years.
pub fn looks_like_header(cells: &[String], year_col: Option<&str>) -> bool {
    let names: Vec<String> = cells.iter().map(|c| name_key(c)).collect();
    let named = match year_col {
        Some(y) => names.iter().any(|n| *n == y.to_lowercase()),
        None => names.iter().any(|n| YEAR_NAMES.contains(&n.as_str())),
    };
    let mut years: Vec<i32> = cells.iter().filter_map(|c| header_year(c)).collect();
    years.sort_unstable();
    years.dedup();
    named || years.len() >= 2
}

/// The header among the first records: the first that [`looks_like_header`], where the
/// records above it (a publisher's metadata lines) are all narrower than it; otherwise the
/// first record. A data row whose numbers happen to look like years (`East,2015,1500,2300`)
/// is as wide as the header above it, so it is never taken for one.
pub fn find_header(records: &[csv::StringRecord], year_col: Option<&str>) -> usize {
    let filled = |r: &csv::StringRecord| r.iter().filter(|c| !c.trim().is_empty()).count();
    records
        .iter()
        .enumerate()
        .find(|(i, r)| {
            let cells: Vec<String> = r.iter().map(str::to_string).collect();
            looks_like_header(&cells, year_col)
                && records[..*i].iter().all(|above| filled(above) < filled(r))
        })
        .map_or(0, |(i, _)| i)
}

/// Texts a publisher puts under a table, which end the data: World Bank DataBank's
/// `Data from database: …` and `Last Updated: …`, NBS's `数据来源：…` and `注：…`.
const FOOTER_STARTS: [&str; 10] = [
    "data from database",
    "last updated",
    "source:",
    "sources:",
    "note:",
    "notes:",
    "数据来源",
    "注：",
    "注:",
    "footnote",
];

/// Whether a record ends the data: every cell empty (a row of bare delimiters), or a
/// publisher's footer line.
pub fn is_footer(cells: &csv::StringRecord) -> bool {
    if cells.iter().all(|c| c.trim().is_empty()) {
        return true;
    }
    let first = cells.get(0).unwrap_or_default().trim().to_lowercase();
    let rest_empty = cells.iter().skip(1).all(|c| c.trim().is_empty());
    FOOTER_STARTS.iter().any(|s| first.starts_with(s)) && (rest_empty || cells.len() <= 2)
}

/// A metadata line before the header, as a note: its non-empty cells joined.
pub fn preamble_note(cells: &csv::StringRecord) -> Option<String> {
    let parts: Vec<&str> = cells
        .iter()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    match parts.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        [key, rest @ ..] => Some(format!(
            "{}: {}",
            key.trim_end_matches([':', '：']),
            rest.join(", ")
        )),
    }
}

pub use super::units::split_label_unit;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_years() {
        for (cell, year) in [
            ("2015", Some(2015)),
            ("2015 ", Some(2015)),
            (" 2015 [YR2015]", Some(2015)),
            ("2023年", Some(2023)),
            ("X2015", Some(2015)),
            ("YR1999", Some(1999)),
            ("1", None),
            ("20155", None),
            ("year", None),
            ("Country Name", None),
        ] {
            assert_eq!(header_year(cell), year, "{cell:?}");
        }
    }

    #[test]
    fn cells_with_markers_flags_and_decimal_commas() {
        let rules = CellRules {
            hint_decimal: true,
            flags: true,
            ..CellRules::default()
        };
        let read = |c: &str| rules.read(c).unwrap();
        assert_eq!(read("31.3 p").value, Some(31.3));
        assert_eq!(read("31.3 p").flag.as_deref(), Some("p"));
        assert_eq!(read("12 b").value, Some(12.0));
        assert_eq!(read(": c").value, None);
        assert_eq!(read(": c").flag.as_deref(), Some("c"));
        assert_eq!(read(": c").marker.as_deref(), Some(":"));
        assert_eq!(read("..").marker.as_deref(), Some(".."));
        assert_eq!(read("        0.052").value, Some(0.052));
        assert_eq!(read("").value, None);
        assert!(rules.read("12b").is_err());
        assert!(rules.read("abc").is_err());
        assert!(rules.read("12 x").is_err());
        let err = rules.read("1,5").unwrap_err();
        assert!(err.contains("--decimal ,"), "{err}");
        // Ambiguous in a file not separated by commas: 0,052 is not silently 52.
        assert!(rules.read("0,052").unwrap_err().contains("--decimal ."));
        // Without flags (not a Eurostat file), `1.2 bn` is no number.
        let plain = CellRules::default();
        let err = plain.read("1.2 bn").unwrap_err();
        assert!(err.contains("--keep-flags"), "{err}");
        assert_eq!(plain.read("1,234.5").unwrap().value, Some(1234.5));
        let comma = CellRules {
            decimal_comma: true,
            na: vec!["x".into()],
            hint_decimal: false,
            flags: false,
        };
        assert_eq!(comma.read("1.234,5").unwrap().value, Some(1234.5));
        assert_eq!(comma.read("-0,25").unwrap().value, Some(-0.25));
        assert_eq!(comma.read("12").unwrap().value, Some(12.0));
        assert_eq!(comma.read("x").unwrap().marker.as_deref(), Some("x"));
        assert!(comma.read("1.23,4").is_err());
        assert!(
            comma.read("0.052").is_err(),
            "a thousands group does not start with 0"
        );
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"year,a,b\n2015,1,2\n"), b',');
        assert_eq!(sniff_delimiter(b"year;a;b\n2015;1,5;2\n"), b';');
        assert_eq!(
            sniff_delimiter(b"freq,unit,geo\\TIME_PERIOD\t2015 \t2016 \nA,MIO_EUR,DE\t1 \t2 p\n"),
            b'\t'
        );
        assert_eq!(sniff_delimiter(b"year|a\n2015|1\n"), b'|');
        assert_eq!(sniff_delimiter(b"\"year\",\"a\"\n2015,\"1,234\"\n"), b',');
    }

    #[test]
    fn filters() {
        let f = Filter::parse("Country Name=\"Korea, Rep.\",Japan").unwrap();
        assert_eq!(f.column, "Country Name");
        assert_eq!(f.values, ["Korea, Rep.", "Japan"]);
        assert!(Filter::parse("novalue").is_err());
        assert!(Filter::parse("=x").is_err());
        assert!(Filter::parse("a=").is_err());
    }

    #[test]
    fn footers_and_preambles() {
        let rec = |cells: &[&str]| csv::StringRecord::from(cells.to_vec());
        assert!(is_footer(&rec(&["", "", ""])));
        assert!(is_footer(&rec(&[
            "Data from database: World Development Indicators",
            "",
            ""
        ])));
        assert!(is_footer(&rec(&["数据来源：国家统计局"])));
        assert!(!is_footer(&rec(&["China", "CHN", "1"])));
        assert_eq!(
            preamble_note(&rec(&["Data Source", "World Development Indicators", ""])).as_deref(),
            Some("Data Source: World Development Indicators")
        );
        assert_eq!(preamble_note(&rec(&["", ""])), None);
    }
}
