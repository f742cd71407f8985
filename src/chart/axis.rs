//! The value and year axes: plotters' tick search made safe for any finite range, and the
//! numbers on the ticks.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// Most key points an axis hands to plotters, whatever the hint asks for (the mesh asks for at
/// most 25 labels × 10 light lines).
const MAX_TICKS: usize = 1000;

/// Refinements of the tick step (each a tenth of the one before) before [`nice_ticks`] gives
/// up; a well-behaved range needs two or three.
const MAX_REFINEMENTS: usize = 32;

/// A numeric axis from `lo` to `hi` (finite, `lo < hi`), drawn like plotters' own `f64` axis
/// but safe on any finite values: plotters' tick search loops forever when the span overflows
/// to infinity or is too narrow for its arithmetic (it divides the step by ten until the tick
/// count grows, which NaN never does). Here the span is taken in halves when it overflows, the
/// search is bounded and falls back to evenly spaced ticks, and a range plotters handles gets
/// exactly plotters' ticks, so ordinary figures are unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
}

impl Axis {
    /// Half the span, `hi / 2 - lo / 2`: finite for any finite ends, where `hi - lo` may
    /// overflow.
    fn half_span(&self) -> f64 {
        self.hi / 2.0 - self.lo / 2.0
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    /// plotters' linear mapping (`RangedCoordf64::map`), with the span taken in halves when
    /// it overflows.
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.1 - limit.0) / 2;
        }
        let span = self.hi - self.lo;
        let logic = if span.is_finite() {
            (v - self.lo) / span
        } else {
            (v / 2.0 - self.lo / 2.0) / self.half_span()
        };
        let actual = limit.1 - limit.0;
        if actual == 0 {
            return limit.1;
        }
        if logic.is_infinite() {
            return if logic > 0.0 { limit.1 } else { limit.0 };
        }
        // `as i32` saturates (and maps NaN to 0): no coordinate can panic.
        if actual > 0 {
            limit.0 + (f64::from(actual) * logic + 1e-3).floor() as i32
        } else {
            limit.0 + (f64::from(actual) * logic - 1e-3).ceil() as i32
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        ticks(self.lo, self.hi, hint.max_num_points())
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Up to `max_points` tick values from `lo` to `hi`, in bounded work for any input: plotters'
/// choice where its arithmetic holds, ticks for half the values (doubled) when the span
/// overflows, and evenly spaced ticks when the search fails. Never more than [`MAX_TICKS`]
/// and never a non-finite value.
fn ticks(lo: f64, hi: f64, max_points: usize) -> Vec<f64> {
    let max_points = max_points.min(MAX_TICKS);
    if max_points == 0 || !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let (lo, hi) = (lo.min(hi), hi.max(lo));
    let span = hi - lo;
    let mut ticks = if !span.is_finite() {
        // hi / 2 - lo / 2 is finite, and ticks for it double to values within lo..hi.
        ticks(lo / 2.0, hi / 2.0, max_points)
            .into_iter()
            .map(|t| t * 2.0)
            .collect()
    } else if span < f64::EPSILON {
        vec![lo]
    } else {
        nice_ticks(lo, hi, max_points).unwrap_or_else(|| even_ticks(lo, hi, max_points))
    };
    // plotters' rounding leaves ticks a hair past the ends (1.0000000000000002 on 0..1), and
    // far past them on extreme ranges; keep the first, which land on the end's pixel.
    let slack = (hi / 2.0 - lo / 2.0) * 2e-6;
    ticks.retain(|t| t.is_finite() && *t >= lo - slack && *t <= hi + slack);
    ticks
}

/// `lo`, `hi` and evenly spaced values between them, at most `max_points` (≥ 1) and distinct.
fn even_ticks(lo: f64, hi: f64, max_points: usize) -> Vec<f64> {
    let steps = max_points.clamp(2, 11) - 1;
    let step = hi / steps as f64 - lo / steps as f64;
    let mut out: Vec<f64> = (0..=steps)
        .map(|i| if i == steps { hi } else { lo + step * i as f64 })
        .filter(|t| t.is_finite())
        .collect();
    out.dedup();
    out.truncate(max_points);
    out
}

/// plotters' tick search (`compute_f64_key_points` in plotters 0.3.7): multiples of 1, 2 or
/// 5 times a power of ten, as many as fit in `max_points`. `None` where its arithmetic breaks
/// down (a NaN count, a step that underflows, more refinements or ticks than any sane range
/// needs) instead of looping.
fn nice_ticks(lo: f64, hi: f64, max_points: usize) -> Option<Vec<f64>> {
    fn rem_euclid(a: f64, b: f64) -> f64 {
        let ret = if b > 0.0 {
            a - (a / b).floor() * b
        } else {
            a - (a / b).ceil() * b
        };
        if (ret - b).abs() < f64::EPSILON {
            0.0
        } else {
            ret
        }
    }
    let span = hi - lo;
    let mut scale = 10f64.powf(span.log10().floor());
    let mut granularity = scale / 10.0;
    if 1 + (span / scale).floor() as usize > max_points {
        scale *= 10.0;
        granularity *= 10.0;
    }
    let mut found = false;
    'outer: for _ in 0..MAX_REFINEMENTS {
        let old = scale;
        for next in [2.0, 5.0, 10.0] {
            let step = old / next;
            if !(step.is_finite() && step > 0.0) {
                return None;
            }
            let mut left = lo - rem_euclid(lo, step);
            if left < lo {
                left += step;
            }
            let right = hi - rem_euclid(hi, step);
            let count = 1.0 + ((right - left) / old * next);
            if !count.is_finite() {
                return None;
            }
            if count.round() as usize > max_points {
                found = true;
                break 'outer;
            }
            scale = step;
        }
        scale = old / 10.0;
        granularity /= 10.0;
    }
    if !(found && scale.is_finite() && scale > 0.0 && granularity > 0.0) {
        return None;
    }
    let left = {
        let mut value = lo - rem_euclid(lo, scale);
        if value < lo {
            value += scale;
        }
        value
    };
    let left_base = (left / granularity).floor() * granularity;
    let mut left_relative = left - left_base;
    let right = hi - rem_euclid(hi, scale);
    let mut out = Vec::new();
    while (right - left_relative - left_base) >= -f64::EPSILON {
        if out.len() > max_points + 1 {
            return None;
        }
        let rounded = (left_relative / granularity).round() * granularity;
        if rounded < 0.0 {
            left_relative += granularity;
        }
        out.push(left_relative + left_base);
        left_relative += scale;
    }
    out.iter().all(|t| t.is_finite()).then_some(out)
}

