//! Text encodings of input files. Everything after this module reads UTF-8; files as
//! statistics offices publish them are also GBK (China NBS), windows-1252 (older European
//! and Comtrade exports) or UTF-16 with a byte-order mark (Excel's "Unicode text").
//!
//! A byte-order mark decides; valid UTF-8 is UTF-8 (and costs one validation pass, no copy);
//! anything else is detected only when the evidence is unambiguous — GBK or windows-1252 —
//! and otherwise refused with what the bytes look like and which `--encoding` to try.

// Not called yet: the input front end (`--encoding`, the loader) will.

use anyhow::{bail, Result};
use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Which text encoding to read a file in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EncodingChoice {
    /// A byte-order mark, else UTF-8, else GBK or windows-1252 when unambiguous.
    #[default]
    Auto,
    /// `--encoding LABEL` (a byte-order mark must agree with it).
    Named(&'static Encoding),
    /// `--encoding utf-16`: UTF-16 in the byte order the file's byte-order mark gives; a file
    /// without one is an error (`utf-16le` and `utf-16be` read files without).
    Utf16,
}

/// The values `--encoding` is documented with (any WHATWG label is accepted).
const COMMON: &str = "auto, utf-8, utf-16 (with a byte-order mark), utf-16le, utf-16be, gbk, \
gb18030, big5, shift_jis, euc-kr, windows-1252 (also latin1, iso-8859-1, cp1252)";

/// Parses `--encoding` values: `auto`, `utf-8`, `utf-16` (needs a byte-order mark),
/// `utf-16le`, `utf-16be`, `gbk`, `gb18030`, `gb2312`, `windows-1252`, `latin1` /
/// `iso-8859-1`, `cp1252`, `big5`, `shift_jis`, … — any WHATWG label encoding_rs knows
/// (case-insensitive), plus a few common aliases (`cp936`, `cp932`, `cp950`, `cp949`,
/// `latin-1`, `utf16le`, `utf_8`). As in browsers, `latin1` and `iso-8859-1` mean
/// windows-1252 and `gb2312` means GBK (supersets that decode the same files).
pub fn parse_encoding(text: &str) -> Result<EncodingChoice, String> {
    let label = text.trim().to_ascii_lowercase().replace('_', "-");
    let label = match label.as_str() {
        "auto" => return Ok(EncodingChoice::Auto),
        "utf-16" | "utf16" => return Ok(EncodingChoice::Utf16),
        "utf16le" => "utf-16le",
        "utf16be" => "utf-16be",
        "cp936" | "ms936" | "windows-936" => "gbk",
        "cp932" | "ms932" => "shift_jis",
        "cp950" => "big5",
        "cp949" => "euc-kr",
        "latin-1" => "latin1",
        // WHATWG labels with an underscore (`shift_jis`, `iso_8859-1`) are kept as written.
        _ => text.trim(),
    };
    let dashed = label.replace('_', "-");
    let found =
        Encoding::for_label(label.as_bytes()).or_else(|| Encoding::for_label(dashed.as_bytes()));
    match found {
        Some(encoding) if encoding == encoding_rs::REPLACEMENT => Err(format!(
            "{:?} cannot be decoded (ISO-2022-KR, HZ and similar have no decoder; expected one of {COMMON})",
            text.trim()
        )),
        Some(encoding) => Ok(EncodingChoice::Named(encoding)),
        None => Err(format!(
            "unknown encoding {:?} (expected one of {COMMON}, or another WHATWG encoding label)",
            text.trim()
        )),
    }
}

/// A file's text as UTF-8.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// UTF-8 bytes without a byte-order mark; borrowed from the input when it is UTF-8.
    pub text: Cow<'a, [u8]>,
    /// The encoding as shown to users: `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE (BOM)`, `GBK`,
    /// `GB18030`, `windows-1252`, …
    pub encoding: &'static str,
    /// False when `--encoding` chose the encoding.
    pub detected: bool,
}

