"""Model intake: BPMN/DMN bundles read safely, checked, deployed as versions in the registry,
with their forms, script sandbox, document rules, the legal-term timers the parser builds
into them (legal_timers) and the serializer for running workflows.

May import: engine.base, engine.storage, engine.rihg.
"""
