//! `oneOf` branches: which schema an output type or a package-policy shape selects, with
//! English findings when none does or the target version lacks it.

use serde_json::Value;

use super::words::{head_span, json_type, quoted_list, show};
use super::{Place, Validator};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::rules;
use crate::schema::{Discriminator, JsonType, Schema};
use crate::tree::{Node, to_json};

impl Validator<'_> {
    pub(super) fn branch<'s>(
        &mut self,
        node: &Node,
        schema: &'s Schema,
        place: &Place,
    ) -> Option<&'s Schema> {
        match schema.discriminator.as_ref()? {
            Discriminator::Property(property) => {
                self.branch_by_property(node, schema, property, place)
            }
            Discriminator::ShapeOfInputs => self.branch_by_inputs(node, schema, place),
        }
    }

    fn branch_by_property<'s>(
        &mut self,
        node: &Node,
        schema: &'s Schema,
        property: &str,
        place: &Place,
    ) -> Option<&'s Schema> {
        let constant = |branch: &Schema| {
            branch
                .property(property)
                .and_then(|p| p.const_value.as_ref())
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let live: Vec<String> = schema
            .one_of
            .iter()
            .filter(|b| b.exists_in(self.version))
            .filter_map(constant)
            .collect();
        let inner = place.key(property);
        let Some(value) = node.get(property) else {
            let message = format!("this {} has no `{property}`", self.noun);
            let help = format!("`{property}` is one of {}", quoted_list(&live));
            self.report(
                Diagnostic::new(&rules::MISSING_FIELD, message)
                    .at(head_span(node), format!("`{property}` missing"))
                    .help(help),
                &inner,
            );
            return None;
        };
        let text = value.as_str().unwrap_or_default();
        let Some(branch) = schema
            .one_of
            .iter()
            .find(|b| constant(b).as_deref() == Some(text))
        else {
            let message = format!(
                "`{property}` must be one of {}, not {}",
                quoted_list(&live),
                show(&to_json(value))
            );
            let mut diagnostic =
                Diagnostic::new(&rules::INVALID_VALUE, message).at(value.span, "unknown value");
            if let Some(close) = did_you_mean(text, live.iter().map(String::as_str)) {
                diagnostic = diagnostic.help(format!("did you mean `{close}`?"));
            }
            self.report(diagnostic, &inner);
            return None;
        };
        if !branch.exists_in(self.version) {
            let message = self.gate_message(
                &format!("`{text}` {}s", self.noun),
                branch.since.as_ref(),
                branch.until.as_ref(),
            );
            self.report(
                Diagnostic::new(&rules::TOO_NEW, message)
                    .at(value.span, "not in the target version"),
                &inner,
            );
            return None;
        }
        Some(branch)
    }

    fn branch_by_inputs<'s>(
        &mut self,
        node: &Node,
        schema: &'s Schema,
        place: &Place,
    ) -> Option<&'s Schema> {
        let inputs = node.get("inputs");
        let wanted = match inputs.map(json_type) {
            Some(JsonType::Object) => JsonType::Object,
            _ => JsonType::Array,
        };
        let takes = |branch: &Schema| {
            branch
                .property("inputs")
                .is_some_and(|p| p.types.contains(&wanted))
        };
        let branch = schema
            .one_of
            .iter()
            .find(|b| takes(b))
            .or(schema.one_of.first())?;
        if !branch.exists_in(self.version) {
            let what = "package policies with `inputs` written as a map";
            let message = self.gate_message(what, branch.since.as_ref(), branch.until.as_ref());
            let span = inputs.map_or(node.span, |n| n.span);
            self.report(
                Diagnostic::new(&rules::TOO_NEW, message).at(span, "map form"),
                &place.key("inputs"),
            );
            return None;
        }
        Some(branch)
    }
}
