//! The `keikaku` binary: the command line, and the only place that reads configuration
//! (flags and environment). It wires storage, use cases and the web transport together and
//! turns errors into messages and exit codes.

mod cli;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: each sign-in's argon2id hash takes 19 MiB, and
/// glibc's malloc kept every such block (its adaptive mmap threshold moved them onto heaps it
/// did not give back), so twenty sign-ins left the server at 200 MB; mimalloc returns freed
/// memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
