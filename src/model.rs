//! The typed model: validated declarations, ready for checks and emission.
//!
//! Built from the raw tree once each item has passed its schema, so every field the checks
//! read is known to be there and of the right type. Values keep their spans; `{ env: VAR }`
//! and `{ secret: NAME }` are recognised here and become [`ValueKind::Env`] and
//! [`ValueKind::Secret`].

use std::collections::HashMap;

use crate::reference::{Reference, ReferenceKind};
use crate::source::{Span, Spanned};
use crate::tree::{Node, NodeValue};

/// The five kinds of declarations, in the order Kibana's keys are emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Package,
    AgentPolicy,
    Output,
    FleetServerHost,
    Proxy,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Package,
        Kind::AgentPolicy,
        Kind::Output,
        Kind::FleetServerHost,
        Kind::Proxy,
    ];

    /// The list's name in a declaration file.
    pub fn list(self) -> &'static str {
        match self {
            Kind::Package => "packages",
            Kind::AgentPolicy => "agent_policies",
            Kind::Output => "outputs",
            Kind::FleetServerHost => "fleet_server_hosts",
            Kind::Proxy => "proxies",
        }
    }

    /// The kibana.yml key the list is emitted as.
    pub fn kibana_key(self) -> &'static str {
        match self {
            Kind::Package => "xpack.fleet.packages",
            Kind::AgentPolicy => "xpack.fleet.agentPolicies",
            Kind::Output => "xpack.fleet.outputs",
            Kind::FleetServerHost => "xpack.fleet.fleetServerHosts",
            Kind::Proxy => "xpack.fleet.proxies",
        }
    }

    /// What one item is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Package => "package",
            Kind::AgentPolicy => "agent policy",
            Kind::Output => "output",
            Kind::FleetServerHost => "Fleet Server host",
            Kind::Proxy => "proxy",
        }
    }

    /// What several items are called in messages.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Package => "packages",
            Kind::AgentPolicy => "agent policies",
            Kind::Output => "outputs",
            Kind::FleetServerHost => "Fleet Server hosts",
            Kind::Proxy => "proxies",
        }
    }

    /// The field that identifies an item: `name` for packages, `id` for the rest.
    pub fn key_field(self) -> &'static str {
        if self == Kind::Package { "name" } else { "id" }
    }

    pub fn from_list(list: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.list() == list)
    }
}

/// A declared value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub span: Span,
    pub kind: ValueKind,
}

/// What a [`Value`] holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// `{ env: VAR }`: Kibana's `${VAR}`.
    Env(String),
    /// `{ secret: NAME }`: a value from the secret store.
    Secret(String),
    List(Vec<Value>),
    Map(Vec<Field>),
}

/// One key of a map value.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
}

impl Value {
    /// Converts a raw node, recognising env and secret references.
    pub fn from_node(node: &Node) -> Value {
        if let Some(reference) = Reference::of(node) {
            let name = reference.name.to_owned();
            let kind = match reference.kind {
                ReferenceKind::Env => ValueKind::Env(name),
                ReferenceKind::Secret => ValueKind::Secret(name),
            };
            return Value {
                span: node.span,
                kind,
            };
        }
        let kind = match &node.value {
            NodeValue::Null => ValueKind::Null,
            NodeValue::Bool(b) => ValueKind::Bool(*b),
            NodeValue::Int(n) => ValueKind::Int(*n),
            NodeValue::Float(f) => ValueKind::Float(*f),
            NodeValue::Str(s) => ValueKind::Str(s.clone()),
            NodeValue::Seq(items) => ValueKind::List(items.iter().map(Value::from_node).collect()),
            NodeValue::Map(entries) => ValueKind::Map(
                entries
                    .iter()
                    .map(|entry| Field {
                        key: entry.key.clone(),
                        key_span: entry.key_span,
                        value: Value::from_node(&entry.value),
                    })
                    .collect(),
            ),
        };
        Value {
            span: node.span,
            kind,
        }
    }

