//! Secret stores: folders of age files, one per secret, with the recipients that may read
//! them.
//!
//! A store folder holds `<name>.age` files (armored or binary) and `recipients.txt`, one
//! recipient per line with `#` comments, the file `age -R` reads. [`Stores`] stacks the
//! folders an environment sees: an overlay's `secrets/` shadows the base folder, secret by
//! secret, and new secrets go into the top folder.

use std::io;
use std::path::{Path, PathBuf};

use age::x25519;

use super::age_file;
use super::private_file;
use crate::environment::Environment;
use crate::reference::is_secret_name;

/// The recipients file of a store folder.
pub const RECIPIENTS: &str = "recipients.txt";

/// Why a store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("`{path}` line {line}: {problem}")]
    Recipient {
        path: PathBuf,
        line: usize,
        problem: &'static str,
    },
    #[error(
        "`{path}` lists no recipients, so nobody could decrypt the secret; add one `age1...` recipient a line"
    )]
    NoRecipients { path: PathBuf },
    #[error(
        "`{path}` does not exist; create it with the recipients (`age1...`) that may decrypt the secrets, one a line"
    )]
    NoRecipientsFile { path: PathBuf },
}

/// One store folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// The file of the secret `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.age"))
    }

    pub fn recipients_path(&self) -> PathBuf {
        self.dir.join(RECIPIENTS)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.path(name).is_file()
    }

    /// The names of the secrets in the folder, sorted; an absent folder holds none.
    pub fn names(&self) -> Result<Vec<String>, StoreError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(self.read_error(&self.dir, source)),
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|entry| entry.path().is_file())
            .filter_map(|entry| {
                let file = entry.file_name().into_string().ok()?;
                let name = file.strip_suffix(".age")?;
                is_secret_name(name).then(|| name.to_owned())
            })
            .collect();
        names.sort();
        Ok(names)
    }

    /// The encrypted bytes of the secret `name`.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(name);
        std::fs::read(&path).map_err(|source| self.read_error(&path, source))
    }

    /// The recipients of `recipients.txt`; an empty list is an error.
    pub fn recipients(&self) -> Result<Vec<x25519::Recipient>, StoreError> {
        let path = self.recipients_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::NoRecipientsFile { path });
            }
            Err(source) => return Err(self.read_error(&path, source)),
        };
        let recipients =
            parse_recipients(&text).map_err(|(line, problem)| StoreError::Recipient {
                path: path.clone(),
                line,
                problem,
            })?;
        if recipients.is_empty() {
            return Err(StoreError::NoRecipients { path });
        }
        Ok(recipients)
    }

    /// Encrypts `plaintext` to the folder's recipients and replaces the secret's file
    /// atomically.
    pub fn write(&self, name: &str, plaintext: &[u8]) -> Result<(), StoreError> {
        let recipients = self.recipients()?;
        let recipients: Vec<&dyn age::Recipient> = recipients
            .iter()
            .map(|r| r as &dyn age::Recipient)
            .collect();
        let path = self.path(name);
        let write_error = |source| StoreError::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(write_error)?;
        let bytes = age_file::encrypt(plaintext, &recipients).map_err(write_error)?;
        private_file::replace(&path, &bytes, private_file::Mode::Public).map_err(write_error)
    }

    /// Deletes the secret's file.
    pub fn remove(&self, name: &str) -> Result<(), StoreError> {
        let path = self.path(name);
        std::fs::remove_file(&path).map_err(|source| StoreError::Write { path, source })
    }

    fn read_error(&self, path: &Path, source: io::Error) -> StoreError {
        StoreError::Read {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Reads a recipients file as `age -R` does: one recipient per line, blank lines and
/// `#` comments skipped. Errors give the line number and never the line.
pub fn parse_recipients(text: &str) -> Result<Vec<x25519::Recipient>, (usize, &'static str)> {
    let mut recipients = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let problem = if line.starts_with("ssh-") {
            "SSH recipients are not supported; give an age recipient (`age1...`)"
        } else if line.starts_with("AGE-SECRET-KEY-") {
            "this is an identity (a private key), not a recipient; give its public key (`age1...`)"
        } else {
            "not an age recipient (`age1...`); plugin recipients are not supported"
        };
        let recipient = line.parse().map_err(|_| (index + 1, problem))?;
        recipients.push(recipient);
    }
    Ok(recipients)
}

/// The store folders one environment sees, the one that shadows the others first.
#[derive(Clone, Debug)]
pub struct Stores {
    layers: Vec<Store>,
}

impl Stores {
    /// The stores of an environment: its overlay's `secrets/`, when that folder exists,
    /// over the repository's `[secrets] dir`.
    pub fn for_environment(root: &Path, environment: &Environment) -> Self {
        let mut layers = Vec::new();
        if let Some(overlay) = &environment.overlay {
            let dir = root.join(overlay).join("secrets");
            if dir.is_dir() {
                layers.push(Store::new(dir));
            }
        }
        layers.push(Store::new(root.join(&environment.secrets.dir)));
        Stores { layers }
    }

    /// Stores from the top (shadowing) folder down to the base folder.
    pub fn new(layers: Vec<Store>) -> Self {
        Stores { layers }
    }

    /// The folder new secrets go into: the top one.
    pub fn top(&self) -> Option<&Store> {
        self.layers.first()
    }

    pub fn layers(&self) -> &[Store] {
        &self.layers
    }

    /// The store that holds the secret `name`, the top one when several do.
    pub fn find(&self, name: &str) -> Option<&Store> {
        self.layers.iter().find(|store| store.contains(name))
    }

    /// Every secret name the stores hold, sorted, with the store that provides it.
    pub fn entries(&self) -> Result<Vec<(String, &Store)>, StoreError> {
        let mut entries: Vec<(String, &Store)> = Vec::new();
        for store in &self.layers {
            for name in store.names()? {
                if !entries.iter().any(|(known, _)| *known == name) {
                    entries.push((name, store));
                }
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECIPIENT: &str = "age1w79u4v2ewrp7duxew3lvwjpnhjwfma2fewf7k6t0ete7ujpe6dfs2qyg6d";

    #[test]
    fn reads_recipients_like_age() {
        let text = format!("# team\n\n  {RECIPIENT}  \n# created: today\n");
        assert_eq!(parse_recipients(&text).map(|r| r.len()), Ok(1));
        assert_eq!(parse_recipients("# none\n").map(|r| r.len()), Ok(0));
    }

    #[test]
    fn names_the_line_of_a_bad_recipient_without_echoing_it() {
        let text = format!("{RECIPIENT}\nAGE-SECRET-KEY-1ABC\n");
        let (line, problem) = parse_recipients(&text).expect_err("refused");
        assert_eq!(line, 2);
        assert!(!problem.contains("ABC"));
        assert!(parse_recipients("ssh-ed25519 AAAA").is_err());
    }
}
