"""The operations log: one file per day in the logs folder, kept at least six months (等保).

Desks, the lead's wallboard, the daemon and CLI commands write to the same folder at the same
time. Each process appends to the day's file (``cscdesk-YYYY-MM-DD.log``), opened with
``O_APPEND`` and written one whole record per ``write()``, so lines from several processes
interleave but never mix, and nothing is ever renamed: "rotation" is the date in the name
changing, which no process can do under another's feet (a size-renaming handler such as
``RotatingFileHandler`` loses and mixes lines when two processes rotate the same file). Files
whose date is older than ``keep_days`` are deleted when a process opens a new day's file.

Every handler installed here redacts its finished line (message, traceback and all) with
``security.redact``, on top of the record factory that masks messages as they are made.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from cscdesk.security.redact import install_log_redaction, redact
from cscdesk.store.files import PRIVATE_FILE, private_dir

PREFIX = "cscdesk-"
SUFFIX = ".log"
MIN_KEEP_DAYS = 184  # 等保: six months of logs
_DAILY = re.compile(rf"^{re.escape(PREFIX)}(\d{{4}}-\d{{2}}-\d{{2}}){re.escape(SUFFIX)}$")
_OURS = "cscdesk_handler"  # marks the handlers configure_logging installs (replaced on re-run)
NOISY = ("httpx", "httpcore", "uvicorn.access", "asyncio", "markdown_it")

LogFormat = Literal["text", "json"]


def _today() -> date:
    return datetime.now().astimezone().date()


class DailyLogFile(logging.Handler):
    """Appends each record as one line to the day's file; safe with several processes."""

    def __init__(self, folder: Path, *, keep_days: int, today: Callable[[], date] = _today) -> None:
        super().__init__()
        self.folder = folder
        self.keep_days = max(keep_days, MIN_KEEP_DAYS)
        self._today = today
        self._day: date | None = None
        self._fd: int | None = None

    def path_for(self, day: date) -> Path:
        return self.folder / f"{PREFIX}{day.isoformat()}{SUFFIX}"

    def current_path(self) -> Path:
        """Today's file: where a command's error message sends the person for the details."""
        return self.path_for(self._today())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record).replace("\n", "\n  ") + "\n"  # one record, one line group
            os.write(self._file(), line.encode("utf-8", "replace"))
        except Exception:
            self.handleError(record)

    def _file(self) -> int:
        day = self._today()
        if self._fd is None or day != self._day:
            self._close_fd()
            private_dir(self.folder)
            self._fd = os.open(self.path_for(day), os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                               PRIVATE_FILE)  # fmt: skip
            self._day = day
            self.purge(day)
        return self._fd

    def purge(self, today: date) -> list[Path]:
        """Delete day files older than ``keep_days``; another process may delete them first."""
        oldest = today - timedelta(days=self.keep_days)
        removed = []
        for path in self.folder.iterdir():
            match = _DAILY.match(path.name)
            if match is None:
                continue
            try:
                day = date.fromisoformat(match[1])
            except ValueError:
                continue
            if day < oldest:
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        self.acquire()
        try:
            self._close_fd()
        finally:
            self.release()
        super().close()


class TextLine(logging.Formatter):
    """``2026-03-02T09:00:00.123+08:00 INFO 4242 cscdesk.sync.worker: message``."""

    def format(self, record: logging.LogRecord) -> str:
        when = (
            datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")
        )
        text = f"{when} {record.levelname} {record.process} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return redact(text)


class JsonLine(logging.Formatter):
    """One JSON object per record (keys: time, level, logger, pid, thread, message, error)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "thread": record.threadName,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class OneLine(logging.Formatter):
    """What a person reads on stderr: ``warning: message``, never a traceback; an alarm
    (a record logged with ``extra={"alarm": True}``) as its own ``ALARM: …`` line."""

    def format(self, record: logging.LogRecord) -> str:
        level = "" if getattr(record, "alarm", False) else f"{record.levelname.lower()}: "
        text = f"{level}{record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f": {type(error).__name__}: {error}"
        return redact(text)


def stderr_level(verbose: int, quiet: bool) -> int:
    """``-q``: errors only; default: warnings; ``-v``: info; ``-vv``: debug."""
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def configure_logging(
    *,
    folder: Path | None,
    file_level: int = logging.INFO,
    keep_days: int = 190,
    log_format: LogFormat = "text",
    console: bool = False,
    console_level: int = logging.WARNING,
    console_format: LogFormat = "text",
) -> DailyLogFile | None:
    """Install this process's handlers (replacing ones an earlier call installed): the day file
    in ``folder`` (none when None or it cannot be made) and, with ``console``, stderr."""
    install_log_redaction()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    levels = []
    file_handler = None
    if folder is not None:
        try:
            private_dir(folder)
        except OSError as exc:
            print(f"warning: no log file: logs folder {folder}: {exc.strerror}", file=sys.stderr)
        else:
            file_handler = DailyLogFile(folder, keep_days=keep_days)
            file_handler.setFormatter(JsonLine() if log_format == "json" else TextLine())
            _install(root, file_handler, file_level)
            levels.append(file_level)
    if console:
        stream = logging.StreamHandler(_Stderr())
        stream.setFormatter(JsonLine() if console_format == "json" else OneLine())
        _install(root, stream, console_level)
        levels.append(console_level)
    if levels:
        root.setLevel(min(levels))
    return file_handler


class QuietLibraries(logging.Filter):
    """A desk's every poll is an httpx request: the chatty libraries' info lines reach a
    handler only when it shows debug (the loggers themselves are left as they are)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if self.level <= logging.DEBUG or record.levelno >= logging.WARNING:
            return True
        return not any(record.name == n or record.name.startswith(n + ".") for n in NOISY)


class _Stderr:
    """Whatever ``sys.stderr`` is when a record is written (a test runner swaps it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _install(root: logging.Logger, handler: logging.Handler, level: int) -> None:
    setattr(handler, _OURS, True)
    handler.setLevel(level)
    handler.addFilter(QuietLibraries(level))
    root.addHandler(handler)
