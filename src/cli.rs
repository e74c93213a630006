//! The command line: every command, flag and value, as clap definitions.
//!
//! Completions and the man page are generated from these same definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compile a repository of Elastic Fleet declarations into Kibana's `xpack.fleet.*`
/// preconfiguration.
#[derive(Debug, Parser)]
#[command(name = "fleetc", version, about, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Use the repository in DIR instead of searching upwards for `fleetc.toml`
    #[arg(short = 'C', long = "directory", value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,
    /// The environment to use (an `[environments.NAME]` table of `fleetc.toml`)
    #[arg(long = "env", value_name = "ENV", global = true)]
    pub env: Option<String>,
    /// Log decisions to standard error; twice for more detail
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// When to use colours (`NO_COLOR` is honoured with `auto`)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the declarations: offline, without secret keys
    Check(CheckArgs),
    /// Print the `xpack.fleet.*` block of kibana.yml
    Build(BuildArgs),
    /// Write the JSON Schemas of `fleetc.toml` and of declaration files, for editors
    Schema(SchemaArgs),
    /// Create a new repository with one example of each kind
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How to report findings
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Graphical reports with the source line, on standard error
    Human,
    /// One JSON object on standard output
    Json,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// What to print
    #[arg(long, value_enum, default_value_t = BuildFormat::Yaml)]
    pub format: BuildFormat,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    /// kibana.yml lines
    Yaml,
    /// One JSON object keyed by kibana.yml keys
    Json,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The Kibana version to derive the schemas for (default: the repository's)
    #[arg(long, value_name = "VERSION")]
    pub stack: Option<String>,
    /// Write `fleetc.schema.json` and `declarations.schema.json` into DIR
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the repository
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}
