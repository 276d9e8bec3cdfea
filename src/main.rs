//! The `mfgcheck` binary: the command-line layer over the `mfgcheck` library.

#![forbid(unsafe_code)]

mod cli;
#[cfg(feature = "serve")]
mod web;

use std::process::ExitCode;

/// jemalloc on Unix, for the C code linked in too: with glibc's malloc, a scan on 2
/// cores takes 9-10% more CPU and wall time (see Cargo.toml for the figures).
#[cfg(unix)]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // A panic is a bug, but the user still gets one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("mfgcheck: internal error{place}: {what} (this is a bug; please report it)");
        std::process::exit(2);
    }));
    cli::main()
}
