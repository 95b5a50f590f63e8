"""The operations log: a file a day kept >= 184 days, owner-only, redacted, several processes.

等保 (GB/T 22239-2019 8.1.4.3 安全审计) asks for logs kept at least six months; the day files are
named by date, so "older than keep_days" is read from the name, whatever the file times say.
"""

from __future__ import annotations

import json
import logging
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cscdesk.cli import main
from cscdesk.security.logfile import DailyLogFile, JsonLine, TextLine, configure_logging

MOBILE = "13812345678"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def day_log(folder: Path, days: list[date], *, keep_days: int = 190) -> DailyLogFile:
    """A handler whose clock reads the days in ``days`` one record after another."""
    clock = iter(days)
    handler = DailyLogFile(folder, keep_days=keep_days, today=lambda: next(clock))
    handler.setFormatter(TextLine())
    return handler


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("cscdesk.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_new_day_opens_a_new_file_and_days_past_retention_are_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    today = date(2026, 9, 1)
    kept = folder / f"cscdesk-{today - timedelta(days=184):%Y-%m-%d}.log"  # exactly six months
    gone = folder / f"cscdesk-{today - timedelta(days=185):%Y-%m-%d}.log"
    unrelated = folder / "notes.txt"
    for path in (kept, gone, unrelated):
        path.write_text("old\n", encoding="utf-8")
    handler = day_log(folder, [today - timedelta(days=1), today], keep_days=30)  # raised to 184
    handler.emit(record("before midnight"))
    handler.emit(record("after midnight"))
    handler.close()
    yesterday = folder / f"cscdesk-{today - timedelta(days=1):%Y-%m-%d}.log"
    todays = folder / f"cscdesk-{today:%Y-%m-%d}.log"
    assert "before midnight" in yesterday.read_text(encoding="utf-8")
    assert "after midnight" in todays.read_text(encoding="utf-8")
    assert "before midnight" not in todays.read_text(encoding="utf-8")
    assert kept.exists() and unrelated.exists() and not gone.exists()


def test_log_files_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    handler = day_log(folder, [date(2026, 9, 1)])
    handler.emit(record("hello"))
    handler.close()
    [path] = folder.iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("formatter", [TextLine(), JsonLine()], ids=["text", "json"])
def test_numbers_are_masked_in_messages_arguments_and_tracebacks(
    tmp_path: Path, formatter: logging.Formatter
) -> None:
    handler = DailyLogFile(tmp_path, keep_days=190, today=lambda: date(2026, 9, 1))
    handler.setFormatter(formatter)
    try:
        raise ValueError(f"lookup of {ID_NUMBER} failed")
    except ValueError as exc:  # a record made without the record factory: the handler masks it
        handler.emit(record("caller %s called", MOBILE, exc=exc))
    handler.close()
    text = next(tmp_path.iterdir()).read_text(encoding="utf-8")
    assert "caller" in text and "lookup of" in text
    assert MOBILE not in text and ID_NUMBER not in text
    assert "138****5678" in text


def test_json_lines_on_request(tmp_path: Path, restore_root_logger: None) -> None:
    configure_logging(folder=tmp_path, log_format="json")
    logging.getLogger("cscdesk.sync.worker").info("tickets.sync: round done in %.2f s", 0.5)
    logging.getLogger("cscdesk.sync.worker").warning("two\nlines")
    lines = next(tmp_path.iterdir()).read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == ["tickets.sync: round done in 0.50 s", "two\nlines"]
    assert set(entries[0]) == {"time", "level", "logger", "pid", "thread", "message"}
    assert entries[0]["level"] == "INFO" and entries[0]["logger"] == "cscdesk.sync.worker"


WRITER = """
import logging, sys
from pathlib import Path
from cscdesk.security.logfile import configure_logging
configure_logging(folder=Path(sys.argv[1]), log_format="json")
log = logging.getLogger("writer")
for n in range(int(sys.argv[3])):
    log.info("%s line %d %s", sys.argv[2], n, "x" * 300)
"""


def test_several_processes_write_one_folder_without_losing_or_mixing_lines(
    tmp_path: Path,
) -> None:
    """Desks, the lead, the daemon and commands log at once: every line arrives whole."""
    writers, lines = 4, 400
    children = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), f"p{n}", str(lines)])
        for n in range(writers)
    ]
    assert [child.wait(timeout=120) for child in children] == [0] * writers
    seen: dict[str, list[int]] = {}
    for path in tmp_path.iterdir():  # one file, or two when the run crossed midnight
        for line in path.read_text(encoding="utf-8").splitlines():
            words = json.loads(line)["message"].split()
            seen.setdefault(words[0], []).append(int(words[2]))
    assert {name: sorted(numbers) for name, numbers in seen.items()} == {
        f"p{n}": list(range(lines)) for n in range(writers)
    }


