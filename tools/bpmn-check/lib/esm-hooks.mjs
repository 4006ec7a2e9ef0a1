// Node module hooks that let us load bpmn-js's own importer (lib/import/*.js) in Node.
//
// bpmn-js publishes its lib/ as ES modules written for bundlers: the package is not
// marked "type": "module" and relative imports omit the ".js" extension. These hooks
// add the extension and treat bpmn-js's and diagram-js's lib/ files as ES modules, so
// check.mjs can run the exact tree walk the modeller performs on import.
const ESM_DIRS = ['/node_modules/bpmn-js/lib/', '/node_modules/diagram-js/lib/'];

function isBundlerEsm(url) {
  return url.startsWith('file:') && ESM_DIRS.some((dir) => url.includes(dir));
}

export async function resolve(specifier, context, nextResolve) {
  const fromBundlerEsm = context.parentURL && isBundlerEsm(context.parentURL);
  if (fromBundlerEsm && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    try {
      return await nextResolve(`${specifier}.js`, context);
    } catch {
      return nextResolve(`${specifier}/index.js`, context);
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (isBundlerEsm(url)) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