/// Decodes `bytes` (named `name` in messages) to UTF-8 as `choice` says. UTF-8 input is
/// validated once and borrowed. Undecodable bytes are an error that names the line and
/// suggests an `--encoding`; so is a file whose encoding is not clear.
pub fn decode<'a>(bytes: &'a [u8], name: &str, choice: &EncodingChoice) -> Result<Decoded<'a>> {
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        bail!("{name}: the file starts with a UTF-32 byte-order mark (expected UTF-8, UTF-16 or a legacy encoding; convert it, e.g. with iconv -f UTF-32 -t UTF-8)");
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let agrees = match choice {
            EncodingChoice::Auto => true,
            EncodingChoice::Utf16 => encoding != UTF_8,
            EncodingChoice::Named(named) => *named == encoding,
        };
        if !agrees {
            bail!(
                "{name}: the file starts with a {} byte-order mark, but --encoding {} was given (expected a file without a byte-order mark; leave out --encoding to read it as {})",
                encoding.name(),
                choice_label(choice),
                encoding.name()
            );
        }
        let shown = match encoding.name() {
            "UTF-8" => "UTF-8 (BOM)",
            "UTF-16LE" => "UTF-16LE (BOM)",
            _ => "UTF-16BE (BOM)",
        };
        let detected = *choice == EncodingChoice::Auto;
        return decode_as(bytes, bom, encoding, shown, detected, name, choice);
    }
    match choice {
        EncodingChoice::Utf16 => bail!(
            "{name}: the file has no byte-order mark, so --encoding utf-16 cannot tell its byte order (expected a file that starts with FF FE or FE FF; give --encoding utf-16le or --encoding utf-16be)"
        ),
        EncodingChoice::Named(encoding) => {
            decode_as(bytes, 0, encoding, shown_name(encoding), false, name, choice)
        }
        EncodingChoice::Auto => {
            if let Some(utf16) = bomless_utf16(bytes) {
                bail!(
                    "{name}: the text has a zero byte beside every character, like {} without a byte-order mark (expected a UTF-8 file; give --encoding {}, or convert it)",
                    utf16.name(),
                    utf16.name().to_ascii_lowercase()
                );
            }
            match std::str::from_utf8(bytes) {
                Ok(_) => Ok(Decoded {
                    text: Cow::Borrowed(bytes),
                    encoding: "UTF-8",
                    detected: true,
                }),
                Err(error) => auto(bytes, name, &error),
            }
        }
    }
}

/// The text of `choice` as given on the command line.
fn choice_label(choice: &EncodingChoice) -> String {
    match choice {
        EncodingChoice::Auto => "auto".to_string(),
        EncodingChoice::Utf16 => "utf-16".to_string(),
        EncodingChoice::Named(encoding) => label_of(encoding),
    }
}

/// The `--encoding` value that names `encoding`.
fn label_of(encoding: &'static Encoding) -> String {
    encoding.name().to_ascii_lowercase()
}

/// The name users see.
fn shown_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 {
        "GB18030"
    } else {
        encoding.name()
    }
}

/// Decodes `bytes[skip..]` as `encoding` (a choice or a byte-order mark).
fn decode_as<'a>(
    bytes: &'a [u8],
    skip: usize,
    encoding: &'static Encoding,
    shown: &'static str,
    detected: bool,
    name: &str,
    choice: &EncodingChoice,
) -> Result<Decoded<'a>> {
    let body = &bytes[skip..];
    if encoding == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(_) => Ok(Decoded {
                text: Cow::Borrowed(body),
                encoding: shown,
                detected,
            }),
            Err(error) => {
                let at = skip + error.valid_up_to();
                let (hint, end) = match choice {
                    // A byte-order mark said UTF-8: the file mixes encodings.
                    EncodingChoice::Auto => (
                        "a UTF-8 file, as its byte-order mark says; part of it is in another encoding: convert that part, e.g. with iconv".to_string(),
                        at + error.error_len().unwrap_or(bytes.len() - at),
                    ),
                    _ => {
                        let (hint, likely) = suggestion(bytes, UTF_8);
                        let end = match likely {
                            Some(encoding) => char_end(encoding, bytes, at),
                            None => at + error.error_len().unwrap_or(bytes.len() - at),
                        };
                        (format!("a UTF-8 file; {hint}"), end)
                    }
                };
                bail!(
                    "{name}:{}: {} not valid UTF-8 (expected {hint})",
                    line_at(bytes, at),
                    show_bytes(&bytes[at..end])
                )
            }
        };
    }
    match transcode(encoding, body) {
        Ok(text) => Ok(Decoded {
            text: Cow::Owned(text),
            encoding: shown,
            detected,
        }),
        Err(bad) => bail!(
            "{name}:{}: {} not valid {shown} (expected a {shown} file, as --encoding {} says; {})",
            bad.line,
            show_bytes(&body[bad.start..bad.end]),
            choice_label(choice),
            suggestion(bytes, encoding).0
        ),
    }
}

/// Undecodable input: `body[start..end]` on line `line`.
struct Bad {
    start: usize,
    end: usize,
    line: usize,
}

