//! Identities: the private keys that decrypt secrets.
//!
//! The first of these that is given is used, and only it: `--identity FILE`,
//! `FLEETC_AGE_KEY_FILE`, `FLEETC_AGE_KEY` (the key itself), then
//! `~/.config/fleetc/age/keys.txt`. A file holds age identities as `age-keygen` writes
//! them; a file encrypted with a passphrase (`age -p`) is unlocked with a passphrase read
//! from the terminal.

use std::ffi::OsString;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use age::x25519;
use zeroize::Zeroizing;

use super::age_file;

/// The variable naming an identity file.
pub const KEY_FILE_VAR: &str = "FLEETC_AGE_KEY_FILE";
/// The variable holding identities themselves.
pub const KEY_VAR: &str = "FLEETC_AGE_KEY";
/// Identity files larger than this are refused: a key file is a few hundred bytes.
const SIZE_LIMIT: u64 = 1 << 20;

/// Where the identity comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `--identity FILE`.
    Flag(PathBuf),
    /// `FLEETC_AGE_KEY_FILE`.
    EnvFile(PathBuf),
    /// `FLEETC_AGE_KEY`.
    EnvKey,
    /// `~/.config/fleetc/age/keys.txt`.
    Default(PathBuf),
}

impl Source {
    fn path(&self) -> Option<&Path> {
        match self {
            Source::Flag(path) | Source::EnvFile(path) | Source::Default(path) => Some(path),
            Source::EnvKey => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(path) => write!(f, "identity file `{}`", path.display()),
            Source::EnvFile(path) => {
                write!(
                    f,
                    "identity file `{}` (from `{KEY_FILE_VAR}`)",
                    path.display()
                )
            }
            Source::EnvKey => write!(f, "the identity in `{KEY_VAR}`"),
            Source::Default(path) => write!(f, "identity file `{}`", path.display()),
        }
    }
}

/// Why no usable identity was found.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "no identity to decrypt secrets with: pass `--identity FILE`, set `{KEY_FILE_VAR}` or `{KEY_VAR}`, or create one with `fleetc secret keygen`"
    )]
    Missing,
    #[error("cannot read {0}: {1}")]
    Read(Source, std::io::Error),
    #[error("{0} is larger than 1 MiB; it is not an identity file")]
    TooLarge(Source),
    #[error("{0} holds no age identity")]
    Empty(Source),
    #[error("{0}, line {1}, is not an age identity (`AGE-SECRET-KEY-1...`)")]
    Invalid(Source, usize),
    #[error("{0} is an SSH key; fleetc reads age identities only (see the README's limitations)")]
    Ssh(Source),
    #[error(
        "{0} is protected by a passphrase and there is no terminal to ask for it; decrypt it with `age -d` into a file only you can read, and pass that"
    )]
    NoTerminal(Source),
    #[error("cannot unlock {0}: {1}")]
    Locked(Source, String),
}

