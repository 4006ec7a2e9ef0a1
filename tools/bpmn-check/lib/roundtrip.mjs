// The modeller round trip: a bpmn-js session imports a file with bpmn-moddle and saves
// it with toXML. Anything moddle does not understand is silently dropped on save, so
// compare what matters to us, read straight from the XML text before and after:
// every spiffworkflow extension element and attribute, every DI shape/edge with its
// bounds, waypoints and labels, and every element id.
import { Parser } from 'saxen';

const NAMESPACES = {
  'http://www.omg.org/spec/BPMN/20100524/MODEL': 'bpmn',
  'http://www.omg.org/spec/BPMN/20100524/DI': 'bpmndi',
  'http://www.omg.org/spec/DD/20100524/DC': 'dc',
  'http://www.omg.org/spec/DD/20100524/DI': 'di',
  'http://www.w3.org/2001/XMLSchema-instance': 'xsi',
  'http://spiffworkflow.org/bpmn/schema/1.0/core': 'spiffworkflow',
};
const TRACKED = /^(spiffworkflow|bpmndi|dc|di):/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

function normalize(element, value) {
  // moddle writes DI numbers as JavaScript numbers: "120.0" and "120" are the same bound.
  return (element === 'dc:Bounds' || element === 'di:waypoint') && NUMERIC.test(value)
    ? String(Number(value)) : value;
}

/**
 * Signatures of the tracked content of a BPMN XML text, as a Map signature -> count,
 * plus the set of element ids.
 */
export function extract(xml) {
  const signatures = new Map();
  const ids = new Set();
  const stack = []; // { name, id, path, text, tracked, attrs }
  const parser = new Parser({ proxy: true });
  parser.ns(NAMESPACES);
  parser.on('error', (error) => { throw error; });
  // saxen reports a self-closing tag as an openTag followed by a closeTag.
  parser.on('openTag', (element) => {
    const attrs = element.attrs;
    const parent = stack[stack.length - 1];
    const id = attrs.id || null;
    if (id) {
      ids.add(id);
    }
    const owner = id || (parent ? parent.owner : '');
    const path = id ? element.name : `${parent ? parent.path : ''}/${element.name}`;
    const spiffAttrs = Object.keys(attrs).filter((key) => key.startsWith('spiffworkflow:'));
    const tracked = TRACKED.test(element.name);
    const entry = { name: element.name, owner, path, text: '', tracked, children: 0, attrs };
    if (parent) {
      parent.children += 1;
    }
    if (!tracked && spiffAttrs.length) {
      const listed = spiffAttrs.sort().map((key) => `${key}=${JSON.stringify(attrs[key])}`).join(' ');
      add(signatures, `${owner} ${path} [${listed}]`);
    }
    stack.push(entry);
  });
  parser.on('text', (text, decodeEntities) => {
    if (stack.length) {
      stack[stack.length - 1].text += decodeEntities(text);
    }
  });
  parser.on('cdata', (text) => {
    if (stack.length) {
      stack[stack.length - 1].text += text;
    }
  });
  parser.on('closeTag', () => close());

  function close() {
    const entry = stack.pop();
    if (!entry.tracked) {
      return;
    }
    const listed = Object.keys(entry.attrs).filter((key) => !key.startsWith('xmlns')).sort()
      .map((key) => `${key}=${JSON.stringify(normalize(entry.name, entry.attrs[key]))}`).join(' ');
    const body = entry.children ? '' : entry.text.trim();
    add(signatures, `${entry.owner} ${entry.path} [${listed}]${body ? ` ${JSON.stringify(body)}` : ''}`);
  }

  parser.parse(xml);
  return { signatures, ids };
}

function add(map, key) {
  map.set(key, (map.get(key) || 0) + 1);
}

/** Differences between the original file and its moddle round trip, as readable lines. */
export function compareRoundTrip(originalXml, savedXml) {
  const before = extract(originalXml);
  const after = extract(savedXml);
  const problems = [];
  for (const [signature, count] of before.signatures) {
    const kept = after.signatures.get(signature) || 0;
    if (kept < count) {
      problems.push(`lost or changed: ${signature}`);
    }
  }
  for (const [signature, count] of after.signatures) {
    if ((before.signatures.get(signature) || 0) < count) {
      problems.push(`appeared: ${signature}`);
    }
  }
  for (const id of before.ids) {
    if (!after.ids.has(id)) {
      problems.push(`lost element with id ${id}`);
    }
  }
  return problems;
}
