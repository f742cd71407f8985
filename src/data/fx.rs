//! Exchange-rate files for `--fx`: CSV with `year,from,to,rate`, where `rate` is how many units
//! of `to` one unit of `from` buys in that year (e.g. `2019,USD,CNY,6.8985`).

use super::number::{parse_value, parse_year};
use super::small_csv::{self, Row, Sheet};
use super::units::Unit;
use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;

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
        let mut rates = HashMap::new();
        for Row { line, fields } in rows {
            let y = parse_year(&fields[year])
                .map_err(|why| anyhow::anyhow!("{name}:{line}:{}: {why}", year + 1))?;
            let r = match parse_value(&fields[rate]) {
                Ok(Some(r)) if r > 0.0 => r,
                Ok(_) => bail!(
                    "{name}:{line}:{}: rate {:?} (expected a positive number)",
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
            rates.insert((y, code(from)?, code(to)?), r);
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
}
