// bpmnlint in the browser, with the rules of tools/bpmn-check/.bpmnlintrc (bundled by build.mjs).
import { Linter } from 'bpmnlint';
import { config, resolver } from 'virtual:bpmnlint-config';

// Lint the modeller's definitions: [{rule, id, message, category}] (category 'error' or 'warn').
// A fresh Linter every time: some rules (no-duplicate-sequence-flows) keep state between runs.
export async function lintDefinitions(definitions) {
  const reports = await new Linter({ config, resolver }).lint(definitions);
  return Object.entries(reports).flatMap(([rule, entries]) => entries.map((entry) => ({
    rule: rule.replace(/^bpmnlint\//, ''),
    id: entry.id || null,
    message: entry.message,
    category: entry.category === 'rule-error' ? 'error' : entry.category,
  })));
}
