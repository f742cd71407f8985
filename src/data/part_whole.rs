//! A part and its whole (`share`, `panel --part --whole`, `sql`'s `shares`): their names
//! resolved, and the whole brought into the part's unit so that part / whole means something.

use super::{Dataset, FxTable, Unit};
use crate::notes::{Note, Subject, What};
use crate::schema::{Reads, Span, SERIES, UNIT};
use anyhow::{bail, Result};
use polars::prelude::*;
use std::collections::BTreeMap;

impl Dataset {
    /// `--part` and `--whole` resolved to series names (see [`Dataset::resolve_series`]); an
    /// error when both name one series.
    pub fn resolve_part_whole(&self, part: &str, whole: &str) -> Result<(String, String)> {
        let part = self
            .resolve_series("--part", &[part.to_string()])?
            .remove(0);
        let whole = self
            .resolve_series("--whole", &[whole.to_string()])?
            .remove(0);
        if part == whole {
            bail!("--part and --whole are both {part:?} (expected two different series)");
        }
        Ok((part, whole))
    }

    /// Puts `whole` in `part`'s unit when the two differ (by scale, or through `fx`), and
    /// says so in a note. Converting keeps only the rows that `span` and `reads` select (see
    /// [`Span::rows`]), so `fx` needs rates for those years alone. When either series has no
    /// single unit, part and whole must be in one unit within each group (else an error).
    pub fn whole_in_part_unit(
        &mut self,
        part: &str,
        whole: &str,
        fx: Option<&FxTable>,
        span: Span,
        reads: Reads,
    ) -> Result<Option<Note>> {
        let units = self.units()?;
        let (Some(p), Some(w)) = (units.get(part), units.get(whole)) else {
            self.same_unit_per_group(part, whole)?;
            return Ok(None);
        };
        if p == w {
            return Ok(None);
        }
        self.retain(span.rows(reads, &self.keys())?)
            .and_then(|()| self.convert(&Unit::parse(p), fx, Some(whole)))
            .map_err(|e| {
                anyhow::anyhow!("--part {part} is in {p} but --whole {whole} is in {w}: {e:#}")
            })?;
        let what = What::whole_converted(whole, w, p);
        Ok(Some(Note::new(Subject::none(), what)))
    }

    /// When a series has no single unit (a publisher's table where each group reports in its
    /// own), a share needs part and whole in one unit within each group: an error names the
    /// first group where they differ.
    fn same_unit_per_group(&self, part: &str, whole: &str) -> Result<()> {
        // Series without any unit (a null unit column, known at no cost) have nothing to check.
        let unit = self.frame.column(UNIT)?;
        if unit.null_count() == unit.len() {
            return Ok(());
        }
        for (group, (p, w)) in self.units_per_group(part, whole)? {
            if !p.is_empty() && !w.is_empty() && p != w {
                let label: Vec<String> = self
                    .groups
                    .iter()
                    .zip(&group)
                    .map(|(g, v)| format!("{g}={}", v.as_deref().unwrap_or("")))
                    .collect();
                bail!(
                    "--part {part} is in {} but --whole {whole} is in {} in {} (expected one unit within each group; --unit brings every series into one)",
                    p.join(", "),
                    w.join(", "),
                    label.join(", ")
                );
            }
        }
        Ok(())
    }

    /// Per group (its values, in order): the units of `part`'s rows and of `whole`'s.
    fn units_per_group(&self, part: &str, whole: &str) -> Result<BTreeMap<Group, GroupUnits>> {
        let mut keys: Vec<Expr> = self.groups.iter().map(|g| col(g.as_str())).collect();
        keys.extend([col(SERIES), col(UNIT)]);
        let pairs = self
            .frame
            .clone()
            .lazy()
            .filter(col(SERIES).eq(lit(part)).or(col(SERIES).eq(lit(whole))))
            .select(keys)
            .unique_stable(None, UniqueKeepStrategy::First)
            .collect()?;
        let text = |name: &str| -> Result<Group> {
            Ok(pairs
                .column(name)?
                .str()?
                .iter()
                .map(|v| v.map(str::to_string))
                .collect())
        };
        let groups: Vec<Group> = self.groups.iter().map(|g| text(g)).collect::<Result<_>>()?;
        let (series, units) = (text(SERIES)?, text(UNIT)?);
        let mut seen: BTreeMap<Group, GroupUnits> = BTreeMap::new();
        for i in 0..pairs.height() {
            let group: Group = groups.iter().map(|g| g[i].clone()).collect();
            let entry = seen.entry(group).or_default();
            let unit = units[i].clone().unwrap_or_else(|| "no unit".to_string());
            if series[i].as_deref() == Some(part) {
                entry.0.push(unit);
            } else {
                entry.1.push(unit);
            }
        }
        Ok(seen)
    }
}

/// A group's values (or a column's cells), in order.
type Group = Vec<Option<String>>;
/// The units of a part's rows and of its whole's.
type GroupUnits = (Vec<String>, Vec<String>);
