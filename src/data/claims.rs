//! Claims files for `tradestat check --claims`: CSV with `series`, `year`, `value` and an
//! optional `unit`, one claim per row.

use super::number::{parse_value, parse_year};
use super::small_csv::{self, Row, Sheet};
use super::units::Unit;
use anyhow::{bail, Context, Result};
use std::path::Path;

/// "Series S reaches V (in unit U) in year Y".
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Claim {
    pub series: String,
    pub year: i32,
    pub value: f64,
    #[serde(default)]
    pub unit: Option<String>,
}

impl Claim {
    /// The factor that brings the claimed value into `unit`, the unit of the series `name`
    /// it is about: 1 when the claim or the series names no unit. Errors when the two units
    /// do not convert by scale.
    pub fn factor_to(&self, name: &str, unit: Option<&str>) -> Result<f64> {
        let (Some(claimed), Some(actual)) = (&self.unit, unit) else {
            return Ok(1.0);
        };
        let claimed_unit =
            Unit::read(claimed).map_err(|why| anyhow::anyhow!("the claim about {name}: {why}"))?;
        claimed_unit.factor_to(&Unit::parse(actual)).ok_or_else(|| {
            anyhow::anyhow!(
                "the claim about {name} is in {claimed:?}, but {name} is in {actual:?} (expected a unit that converts by scale, e.g. another multiple of the same currency)"
            )
        })
    }
}

/// Reads a claims file; errors name the file, line and column.
pub fn load_claims(path: &Path) -> Result<Vec<Claim>> {
    let name = path.display().to_string();
    if path.is_dir() {
        bail!("cannot read {name}: it is a directory (expected a CSV file of claims)");
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
    parse_claims(&bytes, &name)
}

/// Parses `cbec 2020 16` or `cbec 2020 16 trillion CNY` (for `report --claim`).
pub fn parse_claim(text: &str) -> Result<Claim> {
    let mut words = text.split_whitespace();
    let (Some(series), Some(year), Some(value)) = (words.next(), words.next(), words.next()) else {
        bail!("--claim {text:?}: expected SERIES YEAR VALUE [UNIT], e.g. \"cbec 2020 16\"");
    };
    let year = parse_year(year).map_err(|why| anyhow::anyhow!("--claim {text:?}: {why}"))?;
    let value = match parse_value(value) {
        Ok(Some(v)) => v,
        _ => bail!("--claim {text:?}: {value:?} is not a number (expected e.g. 16 or 12.5)"),
    };
    let unit: Vec<&str> = words.collect();
    Ok(Claim {
        series: series.to_string(),
        year,
        value,
        unit: (!unit.is_empty()).then(|| unit.join(" ")),
    })
}

pub fn parse_claims(bytes: &[u8], name: &str) -> Result<Vec<Claim>> {
    let Sheet {
        required: at,
        optional,
        rows,
    } = small_csv::read(
        bytes,
        name,
        &["series", "year", "value"],
        &["unit"],
        "series,year,value,unit",
    )?;
    let (series_col, year_col, value_col) = (at[0], at[1], at[2]);
    let mut claims = Vec::new();
    for Row { line, fields } in rows {
        let year = parse_year(&fields[year_col]).map_err(|why| {
            anyhow::anyhow!(
                "{name}:{line}:{}: year {:?}: {why}",
                year_col + 1,
                &fields[year_col]
            )
        })?;
        let value = match parse_value(&fields[value_col]) {
            Ok(Some(v)) => v,
            Ok(None) => bail!(
                "{name}:{line}:{}: the claimed value is empty (expected a number)",
                value_col + 1
            ),
            Err(why) => bail!(
                "{name}:{line}:{}: value {:?}: {why}",
                value_col + 1,
                &fields[value_col]
            ),
        };
        let series = fields[series_col].to_string();
        if series.is_empty() {
            bail!("{name}:{line}:{}: the series name is empty", series_col + 1);
        }
        claims.push(Claim {
            series,
            year,
            value,
            unit: optional[0]
                .map(|c| fields[c].to_string())
                .filter(|u| !u.is_empty()),
        });
    }
    if claims.is_empty() {
        bail!("{name}: no claims (expected rows such as `cbec,2020,16`)");
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_parse_with_and_without_units() {
        let claims = parse_claims(
            b"Series,Year,Value,Unit\ncbec,2020,16,trillion CNY\ntrade, 2021 ,\"35.5\",\n",
            "c.csv",
        )
        .unwrap();
        assert_eq!(claims.len(), 2);
        assert_eq!(claims[0].unit.as_deref(), Some("trillion CNY"));
        assert_eq!(
            (claims[1].year, claims[1].value, claims[1].unit.clone()),
            (2021, 35.5, None)
        );
    }

    #[test]
    fn bad_claims_name_line_and_column() {
        let err = parse_claims(b"series,year,value\ncbec,2020,lots\n", "c.csv")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.csv:2:3: value \"lots\""), "{err}");
        let err = parse_claims(b"name,year\n", "c.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("needs the columns series, year, value"),
            "{err}"
        );
    }
}