    pub fn fields(&self) -> &[Field] {
        match &self.kind {
            ValueKind::Map(fields) => fields,
            _ => &[],
        }
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().iter().find(|field| field.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.field(key).map(|field| &field.value)
    }

    /// Follows a dotted path of map keys (`ssl.key`).
    pub fn path(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(self, |value, key| value.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Value] {
        match &self.kind {
            ValueKind::List(items) => items,
            _ => &[],
        }
    }

    /// A string, or the text of an integer (policy ids may be numbers).
    pub fn as_text(&self) -> Option<String> {
        match &self.kind {
            ValueKind::Str(s) => Some(s.clone()),
            ValueKind::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn spanned_str(&self) -> Option<Spanned<String>> {
        self.as_text().map(|text| Spanned::new(text, self.span))
    }

    /// Calls `visit` on this value and every value inside it, with its dotted path.
    pub fn walk<'a>(&'a self, path: &str, visit: &mut dyn FnMut(&str, &'a Value)) {
        visit(path, self);
        match &self.kind {
            ValueKind::List(items) => items.iter().for_each(|item| item.walk(path, visit)),
            ValueKind::Map(fields) => {
                for field in fields {
                    let inner = if path.is_empty() {
                        field.key.clone()
                    } else {
                        format!("{path}.{}", field.key)
                    };
                    field.value.walk(&inner, visit);
                }
            }
            _ => {}
        }
    }
}

/// One validated declaration of any kind.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: Kind,
    /// `id`, or `name` for packages.
    pub key: Spanned<String>,
    /// JSON pointer of the item in its file (`/outputs/2`).
    pub pointer: String,
    pub body: Value,
}

impl Item {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.body.get(key)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn text(&self, key: &str) -> Option<Spanned<String>> {
        self.get(key).and_then(Value::spanned_str)
    }
}

/// One `settings` key.
#[derive(Clone, Debug)]
pub struct Setting {
    pub key: Spanned<String>,
    pub pointer: String,
    pub value: Value,
}

/// Every validated declaration of the repository.
#[derive(Debug, Default)]
pub struct Model {
    pub items: Vec<Item>,
    pub settings: Vec<Setting>,
    /// The first item of each kind and key, so references resolve in constant time.
    index: HashMap<(Kind, String), usize>,
    /// The positions of each kind's items, in file order.
    by_kind: HashMap<Kind, Vec<usize>>,
    /// The first output and Fleet Server host with each default flag, looked up per policy.
    flagged: HashMap<(Kind, String), Option<usize>>,
}

impl Model {
    pub fn new(items: Vec<Item>, settings: Vec<Setting>) -> Self {
        let mut index = HashMap::new();
        let mut by_kind: HashMap<Kind, Vec<usize>> = HashMap::new();
        for (position, item) in items.iter().enumerate() {
            index
                .entry((item.kind, item.key.value.clone()))
                .or_insert(position);
            by_kind.entry(item.kind).or_default().push(position);
        }
        let mut flagged = HashMap::new();
        for kind in [Kind::Output, Kind::FleetServerHost] {
            for flag in ["is_default", "is_default_monitoring"] {
                let positions = by_kind.get(&kind).map(Vec::as_slice).unwrap_or_default();
                let first = positions.iter().copied().find(|p| items[*p].flag(flag));
                flagged.insert((kind, flag.to_owned()), first);
            }
        }
        Model {
            items,
            settings,
            index,
            by_kind,
            flagged,
        }
    }

    /// The items of one kind, in file order.
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Item> {
        let positions = self
            .by_kind
            .get(&kind)
            .map(Vec::as_slice)
            .unwrap_or_default();
        positions
            .iter()
            .filter_map(|position| self.items.get(*position))
    }

    pub fn setting(&self, key: &str) -> Option<&Setting> {
        self.settings
            .iter()
            .find(|setting| setting.key.value == key)
    }

    /// The first item of `kind` whose boolean `flag` is true (`is_default`, ...).
    pub fn first_flagged(&self, kind: Kind, flag: &str) -> Option<&Item> {
        let cached = self.flagged.get(&(kind, flag.to_owned()));
        match cached {
            Some(position) => position.and_then(|p| self.items.get(p)),
            None => self.of(kind).find(|item| item.flag(flag)),
        }
    }

    /// The first item of `kind` whose id (name, for packages) is `key`.
    pub fn find(&self, kind: Kind, key: &str) -> Option<&Item> {
        let position = self.index.get(&(kind, key.to_owned()))?;
        self.items.get(*position)
    }
}
