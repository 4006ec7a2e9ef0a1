"""E-mail notifications: a new task for a role in a region, and a daily digest of overdue tasks.

Mails are written to an outbox (engine.storage.mail_tables) inside the transaction of the engine
operation that makes a task ready (:mod:`engine.notify.outbox`), and sent afterwards by the timer
worker (:mod:`engine.notify.sender`), never by a web request: a failing mail server is retried with
a growing pause and never fails or slows down what a caseworker does. What a mail says, and why it
says nothing from the case, is in :mod:`engine.notify.texts`.

Imports only engine.base and engine.storage; engine.workflow calls it when it saves a case and when it sweeps.
"""
