#!/usr/bin/env node
// Reads a kibana.yml (or the JSON `fleetc build --format json` prints, which is
// YAML too) from stdin the way Kibana reads its config, and prints the
// resulting `xpack.fleet` object as one line of JSON.
//
// Kibana's steps, written out here independently of fleetc's Rust code so the
// corpus test compares two implementations: js-yaml 4 `load`; every dotted
// key split into nested objects at every depth, inside arrays too, except a
// key written wholly in brackets, which loses its brackets and stays one key
// (the reader of Kibana 8.15.1 and later); paths merged as lodash `set` does;
// then the Fleet plugin's deprecations: the `unused` keys are dropped and a
// truthy `agents.elasticsearch.host` becomes `agents.elasticsearch.hosts:
// [host]`. `${VAR}` substitution is left out: both sides keep the reference
// text, and substitution is a function of that text.
'use strict';

const fs = require('fs');
const path = require('path');

const yaml = require(path.join(__dirname, 'node_modules', 'js-yaml4'));

const UNUSED = [
  'kibana',
  'maxConcurrentConnections',
  'agentPolicyRolloutRateLimitIntervalMs',
  'agentPolicyRolloutRateLimitRequestPerInterval',
  'pollingRequestTimeout',
  'tlsCheckDisabled',
  'fleetServerEnabled',
];

function isPlainObject(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function bracketed(key) {
  return key.startsWith('[') && key.endsWith(']') ? key.slice(1, -1) : undefined;
}

function splitKey(key) {
  const inner = bracketed(key);
  return inner === undefined ? key.split('.') : [inner];
}

function isIndex(key) {
  return /^(0|[1-9][0-9]*)$/.test(key);
}

// lodash `set`: containers are created as needed, an array for an index key.
function set(target, keys, value) {
  let node = target;
  for (let i = 0; i < keys.length - 1; i += 1) {
    const key = keys[i];
    const next = node[key];
    if (next === null || typeof next !== 'object') {
      node[key] = isIndex(keys[i + 1]) ? [] : {};
    }
    node = node[key];
  }
  node[keys[keys.length - 1]] = value;
}

function processValue(value) {
  if (isPlainObject(value) || Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (Array.isArray(value)) {
        value[key] = processValue(inner);
        continue;
      }
      const keys = splitKey(key);
      if (keys.length > 1 || bracketed(key) !== undefined) delete value[key];
      set(value, keys, processValue(inner));
    }
  }
  return value;
}

function listEntries(root) {
  const entries = [];
  const walk = (level, at) => {
    if (isPlainObject(level) && Object.keys(level).length > 0) {
      for (const [key, inner] of Object.entries(level)) walk(inner, at.concat(splitKey(key)));
    } else if (at.length > 0) {
      entries.push([at, processValue(level)]);
    }
  };
  walk(root, []);
  return entries;
}

function readConfig(text) {
  const root = yaml.load(text);
  const config = {};
  if (root) {
    for (const [keys, value] of listEntries(root)) set(config, keys, value);
  }
  return config;
}

function deprecate(fleet) {
  const agents = fleet.agents;
  if (isPlainObject(agents)) {
    for (const key of UNUSED) delete agents[key];
    if (Object.keys(agents).length === 0) delete fleet.agents;
    const es = agents.elasticsearch;
    if (isPlainObject(es) && es.host) {
      es.hosts = [es.host];
      delete es.host;
    }
  }
  return fleet;
}

const config = readConfig(fs.readFileSync(0, 'utf8'));
const fleet = deprecate((config.xpack && config.xpack.fleet) || {});
process.stdout.write(JSON.stringify(fleet) + '\n');
