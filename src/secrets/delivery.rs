//! Delivery of secret values outside kibana.yml (`delivery = "env"`).
//!
//! kibana.yml then holds `${FLEETC_<NAME>}` references, which Kibana fills in from its
//! environment at startup, and the values go to an env file or a Kubernetes Secret. The env
//! file quotes every value the way a POSIX shell reads single quotes, so that it can be
//! sourced (`set -a; . ./kibana.env`) and read by systemd's `EnvironmentFile=` and Docker
//! Compose's `env_file`, whatever bytes the value holds.

use zeroize::Zeroizing;

use super::SecretValue;

/// A variable and its value.
pub type Entry<'a> = (String, &'a SecretValue);

/// Why the values cannot be written in the chosen format.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("the value of `{0}` contains a NUL character, which no environment variable can hold")]
    Nul(String),
    #[error(
        "`{0}` is not a Kubernetes object name (lowercase letters, digits, `-` and `.`, at most 253 characters)"
    )]
    ObjectName(String),
}

const HEADER: &str = "# Written by fleetc: the values of the ${FLEETC_...} references in kibana.yml.\n# It holds secret values: keep it out of git and readable only by Kibana.\n";

/// The env file: one `NAME='value'` line per entry.
pub fn env_file(entries: &[Entry<'_>]) -> Result<Zeroizing<String>, DeliveryError> {
    let mut out = Zeroizing::new(String::from(HEADER));
    for (variable, value) in entries {
        if value.expose().contains('\0') {
            return Err(DeliveryError::Nul(variable.clone()));
        }
        out.push_str(variable);
        out.push('=');
        out.push_str(&single_quote(value.expose()));
        out.push('\n');
    }
    Ok(out)
}

/// A Kubernetes Secret manifest named `name` with one `stringData` key per entry, for
/// `envFrom` in an ECK Kibana's pod template.
pub fn kubernetes(name: &str, entries: &[Entry<'_>]) -> Result<Zeroizing<String>, DeliveryError> {
    if !is_object_name(name) {
        return Err(DeliveryError::ObjectName(name.to_owned()));
    }
    let mut out = Zeroizing::new(String::from(HEADER));
    out.push_str("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ");
    out.push_str(name);
    out.push_str("\ntype: Opaque\nstringData:");
    if entries.is_empty() {
        out.push_str(" {}");
    }
    out.push('\n');
    for (variable, value) in entries {
        if value.expose().contains('\0') {
            return Err(DeliveryError::Nul(variable.clone()));
        }
        // A JSON string is a YAML double-quoted scalar with the same escapes.
        let quoted = Zeroizing::new(serde_json::Value::from(value.expose()).to_string());
        out.push_str("  ");
        out.push_str(variable);
        out.push_str(": ");
        out.push_str(&quoted);
        out.push('\n');
    }
    Ok(out)
}

/// `text` in POSIX single quotes; a quote inside becomes `'\''`.
pub fn single_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

fn is_object_name(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    name.len() <= 253
        && edge(name.chars().next())
        && edge(name.chars().last())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads a word made of single-quoted strings and `\'`, as a POSIX shell does.
    fn shell_unquote(word: &str) -> Option<String> {
        let mut out = String::new();
        let mut chars = word.chars();
        while let Some(c) = chars.next() {
            match c {
                '\'' => loop {
                    match chars.next()? {
                        '\'' => break,
                        inner => out.push(inner),
                    }
                },
                '\\' => out.push(chars.next()?),
                _ => return None,
            }
        }
        Some(out)
    }

    proptest! {
        #[test]
        fn single_quoting_round_trips(text in any::<String>()) {
            prop_assert_eq!(shell_unquote(&single_quote(&text)), Some(text));
        }

        #[test]
        fn env_file_lines_hold_exactly_the_value(text in "[^\0]*") {
            let value = SecretValue::new(text.clone());
            let file = env_file(&[("FLEETC_X".into(), &value)]).expect("no NUL");
            let body = file.strip_prefix(HEADER).expect("header");
            let word = body.strip_prefix("FLEETC_X=").and_then(|w| w.strip_suffix('\n'));
            prop_assert_eq!(word.and_then(shell_unquote), Some(text));
        }
    }

    #[test]
    fn refuses_nul_and_bad_object_names() {
        let value = SecretValue::new("a\0b".into());
        let entries = [("FLEETC_X".to_owned(), &value)];
        assert_eq!(
            env_file(&entries).err(),
            Some(DeliveryError::Nul("FLEETC_X".into()))
        );
        assert!(kubernetes("Fleet_Secrets", &[]).is_err());
        assert!(kubernetes("fleetc-secrets", &[]).is_ok());
    }

    #[test]
    fn kubernetes_values_are_yaml_double_quoted() {
        let value = SecretValue::new("line\n\"quoted\"".into());
        let manifest = kubernetes("kibana-fleet", &[("FLEETC_K".into(), &value)]).expect("ok");
        assert!(manifest.contains("  FLEETC_K: \"line\\n\\\"quoted\\\"\"\n"));
        assert!(manifest.contains("kind: Secret\nmetadata:\n  name: kibana-fleet\n"));
    }
}
