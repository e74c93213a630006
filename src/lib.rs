//! fleetc compiles a repository of Elastic Fleet declarations into the `xpack.fleet.*`
//! preconfiguration of Kibana's `kibana.yml`.
//!
//! The modules follow the pipeline: `load` finds the repository and its files, `parse`
//! reads them into the raw `tree`, `validate` checks each item against the JSON Schemas of
//! `schema`, `model` builds the typed declarations, `check` applies the rules across them,
//! `secrets` resolves secret references (the age store, identities, overrides), and `emit`
//! writes the block Kibana reads; `target` reads and writes the kibana.yml that receives
//! it, and `plan` compares the two. Findings are `diagnostic`s; the library never
//! prints.

pub mod atomic;
pub mod check;
pub mod collect;
pub mod compile;
pub mod declarations;
pub mod diagnostic;
pub mod emit;
pub mod environment;
pub mod graph;
pub mod import;
pub mod load;
pub mod merge;
pub mod model;
pub mod parse;
pub mod plan;
pub mod project;
pub mod reference;
pub mod render;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod target;
pub mod tree;
pub mod validate;
pub mod version;
