//! Resolution: from a secret name to its value, for one run.
//!
//! A plaintext override `FLEETC_SECRET_<NAME>` wins and nothing is decrypted for it;
//! otherwise the secret's file is decrypted with the identity, which is read once, the first
//! time a secret needs it. Errors name the secret, its file and the identity tried, never a
//! value.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;

use super::age_file;
use super::identity::{self, Identity};
use super::store::Stores;
use super::{SecretValue, override_var};

/// Why a secret has no value.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("the secret `{name}` does not exist and `{variable}` is not set")]
    Missing { name: String, variable: String },
    #[error("`{variable}` is set but empty")]
    EmptyOverride { variable: String },
    #[error("`{variable}` is not UTF-8 text")]
    OverrideNotText { variable: String },
    #[error("cannot decrypt the secret `{name}` (`{path}`): {reason}")]
    NoIdentity {
        name: String,
        path: PathBuf,
        reason: String,
    },
    #[error("cannot decrypt the secret `{name}` (`{path}`) with {identity}: {reason}")]
    Decrypt {
        name: String,
        path: PathBuf,
        identity: String,
        reason: String,
    },
    #[error("the secret `{name}` (`{path}`) is not UTF-8 text")]
    NotText { name: String, path: PathBuf },
}

/// Resolves secrets for one run, each at most once.
pub struct Resolver<'a> {
    stores: &'a Stores,
    identity_flag: Option<PathBuf>,
    env: &'a dyn Fn(&str) -> Option<OsString>,
    identity: Option<Result<Identity, String>>,
    values: HashMap<String, SecretValue>,
}

impl<'a> Resolver<'a> {
    /// `identity_flag` is `--identity`; `env` reads a variable.
    pub fn new(
        stores: &'a Stores,
        identity_flag: Option<PathBuf>,
        env: &'a dyn Fn(&str) -> Option<OsString>,
    ) -> Self {
        Resolver {
            stores,
            identity_flag,
            env,
            identity: None,
            values: HashMap::new(),
        }
    }

    /// The value of the secret `name`.
    pub fn resolve(&mut self, name: &str) -> Result<SecretValue, ResolveError> {
        if let Some(value) = self.values.get(name) {
            return Ok(value.clone());
        }
        let value = match self.overridden(name)? {
            Some(value) => value,
            None => self.decrypt(name)?,
        };
        self.values.insert(name.to_owned(), value.clone());
        Ok(value)
    }

    fn overridden(&self, name: &str) -> Result<Option<SecretValue>, ResolveError> {
        let variable = override_var(name);
        let Some(value) = (self.env)(&variable) else {
            return Ok(None);
        };
        tracing::debug!("secret `{name}` comes from `{variable}`; nothing is decrypted for it");
        match value.into_string() {
            Ok(text) if text.is_empty() => Err(ResolveError::EmptyOverride { variable }),
            Ok(text) => Ok(Some(SecretValue::new(text))),
            Err(_) => Err(ResolveError::OverrideNotText { variable }),
        }
    }

    fn decrypt(&mut self, name: &str) -> Result<SecretValue, ResolveError> {
        let Some(store) = self.stores.find(name) else {
            let variable = override_var(name);
            return Err(ResolveError::Missing {
                name: name.to_owned(),
                variable,
            });
        };
        let path = store.path(name);
        tracing::debug!("decrypting secret `{name}` from `{}`", path.display());
        let failure = |reason: String, identity: Option<&Identity>| match identity {
            Some(identity) => ResolveError::Decrypt {
                name: name.to_owned(),
                path: path.clone(),
                identity: identity.source.to_string(),
                reason,
            },
            None => ResolveError::NoIdentity {
                name: name.to_owned(),
                path: path.clone(),
                reason,
            },
        };
        let bytes = store.read(name).map_err(|e| failure(e.to_string(), None))?;
        let identity = match self.identity() {
            Ok(identity) => identity,
            Err(reason) => return Err(failure(reason, None)),
        };
        let plaintext = age_file::decrypt(&bytes, &identity.keys())
            .map_err(|e| failure(e.to_string(), Some(identity)))?;
        match std::str::from_utf8(&plaintext) {
            Ok(text) => Ok(SecretValue::new(text.to_owned())),
            Err(_) => Err(ResolveError::NotText {
                name: name.to_owned(),
                path: path.clone(),
            }),
        }
    }

    /// The identity, read on first use.
    fn identity(&mut self) -> Result<&Identity, String> {
        let env = self.env;
        let flag = self.identity_flag.as_deref();
        let identity = self.identity.get_or_insert_with(|| {
            let source = identity::locate(flag, env)
                .ok_or_else(|| identity::IdentityError::Missing.to_string())?;
            identity::load(source, env).map_err(|e| e.to_string())
        });
        identity.as_ref().map_err(Clone::clone)
    }
}
