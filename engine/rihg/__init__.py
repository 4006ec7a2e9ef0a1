"""The RiHG risk assessment instrument: the catalogue of the annex to the Besluit tijdelijk huisverbod
(the one source of truth) and the task forms generated from it.

May import: engine.base.
"""
