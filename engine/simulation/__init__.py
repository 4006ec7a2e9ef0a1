"""Simulation of the variants for the impact analysis (issue 18): synthetic cases through the real models
on a simulated clock, with the organisations' capacity as queues (SimPy), in memory; nothing is stored.

Modules: ``profile`` (the scenario profile, TOML, checked with the line named), ``model_facts`` (the
models of a variant and what the profile may name in them), ``form_data`` (valid form data from a
task's schema), ``run`` (the SimPy driver), ``results`` (the figures per variant), ``compare``
(the simulated baseline beside the observed figures of the dashboard).

May import every package below it (base up to design).
"""
