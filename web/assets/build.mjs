#!/usr/bin/env node
// Bundles the designer's modeller (bpmn-js Modeler, properties panel, SpiffWorkflow properties,
// bpmnlint) with esbuild into dist/designer.js and dist/designer.css, served by the app as
// /static/designer-dist/. Run by `make assets` (and `npm run build` here); nothing from a CDN.
//
// bpmnlint's rules are normally found at run time through Node's require; in the browser they
// are bundled: the virtual module 'virtual:bpmnlint-config' imports every rule that
// tools/bpmn-check/.bpmnlintrc switches on (its "extends" flattened), so the browser lints
// exactly as check.mjs does.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));
const lintrc = JSON.parse(await readFile(new URL('../../tools/bpmn-check/.bpmnlintrc', import.meta.url), 'utf8'));

function lintRules() {
  const rules = {};
  for (const name of [].concat(lintrc.extends || [])) {
    const match = /^bpmnlint:(.+)$/.exec(name);
    if (!match) {
      throw new Error(`.bpmnlintrc: only bpmnlint's own configs can be bundled, not ${name}`);
    }
    Object.assign(rules, require(`bpmnlint/config/${match[1]}`).rules);
  }
  Object.assign(rules, lintrc.rules || {});
  return Object.fromEntries(Object.entries(rules).filter(([, level]) => level !== 'off'));
}

const bpmnlintConfig = {
  name: 'bpmnlint-config',
  setup(build) {
    build.onResolve({ filter: /^virtual:bpmnlint-config$/ }, () => ({ path: 'bpmnlint-config', namespace: 'virtual' }));
    build.onLoad({ filter: /.*/, namespace: 'virtual' }, () => {
      const rules = lintRules();
      const names = Object.keys(rules).sort();
      const imports = names.map((name, i) => `import rule${i} from 'bpmnlint/rules/${name}';`).join('\n');
      const table = names.map((name, i) => `  ${JSON.stringify(name)}: rule${i},`).join('\n');
      return {
        resolveDir: here,
        loader: 'js',
        contents: `${imports}
const rules = {
${table}
};
export const config = { rules: ${JSON.stringify(rules)} };
export const resolver = {
  resolveRule(pkg, name) {
    const rule = pkg === 'bpmnlint' ? rules[name] : undefined;
    if (!rule) { throw new Error('unknown rule ' + pkg + '/' + name); }
    return rule;
  },
  resolveConfig(pkg, name) { throw new Error('config not bundled: ' + pkg + ':' + name); },
};
`,
      };
    });
  },
};

await esbuild.build({
  absWorkingDir: here,
  entryPoints: { designer: 'src/designer.js' },
  outdir: 'dist',
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: '@bpmn-io/properties-panel/preact',
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.eot': 'dataurl', '.svg': 'dataurl' },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [bpmnlintConfig],
});
