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

/// ISO 4217 codes in use (and XDR, the IMF's special drawing right): a three-letter word is
/// a currency only if it is one of these, so `[foo bar]` is not read as "BAR".
const ISO_CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND \
BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN \
ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD \
JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP \
MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD \
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY \
TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XDR XOF XPF YER ZAR ZMW ZWL";

fn iso_code(word: &str) -> Option<String> {
    let upper = word.to_ascii_uppercase();
    (word.len() == 3 && ISO_CODES.split_whitespace().any(|c| c == upper)).then_some(upper)
}

/// What a unit text is made of, word by word.
#[derive(Default)]
struct Words {
    scale: f64,
    currencies: Vec<String>,
    /// Words that are neither a scale nor a currency.
    unknown: Vec<String>,
}

/// Whether `text` reads as a unit (money, a scale or a percentage), for taking units out of
/// labels such as `Exports (current US$)`.
pub fn is_unit_text(text: &str) -> bool {
    if text.contains('%') {
        return true;
    }
    let words = Unit::words(text);
    (!words.currencies.is_empty() || words.scale != 1.0)
        && words
            .unknown
            .iter()
            .all(|w| PRICE_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Words that say how money is valued, kept in the unit's text: `current US$`.
const PRICE_WORDS: [&str; 2] = ["current", "constant"];

impl Unit {
    /// Parses `trillion CNY`, `100 million yuan`, `亿元`, `万亿元`, `bn USD`, `USD`, `亿美元`, …
    /// Text that names no currency (`tonnes`, `index points`) is an opaque unit. For text a
    /// person wrote, use [`Unit::read`], which refuses what this would have to guess at.
    pub fn parse(text: &str) -> Unit {
        let trimmed = text.trim();
        let words = Self::words(trimmed);
        match words.currencies.first() {
            Some(currency) if words.scale.is_finite() && words.scale > 0.0 => Unit::Money {
                scale: words.scale,
                currency: currency.clone(),
            },
            _ => Unit::Other(trimmed.to_string()),
        }
    }

    /// [`Unit::parse`] for text from a file or the command line: a unit of money must be
    /// unambiguous. Two currencies (`yuan dollars`) or a word that is neither a scale nor a
    /// currency beside a currency (`billion yuan foo`) is an error that names the words
    /// tradestat knows. Text without a currency stays an opaque unit (`million tonnes`).
    pub fn read(text: &str) -> Result<Unit, String> {
        let trimmed = text.trim();
        let words = Self::words(trimmed);
        let mut currencies = words.currencies.clone();
        currencies.dedup();
        if currencies.len() > 1 {
            return Err(format!(
                "unit {trimmed:?} names more than one currency ({}; expected one, e.g. \"billion USD\")",
                currencies.join(" and ")
            ));
        }
        let unknown: Vec<&String> = words
            .unknown
            .iter()
            .filter(|w| !PRICE_WORDS.contains(&w.to_lowercase().as_str()))
            .collect();
        if !currencies.is_empty() && !unknown.is_empty() {
            return Err(format!(
                "unit {trimmed:?}: {} is neither a scale nor a currency (expected scales such as {} and currencies such as {} or a three-letter ISO code)",
                unknown.iter().map(|w| format!("{w:?}")).collect::<Vec<_>>().join(", "),
                "thousand, million, billion, trillion, bn, 万, 亿",
                "yuan, 元, dollars, 美元, euro"
            ));
        }
        let positive = words.scale.is_finite() && words.scale > 0.0;
        if !currencies.is_empty() && !positive {
            return Err(format!(
                "unit {trimmed:?}: its scale is not a positive number (expected e.g. \"100 million CNY\")"
            ));
        }
        Ok(Self::parse(trimmed))
    }

    fn words(text: &str) -> Words {
        let mut words = Words {
            scale: 1.0,
            ..Words::default()
        };
        for token in text.split_whitespace() {
            let lower = token.to_lowercase();
            if let Some((_, code)) = CURRENCY_WORDS.iter().find(|(w, _)| *w == lower) {
                words.currencies.push(code.to_string());
            } else if let Some((_, s)) = SCALE_WORDS.iter().find(|(w, _)| *w == lower) {
                words.scale *= s;
            } else if let Ok(n) = lower.replace(',', "").parse::<f64>() {
                // A count of scale (`100 million`); zero, negative or not finite is no scale.
                words.scale *= if n.is_finite() && n > 0.0 {
                    n
                } else {
                    f64::NAN
                };
            } else if let Some(code) = iso_code(&lower) {
                words.currencies.push(code);
            } else if !Self::chinese(&lower, &mut words) {
                words.unknown.push(token.to_string());
            }
        }
        words
    }

    /// Chinese: scale characters, then a currency word (亿元, 万亿美元) or not (亿). False when
    /// the token is not of that form.
    fn chinese(lower: &str, words: &mut Words) -> bool {
        // The longest currency word that ends the token: 美元 before 元.
        let suffix = CURRENCY_WORDS
            .iter()
            .filter(|(w, _)| !w.is_ascii() && lower.ends_with(w))
            .max_by_key(|(w, _)| w.len());
        let (scale_part, code) = match suffix {
            Some((w, code)) => (&lower[..lower.len() - w.len()], Some(code.to_string())),
            None => (lower, None),
        };
        if scale_part.is_empty() && code.is_none() {
            return false;
        }
        let mut scale = 1.0;
        for c in scale_part.chars() {
            match chinese_scale(c) {
                Some(s) => scale *= s,
                None => return false,
            }
        }
        words.scale *= scale;
        words.currencies.extend(code);
        true
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
        assert_eq!(label("foo bar"), "foo bar");
        assert_eq!(label("XDR"), "XDR");
    }

    #[test]
    fn ambiguous_money_is_refused() {
        let err = Unit::read("yuan dollars").unwrap_err();
        assert!(err.contains("more than one currency (CNY and USD"), "{err}");
        let err = Unit::read("billion yuan foo").unwrap_err();
        assert!(
            err.contains("\"foo\" is neither a scale nor a currency"),
            "{err}"
        );
        assert!(err.contains("million"), "names the known words: {err}");
        let err = Unit::read("0 USD").unwrap_err();
        assert!(err.contains("not a positive number"), "{err}");
        // Opaque units, and a currency given twice in two ways, are fine.
        assert_eq!(Unit::read("foo bar"), Ok(Unit::Other("foo bar".into())));
        assert_eq!(
            Unit::read("million tonnes"),
            Ok(Unit::Other("million tonnes".into()))
        );
        assert_eq!(
            Unit::read("亿元 CNY").map(|u| u.to_string()),
            Ok("100 million CNY".into())
        );
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
