//! Exchange-rate files for `--fx`: CSV with `year,from,to,rate`, where `rate` is how many units
//! of `to` one unit of `from` buys in that year (e.g. `2019,USD,CNY,6.8985`).
//!
//! A year and pair has one rate: a second, different rate for it is an error (an identical
//! repeated row is accepted, as concatenated files repeat rows), and so is a rate for the
//! opposite direction that is not its inverse within [`INVERSE_TOLERANCE`].

use super::number::{parse_value, parse_year};
use super::small_csv::{self, Row, Sheet};
use super::units::Unit;
use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// How far `from→to` times `to→from` may stray from 1 (relative): 0.1 % lets both directions
/// be rounded to four significant digits (6.899 and 0.1450), and catches a wrong rate.
const INVERSE_TOLERANCE: f64 = 1e-3;

#[derive(Debug, Clone, Default)]
pub struct FxTable {
    name: String,
    rates: HashMap<(i32, String, String), f64>,
}

impl FxTable {
    pub fn load(path: &Path) -> Result<FxTable> {
        let name = path.display().to_string();
        if path.is_dir() {
            bail!("cannot read {name}: it is a directory (expected a CSV file of exchange rates)");
        }
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
        FxTable::parse(&bytes, &name)
    }

    pub fn parse(bytes: &[u8], name: &str) -> Result<FxTable> {
        let Sheet {
            required: at, rows, ..
        } = small_csv::read(
            bytes,
            name,
            &["year", "from", "to", "rate"],
            &[],
            "year,from,to,rate",
        )?;
        let (year, from, to, rate) = (at[0], at[1], at[2], at[3]);
        let mut rates: HashMap<(i32, String, String), f64> = HashMap::new();
        // Where each rate was given: its line and its text as written.
        let mut given: HashMap<(i32, String, String), (u64, String)> = HashMap::new();
        for Row { line, fields } in rows {
            let y = parse_year(&fields[year])
                .map_err(|why| anyhow::anyhow!("{name}:{line}:{}: {why}", year + 1))?;
            let r = match parse_value(&fields[rate]) {
                // Positive, and so is its inverse (1e-320 would make the inverse infinite).
                Ok(Some(r)) if r > 0.0 && (1.0 / r).is_finite() => r,
                Ok(_) => bail!(
                    "{name}:{line}:{}: rate {:?} (expected a positive number whose inverse is a number too)",
                    rate + 1,
                    &fields[rate]
                ),
                Err(why) => bail!(
                    "{name}:{line}:{}: rate {:?}: {why}",
                    rate + 1,
                    &fields[rate]
                ),
            };
            let code = |col: usize| -> Result<String> {
                Unit::parse(&fields[col]).currency().map(str::to_string).ok_or_else(|| {
                    anyhow::anyhow!("{name}:{line}:{}: {:?} is not a currency (expected a code such as USD)", col + 1, &fields[col])
                })
            };
            let (a, b) = (code(from)?, code(to)?);
            let here = format!("{name}:{line}:{}", rate + 1);
            if a == b && r != 1.0 {
                bail!(
                    "{here}: rate {} from {a} to {a}: a currency is worth 1 of itself (expected two different currencies, or no such row)",
                    &fields[rate]
                );
            }
            let text = fields[rate].to_string();
            let key = (y, a.clone(), b.clone());
            if let Some(&earlier) = rates.get(&key) {
                if earlier != r {
                    let (at, was) = &given[&key];
                    bail!(
                        "{here}: {a}→{b} rate {text} for {y} conflicts with line {at}, which gives {was} (expected one rate per year and currency pair; a repeated identical row is accepted)"
                    );
                }
                continue;
            }
            let opposite = (y, b.clone(), a.clone());
            if let Some(&back) = rates.get(&opposite) {
                if (r * back - 1.0).abs() > INVERSE_TOLERANCE {
                    let (at, was) = &given[&opposite];
                    bail!(
                        "{here}: {a}→{b} rate {text} for {y} is not the inverse of line {at}'s {b}→{a} rate {was} (1/{was} = {:.6}; expected the two to agree within {} %, or only one of them)",
                        1.0 / back,
                        INVERSE_TOLERANCE * 100.0
                    );
                }
            }
            given.insert(key.clone(), (line, text));
            rates.insert(key, r);
        }
        Ok(FxTable {
            name: name.to_string(),
            rates,
        })
    }

