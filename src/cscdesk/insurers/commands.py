"""What the insurer CLI commands do, kept out of the cli package so that it only wires.

Both take the store (or its path) and a ``write`` function and return an exit status: 0 fine, 1 some file
was rejected, 2 something the user must fix first (a missing folder or store).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cscdesk.store import Store

Write = Callable[[str], None]


def run_batch_import(store: Store, directory: Path, write: Write, *, actor: str = "cli") -> int:
    """``cscdesk import insurer-batch DIR``: load every extract, one line per file."""
    from cscdesk.insurers.batch_import import import_directory

    if not directory.is_dir():
        write(f"error: {directory} is not a folder of insurer extracts")
        return 2
    report = import_directory(store, directory, datetime.now(UTC))
    for outcome in report.outcomes:
        rows = f" ({outcome.rows} rows)" if outcome.status == "imported" else ""
        reason = f": {outcome.detail}" if outcome.status == "rejected" else ""
        write(f"{outcome.status:<9} {outcome.file_name}{rows}{reason}")
    if not report.outcomes:
        write(f"no .csv or .xlsx extracts in {directory}")
    store.audit.append(
        actor=actor,
        action="insurer.batch_import",
        subject=str(directory),
        detail={s: report.count(s) for s in ("imported", "skipped", "rejected")},
    )
    write(
        f"{report.count('imported')} imported, {report.count('skipped')} already loaded, "
        f"{report.count('rejected')} rejected"
    )
    return 0 if report.ok else 1


def serve_insurer_sims(
    store_path: Path,
    *,
    port_base: int,
    seed: int,
    speed: float,
    batch_dir: Path,
    write: Write,
    stop: threading.Event | None = None,
) -> int:
    """``cscdesk insurers-sim``: run the simulated insurers until interrupted."""
    from cscdesk.insurers.sim import start_insurer_sims

    if not store_path.exists():
        write(f"error: no store at {store_path}; open the demo desk once to create it")
        return 2
    handles = start_insurer_sims(
        store_path, seed=seed, speed=speed, batch_dir=batch_dir, port_base=port_base
    )
    try:
        for service in handles.services.values():
            write(
                f"{service.insurer_id:<8} {service.kind:<10} {service.base_url}  "
                f"client_id={service.client_id}  demo secret {service.secret_ref}={service.secret}"
            )
        write(f"anhe     batch      extracts in {batch_dir}")
        write("press Ctrl+C to stop")
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        handles.stop()
    return 0
