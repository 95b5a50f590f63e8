"""The last line of defence: a store fault reaches the person as one line, never a traceback."""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from cscdesk.cli.started import CommandTree

log = logging.getLogger(__name__)

# The exit codes every command keeps (README: "Exit codes and machine-readable output"), so
# cron and monitoring can tell a failure from a busy lease or an alarm without reading text.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2  # a wrong option or a config that does not load (click uses 2 for usage too)
EXIT_LEASE_HELD = 3  # another process holds the duty's lease: nothing was done
EXIT_ALARM = 4  # the run worked but something is past its alarm (the archive lags)


def _store_path(ctx: click.Context) -> Path:
    """The store the command was using, for the message (best effort: the default path)."""
    try:
        obj = ctx.find_root().obj
        settings = obj.settings()
        return Path(settings.store.path or obj.paths().store)
    except (Exception, SystemExit):
        return Path("(the configured store)")


def _refusals() -> tuple[type[Exception], ...]:
    """Faults whose message is already the whole story (imported only when one is raised)."""
    from cscdesk.store.audit import AuditUnkeyed
    from cscdesk.sync.s3blobs import BlobStoreError
    from cscdesk.wiring import WiringError

    return (AuditUnkeyed, BlobStoreError, WiringError)


class CommandGroup(CommandTree):
    """A click group whose commands turn store and recordings-bucket faults into one clear line
    and exit 1 (every command that touches the blob store is covered here, once); its commands
    and subgroups log their start (``CommandTree``)."""

    group_class = CommandTree  # the faults are caught here once, not again in each subgroup

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke_explained(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors (exit 2), --help, Ctrl-C at a prompt
        except Exception:
            # Anything no handler knows is a fault in cscdesk: one line for the person, the
            # traceback (redacted like every record) in the log file for whoever fixes it.
            log.error("unexpected fault (a bug in cscdesk): the details are in %s; please"
                      " report it with the command you ran", _log_file(), exc_info=True)  # fmt: skip
            sys.exit(EXIT_FAILURE)

    def _invoke_explained(self, ctx: click.Context) -> Any:
        from cscdesk.store.errors import explain

        try:
            return super().invoke(ctx)
        except _refusals() as exc:
            # no audit key, a bucket that cannot be used, a keyring secret not found: the
            # message already names what to check
            log.debug("command refused", exc_info=True)
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILURE)
        except (sqlite3.Error, OSError) as exc:
            if isinstance(exc, OSError) and isinstance(exc, click.ClickException):
                raise
            fault = explain(getattr(exc, "path", None) or _store_path(ctx), exc)
            if fault is None and not isinstance(exc, sqlite3.Error):
                raise
            log.debug("store fault", exc_info=True)
            message = str(fault) if fault else f"store {_store_path(ctx)}: database error: {exc}"
            click.echo(f"error: {message}", err=True)
            sys.exit(EXIT_FAILURE)


def _log_file() -> str:
    """The day's log file this process writes (where the traceback went), or a pointer to it."""
    from cscdesk.security.logfile import DailyLogFile

    for handler in logging.getLogger().handlers:
        if isinstance(handler, DailyLogFile):
            return str(handler.current_path())
    return "the log file (logs folder of the data dir)"
