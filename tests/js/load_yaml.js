// Reads YAML documents with js-yaml 4, as current Kibana does.
//
// usage: node load_yaml.js < texts.json
// Standard input holds a JSON array of YAML texts; standard output gets a JSON array of the
// data each one holds.
"use strict";

const fs = require("fs");
const yaml = require("js-yaml4");

const texts = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map((text) => yaml.load(text))) + "\n");
