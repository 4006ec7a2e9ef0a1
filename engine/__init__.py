"""The huisverbod case engine: BPMN cases on SpiffWorkflow, with no dependency on Flask."""
