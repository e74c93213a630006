//! The command line: every command, flag and value, as clap definitions.
//!
//! Completions and the man page are generated from these same definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compile a repository of Elastic Fleet declarations into Kibana's `xpack.fleet.*`
/// preconfiguration.
#[derive(Debug, Parser)]
#[command(
    name = "fleetc",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
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
    /// The age identity file that decrypts secrets (before `FLEETC_AGE_KEY_FILE`,
    /// `FLEETC_AGE_KEY` and `~/.config/fleetc/age/keys.txt`)
    #[arg(long, value_name = "FILE", global = true)]
    pub identity: Option<PathBuf>,
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
    /// Show what `apply` would change in the target kibana.yml, without secret values
    Plan(PlanArgs),
    /// Write the block into the target kibana.yml, between fleetc's marker lines
    Apply(ApplyArgs),
    /// Write the JSON Schemas of `fleetc.toml` and of declaration files, for editors
    Schema(SchemaArgs),
    /// Draw which policies send data and monitoring to which outputs, hosts and proxies
    Graph(GraphArgs),
    /// Create a new repository with one example of each kind
    Init(InitArgs),
    /// Write declarations from an existing kibana.yml (or an ECK Kibana manifest)
    Import(ImportArgs),
    /// Manage the age-encrypted secrets: keygen, set, list, rm, rekey
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of fleetc or of one command
    Man(ManArgs),
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
    /// GitHub Actions workflow commands (annotations), then the full list as plain lines
    Github,
    /// A SARIF 2.1.0 log, for code scanning
    Sarif,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// What to print
    #[arg(long, value_enum, default_value_t = BuildFormat::Yaml)]
    pub format: BuildFormat,
    /// Write to FILE instead of standard output (mode 0600 when it holds a secret value)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With `delivery = "env"`: write the secret values to FILE (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub secrets_out: Option<PathBuf>,
    /// The format of `--secrets-out`
    #[arg(long, value_enum, default_value_t = SecretsFormat::Env)]
    pub secrets_format: SecretsFormat,
    /// The name of the Kubernetes Secret written with `--secrets-format kubernetes`
    #[arg(long, value_name = "NAME", default_value = "fleetc-secrets")]
    pub secrets_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretsFormat {
    /// `FLEETC_NAME='value'` lines, for `set -a; . FILE`, systemd and Docker Compose
    Env,
    /// A Kubernetes Secret manifest (`stringData`), for `envFrom` in an ECK Kibana
    Kubernetes,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Write a new age identity and print its recipient
    Keygen(KeygenArgs),
    /// Encrypt the value read from standard input as the secret NAME
    Set(SetArgs),
    /// List the secrets, their files and whether declarations reference them; never values
    List(ListArgs),
    /// Delete the secret NAME
    Rm(RmArgs),
    /// Re-encrypt every secret to the current `recipients.txt`
    Rekey,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the identity (mode 0600; default `~/.config/fleetc/age/keys.txt`)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The secret's name: letters, digits, `.`, `_` and `-`
    pub name: String,
    /// Keep a trailing line break of the input (by default one is removed)
    #[arg(long)]
    pub keep_newline: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// How to print the list
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One line per secret
    Human,
    /// One JSON object
    Json,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The secret's name
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    /// kibana.yml lines
    Yaml,
    /// One JSON object keyed by kibana.yml keys
    Json,
    /// A `spec.config` fragment for the Kibana resource of ECK (Elastic Cloud on Kubernetes)
    Eck,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The kibana.yml to compare with (default: the environment's `kibana_yml`)
    #[arg(long, value_name = "FILE")]
    pub target: Option<PathBuf>,
    /// How to print the plan
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit with 0 when nothing changes, 2 when something does (1 stays an error)
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A summary, the redacted diff and notes, for people
    Text,
    /// The same as Markdown, for a pull request comment
    Markdown,
    /// One JSON object, for tools
    Json,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The kibana.yml to write (default: the environment's `kibana_yml`)
    #[arg(long, value_name = "FILE")]
    pub target: Option<PathBuf>,
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
pub struct GraphArgs {
    /// Mermaid (GitHub renders it in pull requests) or Graphviz DOT
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command, for its own page (`fleetc man check`)
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the repository
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The kibana.yml to read; also an ECK `Kibana` manifest or eck-stack Helm values
    #[arg(value_name = "KIBANA_YML")]
    pub kibana_yml: PathBuf,
    /// Where to write the declaration files (and `fleetc.toml` when missing)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub into: PathBuf,
    /// The syntax of the declaration files
    #[arg(long, value_enum, default_value_t = ImportFormat::Yaml)]
    pub format: ImportFormat,
    /// The Kibana version for a new `fleetc.toml` (default: the newest fleetc verifies)
    #[arg(long, value_name = "VERSION")]
    pub stack: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Yaml,
    Toml,
}
