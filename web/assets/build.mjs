#!/usr/bin/env node
// Bundles the designer's modeller (bpmn-js Modeler, properties panel, SpiffWorkflow properties,
// bpmnlint) with esbuild into dist/designer.js and dist/designer.css, and the NL Design System
// components with their token map (src/nlds.css) into dist/nlds.css; the app serves dist/ as
// /static/dist/. Run by `make assets` (and `npm run build` here); nothing from a CDN.
//
// bpmnlint's rules are normally found at run time through Node's require; in the browser they
// are bundled: the virtual module 'virtual:bpmnlint-config' imports every rule that
// tools/bpmn-check/.bpmnlintrc switches on (its "extends" flattened), so the browser lints
// exactly as check.mjs does.
import { readFile, writeFile } from 'node:fs/promises';
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

// The NL Design System example theme's token map (@nl-design-system-unstable/voorbeeld-design-tokens)
// expresses every component token (--utrecht-button-…) in basis tokens (--basis-color-…), which a theme
// sets. It names the components of every community library; only the tokens the bundled components
// use, and the tokens those refer to, are kept. Its scope class becomes the app's own, .thv-theme, which
// the theme linked after dist/nlds.css (web/static/css/theme-neutraal.css or a region's) sets as well.
const TOKEN_MAP_FILE = '@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css';
const TOKEN_LINE = /^\s*(--[\w-]+):\s*(.*?);\s*(\/\*.*\*\/)?\s*$/;
const VAR = /var\((--[\w-]+)/g;

function usedTokens(componentCss, mapText) {
  if (!mapText.includes('.voorbeeld-theme {')) {
    throw new Error(`${TOKEN_MAP_FILE}: the token map is no longer scoped to .voorbeeld-theme`);
  }
  const map = new Map();
  for (const line of mapText.split('\n')) {
    const match = TOKEN_LINE.exec(line);
    if (match) map.set(match[1], match[2]);
  }
  const kept = new Map();
  const pending = [...componentCss.matchAll(VAR)].map((m) => m[1]);
  while (pending.length) {
    const name = pending.pop();
    if (kept.has(name) || !map.has(name)) continue;
    kept.set(name, map.get(name));
    pending.push(...[...map.get(name).matchAll(VAR)].map((m) => m[1]));
  }
  return [...kept].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => `${name}:${value}`);
}

const nlds = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ['src/nlds.css'],
  bundle: true,
  minify: true,
  write: false,
  outfile: 'dist/nlds.css',
  legalComments: 'eof',
  logLevel: 'warning',
});
const componentCss = nlds.outputFiles[0].text;
const tokenVersion = require('@nl-design-system-unstable/voorbeeld-design-tokens/package.json').version;
const tokens = usedTokens(componentCss, await readFile(require.resolve(TOKEN_MAP_FILE), 'utf8'));
await writeFile(
  new URL('dist/nlds.css', import.meta.url),
  `${componentCss}/*! token map: @nl-design-system-unstable/voorbeeld-design-tokens ${tokenVersion}, EUPL-1.2 */\n` +
    `.thv-theme{${tokens.join(';')}}\n`,
);