/// `body` in `encoding` as UTF-8, or where it is malformed.
fn transcode(encoding: &'static Encoding, body: &[u8]) -> Result<Vec<u8>, Bad> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    // The longest possible output (three bytes a byte for windows-1252); `None` only past
    // usize::MAX / 3, where the allocation fails anyway. Zeroed memory is mapped lazily:
    // only the pages written cost memory, so the room is not shrunk (a copy) afterwards.
    let room = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(usize::MAX);
    let mut out = vec![0u8; room];
    let (result, read, written) = decoder.decode_to_utf8_without_replacement(body, &mut out, true);
    match result {
        DecoderResult::InputEmpty => {
            out.truncate(written);
            Ok(out)
        }
        DecoderResult::Malformed(length, after) => {
            let end = read.saturating_sub(usize::from(after));
            let start = end.saturating_sub(usize::from(length).max(1));
            Err(Bad {
                start,
                end: end.max(start + 1).min(body.len()),
                line: memchr::memchr_iter(b'\n', &out[..written]).count() + 1,
            })
        }
        // The buffer holds the longest possible output.
        DecoderResult::OutputFull => Err(Bad {
            start: read,
            end: (read + 1).min(body.len()),
            line: memchr::memchr_iter(b'\n', &out[..written]).count() + 1,
        }),
    }
}

/// The 1-based line of byte `at` (lines end with `\n`, also in CRLF files).
fn line_at(bytes: &[u8], at: usize) -> usize {
    memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1
}

/// `the byte 0xE9 is` / `the bytes 0xB3 0xF6 are`.
fn show_bytes(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("0x{b:02X}")).collect();
    match bytes.len() {
        1 => format!("the byte {} is", hex[0]),
        n if n > 8 => format!("the bytes {} … are", hex.join(" ")),
        _ => format!("the bytes {} are", hex.join(" ")),
    }
}

/// What to do when the file is not in the chosen `tried`, and the encoding it likely is.
fn suggestion(bytes: &[u8], tried: &'static Encoding) -> (String, Option<&'static Encoding>) {
    if tried != UTF_8 && std::str::from_utf8(bytes).is_ok() {
        return (
            "the file is valid UTF-8: give --encoding utf-8 or leave out --encoding".to_string(),
            None,
        );
    }
    let unknown = "give --encoding with the file's encoding, or convert it, e.g. with iconv";
    match detect(bytes) {
        Verdict::Sure(found) if found != tried => (
            format!(
                "it looks like {}: give --encoding {}, or convert it",
                shown_name(found),
                label_of(found)
            ),
            Some(found),
        ),
        Verdict::Sure(_) => (unknown.to_string(), None),
        Verdict::Unsure(candidates) => {
            let others: Vec<_> = candidates.into_iter().filter(|&c| c != tried).collect();
            match others.first() {
                None => (unknown.to_string(), None),
                Some(&first) => (
                    format!(
                        "it may be {}: give --encoding {}, whichever reads right, or convert it",
                        names(&others),
                        labels(&others)
                    ),
                    Some(first),
                ),
            }
        }
    }
}

/// The end of the character that starts at `bytes[at]` in `encoding` (one byte when none
/// does).
fn char_end(encoding: &'static Encoding, bytes: &[u8], at: usize) -> usize {
    (1..=4)
        .map(|n| (at + n).min(bytes.len()))
        .find(|&end| {
            let mut out = [0u8; 16];
            let (result, _, written) = encoding
                .new_decoder_without_bom_handling()
                .decode_to_utf8_without_replacement(&bytes[at..end], &mut out, true);
            result == DecoderResult::InputEmpty && written > 0
        })
        .unwrap_or((at + 1).min(bytes.len()))
}

