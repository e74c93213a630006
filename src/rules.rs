//! Every rule fleetc enforces, with its stable code, phase and the reason it exists.
//!
//! A rule's `help` says how to fix a finding and why the rule exists: a Kibana fact (with
//! its KIBANA.md section) or, for `lint` rules, the hazard fleetc guards against. The list
//! is public so that documentation and machine formats can describe every rule.

use crate::diagnostic::{Phase, Severity};

/// A rule: one kind of finding.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub phase: Phase,
    pub severity: Severity,
    pub help: &'static str,
}

macro_rules! rules {
    ($($name:ident = $code:literal, $phase:ident, $severity:ident, $help:literal;)*) => {
        $(
            #[doc = $help]
            pub const $name: Rule = Rule {
                code: $code,
                phase: Phase::$phase,
                severity: Severity::$severity,
                help: $help,
            };
        )*

        /// All rules, in the order they are documented.
        pub const ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    // The repository and its files: fleetc's own rules about its input.
    PROJECT_NOT_FOUND = "repo/no-project", Lint, Error, "run `fleetc init` to create a repository, or pass `-C DIR` to point at one";
    PROJECT_INVALID = "repo/invalid-project", Lint, Error, "`fleetc.toml` is documented in the README's configuration reference";
    UNKNOWN_STACK_VERSION = "repo/unknown-stack-version", Lint, Error, "fleetc knows the preconfiguration rules of Kibana 8.0 to 9.2 (KIBANA.md §9); set `stack_version` to the Kibana release you deploy";
    UNREADABLE_FILE = "repo/unreadable-file", Lint, Error, "fleetc reads every selected declaration file; fix its permissions or exclude it with `[declarations] exclude`";
    FILE_TOO_LARGE = "repo/file-too-large", Lint, Error, "declaration files are limited to 8 MiB so that a stray data file cannot exhaust memory; exclude it with `[declarations] exclude`";
    NOT_UTF8 = "repo/not-utf8", Lint, Error, "declaration files must be UTF-8 text; a binary file matched `[declarations] include`, exclude it";
    OUTSIDE_REPOSITORY = "repo/outside-repository", Lint, Error, "a symbolic link that leaves the repository makes a build depend on files git does not track; copy the file into the repository";
    UNKNOWN_ENVIRONMENT = "repo/unknown-environment", Lint, Error, "environments are the `[environments.NAME]` tables of `fleetc.toml`; without any, the one environment is `default`";
    MISSING_DIRECTORY = "repo/missing-directory", Lint, Error, "the folder given with `-C` must exist";

    // Parsing.
    SYNTAX = "parse/syntax", Lint, Error, "the file is not valid YAML or TOML; fix the syntax at the marked place";
    DUPLICATE_KEY = "parse/duplicate-key", Lint, Error, "a key written twice in one map is ambiguous (YAML 1.2 forbids it, js-yaml keeps the last one); keep one";
    TOO_DEEP = "parse/too-deep", Lint, Error, "declarations nest at most 64 levels deep; deeper nesting is refused to keep parsing bounded";
    TOO_MANY_NODES = "parse/too-many-nodes", Lint, Error, "a file may expand to at most 1,000,000 values, aliases included, so that an alias bomb cannot exhaust memory";
    UNSUPPORTED_YAML = "parse/unsupported-yaml", Lint, Error, "fleetc reads plain YAML 1.2 data: no tags other than `!!str`, no merge keys (`<<`), no complex keys, one document per file";
    AMBIGUOUS_NUMBER = "parse/ambiguous-number", Lint, Error, "a number with a leading zero is decimal in YAML 1.2 but octal in YAML 1.1 readers; quote it if it is a string, or drop the leading zero";
    NOT_A_DECLARATION_FILE = "declaration/unknown-list", Lint, Error, "a declaration file holds the lists `outputs`, `fleet_server_hosts`, `proxies`, `packages`, `agent_policies` and the map `settings`";

    // Schema: Kibana's config-schema rejects these at boot (KIBANA.md §1).
    UNKNOWN_FIELD = "schema/unknown-field", Boot, Error, "Kibana refuses to start on a key its schema does not define (`definition for this key is missing`, KIBANA.md §1)";
    MISSING_FIELD = "schema/missing-field", Boot, Error, "Kibana refuses to start when a required key is missing (KIBANA.md §3, §4)";
    INVALID_VALUE = "schema/invalid-value", Boot, Error, "Kibana validates every preconfigured value at boot and refuses to start on a wrong type or value (KIBANA.md §1)";
    TOO_NEW = "schema/version-gate", Boot, Error, "the target Kibana does not know this key or value and refuses to start; raise `stack_version` or remove it (KIBANA.md §9)";
    SECRET_NOT_ALLOWED = "schema/secret-not-allowed", Lint, Error, "`{ secret: NAME }` is for fields Kibana stores as secrets (KIBANA.md §3.7); write the value, or `{ env: VAR }`";
    ENV_NAME = "schema/env-name", Boot, Error, "Kibana substitutes `${VAR}` only for names of letters, digits and `_` (KIBANA.md §1)";

    // Outputs (KIBANA.md §3).
    OUTPUT_DUPLICATE_ID = "output/duplicate-id", Boot, Error, "Kibana refuses to start: `preconfigured outputs need to have unique ids.` (KIBANA.md §3.1)";
    OUTPUT_DUPLICATE_NAME = "output/duplicate-name", Boot, Error, "Kibana refuses to start: `preconfigured outputs need to have unique names.` (KIBANA.md §3.1)";
    OUTPUT_MULTIPLE_DEFAULTS = "output/multiple-defaults", Boot, Error, "Kibana refuses to start: `preconfigured outputs can only have one default output.` (KIBANA.md §3.1)";
    OUTPUT_MULTIPLE_DEFAULT_MONITORING = "output/multiple-default-monitoring", Boot, Error, "one output may be the default for monitoring; Kibana refuses some such sets at boot and picks an unpredictable winner for others (KIBANA.md §3.1)";
    OUTPUT_INVALID_HOST = "output/invalid-host", Boot, Error, "Kibana checks output hosts at boot: http(s) URLs for Elasticsearch outputs, `host:port` without a scheme for Logstash and Kafka (KIBANA.md §3.3-§3.6)";
    OUTPUT_CONFIG_YAML = "output/config-yaml", Boot, Error, "Kibana refuses `config_yaml` in kibana.yml (`a value wasn't expected to be present`); write the same settings as a map under `config` (KIBANA.md §3.1)";
    OUTPUT_PRESET_RESERVED = "output/preset-reserved-config", Setup, Error, "Fleet setup fails when `preset: balanced` meets a performance key in `config`; use `preset: custom` or drop the key (KIBANA.md §3.3)";
    OUTPUT_UNKNOWN_PROXY = "output/unknown-proxy", Lint, Error, "Kibana does not check that `proxy_id` names a proxy; agents then run without the intended proxy. Declare the proxy or fix the id (KIBANA.md §4.2)";
    KAFKA_AUTH = "output/kafka-auth", Boot, Error, "for Kafka outputs Kibana ties fields to `auth_type`: `connection_type` only with `none`, `username` and `password` only with `user_pass` (KIBANA.md §3.6)";
    KAFKA_COMPRESSION_LEVEL = "output/kafka-compression-level", Boot, Error, "Kibana accepts `compression_level` only with `compression: gzip` (KIBANA.md §3.6)";
    KAFKA_TOPIC = "output/kafka-topic", Boot, Error, "Kafka `topics` was removed in 9.0 and `topic` arrived in 8.13; write the form of the target version (KIBANA.md §3.6)";

    // Fleet Server hosts and proxies (KIBANA.md §4).
    HOST_DUPLICATE_ID = "fleet-server-host/duplicate-id", Lint, Error, "two Fleet Server hosts with one id overwrite each other at setup; give each its own id";
    HOST_MULTIPLE_DEFAULTS = "fleet-server-host/multiple-defaults", Setup, Error, "Fleet setup fails: `Only one default Fleet Server host is allowed`; `settings` `agents.fleet_server.hosts` counts as a default host (KIBANA.md §4.1)";
    HOST_INVALID_URL = "fleet-server-host/invalid-url", Setup, Error, "Fleet setup parses each host URL and fails on one that is not an absolute URL (KIBANA.md §4.1)";
    PROXY_DUPLICATE_ID = "proxy/duplicate-id", Lint, Error, "two proxies with one id overwrite each other at setup; give each its own id";
    PROXY_INVALID_URL = "proxy/invalid-url", Runtime, Error, "Kibana's preconfiguration does not check proxy URLs but the Fleet UI does, and agents need a `http`, `https` or `socks5` URL (KIBANA.md §4.2)";

    // Settings (KIBANA.md §2).
    SETTING_DUPLICATE = "settings/duplicate", Lint, Error, "each `xpack.fleet` setting may be defined once in the repository; otherwise which one wins would depend on file order";
    SETTING_LEGACY_HOSTS = "settings/legacy-hosts-with-default-output", Boot, Error, "Kibana refuses to start: `xpack.fleet.agents.elasticsearch.hosts should not be used when defining default outputs in xpack.fleet.outputs` (KIBANA.md §2)";
    SETTING_INVALID_URL = "settings/invalid-url", Boot, Error, "Kibana refuses to start on a URL without an `http` or `https` scheme in this setting (KIBANA.md §2)";

    // Agent policies, package policies and packages (KIBANA.md §5, §6).
    POLICY_DUPLICATE_ID = "policy/duplicate-id", Lint, Error, "two agent policies with one id: Fleet setup applies both to the same policy, one after the other; give each its own id";
    POLICY_DUPLICATE_NAME = "policy/duplicate-name", Setup, Error, "Fleet setup skips the second policy with a name already taken: `Agent Policy '<id>' already exists with name '<name>'` (KIBANA.md §5.1)";
    POLICY_DEPRECATED = "policy/deprecated-field", Boot, Warning, "Kibana logs `Config key [xpack.fleet.agentPolicies.is_default] is deprecated.` (and likewise `is_default_fleet_server`); reference the policy by its `id` instead (KIBANA.md §2)";
    NAMESPACE_INVALID = "policy/invalid-namespace", Boot, Error, "Kibana refuses a namespace that is empty, not lower case, holds `* \\ / ? \" < > | , # : -` or white space, or is longer than 100 bytes (KIBANA.md §5.3)";
    PACKAGE_POLICIES_REQUIRED = "policy/package-policies-required", Boot, Error, "before 8.15 Kibana refuses to start on a policy without `package_policies`; write `package_policies: []` (KIBANA.md §5.2)";
    OVERRIDES_INPUTS = "policy/overrides-inputs", Boot, Error, "Kibana refuses `overrides` that touch `inputs` (`inputs overrides is not allowed`, KIBANA.md §5.1); change the package policy instead";
    GLOBAL_DATA_TAGS = "policy/global-data-tags", Boot, Error, "Kibana refuses duplicate global data tag names and names with white space (KIBANA.md §5.1)";
    UNKNOWN_REFERENCE = "policy/unknown-reference", Runtime, Error, "Kibana does not check at boot that a policy's output or Fleet Server host ids name existing items; the policy's agents then cannot get their configuration (KIBANA.md §5.1, §11)";
    OUTPUT_TYPE = "policy/output-type", Setup, Error, "policies with Fleet Server, APM or Synthetics may only send data to an `elasticsearch` output; Fleet setup skips such a policy (`Output of type ... is not usable with policy`, KIBANA.md §3.9)";
    ENDPOINT_REMOTE = "policy/endpoint-remote-output", Runtime, Error, "Fleet does not support Elastic Defend (package `endpoint`) on a policy whose data or monitoring goes to a `remote_elasticsearch` output (KIBANA.md §S)";
    OUTPUT_LICENCE = "policy/output-licence", Setup, Advice, "a per-policy output (`data_output_id`, `monitoring_output_id`) needs a Platinum licence, a per-integration `output_id` an Enterprise one; without it Fleet setup skips the policy (KIBANA.md §3.9)";
    PACKAGE_POLICY_NAMESPACE = "package-policy/invalid-namespace", Runtime, Error, "Kibana does not check package-policy namespaces in the map form, but Fleet refuses the same rules as for policies when the package policy is saved again (KIBANA.md §5.3)";
    PACKAGE_POLICY_ID = "package-policy/missing-id", Lint, Advice, "in the list form Kibana matches a package policy by name; with an `id` a later rename keeps it the same package policy (KIBANA.md §5.2)";
    PACKAGE_POLICY_DUPLICATE = "package-policy/duplicate", Setup, Error, "an id names one package policy in all of Kibana, and setup matches a policy's package policies by name, so two with one id, or one name in a policy, collapse into one (KIBANA.md §5.2)";
    PACKAGE_NOT_INSTALLED = "package-policy/package-not-installed", Setup, Error, "Fleet setup fails: `[policy] could not be added. [package] is not installed, add [package] to [xpack.fleet.packages]` (KIBANA.md §5.2, §6)";
    SYNTHETICS = "package-policy/synthetics", Boot, Error, "Kibana refuses `synthetics` in kibana.yml: `Synthetics package is not supported via kibana.yml config`; use the Synthetics app and private locations (KIBANA.md §5.2)";
    DOTTED_KEY = "package-policy/dotted-key", Boot, Error, "before 8.14 Kibana splits every dotted key into nested maps and has no escape, so a data key such as `system.cpu` cannot be written (KIBANA.md §1)";
    DATA_KEY_TWICE = "package-policy/duplicate-data-key", Lint, Error, "`a.b` and `[a.b]` name the same key for Kibana; with both, one silently replaces the other";
    DOTTED_KEY_IN_ARRAY = "package-policy/dotted-key-in-array", Boot, Warning, "Kibana before 8.15.1 mishandles dotted keys inside objects in arrays (`agentPolicies` is one) and may refuse to start; target 8.15.1 or later (KIBANA.md §1)";
    PACKAGE_DUPLICATE = "package/duplicate", Setup, Error, "Fleet setup fails: `Duplicate packages specified in configuration` (KIBANA.md §6)";
    PACKAGE_VERSION = "package/invalid-version", Boot, Error, "Kibana refuses to start: a package version `must be a valid semver, or the keyword latest` (KIBANA.md §6)";
    REMOTE_ASSETS = "output/remote-assets", Lint, Advice, "without `sync_integrations` the assets of every integration that sends data to a remote cluster must be installed on that cluster by hand (KIBANA.md §S)";
    SYNC_LICENCE = "output/sync-integrations-licence", Setup, Warning, "Fleet setup fails without an Enterprise licence: `Remote sync integrations require at least an Enterprise license.` (KIBANA.md §3.4)";

    // Overlays and value templates (DESIGN.md "Environments and overlays", "Value templates").
    OVERLAY_NO_ID = "overlay/missing-id", Lint, Error, "an overlay item is matched to a base item by its `id` (`name` for packages), so it needs one";
    OVERLAY_DUPLICATE = "overlay/duplicate-id", Lint, Error, "an overlay may say one thing about each base item; two overlay items with one id would leave the result to file order";
    OVERLAY_REMOVE = "overlay/invalid-remove", Lint, Error, "`remove: true` drops the base item with the same id; write it with nothing but the id, and only for ids the base declares";
    TEMPLATE = "template/error", Lint, Error, "string values may use Handlebars expressions such as `{{region}}`, rendered from `[vars]` of `fleetc.toml` and of the environment; every variable must be defined";

    // Hazards and secrets.
    ENV_SUBSTITUTION = "hazard/env-substitution", Boot, Error, "Kibana replaces `${WORD}` in every kibana.yml string with an environment variable and refuses to start when it is unset (KIBANA.md §1); write `{ env: WORD }` if you mean Kibana's variable";
    PLAINTEXT_SECRET = "secret/plaintext-in-repo", Lint, Warning, "this field holds a credential; a literal value lives in git in plain text. Store it with `fleetc secret set NAME` and write `{ secret: NAME }`";
    SECRET_MISSING = "secret/missing", Lint, Error, "a secret reference names a file `<secrets dir>/NAME.age`; create it with `fleetc secret set NAME`";
    SECRET_MALFORMED = "secret/malformed", Lint, Error, "a secret file must be a whole age file, armored or binary, as `age` and `fleetc secret set` write it; write it again with `fleetc secret set NAME`";
    SECRET_UNDECRYPTABLE = "secret/undecryptable", Lint, Error, "`build` decrypts secrets with the identity from `--identity`, `FLEETC_AGE_KEY_FILE`, `FLEETC_AGE_KEY` or `~/.config/fleetc/age/keys.txt`; use an identity whose recipient is in the store's `recipients.txt` (then `fleetc secret rekey`), or set `FLEETC_SECRET_<NAME>` for this run";
    SECRET_UNUSED = "secret/unused", Lint, Advice, "no declaration references this secret; delete it with `fleetc secret rm NAME` when it is no longer needed";
    SECRET_STORAGE_TOO_OLD = "secret/storage-too-old", Boot, Error, "Kibana accepts `secrets` on outputs from 8.12 and refuses to start on it before (KIBANA.md §3.7, §9); set `[secrets] storage = \"plaintext\"` for older targets";
    SECRET_NO_FLEET_SECRET = "secret/no-fleet-secret", Lint, Warning, "the target Kibana has no Fleet secret for this field (KIBANA.md §3.7), so fleetc writes the value into the plain field; raise `stack_version` if your stack is newer";
    SECRET_VARIABLE_CLASH = "secret/variable-clash", Lint, Error, "secret names become variables `FLEETC_SECRET_<NAME>` and `FLEETC_<NAME>` (upper case, `-` and `.` as `_`); two names that give one variable would share one value, so rename one";

    // The target kibana.yml (`plan`, `apply`).
    TARGET_SYNTAX = "target/syntax", Boot, Error, "Kibana refuses to start on a kibana.yml that is not YAML (KIBANA.md §1), and fleetc cannot tell which keys it holds; fix the file";
    TARGET_MARKERS = "target/malformed-block", Lint, Error, "fleetc owns the lines from one `# BEGIN fleetc managed block` line to the next `# END fleetc managed block` line; restore the pair, or delete both with the lines between them, so that fleetc knows what to replace";
    TARGET_FLEET_KEY = "target/fleet-key-outside-block", Lint, Error, "Kibana reads dotted and nested keys as one setting (KIBANA.md §1), so this key and fleetc's managed block would set the same thing twice; move its content into the declarations and delete it from the file";
}

/// The rule with this code.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|rule| rule.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.code), "{} twice", rule.code);
            let (group, name) = rule.code.split_once('/').expect("group/name");
            for part in [group, name] {
                assert!(
                    part.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                    "{}",
                    rule.code
                );
            }
        }
    }

    #[test]
    fn help_lines_are_one_sentence_without_final_period() {
        for rule in ALL {
            assert!(!rule.help.ends_with('.'), "{}", rule.code);
            assert!(!rule.help.contains('\n'), "{}", rule.code);
        }
    }
}
