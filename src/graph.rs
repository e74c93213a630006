//! The graph of a repository: which policies send data and monitoring to which outputs,
//! which Fleet Server hosts they use, and which proxies outputs and hosts go through.
//!
//! Rendered as Mermaid (GitHub draws it in a pull request) or Graphviz DOT. Implicit
//! choices are drawn too: a policy without `data_output_id` points at the default output.

use std::fmt::Write;

use crate::check::usage;
use crate::model::{Item, Kind, Model, Value};

/// A node: one declaration, or an item Kibana creates itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    pub id: String,
    pub label: String,
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Data,
    Monitoring,
    FleetServer,
    Proxy,
    /// A package policy's own `output_id`.
    Integration,
}

impl Relation {
    fn text(self) -> &'static str {
        match self {
            Relation::Data => "data",
            Relation::Monitoring => "monitoring",
            Relation::FleetServer => "Fleet Server",
            Relation::Proxy => "proxy",
            Relation::Integration => "integration",
        }
    }
}

/// An edge between two nodes, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub relation: Relation,
    /// Drawn dashed: Kibana's default, not written in the policy.
    pub implicit: bool,
}

/// Nodes and edges, in a stable order.
#[derive(Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Builds the graph of a checked model.
    pub fn of(model: &Model) -> Graph {
        let mut graph = Graph::default();
        for kind in [
            Kind::AgentPolicy,
            Kind::Output,
            Kind::FleetServerHost,
            Kind::Proxy,
        ] {
            let mut items: Vec<&Item> = model.of(kind).collect();
            items.sort_by(|a, b| a.key.value.cmp(&b.key.value));
            for item in items {
                graph.node(kind, &item.key.value, &label(item));
            }
        }
        for policy in model.of(Kind::AgentPolicy) {
            graph.policy_edges(model, policy);
        }
        for kind in [Kind::Output, Kind::FleetServerHost] {
            for item in model.of(kind) {
                if let Some(proxy) = item.text("proxy_id") {
                    graph.edge(
                        (kind, &item.key.value),
                        (Kind::Proxy, &proxy.value),
                        Relation::Proxy,
                        false,
                    );
                }
            }
        }
        graph
    }

    fn node(&mut self, kind: Kind, id: &str, label: &str) -> usize {
        if let Some(index) = self.nodes.iter().position(|n| n.kind == kind && n.id == id) {
            return index;
        }
        self.nodes.push(Node {
            kind,
            id: id.to_owned(),
            label: label.to_owned(),
        });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: (Kind, &str), to: (Kind, &str), relation: Relation, implicit: bool) {
        let from = self.node(from.0, from.1, from.1);
        let to = self.node(to.0, to.1, to.1);
        let edge = Edge {
            from,
            to,
            relation,
            implicit,
        };
        if !self.edges.contains(&edge) {
            self.edges.push(edge);
        }
    }

    fn policy_edges(&mut self, model: &Model, policy: &Item) {
        let from = (Kind::AgentPolicy, policy.key.value.as_str());
        let data = usage::data_output(model, policy);
        let monitoring = usage::monitoring_output(model, policy);
        for (relation, target, field) in [
            (Relation::Data, data, "data_output_id"),
            (Relation::Monitoring, monitoring, "monitoring_output_id"),
        ] {
            if let Some(target) = target {
                self.edge(
                    from,
                    (Kind::Output, target.id()),
                    relation,
                    policy.get(field).is_none(),
                );
            }
        }
        if let Some((host, implicit)) = fleet_server_host(model, policy) {
            self.edge(
                from,
                (Kind::FleetServerHost, &host),
                Relation::FleetServer,
                implicit,
            );
        }
        let package_policies = policy
            .get("package_policies")
            .map(Value::items)
            .unwrap_or_default();
        for output in package_policies
            .iter()
            .filter_map(|p| p.get("output_id"))
            .filter_map(Value::as_str)
        {
            self.edge(from, (Kind::Output, output), Relation::Integration, false);
        }
    }

    /// The non-empty groups of nodes, by kind, with each node's index.
    fn groups(&self) -> Vec<Group<'_>> {
        GROUPS
            .iter()
            .map(|(kind, title)| {
                let members: Vec<(usize, &Node)> = self
                    .nodes
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.kind == *kind)
                    .collect();
                (*kind, *title, members)
            })
            .filter(|group| !group.2.is_empty())
            .collect()
    }

    /// Mermaid `flowchart` text.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (kind, title, members) in self.groups() {
            let _ = writeln!(out, "  subgraph {}[\"{title}\"]", group_id(kind));
            for (index, node) in members {
                let _ = writeln!(out, "    n{index}[\"{}\"]", mermaid_text(&node.label));
            }
            out.push_str("  end\n");
        }
        for edge in &self.edges {
            let arrow = if edge.implicit { "-." } else { "--" };
            let head = if edge.implicit { ".->" } else { "-->" };
            let _ = writeln!(
                out,
                "  n{} {arrow} {} {head} n{}",
                edge.from,
                edge.relation.text(),
                edge.to
            );
        }
        out
    }

    /// Graphviz DOT text.
    pub fn dot(&self) -> String {
        let mut out = String::from("digraph fleet {\n  rankdir=LR;\n  node [shape=box];\n");
        for (kind, title, members) in self.groups() {
            let _ = writeln!(
                out,
                "  subgraph cluster_{} {{\n    label=\"{title}\";",
                group_id(kind)
            );
            for (index, node) in members {
                let _ = writeln!(out, "    n{index} [label=\"{}\"];", dot_text(&node.label));
            }
            out.push_str("  }\n");
        }
        for edge in &self.edges {
            let style = if edge.implicit { ", style=dashed" } else { "" };
            let _ = writeln!(
                out,
                "  n{} -> n{} [label=\"{}\"{style}];",
                edge.from,
                edge.to,
                edge.relation.text()
            );
        }
        out.push_str("}\n");
        out
    }
}