/// `GBK, windows-1252 or Big5`.
fn names(encodings: &[&'static Encoding]) -> String {
    or_list(
        encodings
            .iter()
            .map(|e| shown_name(e).to_string())
            .collect(),
    )
}

/// `gbk, windows-1252 or big5`.
fn labels(encodings: &[&'static Encoding]) -> String {
    or_list(encodings.iter().map(|e| label_of(e)).collect())
}

fn or_list(mut items: Vec<String>) -> String {
    match items.pop() {
        Some(last) if items.is_empty() => last,
        Some(last) => format!("{} or {last}", items.join(", ")),
        None => String::new(),
    }
}

/// Auto detection for input that is not valid UTF-8 (`error` says where).
fn auto<'a>(bytes: &'a [u8], name: &str, error: &std::str::Utf8Error) -> Result<Decoded<'a>> {
    let at = error.valid_up_to();
    let candidates = match detect(bytes) {
        Verdict::Sure(encoding) => match transcode(encoding, bytes) {
            Ok(text) => {
                return Ok(Decoded {
                    text: Cow::Owned(text),
                    encoding: shown_name(encoding),
                    detected: true,
                })
            }
            Err(_) => vec![encoding],
        },
        Verdict::Unsure(candidates) => candidates,
    };
    let end = char_end(candidates[0], bytes, at);
    let cell = cell_around(bytes, at, end);
    let readings: Vec<String> = candidates
        .iter()
        .map(|e| {
            let (text, _) = e.decode_without_bom_handling(cell);
            format!("{:?} in {}", text, shown_name(e))
        })
        .collect();
    let which = if candidates.len() == 1 {
        " if that reads right"
    } else {
        ", whichever reads right"
    };
    bail!(
        "{name}:{}: {} not valid UTF-8, and the encoding is not clear: the text reads {} (expected a UTF-8 file; give --encoding {}{which}, or convert it, e.g. with iconv)",
        line_at(bytes, at),
        show_bytes(&bytes[at..end]),
        or_list(readings),
        labels(&candidates)
    )
}

/// The cell (up to a separator or the end of the line, at most 40 bytes each side) around
/// `bytes[at..end]`.
fn cell_around(bytes: &[u8], at: usize, end: usize) -> &[u8] {
    let stop = |b: &u8| matches!(b, b',' | b';' | b'\t' | b'\n' | b'\r');
    let from = at.saturating_sub(40);
    let start = bytes[from..at]
        .iter()
        .rposition(stop)
        .map_or(from, |i| from + i + 1);
    let to = (end + 40).min(bytes.len());
    let stop_at = bytes[end..to].iter().position(stop).map_or(to, |i| end + i);
    &bytes[start..stop_at]
}

/// What detection concluded.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Unambiguous: GBK, GB18030 or windows-1252.
    Sure(&'static Encoding),
    /// The encodings it might be, likeliest first.
    Unsure(Vec<&'static Encoding>),
}

/// How much text the statistical detector sees (from the first non-ASCII byte on).
const DETECTOR_WINDOW: usize = 1 << 20;

/// Detects GBK (or GB18030) and windows-1252 in `bytes`, which are not UTF-8. Sure only when
/// the byte structure and chardetng agree:
/// - GBK: every non-ASCII byte is part of a valid GB18030 sequence, at least two are
///   GB2312 hanzi pairs (B0–F7 × A1–FE), 90 % or more of the non-ASCII bytes are GB2312
///   pairs (hanzi or full-width punctuation), and chardetng says GBK;
/// - windows-1252: every non-ASCII byte is a Latin letter (À–ÿ without × ÷) or common
///   punctuation (NBSP, °, £, €, ’, –, …), at least half are letters, at least half the
///   letters touch a letter (inside a word: `Côte`, `São Tomé`; `à` alone is a word too),
///   runs of non-ASCII bytes are at most three long, and chardetng says windows-1252.
fn detect(bytes: &[u8]) -> Verdict {
    let stats = Stats::of(bytes);
    let guess = {
        let first = bytes.iter().position(|b| *b >= 0x80).unwrap_or(0);
        let end = (first + DETECTOR_WINDOW).min(bytes.len());
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(&bytes[..end], end == bytes.len());
        detector.guess(None, Utf8Detection::Deny)
    };
    let gbk_guess = guess == GBK || guess == GB18030;
    let gbk_shape = stats.gb_invalid == 0
        && stats.hanzi >= 2
        && (stats.hanzi + stats.gb_symbols) * 20 >= stats.high * 9;
    if gbk_shape && gbk_guess {
        return Verdict::Sure(if stats.gb_four > 0 { GB18030 } else { GBK });
    }
    let latin_shape = stats.latin_atypical == 0
        && stats.latin_letters * 2 >= stats.high
        && stats.latin_loose * 2 <= stats.latin_letters
        && stats.longest_run <= 3;
    if latin_shape && guess == WINDOWS_1252 {
        return Verdict::Sure(WINDOWS_1252);
    }
    // GBK and windows-1252 first (the encodings of published tables), then chardetng's
    // guess, which on little text may be noise (ISO-8859-5 for two GBK bytes).
    let mut candidates = Vec::new();
    if stats.gb_invalid == 0 && stats.hanzi + stats.gb_symbols > 0 {
        candidates.push(GBK);
    }
    if stats.latin_atypical == 0 {
        candidates.push(WINDOWS_1252);
    }
    let listed = candidates.contains(&guess) || (gbk_guess && candidates.contains(&GBK));
    if !listed {
        candidates.push(guess);
    }
    Verdict::Unsure(candidates)
}

/// Byte statistics for [`detect`].
#[derive(Debug, Default)]
struct Stats {
    /// Non-ASCII bytes.
    high: usize,
    /// GB2312 hanzi pairs (lead B0–F7, trail A1–FE).
    hanzi: usize,
    /// GB2312 symbol pairs (lead A1–A9, trail A1–FE): full-width punctuation, （ ）， 、
    gb_symbols: usize,
    /// GB18030 four-byte sequences.
    gb_four: usize,
    /// Bytes that fit no GB18030 sequence.
    gb_invalid: usize,
    /// windows-1252 letters (C0–FF but D7 ×, F7 ÷).
    latin_letters: usize,
    /// windows-1252 letters with no letter beside them.
    latin_loose: usize,
    /// Non-ASCII bytes that are neither letters nor common punctuation in windows-1252.
    latin_atypical: usize,
    /// The longest run of consecutive non-ASCII bytes.
    longest_run: usize,
}

impl Stats {
    fn of(bytes: &[u8]) -> Stats {
        let mut stats = Stats::default();
        let is_letter = |b: u8| (0xC0..=0xFF).contains(&b) && b != 0xD7 && b != 0xF7;
        let letter_at = |i: Option<usize>| {
            i.and_then(|i| bytes.get(i))
                .is_some_and(|&b| b.is_ascii_alphabetic() || is_letter(b))
        };
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b < 0x80 {
                run = 0;
                continue;
            }
            stats.high += 1;
            run += 1;
            stats.longest_run = stats.longest_run.max(run);
            if is_letter(b) {
                stats.latin_letters += 1;
                if !letter_at(i.checked_sub(1)) && !letter_at(Some(i + 1)) {
                    stats.latin_loose += 1;
                }
            } else if !LATIN_PUNCTUATION.contains(&b) {
                stats.latin_atypical += 1;
            }
        }
        // GB18030 structure.
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
            if b < 0x80 {
                i += 1;
            } else if (0x81..=0xFE).contains(&b)
                && (0x40..=0xFE).contains(&next(1))
                && next(1) != 0x7F
            {
                let trail = next(1);
                if (0xB0..=0xF7).contains(&b) && trail >= 0xA1 {
                    stats.hanzi += 1;
                } else if (0xA1..=0xA9).contains(&b) && trail >= 0xA1 {
                    stats.gb_symbols += 1;
                }
                i += 2;
            } else if (0x81..=0xFE).contains(&b)
                && next(1).is_ascii_digit()
                && (0x81..=0xFE).contains(&next(2))
                && next(3).is_ascii_digit()
            {
                stats.gb_four += 1;
                i += 4;
            } else {
                stats.gb_invalid += 1;
                i += 1;
            }
        }
        stats
    }
}

