//! Units of trade values: a scale (one, thousand, 万, million, 亿, billion, 万亿/trillion, …)
//! times a currency (CNY, USD, …). The seed paper prints "100 million yuan" over values in
//! trillions; carrying units as data, and converting only through this module, is how
//! tradestat keeps such mistakes out of shares and comparisons.

use std::fmt;

/// A parsed unit. Texts that are not a (scale ×) currency — "tonnes", "index points" — are
/// kept as opaque units: equal only to themselves, convertible to nothing else.
#[derive(Debug, Clone, PartialEq)]
pub enum Unit {
    Money { scale: f64, currency: String },
    Other(String),
}

/// Currency words and codes people write, and the ISO code they mean.
const CURRENCY_WORDS: [(&str, &str); 14] = [
    ("yuan", "CNY"),
    ("rmb", "CNY"),
    ("renminbi", "CNY"),
    ("元", "CNY"),
    ("人民币", "CNY"),
    ("dollar", "USD"),
    ("dollars", "USD"),
    ("us$", "USD"),
    ("美元", "USD"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("欧元", "EUR"),
    ("日元", "JPY"),
    ("港元", "HKD"),
];

/// English scale words and abbreviations.
const SCALE_WORDS: [(&str, f64); 22] = [
    ("one", 1.0),
    ("ones", 1.0),
    ("unit", 1.0),
    ("units", 1.0),
    ("ten", 10.0),
    ("hundred", 1e2),
    ("thousand", 1e3),
    ("thousands", 1e3),
    ("k", 1e3),
    ("million", 1e6),
    ("millions", 1e6),
    ("mn", 1e6),
    ("mln", 1e6),
    ("mio", 1e6),
    ("billion", 1e9),
    ("billions", 1e9),
    ("bn", 1e9),
    ("bln", 1e9),
    ("trillion", 1e12),
    ("trillions", 1e12),
    ("tn", 1e12),
    ("trn", 1e12),
];

/// Chinese scale characters; a prefix such as 万亿 multiplies them (10⁴ × 10⁸ = 10¹²).
fn chinese_scale(c: char) -> Option<f64> {
    Some(match c {
        '十' => 10.0,
        '百' => 1e2,
        '千' => 1e3,
        '万' => 1e4,
        '亿' => 1e8,
        _ => return None,
    })
}

impl Unit {
    /// Parses `trillion CNY`, `100 million yuan`, `亿元`, `万亿元`, `bn USD`, `USD`, `亿美元`, …
    pub fn parse(text: &str) -> Unit {
        let trimmed = text.trim();
        Self::parse_money(trimmed).unwrap_or_else(|| Unit::Other(trimmed.to_string()))
    }

    fn parse_money(text: &str) -> Option<Unit> {
        let mut scale = 1.0;
        let mut currency: Option<String> = None;
        for token in text.split_whitespace() {
            let lower = token.to_lowercase();
            if let Some((_, code)) = CURRENCY_WORDS.iter().find(|(w, _)| *w == lower) {
                currency = Some(code.to_string());
            } else if let Some((_, s)) = SCALE_WORDS.iter().find(|(w, _)| *w == lower) {
                scale *= s;
            } else if let Ok(n) = lower.replace(',', "").parse::<f64>() {
                if !(n.is_finite() && n > 0.0) {
                    return None;
                }
                scale *= n;
            } else if lower.len() == 3 && lower.chars().all(|c| c.is_ascii_alphabetic()) {
                currency = Some(lower.to_uppercase());
            } else {
                // Chinese: scale characters, then a currency word (亿元, 万亿美元) or not (亿).
                // The longest currency word that ends the token: 美元 before 元.
                let suffix = CURRENCY_WORDS
                    .iter()
                    .filter(|(w, _)| !w.is_ascii() && lower.ends_with(w))
                    .max_by_key(|(w, _)| w.len());
                let (scale_part, code) = match suffix {
                    Some((w, code)) => (&lower[..lower.len() - w.len()], Some(code.to_string())),
                    None => (lower.as_str(), None),
                };
                if scale_part.is_empty() && code.is_none() {
                    return None;
                }
                for c in scale_part.chars() {
                    scale *= chinese_scale(c)?;
                }
                if code.is_some() {
                    currency = code;
                }
            }
        }
        Some(Unit::Money {
            scale,
            currency: currency?,
        })
    }

    /// How many of `target` one of `self` is, when both are in one currency (or are the same
    /// opaque unit). Different currencies need an exchange rate: see [`Unit::currency`].
    pub fn factor_to(&self, target: &Unit) -> Option<f64> {
        match (self, target) {
            (
                Unit::Money {
                    scale: a,
                    currency: c,
                },
                Unit::Money {
                    scale: b,
                    currency: d,
                },
            ) if c == d => Some(a / b),
            (Unit::Other(a), Unit::Other(b)) if a == b => Some(1.0),
            _ => None,
        }
    }

    pub fn currency(&self) -> Option<&str> {
        match self {
            Unit::Money { currency, .. } => Some(currency),
            Unit::Other(_) => None,
        }
    }

    pub fn scale(&self) -> f64 {
        match self {
            Unit::Money { scale, .. } => *scale,
            Unit::Other(_) => 1.0,
        }
    }
}

/// The canonical text: `trillion CNY`, `100 million CNY`, `CNY`, `10 thousand USD`.
impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Other(text) => f.write_str(text),
            Unit::Money { scale, currency } => {
                if *scale == 1.0 {
                    return f.write_str(currency);
                }
                for (word, size) in [
                    ("trillion", 1e12),
                    ("billion", 1e9),
                    ("million", 1e6),
                    ("thousand", 1e3),
                ] {
                    let n = scale / size;
                    if n >= 1.0 && (n - n.round()).abs() < 1e-9 * n {
                        return if n.round() == 1.0 {
                            write!(f, "{word} {currency}")
                        } else {
                            write!(f, "{} {word} {currency}", n.round())
                        };
                    }
                }
                write!(f, "{scale} {currency}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str) -> String {
        Unit::parse(text).to_string()
    }

    #[test]
    fn english_and_chinese_units() {
        assert_eq!(label("trillion CNY"), "trillion CNY");
        assert_eq!(label("100 million yuan"), "100 million CNY");
        assert_eq!(label("亿元"), "100 million CNY");
        assert_eq!(label("万亿元"), "trillion CNY");
        assert_eq!(label("万元"), "10 thousand CNY");
        assert_eq!(label("元"), "CNY");
        assert_eq!(label("亿美元"), "100 million USD");
        assert_eq!(label("bn USD"), "billion USD");
        assert_eq!(label("USD bn"), "billion USD");
        assert_eq!(label("1,000 usd"), "thousand USD");
        assert_eq!(label(" Trillion Yuan "), "trillion CNY");
        assert_eq!(label("亿 CNY"), "100 million CNY");
        assert_eq!(label("tonnes"), "tonnes");
        assert_eq!(label("million"), "million");
        assert_eq!(label("index points"), "index points");
    }

    #[test]
    fn factors() {
        let trillion = Unit::parse("trillion CNY");
        let yi = Unit::parse("亿元");
        assert_eq!(trillion.factor_to(&yi), Some(10_000.0));
        assert_eq!(yi.factor_to(&trillion), Some(1e-4));
        assert_eq!(trillion.factor_to(&Unit::parse("billion USD")), None);
        assert_eq!(
            Unit::parse("tonnes").factor_to(&Unit::parse("tonnes")),
            Some(1.0)
        );
        assert_eq!(Unit::parse("tonnes").factor_to(&trillion), None);
    }
}
