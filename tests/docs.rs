//! Generated documentation stays in step with the code: `docs/rules.md` lists every rule.
//! `FLEETC_BLESS=1 cargo test --test docs` rewrites it.

use std::fmt::Write;

#[test]
fn rules_reference_is_current() {
    let mut text = String::from(
        "# Rules\n\nEvery finding fleetc reports, by code. `phase` says what Kibana does with the problem: \
         `boot` (refuses to start), `setup` (Fleet setup fails or skips the item), `runtime` (accepted, \
         fails later) or `lint` (fleetc's own rule). Generated from `src/rules.rs` by `FLEETC_BLESS=1 cargo test --test docs`.\n\n\
         | code | phase | severity | why |\n| --- | --- | --- | --- |\n",
    );
    for rule in fleetc::rules::ALL {
        let help = rule.help.replace('|', "\\|");
        writeln!(
            text,
            "| `{}` | {} | {} | {help} |",
            rule.code,
            rule.phase.as_str(),
            rule.severity.as_str()
        )
        .unwrap();
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    if std::env::var_os("FLEETC_BLESS").is_some() {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/docs")).unwrap();
        std::fs::write(path, &text).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == text,
        "docs/rules.md is stale: run `FLEETC_BLESS=1 cargo test --test docs`"
    );
}
