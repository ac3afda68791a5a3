//! The `ccsim` binary: parse the command line, run the verb, map errors to exit codes
//! (0 success, 1 an expectation not met, 2 bad input or any other error, 130 stopped by
//! Ctrl-C).

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    // Output piped into `head` that stops reading ends the program quietly, as it does
    // for other command-line tools, instead of a panic on the failed write.
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = cli::Cli::parse();
    ccsim::interrupt::install_handler();
    match cli::execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e @ ccsim::Error::Interrupted) => match ccsim::output::streamed_into() {
            // A device or pipe already took part of the output: it cannot be taken back.
            Some(target) => {
                eprintln!(
                    "interrupted (Ctrl-C): stopped; what was already written to {} stays there, and nothing else was written",
                    ccsim::error::printable(&target)
                );
                ExitCode::from(130)
            }
            None => {
                eprintln!("{e}");
                ExitCode::from(130)
            }
        },
        Err(e) => {
            // User input (paths, names, keys) may hold escape sequences: never replay them.
            eprintln!("error: {}", ccsim::error::printable(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
