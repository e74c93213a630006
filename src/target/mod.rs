//! The target: the kibana.yml that `plan` compares with and `apply` writes.
//!
//! fleetc owns one region of the file, from the line `# BEGIN fleetc managed block` to the
//! line `# END fleetc managed block`, appended on first apply; every byte outside it is
//! kept. `scan` reads the whole file leniently, so that a Fleet preconfiguration key
//! written by hand outside the region is found (Kibana would read it as the same setting
//! as the block's) and credentials that a report could quote are known; `write` replaces
//! the file atomically.

pub mod scan;

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::model::Kind;
use crate::rules;
use crate::source::{FileId, Span};

use scan::{Node, Value};

/// The line that opens the managed region.
pub const BEGIN: &str = "# BEGIN fleetc managed block";
/// The line that closes it.
pub const END: &str = "# END fleetc managed block";

/// The target file as it is now.
#[derive(Debug)]
pub struct Target {
    /// Where the file is read and written (a symbolic link is followed).
    pub path: PathBuf,
    /// The file's text; empty when it does not exist.
    pub text: String,
    pub exists: bool,
    /// Its permission bits, when it exists.
    pub mode: Option<u32>,
}

/// Reads the target at `path`; a file that does not exist reads as empty.
pub fn read(path: &Path) -> io::Result<Target> {
    let path = follow(path);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text")
            })?;
            let mode = permissions(&path)?;
            Ok(Target {
                path,
                text,
                exists: true,
                mode: Some(mode),
            })
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Target {
            path,
            text: String::new(),
            exists: false,
            mode: None,
        }),
        Err(error) => Err(error),
    }
}

/// A symbolic link is replaced through its destination, so that the link stays a link.
fn follow(path: &Path) -> PathBuf {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
    } else {
        path.to_owned()
    }
}

#[cfg(unix)]
fn permissions(path: &Path) -> io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn permissions(_: &Path) -> io::Result<u32> {
    Ok(0o644)
}

/// The byte range of the managed region, marker lines and the final line break included;
/// `None` when the file has none yet.
pub fn region(file: FileId, text: &str) -> Result<Option<Range<usize>>, Vec<Diagnostic>> {
    let mut begin: Option<Range<usize>> = None;
    let mut first: Option<Range<usize>> = None;
    let mut found = None;
    let mut problems = Vec::new();
    let span = |line: &Range<usize>| Span {
        file,
        start: line.start,
        end: line.start + text[line.clone()].trim_end().len(),
    };
    for line in lines(text) {
        let content = text[line.clone()].trim_end();
        if content == BEGIN {
            match &first {
                Some(first) => {
                    let message = "a second managed block starts here; fleetc owns one";
                    problems.push(
                        Diagnostic::new(&rules::TARGET_MARKERS, message)
                            .at(span(&line), "second `BEGIN`")
                            .also(span(first), "the first block starts here"),
                    );
                }
                None => first = Some(line.clone()),
            }
            begin = Some(line);
        } else if content == END {
            match begin.take() {
                Some(start) => found = Some(start.start..line.end),
                None => {
                    let message = format!("`{END}` without a `{BEGIN}` line before it");
                    problems.push(
                        Diagnostic::new(&rules::TARGET_MARKERS, message)
                            .at(span(&line), "unmatched `END`"),
                    );
                }
            }
        }
    }
    if let Some(start) = begin {
        let message = format!("the managed block opened here has no `{END}` line");
        problems.push(
            Diagnostic::new(&rules::TARGET_MARKERS, message).at(span(&start), "unclosed `BEGIN`"),
        );
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

/// The byte ranges of the lines of `text`, each with its line break.
fn lines(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let line = start..end;
        start = end;
        Some(line)
    })
}

/// The file with `block` (kibana.yml lines) as its managed region: in place of the old
/// region, or appended after the file's last line.
///
/// A file written with CRLF line breaks gets them in the region too, so that the file keeps
/// one kind of line break and a second apply finds nothing to change.
pub fn compose(text: &str, region: Option<Range<usize>>, block: &str) -> String {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let managed = format!("{BEGIN}\n{block}{END}\n").replace('\n', newline);
    match region {
        Some(region) => format!("{}{managed}{}", &text[..region.start], &text[region.end..]),
        None if text.is_empty() => managed,
        None if text.ends_with('\n') => format!("{text}{managed}"),
        None => format!("{text}{newline}{managed}"),
    }
}

