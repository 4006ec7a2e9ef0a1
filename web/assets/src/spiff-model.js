// Reading and writing the SpiffWorkflow parts of a BPMN element through the modeller's command
// stack, so every change can be undone and nothing else in the XML is touched.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export const SPIFF_PROPERTIES = ['formJsonSchemaFilename', 'milestone', 'senders', 'starters'];
export const TIMER_TYPES = ['timeDuration', 'timeDate', 'timeCycle'];

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

function execute(injector, commands) {
  if (commands.length) {
    injector.get('commandStack').execute('properties-panel.multi-command-executor', commands);
  }
}

export function extensions(element, type) {
  const ext = getBusinessObject(element).get('extensionElements');
  return ext ? (ext.get('values') || []).filter((value) => is(value, type)) : [];
}

// The bpmn:ExtensionElements of the element, created (with the commands to add it) when missing.
function ensureExtensionElements(injector, element, commands) {
  const bo = getBusinessObject(element);
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = injector.get('moddle').create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    commands.push(update(element, bo, { extensionElements: ext }));
  }
  return ext;
}

// --- spiffworkflow:properties/property ---------------------------------------------

export function getSpiffProperty(element, name) {
  for (const container of extensions(element, 'spiffworkflow:properties')) {
    const found = (container.get('properties') || []).find((p) => p.get('name') === name);
    if (found) {
      return found.get('value') || '';
    }
  }
  return '';
}

export function spiffPropertyNames(element) {
  return extensions(element, 'spiffworkflow:properties')
    .flatMap((container) => (container.get('properties') || []).map((p) => p.get('name')))
    .filter((name) => name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
}

export function setSpiffProperty(injector, element, name, value) {
  const commands = [];
  const text = (value || '').trim();
  const containers = extensions(element, 'spiffworkflow:properties');
  let container = containers[0];
  const existing = containers.flatMap((c) => (c.get('properties') || []).map((p) => [c, p]))
    .find(([, p]) => p.get('name') === name);
  if (existing) {
    const [owner, property] = existing;
    if (text) {
      commands.push(update(element, property, { value: text }));
    } else {
      commands.push(update(element, owner, { properties: owner.get('properties').filter((p) => p !== property) }));
    }
  } else if (text) {
    const moddle = injector.get('moddle');
    if (!container) {
      const ext = ensureExtensionElements(injector, element, commands);
      container = moddle.create('spiffworkflow:properties', { properties: [] });
      container.$parent = ext;
      commands.push(update(element, ext, { values: [...(ext.get('values') || []), container] }));
    }
    const property = moddle.create('spiffworkflow:property', { name, value: text });
    property.$parent = container;
    commands.push(update(element, container, { properties: [...(container.get('properties') || []), property] }));
  }
  execute(injector, commands);
}

// --- extension elements with a text body (instructions, pre/post script, decision, message variable)

export function getBodyExtension(element, type) {
  const found = extensions(element, type)[0];
  return found ? found.get('value') || '' : '';
}

export function setBodyExtension(injector, element, type, value) {
  const commands = [];
  const found = extensions(element, type)[0];
  if (found && value) {
    commands.push(update(element, found, { value }));
  } else if (found) {
    const ext = found.$parent;
    commands.push(update(element, ext, { values: ext.get('values').filter((v) => v !== found) }));
  } else if (value) {
    const ext = ensureExtensionElements(injector, element, commands);
    const created = injector.get('moddle').create(type, { value });
    created.$parent = ext;
    commands.push(update(element, ext, { values: [...(ext.get('values') || []), created] }));
  }
  execute(injector, commands);
}

// --- plain attributes and formal expressions --------------------------------------------

export function setAttribute(injector, element, name, value) {
  execute(injector, [update(element, getBusinessObject(element), { [name]: value || undefined })]);
}

export function getCondition(element) {
  const expression = getBusinessObject(element).get('conditionExpression');
  return expression ? expression.get('body') || '' : '';
}

export function setCondition(injector, element, value) {
  const bo = getBusinessObject(element);
  const expression = bo.get('conditionExpression');
  if (expression && value) {
    execute(injector, [update(element, expression, { body: value })]);
  } else if (value) {
    const created = injector.get('moddle').create('bpmn:FormalExpression', { body: value });
    created.$parent = bo;
    execute(injector, [update(element, bo, { conditionExpression: created })]);
  } else if (expression) {
    execute(injector, [update(element, bo, { conditionExpression: undefined })]);
  }
}

export function timerDefinition(element) {
  const definitions = getBusinessObject(element).get('eventDefinitions') || [];
  return definitions.find((d) => is(d, 'bpmn:TimerEventDefinition')) || null;
}

export function timerType(definition) {
  return TIMER_TYPES.find((type) => definition && definition.get(type)) || '';
}

export function getTimer(element) {
  const definition = timerDefinition(element);
  const type = timerType(definition);
  return type ? definition.get(type).get('body') || '' : '';
}

// Set the timer's expression of ``type`` (moving the expression when the type changes).
export function setTimer(injector, element, type, value) {
  const definition = timerDefinition(element);
  if (!definition) {
    return;
  }
  const current = timerType(definition);
  if (current === type && current) {
    execute(injector, [update(element, definition.get(type), { body: value })]);
    return;
  }
  const properties = Object.fromEntries(TIMER_TYPES.map((t) => [t, undefined]));
  if (type) {
    const created = injector.get('moddle').create('bpmn:FormalExpression', { body: value });
    created.$parent = definition;
    properties[type] = created;
  }
  execute(injector, [update(element, definition, properties)]);
}