def test_commands_log_to_the_configured_folder_and_v_and_q_set_stderr(
    tmp_path: Path, restore_root_logger: None
) -> None:
    logs = tmp_path / "operations-log"
    config = tmp_path / "cscdesk.toml"
    config.write_text(f'[logging]\ndir = "{logs}"\nformat = "json"\n', encoding="utf-8")
    base = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    quiet = runner.invoke(main, [*base, "status"])
    assert quiet.exit_code == 2  # no store yet: a usage/config error, said on stderr
    assert "started" not in quiet.stderr
    loud = runner.invoke(main, [*base, "-v", "status"])
    assert "info: cscdesk status started" in loud.stderr
    silent = runner.invoke(main, [*base, "-q", "status"])
    assert "info:" not in silent.stderr
    [path] = logs.iterdir()
    messages = [json.loads(line)["message"] for line in path.read_text("utf-8").splitlines()]
    assert messages.count("cscdesk status started (version 0.1.0)") == 3


def test_the_start_line_names_the_whole_command_path_but_no_arguments(
    tmp_path: Path, restore_root_logger: None
) -> None:
    """Issue 20: ``archive sync`` and ``archive status`` both logged "cscdesk archive started":
    the operator could not tell which command wrote the lines under it."""
    data = tmp_path / "data"
    runs = [
        ["archive", "status"],
        ["sla", "due", "claim-decision", "2026-03-02", "--documents-complete", "2026-03-04"],
        ["complaint", "review", "decide", "C-13812345678"],  # stops on a usage error
    ]
    firsts = []
    for args in runs:
        logs = tmp_path / "logs" / args[0]
        config = tmp_path / f"{args[0]}.toml"
        config.write_text(f'[logging]\ndir = "{logs}"\n', encoding="utf-8")
        CliRunner().invoke(main, ["--config", str(config), "--data-dir", str(data), *args])
        [path] = logs.iterdir()
        firsts.append(path.read_text("utf-8").splitlines()[0].split(": ", 1)[1])
    assert firsts == [
        "cscdesk archive status started (version 0.1.0)",
        "cscdesk sla due started (version 0.1.0)",
        "cscdesk complaint review decide started (version 0.1.0)",
    ]


def test_retention_below_six_months_is_refused_by_config(tmp_path: Path) -> None:
    config = tmp_path / "cscdesk.toml"
    config.write_text("[logging]\nkeep_days = 90\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "doctor"])
    assert result.exit_code == 2
    assert "logging.keep_days" in result.stderr and "184" in result.stderr


def test_library_chatter_stays_out_unless_debug(tmp_path: Path, restore_root_logger: None) -> None:
    configure_logging(folder=tmp_path / "info")
    logging.getLogger("httpx").info("HTTP Request: POST http://127.0.0.1/ 200")
    logging.getLogger("httpx").warning("connection reset")
    configure_logging(folder=tmp_path / "debug", file_level=logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: POST http://127.0.0.1/ 200")
    info = next((tmp_path / "info").iterdir()).read_text(encoding="utf-8")
    debug = next((tmp_path / "debug").iterdir()).read_text(encoding="utf-8")
    assert "HTTP Request" not in info and "connection reset" in info
    assert "HTTP Request" in debug
    assert logging.getLogger("httpx").level == logging.NOTSET  # the library's logger untouched


@pytest.mark.parametrize(
    "written",
    [
        "138 1234 5678",  # as a roster cell or a person types it
        "138-1234-5678",
        "GET /api/v1/insured/search?mobile=%2B8613812345678",  # an httpx debug line
        "+86 138 1234 5678",
        "１３８１２３４５６７８",  # full-width digits from a Chinese input method
    ],
)
def test_a_mobile_written_with_spaces_a_prefix_or_full_width_digits_is_masked(
    tmp_path: Path, written: str
) -> None:
    """The roster and the desk accept these forms; a log line holding one showed it whole."""
    handler = DailyLogFile(tmp_path, keep_days=190, today=lambda: date(2026, 9, 1))
    handler.setFormatter(TextLine())
    handler.emit(record("lookup: %s", written))
    handler.close()
    text = next(tmp_path.iterdir()).read_text(encoding="utf-8")
    digits = "".join(str(int(c)) for c in text.split("lookup: ")[1] if c.isdigit())
    assert "12345678" not in digits and "1234" not in digits.replace("5678", "")
    assert "****" in text
