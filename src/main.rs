use clap::Parser;
use std::process::ExitCode;

/// Polars allocates and frees large buffers from several threads; glibc's allocator hands
/// each back to the kernel and faults it in again, which made a 10-million-row panel spend
/// more time in the kernel than in tradestat. mimalloc keeps and reuses them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Usage errors exit with 2 inside `parse`.
    let cli = tradestat::cli::Cli::parse();
    match tradestat::run(cli) {
        Ok(tradestat::cmd::Status::Success) => ExitCode::SUCCESS,
        Ok(tradestat::cmd::Status::ClaimRejected) => ExitCode::from(3),
        // `tradestat growth | head -1`: the reader has gone, which is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tradestat: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
