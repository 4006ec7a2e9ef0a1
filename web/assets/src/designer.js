// The designer's modeller page: bpmn-js Modeler with the properties panel (generic BPMN groups plus
// the SpiffWorkflow groups), bpmnlint while editing, the server's deploy checks on request, and
// deploying or saving the edited file. Every finding selects its element when clicked.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import spiffworkflow from '../../../tools/bpmn-check/spiffworkflow.json';
import { lintDefinitions } from './lint';
import { SpiffPropertiesModule } from './spiff-properties';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-codes.css';
import './bpmn-font.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';

const LINT_DELAY_MS = 250;
const PALETTE_WIDTH = 110; // px: the tool palette over the canvas's left edge
// The groups a designer needs most start open (general, and what SpiffWorkflow reads).
const OPEN_GROUPS = Object.fromEntries(['general', 'spiff-condition', 'spiff-timer', 'spiff-scripts', 'spiff-call',
  'spiff-properties'].map((id) => [id, { open: true }]));

function translateModule(texts) {
  function translate(template, replacements) {
    const text = Object.prototype.hasOwnProperty.call(texts, template) ? texts[template] : template;
    return text.replace(/{([^}]+)}/g, (all, key) => (replacements && key in replacements ? replacements[key] : all));
  }
  return { translate: ['value', translate] };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  return node;
}

