//! Output rules: Kibana's boot-time list check, host formats per type, Kafka's conditional
//! fields, presets and proxies (KIBANA.md §3).

use super::{Context, proxy_reference, unique_by, url};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Item, Kind, Value, ValueKind};
use crate::rules::{self, Rule};

/// Keys whose presence in `config` makes Kibana derive `preset: custom` (KIBANA.md §3.3).
const RESERVED_CONFIG_KEYS: [&str; 7] = [
    "bulk_max_size",
    "compression_level",
    "connection_idle_timeout",
    "queue.mem.events",
    "queue.mem.flush.min_events",
    "queue.mem.flush.timeout",
    "worker",
];

pub fn check(context: &Context<'_>, found: &mut Diagnostics) {
    let model = context.model;
    unique_by(
        model,
        Kind::Output,
        "id",
        &rules::OUTPUT_DUPLICATE_ID,
        found,
    );
    unique_by(
        model,
        Kind::Output,
        "name",
        &rules::OUTPUT_DUPLICATE_NAME,
        found,
    );
    single_flag(
        model.of(Kind::Output),
        "is_default",
        &rules::OUTPUT_MULTIPLE_DEFAULTS,
        found,
    );
    single_flag(
        model.of(Kind::Output),
        "is_default_monitoring",
        &rules::OUTPUT_MULTIPLE_DEFAULT_MONITORING,
        found,
    );
    for output in model.of(Kind::Output) {
        hosts(output, found);
        preset(output, found);
        proxy_reference(model, output, &rules::OUTPUT_UNKNOWN_PROXY, found);
        if output_type(output) == "kafka" {
            kafka(output, found);
        }
    }
}

fn output_type(output: &Item) -> &str {
    output
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Reports every item after the first whose boolean `flag` is true.
pub(super) fn single_flag<'a>(
    items: impl Iterator<Item = &'a Item>,
    flag: &str,
    rule: &Rule,
    found: &mut Diagnostics,
) {
    let mut first: Option<&Item> = None;
    for item in items.filter(|item| item.flag(flag)) {
        let span = item.body.field(flag).map_or(item.key.span, |f| f.key_span);
        match first {
            None => first = Some(item),
            Some(first) => {
                let first_span = first
                    .body
                    .field(flag)
                    .map_or(first.key.span, |f| f.key_span);
                let message = format!(
                    "`{}` and `{}` both set `{flag}`",
                    first.key.value, item.key.value
                );
                let diagnostic = Diagnostic::new(rule, message)
                    .at(span, "second one")
                    .also(first_span, "first one");
                found.push(diagnostic.pointer(format!("{}/{flag}", item.pointer)));
            }
        }
    }
}

fn hosts(output: &Item, found: &mut Diagnostics) {
    let check: fn(&str) -> Result<(), String> = match output_type(output) {
        "logstash" => url::logstash_host,
        "kafka" => url::kafka_host,
        _ => url::http_url,
    };
    let Some(hosts) = output.get("hosts") else {
        return;
    };
    for (index, host) in hosts.items().iter().enumerate() {
        let Some(text) = host.as_str() else { continue };
        if let Err(reason) = check(text) {
            let message = format!(
                "`{}` is not a valid host for an output of type `{}`: {reason}",
                url::shown(text),
                output_type(output)
            );
            let diagnostic =
                Diagnostic::new(&rules::OUTPUT_INVALID_HOST, message).at(host.span, "invalid host");
            found.push(diagnostic.pointer(format!("{}/hosts/{index}", output.pointer)));
        }
    }
}

fn preset(output: &Item, found: &mut Diagnostics) {
    let Some(preset) = output
        .get("preset")
        .filter(|p| p.as_str() == Some("balanced"))
    else {
        return;
    };
    let Some(config) = output.get("config") else {
        return;
    };
    let mut reserved = Vec::new();
    config.walk("", &mut |path, value| {
        if !matches!(value.kind, ValueKind::Map(_)) && RESERVED_CONFIG_KEYS.contains(&path) {
            reserved.push((path.to_owned(), value.span));
        }
    });
    for (key, span) in reserved {
        let message = format!("`preset: balanced` cannot be combined with `{key}` in `config`");
        let diagnostic = Diagnostic::new(&rules::OUTPUT_PRESET_RESERVED, message)
            .at(span, "performance setting")
            .also(preset.span, "preset set here");
        found.push(diagnostic.pointer(format!("{}/config", output.pointer)));
    }
}

/// Kafka's conditional fields (KIBANA.md §3.6; the stricter column, which holds to 9.1).
fn kafka(output: &Item, found: &mut Diagnostics) {
    let auth = output
        .get("auth_type")
        .and_then(Value::as_str)
        .unwrap_or("none");
    let mut refuse = |field: &str, why: &str| {
        if let Some(present) = output.body.field(field) {
            let message = format!("`{field}` {why}, and `auth_type` is `{auth}`");
            let diagnostic = Diagnostic::new(&rules::KAFKA_AUTH, message)
                .at(present.key_span, "not allowed here");
            found.push(diagnostic.pointer(format!("{}/{field}", output.pointer)));
        }
    };
    if auth != "none" {
        refuse("connection_type", "is only accepted with `auth_type: none`");
    }
    if auth != "user_pass" {
        refuse("username", "is only accepted with `auth_type: user_pass`");
        refuse("password", "is only accepted with `auth_type: user_pass`");
    }
    let required: &[&str] = match auth {
        "none" => &["connection_type"],
        "user_pass" => &["username", "password"],
        _ => &[],
    };
    for field in required.iter().filter(|field| output.get(field).is_none()) {
        let message = format!("a Kafka output with `auth_type: {auth}` needs `{field}`");
        let span = output
            .body
            .field("auth_type")
            .map_or(output.key.span, |f| f.key_span);
        found.push(
            Diagnostic::new(&rules::KAFKA_AUTH, message)
                .at(span, format!("`{field}` missing"))
                .pointer(format!("{}/{field}", output.pointer)),
        );
    }
    compression_level(output, found);
}

fn compression_level(output: &Item, found: &mut Diagnostics) {
    let Some(level) = output.body.field("compression_level") else {
        return;
    };
    let compression = output.get("compression").and_then(Value::as_str);
    if compression != Some("gzip") && !matches!(level.value.kind, ValueKind::Null) {
        let shown = compression.map_or("not set".to_owned(), |c| format!("`{c}`"));
        let message =
            format!("`compression_level` needs `compression: gzip`, but compression is {shown}");
        let diagnostic = Diagnostic::new(&rules::KAFKA_COMPRESSION_LEVEL, message)
            .at(level.key_span, "only with gzip");
        found.push(diagnostic.pointer(format!("{}/compression_level", output.pointer)));
    }
}