/// The kibana.yml keys fleetc owns: the five lists, and whatever else the block sets.
pub fn owned_keys<'a>(block_keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut owned: Vec<String> = Kind::ALL
        .iter()
        .map(|kind| kind.kibana_key().to_owned())
        .collect();
    for key in block_keys {
        if !owned.iter().any(|o| o == key) {
            owned.push(key.to_owned());
        }
    }
    owned
}

/// Keys that may not stand outside the block beside what it declares, each with the
/// reason: the legacy hosts settings, which add a default of their own (KIBANA.md §2, §4.1).
pub fn clashing_keys(block: &[(String, serde_json::Value)]) -> Vec<(String, &'static str)> {
    let flagged = |key: &str, flags: &[&str]| {
        block
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.as_array())
            .flatten()
            .any(|item| {
                flags
                    .iter()
                    .any(|flag| item.get(flag).and_then(serde_json::Value::as_bool) == Some(true))
            })
    };
    let mut clashing = Vec::new();
    if flagged(
        "xpack.fleet.outputs",
        &["is_default", "is_default_monitoring"],
    ) {
        clashing.push((
            "xpack.fleet.agents.elasticsearch.hosts".to_owned(),
            "Kibana refuses to start beside a default output of the block (KIBANA.md §2)",
        ));
    }
    if flagged("xpack.fleet.fleetServerHosts", &["is_default"]) {
        clashing.push((
            "xpack.fleet.agents.fleet_server.hosts".to_owned(),
            "adds a second default Fleet Server host, and Fleet setup fails (KIBANA.md §4.1)",
        ));
    }
    clashing
}

/// A finding for each key outside `region` that Kibana reads as one of `owned`, dotted
/// (`xpack.fleet.outputs:`) or nested (`xpack:` / `fleet:` / `outputs:`).
pub fn fleet_keys_outside(
    file: FileId,
    root: &Node,
    region: Option<&Range<usize>>,
    owned: &[String],
    clashing: &[(String, &'static str)],
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut walk = Walk {
        file,
        region,
        owned,
        clashing,
        found: &mut found,
    };
    walk.map(root, &[]);
    found
}

struct Walk<'a> {
    file: FileId,
    region: Option<&'a Range<usize>>,
    owned: &'a [String],
    clashing: &'a [(String, &'static str)],
    found: &'a mut Vec<Diagnostic>,
}

impl Walk<'_> {
    fn map(&mut self, node: &Node, path: &[String]) {
        let Value::Map(entries) = &node.value else {
            return;
        };
        for (key, value) in entries {
            let Some(text) = &key.text else { continue };
            if self.region.is_some_and(|r| r.contains(&key.span.start)) {
                continue;
            }
            let mut inner = path.to_vec();
            inner.extend(segments(text));
            let joined = inner.join(".");
            let covers = |o: &str| joined == o || joined.starts_with(&format!("{o}."));
            let claimed = self.owned.iter().find(|o| covers(o));
            let clash = self.clashing.iter().find(|(o, _)| covers(o));
            let message = match (claimed, clash) {
                (Some(owned), _) => Some(format!(
                    "`{text}` sets `{owned}` outside fleetc's managed block; fleetc writes that key"
                )),
                (None, Some((clashing, reason))) => Some(format!(
                    "`{text}` sets `{clashing}` outside fleetc's managed block, which {reason}"
                )),
                (None, None) => None,
            };
            if let Some(message) = message {
                let span = Span {
                    file: self.file,
                    start: key.span.start,
                    end: key.span.end,
                };
                self.found.push(
                    Diagnostic::new(&rules::TARGET_FLEET_KEY, message)
                        .at(span, "Fleet preconfiguration key"),
                );
                continue;
            }
            let deeper = self
                .owned
                .iter()
                .chain(self.clashing.iter().map(|(o, _)| o));
            if deeper.clone().any(|o| o.starts_with(&format!("{joined}."))) {
                self.map(value, &inner);
            }
        }
    }
}

