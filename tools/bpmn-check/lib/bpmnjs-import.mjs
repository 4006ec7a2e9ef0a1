// Run bpmn-js's own import (Importer + BpmnTreeWalker) without a browser, and check
// that every element a modeller must show gets a shape or edge in the right diagram.
//
// The real importer hands each element with DI to a renderer; we hand it to a
// recorder instead. That reproduces bpmn-js's import warnings (duplicate DI, DI
// without element, unsupported planes, ...) and tells exactly which elements the
// modeller would draw, in which drill-down plane.

const EDGE_TYPES = [
  'bpmn:SequenceFlow', 'bpmn:MessageFlow', 'bpmn:Association',
  'bpmn:DataInputAssociation', 'bpmn:DataOutputAssociation',
];

/** Elements that a modeller shows, in document order, each with its semantic parent. */
export function visualElements(definitions) {
  const found = [];
  const visitLanes = (laneSet) => {
    for (const lane of laneSet?.lanes || []) {
      found.push(lane);
      visitLanes(lane.childLaneSet);
    }
  };
  const visitContainer = (container) => {
    for (const laneSet of container.laneSets || []) {
      visitLanes(laneSet);
    }
    for (const element of container.flowElements || []) {
      if (element.$instanceOf('bpmn:DataObject')) {
        continue; // only its references are drawn
      }
      found.push(element);
      found.push(...(element.dataInputAssociations || []), ...(element.dataOutputAssociations || []));
      if (element.flowElements || element.artifacts) {
        visitContainer(element);
      }
    }
    found.push(...(container.artifacts || []));
  };
  for (const root of definitions.rootElements || []) {
    if (root.$instanceOf('bpmn:Process')) {
      visitContainer(root);
    } else if (root.$instanceOf('bpmn:Collaboration')) {
      found.push(...(root.participants || []), ...(root.messageFlows || []), ...(root.artifacts || []));
    }
  }
  return found;
}

function isEdgeElement(element) {
  return EDGE_TYPES.some((type) => element.$instanceOf(type));
}

/** The id of the diagram plane an element belongs in, as bpmn-js's drill-down expects it. */
function expectedPlane(element, diOf, rootPlaneId) {
  let parent = element.$parent;
  while (parent) {
    if (parent.$instanceOf('bpmn:SubProcess')) {
      const di = diOf.get(parent.id);
      // A collapsed subprocess shows its content in a plane of its own.
      if (!di || !di.isExpanded) {
        return parent.id;
      }
    }
    if (parent.$instanceOf('bpmn:Process') || parent.$instanceOf('bpmn:Collaboration')) {
      return rootPlaneId;
    }
    parent = parent.$parent;
  }
  return rootPlaneId;
}

/**
 * Import like bpmn-js does and return { warnings, missingDi }.
 * missingDi entries are { id, type, problem }.
 */
export async function checkBpmnJsImport(definitions) {
  const { importBpmnDiagram } = await import('bpmn-js/lib/import/Importer.js');
  const warnings = [];
  const rendered = new Map(); // element id -> { di, plane }
  const rootDiagrams = (definitions.diagrams || []).filter((diagram) => {
    const element = diagram.plane && diagram.plane.bpmnElement;
    return element && (element.$instanceOf('bpmn:Process') || element.$instanceOf('bpmn:Collaboration'));
  });
  if (!rootDiagrams.length) {
    warnings.push('bpmn-js import: no diagram of a process or collaboration to display');
  }
  let rootPlaneId = null;
  for (const diagram of rootDiagrams) {
    let currentPlane = null;
    const recorder = {
      add(element, di) {
        if (di && di.$instanceOf('bpmndi:BPMNPlane')) {
          currentPlane = element.id;
          return { id: element.id, plane: true };
        }
        rendered.set(element.id, { di, plane: currentPlane, element });
        return { id: element.id };
      },
    };
    const services = {
      bpmnImporter: recorder,
      eventBus: { fire() {} },
      canvas: { findRoot() { return undefined; }, setRootElement() {} },
    };
    rootPlaneId = rootPlaneId || diagram.plane.bpmnElement.id;
    try {
      const result = await importBpmnDiagram({ get: (name) => services[name] }, definitions, diagram);
      for (const warning of result.warnings) {
        warnings.push(`bpmn-js import: ${warning.message}`);
      }
    } catch (error) {
      warnings.push(`bpmn-js import failed: ${error.message}`);
      for (const warning of error.warnings || []) {
        warnings.push(`bpmn-js import: ${warning.message}`);
      }
    }
  }
  const diOf = new Map([...rendered].map(([id, entry]) => [id, entry.di]));
  const missingDi = [];
  for (const element of visualElements(definitions)) {
    const entry = rendered.get(element.id);
    const type = element.$type;
    if (!entry) {
      missingDi.push({ id: element.id, type, problem: 'no shape or edge that bpmn-js draws' });
      continue;
    }
    const edge = isEdgeElement(element);
    if (edge !== entry.di.$instanceOf('bpmndi:BPMNEdge')) {
      missingDi.push({ id: element.id, type, problem: edge ? 'needs a BPMNEdge, has a shape' : 'needs a BPMNShape, has an edge' });
    }
    const expected = element.$instanceOf('bpmn:Lane') || element.$instanceOf('bpmn:Participant')
      || element.$instanceOf('bpmn:MessageFlow') ? rootPlaneId : expectedPlane(element, diOf, rootPlaneId);
    if (entry.plane !== expected) {
      missingDi.push({ id: element.id, type, problem: `drawn in plane of ${entry.plane}, expected ${expected}` });
    }
  }
  return { warnings, missingDi };
}
