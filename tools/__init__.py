"""Developer tools: the BPMN layout tool and the bpmnlint/bpmn-moddle checks (not shipped with the app)."""
