//! [`SecretValue`]: a decrypted secret that cannot be printed by accident.

use std::fmt;

use zeroize::Zeroize;

/// The text of a secret. `Debug` and `Display` print a placeholder, and the memory is
/// overwritten when the value is dropped; [`SecretValue::expose`] is the one way to read it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// What `Debug` and `Display` print instead of the value.
    pub const REDACTED: &'static str = "<redacted>";

    pub fn new(text: String) -> Self {
        SecretValue(text)
    }

    /// The value itself, for the few places that must write it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for SecretValue {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REDACTED)
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::SecretValue;

    #[test]
    fn never_formats_its_value() {
        let value = SecretValue::new("canary-4711".into());
        assert_eq!(format!("{value}"), "<redacted>");
        assert_eq!(format!("{value:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&value)), "Some(<redacted>)");
        assert_eq!(value.expose(), "canary-4711");
    }
}
