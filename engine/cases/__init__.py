"""The case operations the web app, the API and the CLI call: start, complete, send, and the case page.

May import every package below it (base up to documents).
"""
