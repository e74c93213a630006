//! `fleetc completions` and `fleetc man`: shell completion scripts and the manual page,
//! generated from the clap definitions of `cli`, so they never drift from the commands.

use clap::CommandFactory;

use super::{Exit, Failure};
use crate::cli::{Cli, Shell};

pub fn completions(shell: Shell) -> Result<Exit, Failure> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(generator, &mut command, "fleetc", &mut out);
    write(&out)
}

pub fn man(command: Option<&str>) -> Result<Exit, Failure> {
    let mut root = Cli::command();
    // Building propagates the global flags (`-C`, `--env`, ...) into every command's page.
    root.build();
    let page = match command {
        None => root,
        Some(name) => {
            let subcommand = root
                .find_subcommand(name)
                .ok_or_else(|| Failure(format!("there is no command `{name}`")))?;
            subcommand.clone().name(format!("fleetc-{name}"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Failure(format!("cannot render the manual page: {e}")))?;
    write(&out)
}

fn write(bytes: &[u8]) -> Result<Exit, Failure> {
    let text = String::from_utf8_lossy(bytes);
    crate::printer::stdout(&text).map_err(|e| Failure(format!("cannot write: {e}")))?;
    Ok(Exit::Success)
}
