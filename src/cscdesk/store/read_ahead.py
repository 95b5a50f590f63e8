"""Reads sent together: a statement a repository method would run, named ahead of the call.

A screen pop asks the store six independent questions; on PostgreSQL each is a round trip,
and with fifty desks on the same cores every round trip is also a wait to be scheduled again.
A repository exposes the statement of such a read (``Calls.for_member_read``, …); the caller
passes several to ``Store.read_ahead`` inside one ``reading()`` block, and then calls the
methods as usual: on PostgreSQL their rows were fetched in one pipelined round trip and the
methods are answered from them (each once; no write of the same block may come in between);
on SQLite nothing is sent ahead (its reads are in-process).
"""

from __future__ import annotations

from typing import Any

Read = tuple[str, list[Any]]  # a statement in SQLite's dialect and its parameters
