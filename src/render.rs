//! Value templates: Handlebars expressions in string values, rendered from `[vars]`.
//!
//! Only string scalars are rendered, after parsing, so a variable can never add structure
//! to a declaration. Rendering is strict (an unknown variable is an error at the string's
//! span, with a did-you-mean) and escapes nothing. `\{{` writes a literal `{{`.

use handlebars::{Handlebars, RenderErrorReason};
use serde_json::{Map, Value};

use crate::collect::{CREDENTIAL_KEYS, Collected};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::rules;
use crate::tree::to_json;
use crate::tree::{Entry, Node, NodeValue};

/// Renders every template in `collected` with `vars`.
pub fn apply(collected: &mut Collected<'_>, vars: &[Entry], found: &mut Diagnostics) {
    let renderer = Renderer::new(vars);
    for item in &mut collected.items {
        if has_template(&item.node) {
            renderer.node(item.node.to_mut(), &item.pointer, false, found);
        }
    }
    for setting in &mut collected.settings {
        if has_template(&setting.value) {
            let pointer = format!("/settings/{}", setting.key);
            renderer.node(&mut setting.to_mut().value, &pointer, false, found);
        }
    }
}

fn has_template(node: &Node) -> bool {
    match &node.value {
        NodeValue::Str(text) => text.contains("{{"),
        NodeValue::Seq(items) => items.iter().any(has_template),
        NodeValue::Map(entries) => entries.iter().any(|e| has_template(&e.value)),
        _ => false,
    }
}

struct Renderer {
    registry: Handlebars<'static>,
    data: Value,
    names: Vec<String>,
}

impl Renderer {
    fn new(vars: &[Entry]) -> Self {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        let data: Map<String, Value> = vars
            .iter()
            .map(|e| (e.key.clone(), to_json(&e.value)))
            .collect();
        let names = vars.iter().map(|e| e.key.clone()).collect();
        Renderer {
            registry,
            data: Value::Object(data),
            names,
        }
    }

    /// Renders the templates in `node`; `credential` when it sits under a credential key,
    /// whose text no message may quote.
    fn node(&self, node: &mut Node, pointer: &str, credential: bool, found: &mut Diagnostics) {
        let span = node.span;
        match &mut node.value {
            NodeValue::Str(text) if text.contains("{{") => match self.render(text, credential) {
                Ok(rendered) => *text = rendered,
                Err(message) => {
                    let (message, help) = message;
                    let mut diagnostic = Diagnostic::new(&rules::TEMPLATE, message)
                        .at(span, "template")
                        .pointer(pointer);
                    if let Some(help) = help {
                        diagnostic = diagnostic.help(help);
                    }
                    found.push(diagnostic);
                }
            },
            NodeValue::Seq(items) => items
                .iter_mut()
                .for_each(|item| self.node(item, pointer, credential, found)),
            NodeValue::Map(entries) => entries.iter_mut().for_each(|entry| {
                let credential = credential || CREDENTIAL_KEYS.contains(&entry.key.as_str());
                self.node(&mut entry.value, pointer, credential, found);
            }),
            _ => {}
        }
    }

    /// The rendered text, or a message and an optional help.
    fn render(&self, template: &str, credential: bool) -> Result<String, (String, Option<String>)> {
        self.registry
            .render_template(template, &self.data)
            .map_err(|error| match error.reason() {
                RenderErrorReason::MissingVariable(Some(name)) => {
                    let message = format!("the template variable `{name}` is not defined");
                    let close = did_you_mean(name, self.names.iter().map(String::as_str));
                    let help = close
                        .map(|close| format!("did you mean `{close}`? {}", rules::TEMPLATE.help));
                    (message, help)
                }
                // A parse error quotes the template; keep only its first line, and nothing
                // of a credential.
                _ if credential => ("this credential is not a valid template".to_owned(), None),
                reason => {
                    let reason = reason.to_string();
                    let first = reason.lines().next().unwrap_or_default();
                    (format!("this template does not render: {first}"), None)
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Limits, yaml};
    use crate::source::FileId;

    fn vars(text: &str) -> Vec<Entry> {
        yaml::parse(FileId(0), text, Limits::default())
            .unwrap()
            .entries()
            .unwrap()
            .to_vec()
    }

    #[test]
    fn renders_strictly_without_escaping() {
        let renderer = Renderer::new(&vars("region: eu-west-1\nport: 443\nq: '<a & \"b\">'\n"));
        assert_eq!(
            renderer
                .render("https://es-{{region}}.example.com:{{port}}", false)
                .unwrap(),
            "https://es-eu-west-1.example.com:443"
        );
        assert_eq!(renderer.render("{{q}}", false).unwrap(), "<a & \"b\">");
        assert_eq!(
            renderer.render("\\{{region}}", false).unwrap(),
            "{{region}}"
        );
        let (message, help) = renderer.render("{{regoin}}", false).unwrap_err();
        assert!(message.contains("`regoin`"), "{message}");
        assert!(help.unwrap().contains("did you mean `region`"));
    }

    #[test]
    fn errors_in_credentials_quote_nothing() {
        let renderer = Renderer::new(&vars("a: b\n"));
        let (message, _) = renderer.render("hunter2 {{#if}", true).unwrap_err();
        assert!(!message.contains("hunter2"), "{message}");
        let (message, _) = renderer.render("hunter2 {{#if}", false).unwrap_err();
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn a_variable_cannot_add_structure() {
        let renderer = Renderer::new(&vars("v: \"a\\nb: c\"\n"));
        assert_eq!(renderer.render("x{{v}}", false).unwrap(), "xa\nb: c");
    }
}
