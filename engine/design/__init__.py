"""Design and analysis for process designers and pilot regions: deploy and edit versions,
model differences, case migration, the comparison dashboard and the event log.

May import every package below it (base up to cases).
"""
