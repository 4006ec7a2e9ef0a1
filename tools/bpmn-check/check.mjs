#!/usr/bin/env node
// Check that BPMN files import cleanly into the bpmn-js toolchain.
//
//   node check.mjs FILE...              import, lint and DI checks
//   node check.mjs --roundtrip FILE...  also save with moddle and compare (a modeller session)
//
// Per file, one JSON line on stdout:
//   {file, warnings, lint: [{id, message, rule, category}], missingDi: [...], roundtrip?: [...]}
// Exit status 1 when any file has an import warning (unknown element or attribute,
// unresolved reference, bpmn-js import problem), a lint error, missing DI or a
// round-trip loss; lint warnings are listed but do not fail. Exit status 2 on usage errors.
import { readFile } from 'node:fs/promises';
import { createRequire, register } from 'node:module';

import { BpmnModdle } from 'bpmn-moddle';

import { checkBpmnJsImport } from './lib/bpmnjs-import.mjs';
import { compareRoundTrip } from './lib/roundtrip.mjs';

register('./lib/esm-hooks.mjs', import.meta.url);

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const spiffworkflow = JSON.parse(await readFile(new URL('./spiffworkflow.json', import.meta.url), 'utf8'));
const lintConfig = JSON.parse(await readFile(new URL('./.bpmnlintrc', import.meta.url), 'utf8'));

function createModdle() {
  return new BpmnModdle({ spiffworkflow });
}

function importWarning(warning) {
  const message = String(warning.message || warning).split('\n')[0];
  const id = warning.element && warning.element.id;
  return id && !message.includes(id) ? `${message} (in ${id})` : message;
}

async function lint(definitions) {
  // The resolver loads rules and configs relative to this folder, whatever the cwd.
  const linter = new Linter({
    config: { extends: lintConfig.extends, rules: lintConfig.rules || {} },
    resolver: new NodeResolver({ require }),
  });
  const reports = await linter.lint(definitions);
  return Object.entries(reports).flatMap(([rule, entries]) => entries.map((entry) => ({
    id: entry.id || null,
    message: entry.message,
    rule,
    category: entry.category,
  })));
}

async function checkFile(file, roundtrip) {
  const result = { file, warnings: [], lint: [], missingDi: [] };
  if (roundtrip) {
    result.roundtrip = [];
  }
  let xml;
  try {
    xml = await readFile(file, 'utf8');
  } catch (error) {
    result.warnings.push(`cannot read file: ${error.message}`);
    return result;
  }
  let definitions;
  try {
    const imported = await createModdle().fromXML(xml);
    definitions = imported.rootElement;
    result.warnings.push(...imported.warnings.map(importWarning));
  } catch (error) {
    result.warnings.push(`import failed: ${importWarning(error)}`);
    result.warnings.push(...(error.warnings || []).map(importWarning));
    return result;
  }
  result.lint = await lint(definitions);
  const imported = await checkBpmnJsImport(definitions);
  result.warnings.push(...imported.warnings);
  result.missingDi = imported.missingDi;
  if (roundtrip) {
    // A fresh import, untouched by the checks above, saved as the modeller saves it.
    const { rootElement } = await createModdle().fromXML(xml);
    const { xml: saved } = await createModdle().toXML(rootElement, { format: true });
    result.roundtrip = compareRoundTrip(xml, saved);
  }
  return result;
}

function failed(result) {
  return result.warnings.length > 0 || result.missingDi.length > 0
    || result.lint.some((entry) => entry.category === 'error')
    || (result.roundtrip || []).length > 0;
}

async function main(argv) {
  const roundtrip = argv.includes('--roundtrip');
  const files = argv.filter((arg) => arg !== '--roundtrip');
  const unknown = files.filter((arg) => arg.startsWith('--'));
  if (!files.length || unknown.length) {
    console.error('usage: node check.mjs [--roundtrip] FILE...');
    return 2;
  }
  let status = 0;
  for (const file of files) {
    const result = await checkFile(file, roundtrip);
    console.log(JSON.stringify(result));
    if (failed(result)) {
      status = 1;
    }
  }
  return status;
}

process.exitCode = await main(process.argv.slice(2));
