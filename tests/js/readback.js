#!/usr/bin/env node
// Reads one YAML document from stdin and prints, on one line, the data that
// js-yaml 3 (`safeLoad`, as Kibana 7 used it) and js-yaml 4 (`load`, as
// current Kibana uses it) produce from it: {"v3": <data>, "v4": <data>}.
// A version that throws yields {"$error": message} in its slot instead.
//
// Values that JSON cannot express faithfully are tagged so that a string
// the reader mistyped can never compare equal to the original string:
// Dates become {"$date": ...} and any other non-plain object becomes
// {"$type": ..., "$value": ...}. Numbers other than safe integers become
// {"$number": String(n)} ("-0" for negative zero): JSON cannot express -0,
// NaN or Infinity, and a consumer's JSON parser may round decimal text
// differently from JavaScript, whereas the shortest round-trip text that
// String() gives parses back to the same double in any correct parser.
'use strict';

const fs = require('fs');
const path = require('path');

const modules = path.join(__dirname, 'node_modules');
const yaml3 = require(path.join(modules, 'js-yaml3'));
const yaml4 = require(path.join(modules, 'js-yaml4'));

function tagNumber(n) {
  if (Object.is(n, -0)) return { $number: '-0' };
  return Number.isSafeInteger(n) ? n : { $number: String(n) };
}

// Copies into a null-prototype object so a `__proto__` key stays an
// ordinary own property instead of replacing the prototype.
function tagObject(obj) {
  const out = Object.create(null);
  for (const key of Object.keys(obj)) {
    out[key] = tag(obj[key]);
  }
  return out;
}

function tag(value) {
  if (value === undefined) return { $undefined: true };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return tagNumber(value);
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString() };
  if (Array.isArray(value)) return value.map(tag);
  const proto = Object.getPrototypeOf(value);
  if (typeof value === 'object' && (proto === Object.prototype || proto === null)) return tagObject(value);
  const name = value && value.constructor ? value.constructor.name : typeof value;
  return { $type: name, $value: String(value) };
}

function readWith(load, text) {
  try {
    return tag(load(text));
  } catch (err) {
    return { $error: String(err && err.message ? err.message : err) };
  }
}

const text = fs.readFileSync(0, 'utf8');
const result = {
  v3: readWith((t) => yaml3.safeLoad(t), text),
  v4: readWith((t) => yaml4.load(t), text),
};
process.stdout.write(JSON.stringify(result) + '\n');
