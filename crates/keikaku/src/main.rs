//! The `keikaku` binary: the command line, and the only place that reads configuration
//! (flags and environment). It wires storage, use cases and the web transport together and
//! turns errors into messages and exit codes.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