    /// Units of `to` per unit of `from` in `year`: the rate given, or the inverse of the
    /// opposite one.
    pub fn rate(&self, year: i32, from: &str, to: &str) -> Result<f64> {
        if from == to {
            return Ok(1.0);
        }
        let key = |a: &str, b: &str| (year, a.to_string(), b.to_string());
        if let Some(r) = self.rates.get(&key(from, to)) {
            return Ok(*r);
        }
        if let Some(r) = self.rates.get(&key(to, from)) {
            return Ok(1.0 / r);
        }
        bail!(
            "--fx {}: no {from}→{to} rate for {year} (expected a row `{year},{from},{to},RATE`)",
            self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_inverses() {
        let fx = FxTable::parse(
            b"year,from,to,rate\n2019,USD,CNY,6.9\n2018,usd,yuan,6.6\n",
            "fx.csv",
        )
        .unwrap();
        assert_eq!(fx.rate(2019, "USD", "CNY").unwrap(), 6.9);
        assert_eq!(fx.rate(2018, "CNY", "USD").unwrap(), 1.0 / 6.6);
        let err = fx.rate(2017, "CNY", "USD").unwrap_err().to_string();
        assert!(err.contains("no CNY→USD rate for 2017"), "{err}");
        let err = FxTable::parse(b"year,from,to,rate\n2019,USD,CNY,-1\n", "fx.csv")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("fx.csv:2:4:"), "{err}");
    }

    #[test]
    fn conflicting_rates_are_errors_naming_both_lines() {
        let err = FxTable::parse(
            b"year,from,to,rate\n2019,USD,CNY,6.9\n2018,USD,CNY,6.6\n2019,usd,yuan,7.0\n",
            "fx.csv",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "fx.csv:4:4: USD→CNY rate 7.0 for 2019 conflicts with line 2, which gives 6.9 (expected one rate per year and currency pair; a repeated identical row is accepted)"
        );
        // The opposite direction must be the inverse: 1/6.9 = 0.144928, not 0.2.
        let err = FxTable::parse(
            b"year,from,to,rate\n2019,USD,CNY,6.9\n2019,CNY,USD,0.2\n",
            "fx.csv",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "fx.csv:3:4: CNY→USD rate 0.2 for 2019 is not the inverse of line 2's USD→CNY rate 6.9 (1/6.9 = 0.144928; expected the two to agree within 0.1 %, or only one of them)"
        );
    }

    #[test]
    fn repeated_rows_and_rounded_inverses_are_accepted() {
        // An identical row again (6.90 is 6.9), and an inverse rounded to 4 digits:
        // 6.8985 × 0.145 = 1.00028, within 0.1 %. Other years and pairs are independent.
        let fx = FxTable::parse(
            b"year,from,to,rate\n2019,USD,CNY,6.9\n2019,USD,CNY,6.90\n2018,USD,CNY,6.8985\n2018,CNY,USD,0.145\n2018,EUR,CNY,7.8\n2017,CNY,USD,0.2\n",
            "fx.csv",
        )
        .unwrap();
        assert_eq!(fx.rate(2019, "USD", "CNY").unwrap(), 6.9);
        assert_eq!(fx.rate(2018, "USD", "CNY").unwrap(), 6.8985);
        assert_eq!(fx.rate(2018, "CNY", "USD").unwrap(), 0.145);
        assert_eq!(fx.rate(2017, "USD", "CNY").unwrap(), 5.0);
        // Just outside the tolerance: 6.8985 × 0.1452 = 1.00166.
        let err = FxTable::parse(
            b"year,from,to,rate\n2018,USD,CNY,6.8985\n2018,CNY,USD,0.1452\n",
            "fx.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("fx.csv:3:4: CNY→USD rate 0.1452 for 2018 is not the inverse of line 2's USD→CNY rate 6.8985"), "{err}");
    }
}