class DesignerPage {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.labels = data.labels;
    this.lintFindings = [];
    this.changes = 0;
    this.engineFindings = data.findings || [];
    this.modeler = new Modeler({
      container: root.querySelector('#modeller-canvas'),
      propertiesPanel: { parent: root.querySelector('#modeller-properties'), layout: { groups: OPEN_GROUPS } },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SpiffPropertiesModule,
        translateModule(data.texts || {})],
      moddleExtensions: { spiffworkflow },
    });
    this.findingsList = root.querySelector('#findings');
    this.status = root.querySelector('#modeller-status');
  }

  async open() {
    try {
      const { warnings } = await this.modeler.importXML(this.data.xml);
      this.importWarnings = warnings.map((w) => String(w.message || w));
    } catch (error) {
      this.root.setAttribute('data-ready', 'error');
      this.showStatus(`${this.labels.importFailed} ${error.message}`, 'error');
      return;
    }
    this.fit();
    this.modeler.on('commandStack.changed', () => this.changed());
    await this.lint();
    if (this.engineFindings.length) {
      this.showStatus(this.labels.changed, 'warn'); // a refused deploy came back with the edited model
    }
    this.root.setAttribute('data-ready', 'true');
    this.wire();
  }

  // Fit the diagram, leaving the left edge free for the palette (elements there could not be clicked).
  fit() {
    const canvas = this.modeler.get('canvas');
    canvas.zoom('fit-viewport', 'auto');
    const box = canvas.viewbox();
    const margin = PALETTE_WIDTH / box.scale;
    canvas.viewbox({ x: box.x - margin, y: box.y, width: box.width + margin, height: box.height });
  }

  wire() {
    this.root.querySelector('#check-button').addEventListener('click', () => this.check());
    this.root.querySelector('#download-button').addEventListener('click', () => this.download());
    const form = this.root.querySelector('#deploy-form');
    if (form) {
      form.addEventListener('submit', (event) => this.deploy(event, form));
    }
  }

  changed() {
    this.changes += 1;
    this.root.setAttribute('data-changes', String(this.changes)); // tests wait for this, not for time
    this.root.setAttribute('data-dirty', 'true');
    this.showStatus(this.labels.changed, 'warn');
    clearTimeout(this.lintTimer);
    this.lintTimer = setTimeout(() => this.lint(), LINT_DELAY_MS);
  }

  showStatus(text, kind) {
    this.status.textContent = text;
    this.status.className = `modeller-status ${kind || ''}`;
  }

  async xml() {
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  async lint() {
    this.lintFindings = await lintDefinitions(this.modeler.getDefinitions());
    this.render();
  }

  async check() {
    const button = this.root.querySelector('#check-button');
    button.disabled = true;
    this.findingsList.setAttribute('data-state', 'checking');
    try {
      await this.lint();
      const response = await fetch(this.data.validateUrl, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': this.data.csrfToken },
        body: JSON.stringify({ file: this.data.file, xml: await this.xml() }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok && Array.isArray(body.findings)) {
        this.engineFindings = body.findings;
      } else {
        const message = body.detail || `${this.labels.checkFailed} (HTTP ${response.status})`;
        this.engineFindings = [{ file: '', line: null, element: null, message }];
      }
    } finally {
      button.disabled = false;
      this.render();
      this.findingsList.setAttribute('data-state', 'checked');
      this.sayResult();
    }
  }

  // "Controleren" always says its result, also when all is well.
  sayResult() {
    const items = this.items();
    const errors = items.filter((i) => i.category === 'error').length;
    const fill = (text) => text.replace('{errors}', errors).replace('{warnings}', items.length - errors);
    if (errors) {
      this.showStatus(fill(this.labels.checkedErrors), 'error');
    } else if (items.length) {
      this.showStatus(fill(this.labels.checkedWarnings), 'warn');
    } else {
      this.showStatus(this.labels.checkedNone, 'ok');
    }
    this.root.setAttribute('data-checked', errors ? 'errors' : 'ok');
  }

  async deploy(event, form) {
    event.preventDefault();
    form.querySelector('button').disabled = true;
    form.querySelector('textarea[name=xml]').value = await this.xml();
    // submit(), not requestSubmit(): this may still run inside the submit event's dispatch.
    form.submit();
  }

  async download() {
    const blob = new Blob([await this.xml()], { type: 'application/xml' });
    const link = el('a');
    link.href = URL.createObjectURL(blob);
    link.download = this.data.file.split('/').pop();
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
  }

  // The diagram element for an id: the element itself, or the shape that owns it (the engine names
  // a timer's or message's event definition, which has no shape of its own).
  shapeFor(id) {
    const registry = this.modeler.get('elementRegistry');
    return registry.get(id) || registry.find((element) => {
      const bo = element.businessObject;
      const parts = bo && !element.labelTarget
        ? [...(bo.eventDefinitions || []), bo.loopCharacteristics, bo.conditionExpression] : [];
      return parts.some((part) => part && part.id === id);
    }) || null;
  }

  select(id) {
    const element = this.shapeFor(id);
    if (!element) {
      return;
    }
    const canvas = this.modeler.get('canvas');
    canvas.scrollToElement(element);
    this.modeler.get('selection').select(element);
  }

  finding(item) {
    const li = el('li', `finding finding-${item.category}`);
    const target = item.element && (!item.file || item.file === this.data.file) && this.shapeFor(item.element);
    const box = el(target ? 'button' : 'div', 'finding-body');
    if (target) {
      box.type = 'button';
      box.setAttribute('data-element', item.element);
      box.addEventListener('click', () => this.select(item.element));
    }
    box.appendChild(el('span', `badge badge-${item.category}`, item.category === 'error' ? this.labels.error : this.labels.warn));
    box.appendChild(el('span', 'finding-source', item.source));
    box.appendChild(el('span', 'finding-message', item.message));
    const where = [item.element, item.file && item.file !== this.data.file ? item.file : null,
      item.line ? `${this.labels.line} ${item.line}` : null, item.detail].filter(Boolean).join(' · ');
    if (where) {
      box.appendChild(el('small', 'finding-where', where));
    }
    li.appendChild(box);
    return li;
  }

  // The server's findings and bpmnlint's, errors first, every text in the page's language.
  items() {
    const lintTexts = this.data.lintTexts || {};
    return [
      ...this.engineFindings.map((f) => ({
        ...f, category: f.severity === 'waarschuwing' ? 'warn' : 'error', source: this.labels.engine,
      })),
      ...this.lintFindings.map((f) => ({
        element: f.id, category: f.category, source: `${this.labels.lint} ${f.rule}`,
        message: lintTexts[f.rule] || this.labels.lintOther.replace('{rule}', f.rule),
      })),
    ].sort((a, b) => (a.category === b.category ? 0 : a.category === 'error' ? -1 : 1));
  }

  render() {
    const items = this.items();
    this.findingsList.replaceChildren(...items.map((item) => this.finding(item)));
    const errors = items.filter((i) => i.category === 'error').length;
    const summary = this.root.querySelector('#findings-summary');
    summary.textContent = items.length
      ? this.labels.summary.replace('{errors}', errors).replace('{warnings}', items.length - errors)
      : this.labels.none;
    summary.setAttribute('data-errors', String(errors));
    this.mark(items);
  }

  mark(items) {
    const canvas = this.modeler.get('canvas');
    const registry = this.modeler.get('elementRegistry');
    registry.forEach((element) => {
      canvas.removeMarker(element, 'thv-finding-error');
      canvas.removeMarker(element, 'thv-finding-warn');
    });
    for (const item of items) {
      const shape = item.element && (!item.file || item.file === this.data.file) && this.shapeFor(item.element);
      if (shape) {
        canvas.addMarker(shape, `thv-finding-${item.category}`);
      }
    }
  }
}

function start() {
  const root = document.getElementById('modeller');
  const source = document.getElementById('modeller-data');
  if (!root || !source) {
    return;
  }
  const page = new DesignerPage(root, JSON.parse(source.textContent));
  window.thvDesigner = page; // for the browser tests: page.modeler is the real modeller
  page.open();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
