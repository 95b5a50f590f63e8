"""The broker's own store: SQLite (WAL) through sqlite-utils, with typed repositories.

Usage: ``store = open_store(path)`` creates the file owner-only (0600) if needed, applies every
pending migration (``store/migrations.py``) and returns a ``Store`` whose attributes are the
repositories: ``store.members``, ``employers``, ``insurers``, ``agents``, ``skill_groups``,
``policies`` (policies, coverages, claims), ``calls``, ``recordings``, ``tickets``, ``outbox``,
``sync_state``, ``leases`` and ``audit``; for outer layers' own tables ``recording_jobs``,
``ticket_sync_bases``, ``ticket_conflicts`` (sync), ``insurer_cache``, ``insurer_batches``
(insurer gateway) and ``bundle_tables`` (export bundle), which take and return the outer
layer's JSON text as-is. They return domain models or plain values, and no SQL lives outside
this package (``tests/store/test_layering.py`` checks it). Threads: a ``Store`` may be shared by any number of threads (Textual workers); each
thread transparently gets its own SQLite connection, and ``store.close()`` closes them all.
Several processes may open the same file (WAL, busy timeout). Transactions: every repository
write is atomic on its own; to make several writes one unit, wrap them in
``with store.transaction() as db:`` (``BEGIN IMMEDIATE``; nested blocks become savepoints, and
``db`` is this thread's sqlite-utils ``Database`` for the few callers with their own tables).

A larger center keeps the same store on PostgreSQL (``[store] url``; ``store.postgres``): the
repositories and migrations are written once, in SQLite's dialect, and translated
(``store.dialect``); ``open_location`` opens either from a path or a URL.
"""

from cscdesk.store.db import Store, StoreDatabase, open_location, open_store
from cscdesk.store.errors import StoreError, StoreReplaced

__all__ = ["Store", "StoreDatabase", "StoreError", "StoreReplaced", "open_location", "open_store"]
