//! Parsing of the cells of a data file: numbers (with optional thousands separators) and years.

/// Parses a value cell. `Ok(None)` is an empty cell (a missing value); `Err` says what is wrong.
///
/// Accepts `12.5`, `-3`, `1e3`, and thousands separators in the form `1,234.5` (which a comma
/// separated file can only hold inside quotes). Rejects the texts Rust's float parser would
/// otherwise take (`NaN`, `inf`) and anything that overflows to infinity: a data file holds
/// finite numbers or nothing.
pub fn parse_value(cell: &str) -> Result<Option<f64>, String> {
    let text = cell.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let plain;
    let digits = if text.contains(',') {
        plain = strip_thousands(text).ok_or_else(|| {
            "its commas are not thousands separators (expected groups of three digits, like 1,234.5)"
                .to_string()
        })?;
        plain.as_str()
    } else {
        text
    };
    let valid_chars = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !valid_chars || !digits.bytes().any(|b| b.is_ascii_digit()) {
        return Err(
            "it is not a number (expected a decimal like 12.5 or \"1,234.5\", or an empty cell for a missing value)"
                .to_string(),
        );
    }
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err("it is too large to represent (expected a finite number)".to_string()),
        Err(_) => Err(
            "it is not a number (expected a decimal like 12.5 or \"1,234.5\", or an empty cell for a missing value)"
                .to_string(),
        ),
    }
}

/// `1,234,567.5` → `1234567.5`; `None` when the commas are not in groups of three.
fn strip_thousands(text: &str) -> Option<String> {
    let unsigned = text.trim_start_matches(['+', '-']);
    let sign = &text[..text.len() - unsigned.len()];
    if sign.len() > 1 {
        return None;
    }
    let (int, frac) = match unsigned.find('.') {
        Some(i) => unsigned.split_at(i),
        None => (unsigned, ""),
    };
    if frac.contains(',') {
        return None;
    }
    let mut groups = int.split(',');
    let first = groups.next()?;
    // A leading group is 1 to 3 digits and not 0-led: `0,052` is no thousands number.
    if first.is_empty()
        || first.len() > 3
        || first.starts_with('0')
        || !first.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut out = format!("{sign}{first}");
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(group);
    }
    out.push_str(frac);
    Some(out)
}

/// Years tradestat accepts. Bounding them keeps every year difference far from overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = -9999..=9999;

/// Parses a year cell: an integer in [`YEARS`], optionally signed, surrounded by spaces at most.
pub fn parse_year(cell: &str) -> Result<i32, String> {
    let text = cell.trim();
    if text.is_empty() {
        return Err("the year is empty (expected an integer year like 2019)".to_string());
    }
    let year = text
        .parse::<i64>()
        .map_err(|_| "it is not an integer year (expected an integer like 2019)".to_string())?;
    i32::try_from(year)
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or_else(|| "it is out of range (expected a year from -9999 to 9999)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(parse_value("12.5"), Ok(Some(12.5)));
        assert_eq!(parse_value("  -3 "), Ok(Some(-3.0)));
        assert_eq!(parse_value("1e3"), Ok(Some(1000.0)));
        assert_eq!(parse_value("1,234.5"), Ok(Some(1234.5)));
        assert_eq!(parse_value("-1,234,567"), Ok(Some(-1234567.0)));
        assert_eq!(parse_value(""), Ok(None));
        assert_eq!(parse_value("   "), Ok(None));
    }

    #[test]
    fn rejected_values() {
        for bad in [
            "abc",
            "NaN",
            "inf",
            "-infinity",
            "1,23",
            "12,345,67",
            "1.2.3",
            "1e999",
            "--1",
            "NA",
            "-",
            ".",
            "1,234.5,6",
            "0,052",
            "012,345",
        ] {
            assert!(parse_value(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn years() {
        assert_eq!(parse_year(" 2019 "), Ok(2019));
        assert!(parse_year("2019.0").is_err());
        assert!(parse_year("").is_err());
        assert!(parse_year("twenty").is_err());
        assert_eq!(parse_year("-9999"), Ok(-9999));
        assert!(parse_year("10000").unwrap_err().contains("out of range"));
        assert!(parse_year("99999999999")
            .unwrap_err()
            .contains("out of range"));
    }
}
