//! Kibana stack versions: parsing, comparing, and the range fleetc knows.
//!
//! Every version gate (a field that a target version lacks, a rule that changed) compares a
//! target [`StackVersion`] with the version a feature arrived in.

use std::fmt;
use std::str::FromStr;

/// A Kibana release, `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StackVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// The oldest release fleetc targets: `is_default_monitoring` and the per-type output union
/// are the ground every rule stands on from 8.0 (KIBANA.md §9).
pub const OLDEST: StackVersion = StackVersion::new(8, 0, 0);

/// The newest minor release whose preconfiguration schema KIBANA.md verifies (9.2).
pub const NEWEST_MINOR: StackVersion = StackVersion::new(9, 2, 0);

/// The last minor release of the 8.x line.
const LAST_8X_MINOR: u32 = 19;

impl StackVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        StackVersion {
            major,
            minor,
            patch,
        }
    }

    /// Whether fleetc knows the rules of this release.
    pub fn is_known(self) -> bool {
        match self.major {
            8 => self.minor <= LAST_8X_MINOR,
            9 => self.minor <= NEWEST_MINOR.minor,
            _ => false,
        }
    }
}

impl fmt::Display for StackVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why a string is not a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a version: write `major.minor.patch`, for example `9.1.0`")]
pub struct VersionError(pub String);

impl FromStr for StackVersion {
    type Err = VersionError;

    /// Reads `9.1.0` or `9.1` (patch 0). Pre-release suffixes such as `-SNAPSHOT` are refused:
    /// fleetc's version gates speak of releases.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || VersionError(text.to_owned());
        let mut parts = text.split('.');
        let mut number = |required: bool| -> Result<u32, VersionError> {
            match parts.next() {
                Some(part) if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) => {
                    part.parse().map_err(|_| error())
                }
                None if !required => Ok(0),
                _ => Err(error()),
            }
        };
        let version = StackVersion::new(number(true)?, number(true)?, number(false)?);
        if parts.next().is_some() {
            return Err(error());
        }
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let cases = [
            ("9.1.0", (9, 1, 0)),
            ("8.12", (8, 12, 0)),
            ("8.15.1", (8, 15, 1)),
        ];
        for (text, (major, minor, patch)) in cases {
            assert_eq!(
                text.parse(),
                Ok(StackVersion::new(major, minor, patch)),
                "{text}"
            );
        }
        assert!("8.9.0".parse::<StackVersion>().unwrap() < "8.10.0".parse().unwrap());
    }

    #[test]
    fn refuses_malformed() {
        for text in [
            "",
            "9",
            "9.x.0",
            "9.1.0.1",
            "v9.1.0",
            "9.1.0-SNAPSHOT",
            "9..1",
        ] {
            assert!(text.parse::<StackVersion>().is_err(), "{text}");
        }
    }

    #[test]
    fn knows_only_verified_releases() {
        assert!(StackVersion::new(8, 0, 0).is_known());
        assert!(StackVersion::new(9, 2, 4).is_known());
        assert!(!StackVersion::new(9, 3, 0).is_known());
        assert!(!StackVersion::new(7, 17, 0).is_known());
        assert!(!StackVersion::new(8, 20, 0).is_known());
    }
}
