//! Package rules (KIBANA.md §6): each package once, versions Kibana accepts, and every
//! package a package policy uses installed at setup.

use super::policies::{package_of, package_policies_of};
use super::{Context, unique_by};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Kind, Value};
use crate::rules;

/// Packages Fleet setup installs without being asked (KIBANA.md §6, the 8.x constants; the
/// same three are required in every version read).
pub const INSTALLED_BY_FLEET: [&str; 3] = ["system", "elastic_agent", "fleet_server"];

pub fn check(context: &Context<'_>, found: &mut Diagnostics) {
    let model = context.model;
    unique_by(
        model,
        Kind::Package,
        "name",
        &rules::PACKAGE_DUPLICATE,
        found,
    );
    for package in model.of(Kind::Package) {
        let Some(version) = package.get("version").filter(|v| v.as_str().is_some()) else {
            continue;
        };
        let text = version.as_str().unwrap_or_default();
        // node-semver's `valid`, which Kibana calls, also takes a leading `v` or `=`.
        let version_text = text.trim().trim_start_matches(['v', '=']);
        if text != "latest" && !is_semver(version_text) {
            let message = format!("`{text}` is not a semantic version (`1.2.3`) nor `latest`");
            let diagnostic = Diagnostic::new(&rules::PACKAGE_VERSION, message)
                .at(version.span, "invalid version");
            found.push(diagnostic.pointer(format!("{}/version", package.pointer)));
        }
    }
    for policy in model.of(Kind::AgentPolicy) {
        for (index, package_policy) in package_policies_of(policy).iter().enumerate() {
            let Some(package) = package_of(package_policy) else {
                continue;
            };
            let pointer = format!("{}/package_policies/{index}/package/name", policy.pointer);
            installed(model, package, &policy.key.value, &pointer, found);
        }
    }
}

fn installed(
    model: &crate::model::Model,
    package: &Value,
    policy: &str,
    pointer: &str,
    found: &mut Diagnostics,
) {
    let Some(name) = package.as_str() else { return };
    if INSTALLED_BY_FLEET.contains(&name) || model.find(Kind::Package, name).is_some() {
        return;
    }
    let message =
        format!("the policy `{policy}` uses the package `{name}`, which `packages` does not list");
    let help = format!(
        "add `{{ name: {name}, version: latest }}` (or a pinned version) to `packages`; {}",
        rules::PACKAGE_NOT_INSTALLED.help
    );
    found.push(
        Diagnostic::new(&rules::PACKAGE_NOT_INSTALLED, message)
            .at(package.span, "not installed")
            .help(help)
            .pointer(pointer),
    );
}

/// `MAJOR.MINOR.PATCH`, optional `-prerelease` and `+build`, as semver 2.0 defines them.
pub fn is_semver(text: &str) -> bool {
    let (version, build) = text
        .split_once('+')
        .map_or((text, None), |(v, b)| (v, Some(b)));
    let (core, prerelease) = version
        .split_once('-')
        .map_or((version, None), |(c, p)| (c, Some(p)));
    let number = |part: &str| {
        !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'))
    };
    let identifier = |part: &str| {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers.iter().all(|n| number(n))
        && prerelease.is_none_or(|p| {
            p.split('.')
                .all(|id| identifier(id) && (!id.bytes().all(|b| b.is_ascii_digit()) || number(id)))
        })
        && build.is_none_or(|b| b.split('.').all(identifier))
}

#[cfg(test)]
mod tests {
    use super::is_semver;

    #[test]
    fn semantic_versions() {
        for good in [
            "1.2.3",
            "0.5.0",
            "1.0.0-beta.1",
            "1.0.0-rc.1+build.5",
            "10.20.30",
        ] {
            assert!(is_semver(good), "{good}");
        }
        for bad in [
            "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "v1.2.3", "latest", "1.2.x", "",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }
}
