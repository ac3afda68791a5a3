//! The `ccsim` binary: parse the command line, run the verb, map errors to exit codes
//! (0 success, 1 an expectation not met, 2 bad input or any other error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ccsim::cli::Cli::parse();
    match ccsim::cli::execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