/// The nodes of one kind, with their indices, under a title.
type Group<'a> = (Kind, &'static str, Vec<(usize, &'a Node)>);

/// The Fleet Server host a policy uses: its own, or the default one (implicit).
fn fleet_server_host(model: &Model, policy: &Item) -> Option<(String, bool)> {
    let own = policy
        .text("fleet_server_host_id")
        .map(|h| (h.value, false));
    own.or_else(|| {
        model
            .first_flagged(Kind::FleetServerHost, "is_default")
            .map(|h| (h.key.value.clone(), true))
    })
}

const GROUPS: [(Kind, &str); 4] = [
    (Kind::AgentPolicy, "Agent policies"),
    (Kind::Output, "Outputs"),
    (Kind::FleetServerHost, "Fleet Server hosts"),
    (Kind::Proxy, "Proxies"),
];

fn group_id(kind: Kind) -> &'static str {
    kind.list()
}

/// `Name (id)` plus the type of outputs.
fn label(item: &Item) -> String {
    let name = item
        .get("name")
        .and_then(Value::as_text)
        .unwrap_or_default();
    match item.get("type").and_then(Value::as_str) {
        Some(output_type) => format!("{name}\n{} · {output_type}", item.key.value),
        None => format!("{name}\n{}", item.key.value),
    }
}

/// Mermaid label text: quotes and markup become entities, line breaks `<br/>`.
fn mermaid_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// DOT string text: backslash and quote escaped, line breaks `\n`.
fn dot_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn mermaid_labels_cannot_close_their_quotes(text in any::<String>()) {
            let escaped = mermaid_text(&text);
            prop_assert!(!escaped.contains('"'));
            prop_assert!(!escaped.chars().any(char::is_control));
        }

        #[test]
        fn dot_labels_cannot_close_their_quotes(text in any::<String>()) {
            let escaped = dot_text(&text);
            // Every quote is preceded by a backslash that is not itself escaped.
            let mut backslashes = 0;
            for c in escaped.chars() {
                if c == '"' { prop_assert!(backslashes % 2 == 1); }
                backslashes = if c == '\\' { backslashes + 1 } else { 0 };
            }
            prop_assert!(!escaped.chars().any(char::is_control));
        }
    }
}
