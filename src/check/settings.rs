//! Settings rules: each defined once, URL forms, and the legacy hosts that clash with a
//! declared default output (KIBANA.md §2).

use std::collections::HashMap;

use super::{Context, url};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Kind, Setting, Value};
use crate::rules;

/// Settings whose values are http(s) URLs, or lists of them, in config-schema.
const URL_SETTINGS: [&str; 4] = [
    "agents.elasticsearch.hosts",
    "agents.fleet_server.hosts",
    "registryUrl",
    "registryProxyUrl",
];

const LEGACY_ES_HOSTS: &str = "agents.elasticsearch.hosts";

pub fn check(context: &Context<'_>, found: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Setting> = HashMap::new();
    for setting in &context.model.settings {
        if let Some(first) = seen.insert(&setting.key.value, setting) {
            let message = format!("the setting `{}` is defined twice", setting.key.value);
            let diagnostic = Diagnostic::new(&rules::SETTING_DUPLICATE, message)
                .at(setting.key.span, "again here")
                .also(first.key.span, "first here");
            found.push(diagnostic.pointer(setting.pointer.clone()));
        }
        if URL_SETTINGS.contains(&setting.key.value.as_str()) {
            urls(setting, found);
        }
    }
    legacy_hosts(context, found);
}

fn urls(setting: &Setting, found: &mut Diagnostics) {
    let values: Vec<&Value> = match setting.value.as_str() {
        Some(_) => vec![&setting.value],
        None => setting.value.items().iter().collect(),
    };
    for value in values {
        let Some(text) = value.as_str() else { continue };
        if let Err(reason) = url::http_url(text) {
            let message = format!(
                "`{}` in `{}` is not a URL Kibana accepts: {reason}",
                url::shown(text),
                setting.key.value
            );
            found.push(
                Diagnostic::new(&rules::SETTING_INVALID_URL, message)
                    .at(value.span, "invalid URL")
                    .pointer(setting.pointer.clone()),
            );
        }
    }
}

fn legacy_hosts(context: &Context<'_>, found: &mut Diagnostics) {
    let Some(setting) = context
        .model
        .setting(LEGACY_ES_HOSTS)
        .filter(|s| !s.value.items().is_empty())
    else {
        return;
    };
    let default = context
        .model
        .of(Kind::Output)
        .find(|o| o.flag("is_default") || o.flag("is_default_monitoring"));
    let Some(output) = default else { return };
    let flag = if output.flag("is_default") {
        "is_default"
    } else {
        "is_default_monitoring"
    };
    let span = output
        .body
        .field(flag)
        .map_or(output.key.span, |f| f.key_span);
    let message = format!(
        "`{LEGACY_ES_HOSTS}` cannot be set while the output `{}` is a default",
        output.key.value
    );
    let diagnostic = Diagnostic::new(&rules::SETTING_LEGACY_HOSTS, message)
        .at(setting.key.span, "legacy hosts")
        .also(span, "default output");
    found.push(diagnostic.pointer(setting.pointer.clone()));
}