/// windows-1252 punctuation common in published tables: € … ‘ ’ “ ” – — ™ NBSP ¡ £ § © « ®
/// ° ± ² ³ µ · ¹ º » ¼ ½ ¾ ¿, and Š Œ Ž š œ ž Ÿ (letters outside C0–FF).
const LATIN_PUNCTUATION: [u8; 35] = [
    0x80, 0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x99, 0xA0, 0xA1, 0xA3, 0xA7, 0xA9, 0xAA, 0xAB,
    0xAE, 0xB0, 0xB1, 0xB2, 0xB3, 0xB5, 0xB7, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF, 0x8A, 0x8C,
    0x8E, 0x9A, 0x9C,
];

/// UTF-16 without a byte-order mark: in the first kilobyte, zero bytes at every other
/// position (ASCII text in UTF-16LE is `y\0e\0a\0r\0`) and almost none at the others.
fn bomless_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024) & !1];
    if head.len() < 8 || memchr::memchr(0, head).is_none() {
        return None;
    }
    let zeros = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd, pairs) = (zeros(0), zeros(1), head.len() / 2);
    if odd * 10 >= pairs * 4 && even * 20 < pairs {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 4 && odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        GBK.encode(text).0.into_owned()
    }

    fn latin(text: &str) -> Vec<u8> {
        WINDOWS_1252.encode(text).0.into_owned()
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    }

    fn auto(bytes: &[u8]) -> Result<(String, &'static str, bool)> {
        let decoded = decode(bytes, "data.csv", &EncodingChoice::Auto)?;
        Ok((
            String::from_utf8(decoded.text.into_owned()).unwrap(),
            decoded.encoding,
            decoded.detected,
        ))
    }

    fn chosen(bytes: &[u8], encoding: &str) -> Result<(String, &'static str, bool)> {
        let decoded = decode(bytes, "data.csv", &parse_encoding(encoding).unwrap())?;
        Ok((
            String::from_utf8(decoded.text.into_owned()).unwrap(),
            decoded.encoding,
            decoded.detected,
        ))
    }

    fn error(result: Result<(String, &'static str, bool)>) -> String {
        format!("{:#}", result.unwrap_err())
    }

    #[test]
    fn labels() {
        let named = |text: &str| match parse_encoding(text).unwrap() {
            EncodingChoice::Named(e) => e.name(),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(named("utf-8"), "UTF-8");
        assert_eq!(named("UTF8"), "UTF-8");
        assert_eq!(named("utf_8"), "UTF-8");
        assert_eq!(named("utf-16le"), "UTF-16LE");
        assert_eq!(named("utf16be"), "UTF-16BE");
        assert_eq!(named("gbk"), "GBK");
        assert_eq!(named("GB2312"), "GBK");
        assert_eq!(named("cp936"), "GBK");
        assert_eq!(named("gb18030"), "gb18030");
        assert_eq!(named("windows-1252"), "windows-1252");
        assert_eq!(named("cp1252"), "windows-1252");
        assert_eq!(named("latin1"), "windows-1252");
        assert_eq!(named("Latin-1"), "windows-1252");
        assert_eq!(named("iso-8859-1"), "windows-1252");
        assert_eq!(named("ISO_8859-1"), "windows-1252");
        assert_eq!(named("big5"), "Big5");
        assert_eq!(named("shift_jis"), "Shift_JIS");
        assert_eq!(named("cp932"), "Shift_JIS");
        assert_eq!(named(" euc-kr "), "EUC-KR");
        assert_eq!(named("koi8-r"), "KOI8-R");
        assert_eq!(parse_encoding("utf-16"), Ok(EncodingChoice::Utf16));
        assert_eq!(parse_encoding("AUTO"), Ok(EncodingChoice::Auto));
        let err = parse_encoding("klingon").unwrap_err();
        assert!(err.starts_with("unknown encoding \"klingon\" (expected one of auto, utf-8, utf-16 (with a byte-order mark), utf-16le, utf-16be, gbk,"), "{err}");
        assert!(err.contains("windows-1252 (also latin1"), "{err}");
        let err = parse_encoding("iso-2022-kr").unwrap_err();
        assert!(err.contains("cannot be decoded"), "{err}");
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = "指标,2023年\nCôte d'Ivoire,1\n".as_bytes();
        let decoded = decode(plain, "data.csv", &EncodingChoice::Auto).unwrap();
        assert!(matches!(decoded.text, Cow::Borrowed(b) if b.as_ptr() == plain.as_ptr()));
        assert_eq!((decoded.encoding, decoded.detected), ("UTF-8", true));

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(plain);
        let decoded = decode(&bom, "data.csv", &EncodingChoice::Auto).unwrap();
        assert!(matches!(decoded.text, Cow::Borrowed(b) if b == plain));
        assert_eq!((decoded.encoding, decoded.detected), ("UTF-8 (BOM)", true));
        let (_, encoding, detected) = chosen(&bom, "utf-8").unwrap();
        assert_eq!((encoding, detected), ("UTF-8 (BOM)", false));
        assert_eq!(
            chosen(plain, "utf-8").unwrap(),
            (String::from_utf8(plain.to_vec()).unwrap(), "UTF-8", false)
        );
        assert_eq!(auto(b"").unwrap(), (String::new(), "UTF-8", true));
        assert_eq!(
            auto(b"\xEF\xBB\xBF").unwrap(),
            (String::new(), "UTF-8 (BOM)", true)
        );
    }

    #[test]
    fn utf16_with_bom() {
        let text = "year,货物进出口总额（亿元）,Côte d'Ivoire\r\n2023,417568.3,1\r\n";
        assert_eq!(
            auto(&utf16(text, false)).unwrap(),
            (text.to_string(), "UTF-16LE (BOM)", true)
        );
        assert_eq!(
            auto(&utf16(text, true)).unwrap(),
            (text.to_string(), "UTF-16BE (BOM)", true)
        );
        assert_eq!(
            chosen(&utf16(text, true), "utf-16").unwrap(),
            (text.to_string(), "UTF-16BE (BOM)", false)
        );
        assert_eq!(
            chosen(&utf16(text, false), "utf-16le").unwrap(),
            (text.to_string(), "UTF-16LE (BOM)", false)
        );
        // Without a byte-order mark: utf-16le reads it, utf-16 cannot tell the order.
        let bare = &utf16(text, false)[2..];
        assert_eq!(
            chosen(bare, "utf-16le").unwrap(),
            (text.to_string(), "UTF-16LE", false)
        );
        let err = error(chosen(bare, "utf-16"));
        assert!(err.contains("no byte-order mark, so --encoding utf-16 cannot tell its byte order (expected a file that starts with FF FE or FE FF; give --encoding utf-16le or --encoding utf-16be)"), "{err}");
        // Automatic: refused with the encoding to give.
        let err = error(auto(bare));
        assert_eq!(err, "data.csv: the text has a zero byte beside every character, like UTF-16LE without a byte-order mark (expected a UTF-8 file; give --encoding utf-16le, or convert it)");
        let err = error(auto(&utf16(text, true)[2..]));
        assert!(err.contains("like UTF-16BE without"), "{err}");
        // An odd byte at the end, on the second line.
        let mut odd = utf16(text, false);
        odd.push(b'x');
        let err = error(auto(&odd));
        assert!(
            err.starts_with("data.csv:3: the byte 0x78 is not valid UTF-16LE (BOM)"),
            "{err}"
        );
    }

    #[test]
    fn utf32_is_refused() {
        let err = error(auto(b"\xFF\xFE\0\0y\0\0\0"));
        assert!(err.contains("UTF-32 byte-order mark"), "{err}");
    }

    #[test]
    fn gbk_is_detected() {
        let text = "指标,2023年,2022年\n货物进出口总额(亿元),417568.3,420678.2\n出口额（亿元）,237726.1,239654.0\n";
        assert_eq!(auto(&gbk(text)).unwrap(), (text.to_string(), "GBK", true));
        let short = "指标,2023年\n";
        assert_eq!(auto(&gbk(short)).unwrap(), (short.to_string(), "GBK", true));
        let label = "货物进出口总额(亿元)";
        assert_eq!(auto(&gbk(label)).unwrap(), (label.to_string(), "GBK", true));
        assert_eq!(
            chosen(&gbk(text), "gbk").unwrap(),
            (text.to_string(), "GBK", false)
        );
        assert_eq!(
            chosen(&gbk(text), "gb18030").unwrap(),
            (text.to_string(), "GB18030", false)
        );
        // A character outside GBK takes four bytes in GB18030.
        let four = "指标,2023年,€ 𠀀\n货物进出口总额(亿元),1\n";
        let bytes = GB18030.encode(four).0.into_owned();
        assert_eq!(auto(&bytes).unwrap(), (four.to_string(), "GB18030", true));
    }

    #[test]
    fn windows_1252_is_detected() {
        let text = "country,value\nCôte d'Ivoire,1\nSão Tomé and Príncipe,2\nCuraçao,3\n";
        assert_eq!(
            auto(&latin(text)).unwrap(),
            (text.to_string(), "windows-1252", true)
        );
        let one = "Côte d'Ivoire";
        assert_eq!(
            auto(&latin(one)).unwrap(),
            (one.to_string(), "windows-1252", true)
        );
        // The corpus file tests/inputs/corpus/17-non-utf8.csv.
        let corpus = b"year,r\xe9gion,value\n2015,5.4,24.7\n";
        assert_eq!(
            auto(corpus).unwrap(),
            (
                "year,région,value\n2015,5.4,24.7\n".to_string(),
                "windows-1252",
                true
            )
        );
        let french = "pays,libellé\nFrance,Exportations à l'étranger (millions d'euros)\n";
        assert_eq!(
            auto(&latin(french)).unwrap(),
            (french.to_string(), "windows-1252", true)
        );
        // The same file with --encoding utf-8.
        let err = error(chosen(corpus, "utf-8"));
        assert_eq!(err, "data.csv:1: the byte 0xE9 is not valid UTF-8 (expected a UTF-8 file; it looks like windows-1252: give --encoding windows-1252, or convert it)");
        assert_eq!(
            chosen(&latin(text), "latin1").unwrap(),
            (text.to_string(), "windows-1252", false)
        );
    }

    #[test]
    fn ambiguous_input_is_refused() {
        // One GBK character (出) alone: as likely two Latin-1 signs.
        let err = error(auto(b"x,\xB3\xF6\n"));
        assert!(err.starts_with("data.csv:1: the bytes 0xB3 0xF6 are not valid UTF-8, and the encoding is not clear: the text reads \"出\" in GBK, \"³ö\" in windows-1252"), "{err}");
        assert!(
            err.contains("(expected a UTF-8 file; give --encoding gbk, windows-1252"),
            "{err}"
        );
        assert!(
            err.ends_with(", whichever reads right, or convert it, e.g. with iconv)"),
            "{err}"
        );
        // A lone é, on line 2, not inside a word.
        let err = error(auto(b"year,value\n2015,\xE9\n"));
        assert!(
            err.starts_with(
                "data.csv:2: the byte 0xE9 is not valid UTF-8, and the encoding is not clear"
            ),
            "{err}"
        );
        assert_eq!(err, "data.csv:2: the byte 0xE9 is not valid UTF-8, and the encoding is not clear: the text reads \"é\" in windows-1252 (expected a UTF-8 file; give --encoding windows-1252 if that reads right, or convert it, e.g. with iconv)");
        // Bytes that are neither GBK nor Latin text.
        let err = error(auto(b"a,\x81\x81\x81\x7F\n"));
        assert!(err.contains("the encoding is not clear"), "{err}");
    }

    #[test]
    fn chosen_wrong_encoding() {
        // GBK read as UTF-8: the line, the bytes, and the encoding it looks like.
        let text = gbk("year,value\n2015,1\n出口额(亿元),2\n");
        let err = error(chosen(&text, "utf-8"));
        assert_eq!(err, "data.csv:3: the bytes 0xB3 0xF6 are not valid UTF-8 (expected a UTF-8 file; it looks like GBK: give --encoding gbk, or convert it)");
        // UTF-8 read as GBK: 年 is three bytes, the last one pairs with no trail byte.
        // (Text that happens to decode, such as 指标, is read as the user said.)
        let err = error(chosen("year,2023年,x\n".as_bytes(), "gbk"));
        assert!(err.starts_with("data.csv:1: the byte"), "{err}");
        assert!(err.contains("not valid GBK (expected a GBK file, as --encoding gbk says; the file is valid UTF-8: give --encoding utf-8 or leave out --encoding)"), "{err}");
        // windows-1252 read as GBK: é followed by a comma is no GBK pair.
        let err = error(chosen(&latin("a\nCôte d'Ivoire,café,1\n"), "gbk"));
        assert!(
            err.starts_with("data.csv:2: the byte 0xE9 is not valid GBK"),
            "{err}"
        );
        assert!(
            err.contains(
                "it looks like windows-1252: give --encoding windows-1252, or convert it)"
            ),
            "{err}"
        );
        // A byte-order mark that contradicts the choice.
        let err = error(chosen(&utf16("a,b\n", false), "gbk"));
        assert_eq!(err, "data.csv: the file starts with a UTF-16LE byte-order mark, but --encoding gbk was given (expected a file without a byte-order mark; leave out --encoding to read it as UTF-16LE)");
        let err = error(chosen(b"\xEF\xBB\xBFa,b\n", "utf-16"));
        assert!(
            err.contains("UTF-8 byte-order mark, but --encoding utf-16 was given"),
            "{err}"
        );
        // A UTF-8 byte-order mark over text that is not all UTF-8.
        let err = error(auto(b"\xEF\xBB\xBFa,b\n1,\xE9\n"));
        assert!(err.starts_with("data.csv:2: the byte 0xE9 is not valid UTF-8 (expected a UTF-8 file, as its byte-order mark says"), "{err}");
    }

    /// The cost of the UTF-8 path on ~300 MB: one validation, no copy. Run with
    /// `cargo test --lib utf8_cost -- --ignored --nocapture` (the validation is std's, which
    /// is optimised even in test builds).
    #[test]
    #[ignore]
    fn utf8_cost() {
        let rows = [
            ("ASCII", "USA,United States,Exports of goods and services (current US$),2023,3051244839800.5\n"),
            ("mixed", "CHN,China,Exports of goods and services (current US$),2023,3511244839800.5\nCIV,Côte d'Ivoire,货物进出口总额,2023,16.7\n"),
            ("Chinese", "货物进出口总额（亿元）,出口额（亿元）,进口额（亿元）,四一七五六八点三\n"),
        ];
        for (kind, row) in rows {
            let bytes = row.repeat(300_000_000 / row.len()).into_bytes();
            for _ in 0..3 {
                let start = std::time::Instant::now();
                let decoded = decode(&bytes, "big.csv", &EncodingChoice::Auto).unwrap();
                let elapsed = start.elapsed();
                assert!(matches!(decoded.text, Cow::Borrowed(_)));
                eprintln!(
                    "{kind}: {} MB in {elapsed:?} ({:.1} GB/s)",
                    bytes.len() / 1_000_000,
                    bytes.len() as f64 / elapsed.as_secs_f64() / 1e9
                );
            }
        }
    }
}
