//! `tradestat completions` and `tradestat man`: generated from the clap definitions.

use crate::cli::Cli;
use anyhow::Result;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tradestat", &mut bytes);
    write_stdout(&bytes)
}

pub fn man() -> Result<()> {
    let mut bytes = Vec::new();
    // The page lists every subcommand; `tradestat help COMMAND` has each one's options.
    clap_mangen::Man::new(Cli::command()).render(&mut bytes)?;
    write_stdout(&bytes)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()?;
    Ok(())
}
