// Properties panel groups for what SpiffWorkflow reads from a model: conditions, scripts, timers
// (Python expressions), the called process or decision, instructions, the message variable and
// the spiffworkflow:properties (form, milestone, senders, starters). Labels go through the
// modeller's `translate` service, which the page fills with Dutch (or English) texts.
import {
  Group, SelectEntry, TextAreaEntry, TextFieldEntry, isSelectEntryEdited, isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import {
  SPIFF_PROPERTIES, TIMER_TYPES, getBodyExtension, getCondition, getSpiffProperty, getTimer, setAttribute,
  spiffPropertyNames,
  setBodyExtension, setCondition, setSpiffProperty, setTimer, timerDefinition, timerType,
} from './spiff-model';

const LOW_PRIORITY = 400;
const UNQUOTED_TERM = /^P(\d+[YMWD])*(T(\d+[HMS])+)?$/;

function useTools() {
  return { injector: useService('injector'), translate: useService('translate'), debounce: useService('debounceInput') };
}

// A translated text; keys without a translation (an unknown property's label) fall back.
function text(translate, key, fallback) {
  const translated = translate(key);
  return translated === key && fallback !== undefined ? fallback : translated;
}

// One text entry (field or area) whose value is read and written by the given functions.
function textEntry(props, options) {
  const { element, id } = props;
  const { injector, translate, debounce } = useTools();
  const entryProps = {
    element, id, debounce, label: text(translate, options.label, options.fallback),
    description: options.description && text(translate, options.description, ''),
    getValue: () => options.get(element),
    // A value that fails validation stays in the field (with the message) and is not written to the model.
    setValue: (value, error) => (error ? undefined : options.set(injector, element, value)),
    validate: options.validate && ((value) => options.validate(value, translate)),
  };
  if (options.area) {
    return jsx(TextAreaEntry, { ...entryProps, rows: options.rows || 4, monospace: options.monospace, autoResize: true });
  }
  return jsx(TextFieldEntry, entryProps);
}

function validateExpression(value, translate) {
  return UNQUOTED_TERM.test((value || '').trim())
    ? translate('A term is a Python expression: put the duration in quotes, e.g. "P2D".') : null;
}

function ConditionEntry(props) {
  return textEntry(props, { label: 'Condition (Python)', area: true, rows: 2, monospace: true, get: getCondition,
    set: setCondition, description: 'Empty: the flow is always taken (or is the default flow).' });
}

function ScriptEntry(props) {
  return textEntry(props, { label: 'Script (Python)', area: true, rows: 8, monospace: true,
    get: (element) => getBusinessObject(element).get('script') || '',
    set: (injector, element, value) => setAttribute(injector, element, 'script', value) });
}

function bodyEntry(type, label, options = {}) {
  return (props) => textEntry(props, { label, get: (element) => getBodyExtension(element, type),
    set: (injector, element, value) => setBodyExtension(injector, element, type, value), ...options });
}

const PreScriptEntry = bodyEntry('spiffworkflow:preScript', 'Script before', { area: true, monospace: true });
const PostScriptEntry = bodyEntry('spiffworkflow:postScript', 'Script after', { area: true, monospace: true });
const InstructionsEntry = bodyEntry('spiffworkflow:instructionsForEndUser', 'Instructions for the user',
  { area: true, rows: 5 });
const DecisionEntry = bodyEntry('spiffworkflow:calledDecisionId', 'Decision (DMN decision id)');
const MessageVariableEntry = bodyEntry('spiffworkflow:messageVariable', 'Message variable');

function CalledElementEntry(props) {
  return textEntry(props, { label: 'Called process (process id)',
    get: (element) => getBusinessObject(element).get('calledElement') || '',
    set: (injector, element, value) => setAttribute(injector, element, 'calledElement', value.trim()) });
}

function spiffPropertyEntry(name) {
  return (props) => textEntry(props, { label: `property:${name}`, fallback: name, description: `property-help:${name}`,
    get: (element) => getSpiffProperty(element, name),
    set: (injector, element, value) => setSpiffProperty(injector, element, name, value) });
}

const PROPERTY_ENTRIES = new Map(SPIFF_PROPERTIES.map((name) => [name, spiffPropertyEntry(name)]));

// The entry of a property, made once per name (a component must keep its identity between renders).
function propertyEntry(name) {
  if (!PROPERTY_ENTRIES.has(name)) {
    PROPERTY_ENTRIES.set(name, spiffPropertyEntry(name));
  }
  return PROPERTY_ENTRIES.get(name);
}

function TimerTypeEntry(props) {
  const { element, id } = props;
  const { injector, translate } = useTools();
  return jsx(SelectEntry, {
    element, id, label: translate('Kind of term'),
    getValue: () => timerType(timerDefinition(element)),
    setValue: (type) => setTimer(injector, element, type, getTimer(element) || '"P1D"'),
    getOptions: () => [{ value: '', label: translate('<none>') },
      ...TIMER_TYPES.map((type) => ({ value: type, label: translate(`timer:${type}`) }))],
  });
}

function TimerValueEntry(props) {
  return textEntry(props, { label: 'Term (Python expression)', description: 'timer-help', monospace: true,
    get: getTimer, validate: validateExpression,
    set: (injector, element, value) => setTimer(injector, element, timerType(timerDefinition(element)), value) });
}

function group(id, label, entries) {
  return entries.length ? { id, label, entries, component: Group } : null;
}

function entry(id, component, isEdited = isTextFieldEntryEdited) {
  return { id, component, isEdited };
}

function spiffGroups(element, translate) {
  const bo = getBusinessObject(element);
  const groups = [];
  if (is(element, 'bpmn:SequenceFlow') && !isAny(bo.sourceRef, ['bpmn:ParallelGateway', 'bpmn:EventBasedGateway'])) {
    groups.push(group('spiff-condition', translate('Condition'), [entry('spiffCondition', ConditionEntry, isTextAreaEntryEdited)]));
  }
  if (timerDefinition(element)) {
    const entries = [entry('spiffTimerType', TimerTypeEntry, isSelectEntryEdited)];
    if (timerType(timerDefinition(element))) {
      entries.push(entry('spiffTimerValue', TimerValueEntry));
    }
    groups.push(group('spiff-timer', translate('Term (timer)'), entries));
  }
  const scripts = [];
  if (is(element, 'bpmn:ScriptTask')) {
    scripts.push(entry('spiffScript', ScriptEntry, isTextAreaEntryEdited));
  }
  if (is(element, 'bpmn:Activity')) {
    scripts.push(entry('spiffPreScript', PreScriptEntry, isTextAreaEntryEdited),
      entry('spiffPostScript', PostScriptEntry, isTextAreaEntryEdited));
  }
  groups.push(group('spiff-scripts', translate('Scripts'), scripts));
  const calls = [];
  if (is(element, 'bpmn:CallActivity')) {
    calls.push(entry('spiffCalledElement', CalledElementEntry));
  }
  if (is(element, 'bpmn:BusinessRuleTask')) {
    calls.push(entry('spiffDecision', DecisionEntry));
  }
  groups.push(group('spiff-call', translate('Called process or decision'), calls));
  const task = [];
  if (isAny(element, ['bpmn:UserTask', 'bpmn:ManualTask'])) {
    task.push(entry('spiffInstructions', InstructionsEntry, isTextAreaEntryEdited));
  }
  if (isAny(element, ['bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:StartEvent', 'bpmn:ReceiveTask'])
      && (bo.get('eventDefinitions') || []).some((d) => is(d, 'bpmn:MessageEventDefinition'))) {
    task.push(entry('spiffMessageVariable', MessageVariableEntry));
  }
  if (isAny(element, ['bpmn:FlowNode'])) {
    const names = [...new Set([...SPIFF_PROPERTIES, ...spiffPropertyNames(element)])];
    task.push(...names.map((name) => entry(`spiffProperty-${name}`, propertyEntry(name))));
  }
  groups.push(group('spiff-properties', translate('SpiffWorkflow'), task));
  return groups.filter(Boolean);
}

export default function SpiffPropertiesProvider(propertiesPanel, translate) {
  this.getGroups = (element) => (groups) => {
    // Our timer group replaces the generic one: SpiffWorkflow timers are Python expressions.
    const kept = groups.filter((g) => g.id !== 'timer');
    const general = kept.findIndex((g) => g.id === 'general');
    kept.splice(general + 1, 0, ...spiffGroups(element, translate));
    return kept;
  };
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

SpiffPropertiesProvider.$inject = ['propertiesPanel', 'translate'];

export const SpiffPropertiesModule = {
  __init__: ['spiffPropertiesProvider'],
  spiffPropertiesProvider: ['type', SpiffPropertiesProvider],
};
