//! tradestat: growth rates, CAGR, shares and index numbers on yearly trade series.
//!
//! The binary is a thin shell around [`run`]; the library is split by responsibility
//! (docs/architecture.md draws it; the `layering` test checks it): [`schema`] names the
//! columns and the order of the canonical long frame and describes every result column once,
//! [`notes`] words what a result says about itself, [`data`] reads input into that frame,
//! [`analysis`] computes on it with Polars and returns typed results (`data` and `analysis`
//! depend on `schema`, not on each other), [`output`] is the neutral result built from those
//! frames, [`render`] turns it into bytes, [`chart`] and [`report`] draw and compose from the
//! same results, [`sql`] registers them for queries, [`config`] is a run's checked settings,
//! [`pipeline`] loads, runs (whole file or in pieces) and writes, [`cli`] is the command line
//! and [`cmd`] computes and describes one subcommand's result each.
//! [`cleanup`] undoes half-written output on interrupts and [`panic`](mod@panic) turns internal errors
//! into one line and exit status 1.

pub mod analysis;
pub mod chart;
pub mod cleanup;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod data;
#[cfg(test)]
mod layering;
pub mod notes;
pub mod output;
pub mod panic;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod report;
pub mod schema;
pub mod sql;

pub use cmd::run;