/// The keys of one identity source.
pub struct Identity {
    pub source: Source,
    keys: Vec<x25519::Identity>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("source", &self.source)
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl Identity {
    /// The keys, as the age crate takes them.
    pub fn keys(&self) -> Vec<&dyn age::Identity> {
        self.keys
            .iter()
            .map(|key| key as &dyn age::Identity)
            .collect()
    }
}

/// The identity source to use, in the documented order; `env` reads a variable.
pub fn locate(flag: Option<&Path>, env: &dyn Fn(&str) -> Option<OsString>) -> Option<Source> {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    if let Some(path) = flag {
        return Some(Source::Flag(path.to_path_buf()));
    }
    if let Some(path) = set(KEY_FILE_VAR) {
        return Some(Source::EnvFile(PathBuf::from(path)));
    }
    if set(KEY_VAR).is_some() {
        return Some(Source::EnvKey);
    }
    default_path(env)
        .filter(|path| path.is_file())
        .map(Source::Default)
}

/// `$XDG_CONFIG_HOME/fleetc/age/keys.txt`, by default `~/.config/fleetc/age/keys.txt`.
pub fn default_path(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let config = env("XDG_CONFIG_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config.join("fleetc").join("age").join("keys.txt"))
}

/// Reads the identity of `source`; `env` reads a variable.
pub fn load(
    source: Source,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Identity, IdentityError> {
    tracing::debug!("reading {source}");
    let text = match source.path() {
        Some(path) => read_file(&source, path)?,
        None => {
            let value = env(KEY_VAR).unwrap_or_default();
            Zeroizing::new(value.to_string_lossy().into_owned())
        }
    };
    let keys = parse(&source, &text)?;
    Ok(Identity { source, keys })
}

fn read_file(source: &Source, path: &Path) -> Result<Zeroizing<String>, IdentityError> {
    let read_error = |error| IdentityError::Read(source.clone(), error);
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > SIZE_LIMIT {
        return Err(IdentityError::TooLarge(source.clone()));
    }
    let bytes = Zeroizing::new(std::fs::read(path).map_err(read_error)?);
    let bytes = match age_file::inspect(&bytes) {
        Ok(shape) if shape.passphrase => unlock(source, &bytes)?,
        _ => bytes,
    };
    String::from_utf8(bytes.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| IdentityError::Invalid(source.clone(), 1))
}

/// Decrypts a passphrase-protected identity file with a passphrase from the terminal.
fn unlock(source: &Source, bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, IdentityError> {
    if !std::io::stdin().is_terminal() {
        return Err(IdentityError::NoTerminal(source.clone()));
    }
    let passphrase = rpassword::prompt_password(format!("passphrase for {source}: "))
        .map_err(|error| IdentityError::Locked(source.clone(), error.to_string()))?;
    let passphrase = age::secrecy::SecretString::from(passphrase);
    age_file::decrypt_with_passphrase(bytes, passphrase).map_err(|error| {
        let reason = match error {
            age_file::DecryptFailure::NoMatchingKey => "wrong passphrase".to_owned(),
            other => other.to_string(),
        };
        IdentityError::Locked(source.clone(), reason)
    })
}

/// Parses identity lines; blank lines and `#` comments are skipped.
fn parse(source: &Source, text: &str) -> Result<Vec<x25519::Identity>, IdentityError> {
    if text.contains("PRIVATE KEY-----") || text.trim_start().starts_with("ssh-") {
        return Err(IdentityError::Ssh(source.clone()));
    }
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = line
            .parse::<x25519::Identity>()
            .map_err(|_| IdentityError::Invalid(source.clone(), index + 1))?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(IdentityError::Empty(source.clone()));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn takes_the_first_source_given() {
        let env = env_of(&[(KEY_FILE_VAR, "/k.txt"), (KEY_VAR, "AGE-SECRET-KEY-1X")]);
        let flag = Path::new("/flag.txt");
        assert_eq!(locate(Some(flag), &env), Some(Source::Flag(flag.into())));
        assert_eq!(locate(None, &env), Some(Source::EnvFile("/k.txt".into())));
        let env = env_of(&[(KEY_FILE_VAR, ""), (KEY_VAR, "AGE-SECRET-KEY-1X")]);
        assert_eq!(locate(None, &env), Some(Source::EnvKey));
        assert_eq!(locate(None, &env_of(&[("HOME", "/nonexistent")])), None);
    }

    #[test]
    fn default_path_follows_xdg() {
        let env = env_of(&[("HOME", "/home/u")]);
        let expected = PathBuf::from("/home/u/.config/fleetc/age/keys.txt");
        assert_eq!(default_path(&env), Some(expected));
        let env = env_of(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/cfg")]);
        let expected = PathBuf::from("/cfg/fleetc/age/keys.txt");
        assert_eq!(default_path(&env), Some(expected));
    }

    #[test]
    fn parses_keys_and_names_a_bad_line_without_echoing_it() {
        let key = x25519::Identity::generate();
        let text = format!(
            "# created\n{}\n",
            age::secrecy::ExposeSecret::expose_secret(&key.to_string())
        );
        assert_eq!(parse(&Source::EnvKey, &text).map(|k| k.len()).ok(), Some(1));
        let Err(error) = parse(&Source::EnvKey, "# x\nAGE-SECRET-KEY-1NOPE\n") else {
            panic!("a bad key line is refused");
        };
        assert!(matches!(error, IdentityError::Invalid(_, 2)));
        assert!(!error.to_string().contains("NOPE"));
    }
}
