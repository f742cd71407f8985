use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

/// Polars allocates and frees large buffers from several threads; glibc's allocator hands
/// each back to the kernel and faults it in again, which made a 10-million-row panel spend
/// more time in the kernel than in tradestat. mimalloc keeps and reuses them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tradestat::panic::install();
    // Usage errors exit with 2 inside `parse`.
    let cli = tradestat::cli::Cli::parse();
    let result = std::panic::catch_unwind(|| {
        if std::env::var_os("TRADESTAT_TEST_PANIC").is_some() {
            panic!("TRADESTAT_TEST_PANIC is set");
        }
        tradestat::run(cli)
    });
    match result {
        Ok(Ok(tradestat::cmd::Status::Success)) => ExitCode::SUCCESS,
        Ok(Ok(tradestat::cmd::Status::ClaimRejected)) => ExitCode::from(3),
        // `tradestat growth | head -1`: the reader has gone, which is not an error.
        Ok(Err(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            // A closed stderr must not turn an error into a panic.
            let _ = writeln!(std::io::stderr(), "tradestat: error: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => tradestat::panic::report(),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
