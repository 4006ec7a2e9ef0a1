"""The huisverbod case engine: BPMN cases on SpiffWorkflow, with no dependency on Flask.

Packages, bottom to top; a package imports only from packages below it (tests/engine/test_layering.py):

    base       vocabulary, errors, clock and legal terms, paths, settings
    storage    tables, database, migrations, the transaction helper
    accounts   users, API tokens
    rihg       the RiHG catalogue and its generated forms
    modeling   model intake: XML safety, checks, sandbox, forms, registry, versions, serializer
    workflow   a case's running workflow: store, state, acts, timers, worklist, visibility
    documents  documents, proof of service, dossier
    cases      the operations on cases and the case page read model
    design     designer work, diff, migration, dashboard, event log
    runtime    (module) database + registry + clock from configuration, for every entry point
    demo       demo data
"""
