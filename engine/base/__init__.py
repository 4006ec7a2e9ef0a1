"""The bottom of the engine: the domain vocabulary (roles, regions, milestones, action codes), the
domain errors, the clock and Dutch legal terms, paths and settings.

Imports nothing from the rest of the engine.
"""
