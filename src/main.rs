//! The `fleetc` binary: parses the command line, sets up logging and runs one command.

mod cli;
mod commands;
mod printer;
mod report;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    init_logging(cli.global.verbose);
    match commands::run(cli) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(1)
        }
    }
}

/// Prints clap's message; help and version end in success, usage errors in exit code 1
/// (clap's own default of 2 is `plan --detailed-exitcode`'s "changes").
fn usage_error(error: &clap::Error) -> ExitCode {
    // Printing can only fail when the terminal is gone; there is no one left to tell.
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Logs go to standard error, off unless `-v` is given. Secrets are never logged.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}
