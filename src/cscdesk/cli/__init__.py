"""Composition root for the command line: one module per command group.

Heavy modules (textual, httpx, faker, uvicorn) are imported inside the commands so that
``cscdesk --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

from cscdesk.cli import (  # noqa: F401  (each module registers its commands on ``main``)
    archive,
    audit,
    complaints,
    demo_data,
    doctor,
    events,
    feed,
    imports,
    knowledge,
    reports,
    secrets,
    simulators,
    sla,
    status,
    store_copy,
    sync,
    users,
)
from cscdesk.cli.entry import run
from cscdesk.cli.root import main

__all__ = ["main", "run"]
