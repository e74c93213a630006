//! Fleet Server host and proxy rules (KIBANA.md §4.1, §4.2).

use super::outputs::single_flag;
use super::{Context, proxy_reference, unique_by, url};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Item, Kind, Value};
use crate::rules;

/// The setting that makes Kibana add a default Fleet Server host of its own.
pub const LEGACY_FLEET_SERVER_HOSTS: &str = "agents.fleet_server.hosts";

pub fn check(context: &Context<'_>, found: &mut Diagnostics) {
    let model = context.model;
    unique_by(
        model,
        Kind::FleetServerHost,
        "id",
        &rules::HOST_DUPLICATE_ID,
        found,
    );
    unique_by(model, Kind::Proxy, "id", &rules::PROXY_DUPLICATE_ID, found);
    single_flag(
        model.of(Kind::FleetServerHost),
        "is_default",
        &rules::HOST_MULTIPLE_DEFAULTS,
        found,
    );
    legacy_default(context, found);
    for host in model.of(Kind::FleetServerHost) {
        proxy_reference(model, host, &rules::OUTPUT_UNKNOWN_PROXY, found);
        host_urls(host, found);
    }
    for proxy in model.of(Kind::Proxy) {
        dotted_headers(context.version, proxy, found);
        proxy_url(proxy, found);
    }
}

/// Fleet setup parses each host URL (KIBANA.md §4.1).
fn host_urls(host: &Item, found: &mut Diagnostics) {
    let urls = host.get("host_urls").map(Value::items).unwrap_or_default();
    for (index, url_value) in urls.iter().enumerate() {
        let Some(text) = url_value.as_str() else {
            continue;
        };
        if let Err(reason) = url::http_url(text) {
            let message = format!("`{}` is not a Fleet Server URL: {reason}", url::shown(text));
            let diagnostic = Diagnostic::new(&rules::HOST_INVALID_URL, message)
                .at(url_value.span, "invalid URL");
            found.push(diagnostic.pointer(format!("{}/host_urls/{index}", host.pointer)));
        }
    }
}

/// The Fleet UI's rule for proxy URLs (KIBANA.md §4.2).
fn proxy_url(proxy: &Item, found: &mut Diagnostics) {
    let Some(url_value) = proxy.get("url") else {
        return;
    };
    let Some(text) = url_value.as_str() else {
        return;
    };
    if let Err(reason) = url::url_with_scheme(text, &["http", "https", "socks5"]) {
        let message = format!("`{}` is not a proxy URL: {reason}", url::shown(text));
        let diagnostic =
            Diagnostic::new(&rules::PROXY_INVALID_URL, message).at(url_value.span, "invalid URL");
        found.push(diagnostic.pointer(format!("{}/url", proxy.pointer)));
    }
}

/// Kibana splits dotted keys and, before 8.14, has no escape (KIBANA.md §1).
fn dotted_headers(
    version: crate::version::StackVersion,
    proxy: &crate::model::Item,
    found: &mut Diagnostics,
) {
    let headers = proxy
        .get("proxy_headers")
        .map(Value::fields)
        .unwrap_or_default();
    let dotted: Vec<_> = headers
        .iter()
        .filter(|f| crate::emit::keys::bare(&f.key).contains('.'))
        .collect();
    let pointer = format!("{}/proxy_headers", proxy.pointer);
    if version < BRACKET_ESCAPE {
        for field in dotted {
            let message = format!(
                "the header name `{}` has a dot, which Kibana {version} splits into nested keys",
                field.key
            );
            let diagnostic =
                Diagnostic::new(&rules::DOTTED_KEY, message).at(field.key_span, "dotted key");
            found.push(diagnostic.pointer(pointer.clone()));
        }
    } else if let Some(field) = dotted.first().filter(|_| version < ARRAY_KEY_FIX) {
        // `xpack.fleet.proxies` is a list of objects, like `agentPolicies`.
        let bare = crate::emit::keys::bare(&field.key);
        let message = format!(
            "the dotted key `{bare}` is emitted as `[{bare}]`, which Kibana {version} may mishandle"
        );
        let diagnostic =
            Diagnostic::new(&rules::DOTTED_KEY_IN_ARRAY, message).at(field.key_span, "dotted key");
        found.push(diagnostic.pointer(pointer));
    }
}

/// The 8.15.1 fix for dotted keys inside objects in arrays (KIBANA.md §1, PR #190590).
const ARRAY_KEY_FIX: crate::version::StackVersion = crate::version::StackVersion::new(8, 15, 1);

/// The release that brought the `'[a.b]'` escape for dotted keys.
const BRACKET_ESCAPE: crate::version::StackVersion = crate::version::StackVersion::new(8, 14, 0);

/// `agents.fleet_server.hosts` adds a default host at setup; with a declared default that
/// makes two.
fn legacy_default(context: &Context<'_>, found: &mut Diagnostics) {
    let Some(setting) = context.model.setting(LEGACY_FLEET_SERVER_HOSTS) else {
        return;
    };
    let Some(declared) = context
        .model
        .of(Kind::FleetServerHost)
        .find(|host| host.flag("is_default"))
    else {
        return;
    };
    let span = declared
        .body
        .field("is_default")
        .map_or(declared.key.span, |f| f.key_span);
    let message = format!(
        "`{LEGACY_FLEET_SERVER_HOSTS}` adds a default Fleet Server host, and `{}` is one too",
        declared.key.value
    );
    let diagnostic = Diagnostic::new(&rules::HOST_MULTIPLE_DEFAULTS, message)
        .at(setting.key.span, "adds a default host")
        .also(span, "declared default");
    found.push(diagnostic.pointer(setting.pointer.clone()));
}