/// The value axis for `values` (finite): their range with 8 % padding below and 24 % above
/// (head room for the legend in the upper left), or ±10 % around a single value; clamped to
/// finite floats, so values near ±f64::MAX give a finite axis.
pub(super) fn value_axis(values: &[f64]) -> Axis {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 0.0) };
    // Values equal but for rounding (a flat series' forecast of 4.999999999999999) are one
    // value: an axis over 1e-15 would label rounding noise.
    let (lo, hi) = if hi - lo <= 1e-12 * lo.abs().max(hi.abs()) {
        (hi, hi)
    } else {
        (lo, hi)
    };
    let pad = if hi > lo {
        let span = hi - lo;
        if span.is_finite() {
            span * 0.08
        } else {
            (hi / 2.0 - lo / 2.0) * 0.16
        }
    } else {
        hi.abs().max(1.0) * 0.1
    };
    Axis {
        lo: (lo - pad).max(-f64::MAX),
        hi: (hi + 3.0 * pad).min(f64::MAX),
    }
}

/// How the value axis writes its numbers: the same on every tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum TickFormat {
    /// This many decimals.
    Fixed(usize),
    /// Scientific notation with this many decimals in the mantissa (`1.60e308`).
    Exp(usize),
}

/// Decimals for ordinary ranges as before (0 from a range of 50, 1 from 5, else 2, more for
/// ranges below 0.05); scientific notation where fixed decimals would run past 15 digits
/// before the point or 6 after it.
pub(super) fn tick_format(axis: Axis) -> TickFormat {
    let magnitude = axis.lo.abs().max(axis.hi.abs());
    let half = axis.half_span();
    let span = axis.hi - axis.lo;
    // A tick step is about a tenth of the range.
    let step = half / 5.0;
    if magnitude < 1e15 {
        match span {
            r if r >= 50.0 => return TickFormat::Fixed(0),
            r if r >= 5.0 => return TickFormat::Fixed(1),
            r if r >= 0.05 => return TickFormat::Fixed(2),
            _ => {
                let decimals = (-step.log10()).ceil();
                if decimals.is_finite() && decimals <= 6.0 {
                    return TickFormat::Fixed(decimals.max(2.0) as usize);
                }
            }
        }
    }
    // Enough mantissa decimals to tell neighbouring ticks apart: the fewest that give every
    // tick of the finest spacing the axis may use its own label (an estimate from the
    // magnitude and the step is one short when their leading digits differ: 1.99e15 against
    // a step of 5e13 needs two).
    let candidates = ticks(axis.lo, axis.hi, 20);
    let distinct = |d: usize| {
        let labels: Vec<String> = candidates
            .iter()
            .map(|t| format_tick(*t, TickFormat::Exp(d)))
            .collect();
        labels.windows(2).all(|w| w[0] != w[1])
    };
    let _ = step;
    TickFormat::Exp((1..=16).find(|&d| distinct(d)).unwrap_or(16))
}

