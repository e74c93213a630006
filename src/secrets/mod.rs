//! Secrets: the resolve stage, between `check` and `emit`.
//!
//! A secret lives in a store folder as an age-encrypted file `<name>.age` (see `store`);
//! `age_file` reads and writes the age format; `identity` finds the key that decrypts it;
//! `resolve` turns a secret name into a [`SecretValue`], from a plaintext override
//! (`FLEETC_SECRET_<NAME>`) or by decryption; `delivery` writes the values that leave
//! kibana.yml (`delivery = "env"`); `private_file` writes every file that holds a secret
//! value, with mode 0600 from its creation. `check` holds the secret rules of `fleetc
//! check`, which use only the store and never need a key.

pub mod age_file;
pub mod check;
pub mod delivery;
pub mod identity;
pub mod private_file;
pub mod resolve;
pub mod store;
mod value;

pub use value::SecretValue;

/// The variable that overrides the secret `name` for one run: `FLEETC_SECRET_<NAME>`.
pub fn override_var(name: &str) -> String {
    format!("FLEETC_SECRET_{}", mangle(name))
}

/// The variable kibana.yml references for the secret `name` with `delivery = "env"`:
/// `FLEETC_<NAME>`.
pub fn delivery_var(name: &str) -> String {
    format!("FLEETC_{}", mangle(name))
}

/// A secret name as part of an environment variable name: upper case, `-` and `.` as `_`.
pub fn mangle(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangles_names_into_variables() {
        assert_eq!(
            mangle("remote-monitoring.token_2"),
            "REMOTE_MONITORING_TOKEN_2"
        );
        assert_eq!(
            override_var("kafka-password"),
            "FLEETC_SECRET_KAFKA_PASSWORD"
        );
        assert_eq!(delivery_var("es.key"), "FLEETC_ES_KEY");
    }

    #[test]
    fn every_secret_name_gives_a_variable_kibana_substitutes() {
        for name in ["a", "A-b.c_d", "0.x", "token-1"] {
            assert!(crate::reference::is_env_name(&delivery_var(name)), "{name}");
        }
    }
}