/// The setting names a kibana.yml key stands for: Kibana splits dotted keys, except one
/// written in brackets (`[a.b]`, KIBANA.md §1).
fn segments(key: &str) -> Vec<String> {
    match key.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
        Some(whole) => vec![whole.to_owned()],
        None => key.split('.').map(str::to_owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: FileId = FileId(0);

    #[test]
    fn finds_the_region_and_refuses_broken_markers() {
        let text = format!("a: 1\n{BEGIN}\nx: 2\n{END}\nb: 3\n");
        let found = region(FILE, &text).expect("valid").expect("a region");
        assert_eq!(&text[found], format!("{BEGIN}\nx: 2\n{END}\n"));
        for broken in [
            format!("{BEGIN}\nx: 1\n"),
            format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n"),
            format!("{BEGIN}\n{BEGIN}\n{END}\n"),
            format!("{END}\n"),
        ] {
            let problems = region(FILE, &broken).expect_err(&broken);
            assert_eq!(problems[0].code, "target/malformed-block", "{broken}");
        }
        assert_eq!(region(FILE, "a: 1"), Ok(None));
    }

    #[test]
    fn keeps_the_file_s_line_breaks() {
        let text = "server.name: k\r\n";
        let composed = compose(text, None, "a: 1\n");
        assert_eq!(
            composed,
            format!("server.name: k\r\n{BEGIN}\r\na: 1\r\n{END}\r\n")
        );
        let region = region(FILE, &composed).expect("valid").expect("a region");
        assert_eq!(
            compose(&composed, Some(region), "a: 1\n"),
            composed,
            "a second apply changes nothing"
        );
    }

    #[test]
    fn appends_after_a_final_line_break_and_replaces_in_place() {
        let managed = format!("{BEGIN}\nk: v\n{END}\n");
        assert_eq!(compose("", None, "k: v\n"), managed);
        assert_eq!(compose("a: 1", None, "k: v\n"), format!("a: 1\n{managed}"));
        assert_eq!(
            compose("a: 1\n", None, "k: v\n"),
            format!("a: 1\n{managed}")
        );
        let text = format!("a: 1\n{BEGIN}\nold: 1\n{END}\nb: 2");
        let found = region(FILE, &text).expect("valid");
        assert_eq!(
            compose(&text, found, "k: v\n"),
            format!("a: 1\n{managed}b: 2")
        );
    }

    #[test]
    fn fleet_keys_are_found_dotted_and_nested() {
        let owned = owned_keys(["xpack.fleet.agents.fleet_server.hosts"]);
        let cases = [
            ("xpack.fleet.outputs: []\n", "xpack.fleet.outputs"),
            ("xpack:\n  fleet:\n    outputs: []\n", "outputs"),
            ("xpack.fleet:\n  agentPolicies: []\n", "agentPolicies"),
            (
                "xpack:\n  fleet.agents:\n    fleet_server.hosts: []\n",
                "fleet_server.hosts",
            ),
        ];
        for (text, key) in cases {
            let root = scan::read(text).expect("reads").expect("document");
            let found = fleet_keys_outside(FILE, &root, None, &owned, &[]);
            assert_eq!(found.len(), 1, "{text}");
            let span = found[0].primary.as_ref().expect("span").span;
            assert_eq!(&text[span.start..span.end], key, "{text}");
        }
        let fine =
            "xpack.fleet.agents.enabled: true\nxpack.fleet:\n  registryUrl: x\nserver.name: k\n";
        let root = scan::read(fine).expect("reads").expect("document");
        assert!(fleet_keys_outside(FILE, &root, None, &owned, &[]).is_empty());
    }

    #[test]
    fn legacy_hosts_clash_with_the_block_s_defaults() {
        let block = vec![
            (
                "xpack.fleet.outputs".to_owned(),
                serde_json::json!([{ "id": "es", "is_default_monitoring": true }]),
            ),
            (
                "xpack.fleet.fleetServerHosts".to_owned(),
                serde_json::json!([{ "id": "fs", "is_default": false }]),
            ),
        ];
        let clashing = clashing_keys(&block);
        assert_eq!(clashing.len(), 1);
        let owned = owned_keys([]);
        for text in [
            "xpack.fleet.agents.elasticsearch.hosts: [x]\n",
            "xpack:\n  fleet:\n    agents:\n      elasticsearch.hosts: [x]\n",
        ] {
            let root = scan::read(text).expect("reads").expect("document");
            let found = fleet_keys_outside(FILE, &root, None, &owned, &clashing);
            assert_eq!(found.len(), 1, "{text}");
            assert!(
                found[0].message.contains("refuses to start"),
                "{}",
                found[0].message
            );
        }
        let root = scan::read("xpack.fleet.agents.fleet_server.hosts: [x]\n")
            .expect("reads")
            .expect("document");
        assert!(
            fleet_keys_outside(FILE, &root, None, &owned, &clashing).is_empty(),
            "no default host in the block"
        );
    }
}
