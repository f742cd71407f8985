//! Detail data (`--sum-by`): the plan of a file whose key columns are summed over, and the
//! careful reader's frame summed (see [`crate::data::aggregate`]).

use super::keyed::{Keyed, SeriesFrom, UnitFrom, Values};
use super::plan::{ColumnsIn, Header, Shape};
use crate::data::aggregate::{Aggregate, PartWhere, Summed, Summing};
use crate::data::front;
use anyhow::{bail, Result};
use polars::prelude::DataFrame;

/// The columns `--sum-by` and `--part-where` name, as key columns of the plan.
pub(in crate::data) struct SumPlan {
    by: Vec<usize>,
    part: Option<(usize, PartWhere)>,
    strict: bool,
}

/// A long file without a series column, summed: one series named after the value column
/// (`v`), every column but the year, the value and the unit a key.
pub(super) fn plan_fixed_series(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    value: usize,
    unit: Option<usize>,
) -> Result<()> {
    let year = plan.year;
    plan.groups = (0..head.cells.len())
        .filter(|&i| i != year && i != value && Some(i) != unit)
        .collect();
    plan.check_groups()?;
    plan.shape = Shape::Keyed(Keyed {
        values: Values::Long(value),
        series: SeriesFrom::Fixed(head.cells[value].clone()),
        unit: UnitFrom::column(unit),
    });
    Ok(())
}

/// Finds the columns of `--sum-by` and `--part-where` among the plan's key columns.
pub(super) fn plan_sum(
    plan: &mut ColumnsIn<'_>,
    head: &Header<'_>,
    spec: &Aggregate,
) -> Result<()> {
    if !spec.is_set() {
        return Ok(());
    }
    let by = spec
        .sum_by
        .iter()
        .map(|c| key_column(plan, head, "--sum-by", c))
        .collect::<Result<Vec<usize>>>()?;
    let part = match &spec.part_where {
        Some(p) => Some((
            key_column(plan, head, "--part-where", &p.column)?,
            p.clone(),
        )),
        None => None,
    };
    plan.summing = Some(SumPlan {
        by,
        part,
        strict: spec.strict_duplicates,
    });
    Ok(())
}

/// The key column `flag` names: the exact name, else by its name key; an error when the
/// file has no such column or it is not a key (the year, the value, the series, the unit).
fn key_column(plan: &ColumnsIn<'_>, head: &Header<'_>, flag: &str, wanted: &str) -> Result<usize> {
    let (name, hl, cells) = (head.name, head.line, head.cells);
    let found = cells
        .iter()
        .position(|h| h == wanted)
        .or_else(|| head.find(&front::name_key(wanted)));
    let Some(c) = found else {
        bail!(
            "{flag} {wanted}: {name}:{hl} has no column {wanted:?} (its columns are: {})",
            cells.join(", ")
        );
    };
    if plan.groups.contains(&c) {
        return Ok(c);
    }
    let keys = plan.group_names();
    if keys.is_empty() {
        bail!(
            "{flag} {wanted}: {name} is not read as a long file with key columns (expected one row per key and year: name its year and value columns, e.g. --year-col t --value-col v)"
        );
    }
    bail!(
        "{flag} {wanted}: column {:?} of {name} is not a key column but the year, the value, the series or the unit (expected one of the key columns: {})",
        cells[c],
        keys.join(", ")
    )
}

impl SumPlan {
    /// How to sum the frame of `plan` read with the groups `read_groups`.
    pub(super) fn summing<'a>(
        &'a self,
        plan: &'a ColumnsIn<'_>,
        read_groups: &'a [String],
        by: &'a [String],
    ) -> Summing<'a> {
        Summing {
            name: plan.name,
            read_groups,
            by,
            part: self
                .part
                .as_ref()
                .map(|(c, p)| (plan.header[*c].as_str(), p)),
            strict: self.strict,
        }
    }

    /// The `--sum-by` columns' names.
    pub(super) fn by(&self, plan: &ColumnsIn<'_>) -> Vec<String> {
        plan.names(&self.by)
    }

    /// The key columns a summed file's records are needed with: the `--sum-by` columns and
    /// the `--part-where` column, each once.
    pub(super) fn columns(&self) -> Vec<usize> {
        let mut columns = self.by.clone();
        if let Some((c, _)) = &self.part {
            if !columns.contains(c) {
                columns.push(*c);
            }
        }
        columns
    }

    /// Sums the careful reader's `frame`, read with the groups `read_groups`: the summed
    /// frame, its groups (the `--sum-by` columns) and what was done.
    pub(super) fn sum(
        &self,
        plan: &ColumnsIn<'_>,
        frame: DataFrame,
        read_groups: &[String],
    ) -> Result<(DataFrame, Vec<String>, Summed)> {
        let by = self.by(plan);
        let (frame, summed) = self.summing(plan, read_groups, &by).sum(frame)?;
        Ok((frame, by, summed))
    }
}