/// Axis numbers in the axis' [`TickFormat`] (the same on every tick); never `-0`.
pub(super) fn format_tick(y: f64, format: TickFormat) -> String {
    let s = match format {
        TickFormat::Fixed(decimals) => format!("{y:.decimals$}"),
        TickFormat::Exp(_) if y == 0.0 => return "0".to_string(),
        TickFormat::Exp(decimals) => format!("{y:.decimals$e}"),
    };
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_match_plotters_on_ordinary_ranges() {
        use plotters::coord::types::RangedCoordf64;
        for (lo, hi) in [
            (0.0, 1.0),
            (4.5, 21.3),
            (-3.2, 27.0),
            (2014.4, 2019.6),
            (92.0, 210.0),
            (0.31, 0.35),
            (-1e6, 3e9),
            (1e-9, 3e-9),
        ] {
            for n in [1, 5, 11, 25, 110, 250] {
                let theirs = RangedCoordf64::from(lo..hi).key_points(n);
                assert_eq!(ticks(lo, hi, n), theirs, "{lo}..{hi}, {n} points");
            }
        }
    }

    #[test]
    fn ticks_are_few_finite_and_within_any_range() {
        let ends = [
            -f64::MAX,
            -1.7e308,
            -1e300,
            -1.0,
            -5e-324,
            0.0,
            5e-324,
            1e-320,
            f64::MIN_POSITIVE,
            1e-9,
            1.0,
            1.0 + f64::EPSILON,
            1e15,
            1e300,
            1e300 * (1.0 + f64::EPSILON),
            1.5e308,
            f64::MAX,
        ];
        for lo in ends {
            for hi in ends.into_iter().filter(|hi| *hi > lo) {
                for n in [1, 11, 110, usize::MAX] {
                    let ticks = ticks(lo, hi, n);
                    assert!(ticks.len() <= n.min(MAX_TICKS) + 2, "{lo}..{hi}: {ticks:?}");
                    let slack = (hi / 2.0 - lo / 2.0) * 2e-6;
                    assert!(
                        ticks
                            .iter()
                            .all(|t| t.is_finite() && *t >= lo - slack && *t <= hi + slack),
                        "{lo}..{hi}: {ticks:?}"
                    );
                }
            }
        }
        assert!(ticks(f64::NAN, 1.0, 10).is_empty());
        assert!(ticks(0.0, f64::INFINITY, 10).is_empty());
    }

    #[test]
    fn axis_maps_any_finite_range_onto_the_pixels() {
        let axis = Axis {
            lo: -f64::MAX,
            hi: f64::MAX,
        };
        assert_eq!(axis.map(&-f64::MAX, (0, 400)), 0);
        assert_eq!(axis.map(&0.0, (0, 400)), 200);
        assert_eq!(axis.map(&f64::MAX, (400, 0)), 0);
        let value = value_axis(&[1.7e308]);
        assert!(value.lo.is_finite() && value.hi.is_finite() && value.lo < value.hi);
        let ordinary = value_axis(&[5.4, 10.8]);
        assert_eq!(
            (ordinary.lo, ordinary.hi),
            (5.4 - 0.432, 10.8 + 3.0 * 0.432)
        );
    }

    #[test]
    fn tick_labels_stay_short() {
        assert_eq!(tick_format(value_axis(&[5.4, 10.8])), TickFormat::Fixed(1));
        assert_eq!(
            tick_format(value_axis(&[100.0, 200.0])),
            TickFormat::Fixed(0)
        );
        assert_eq!(tick_format(value_axis(&[0.34, 0.35])), TickFormat::Fixed(3));
        assert_eq!(format_tick(1.6e308, TickFormat::Exp(2)), "1.60e308");
        assert_eq!(format_tick(-0.0, TickFormat::Exp(2)), "0");
        assert_eq!(format_tick(-0.0001, TickFormat::Fixed(2)), "0.00");
    }
}
