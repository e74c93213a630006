// Validates JSON instances against a JSON Schema with ajv, a validator independent of fleetc.
//
// usage: node validate.js SCHEMA.json [--draft-04] < instances.json
// Standard input holds a JSON array of instances; standard output gets one JSON array of
// `{ "valid": bool, "errors": [...] }`, in the same order.
"use strict";

const fs = require("fs");

const [schemaPath, ...flags] = process.argv.slice(2);
const Ajv = flags.includes("--draft-04") ? require("ajv-draft-04") : require("ajv");
// `unicodeRegExp: false`: the SARIF schema has a pattern that is only valid without the `u` flag.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
const instances = JSON.parse(fs.readFileSync(0, "utf8"));
const results = instances.map((instance) => {
  const valid = validate(instance);
  return { valid, errors: valid ? [] : validate.errors };
});
process.stdout.write(JSON.stringify(results) + "\n");
