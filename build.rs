//! Links the `tradestat` binary as a position-dependent executable on Linux.
//!
//! A position-independent executable of this size carries about 140,000 relative
//! relocations that the loader applies at every start, touching some 700 pages: 2 ms of a
//! 3.6 ms `tradestat --version`, which takes 1.4 ms without them. The cost is address-space
//! randomisation of the executable's own image (libraries, heap and stack are still
//! randomised), a fair trade for a short-lived command-line tool that reads local files.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
