"""An alarm as a service manager and a log collector see it (issue 20, "run it like a
service"): the ``ALARM:`` line reaches the day's log file, and under ``--log-json`` stderr
holds JSON lines only, the alarm among them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cscdesk.store import open_store

from .archive_env import start_archive_sim
from .cli_env import aliyun_config, cli, keys_for


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]  # a line that is not JSON fails


def day_log(data_dir: Path) -> str:
    [path] = (data_dir / "logs").iterdir()
    return path.read_text(encoding="utf-8")


def test_a_status_alarm_is_an_error_record_in_the_day_log(data_dir: Path) -> None:
    open_store(data_dir / "cscdesk.db").close()  # never archived: the archive lags 180 days
    result = cli("--data-dir", str(data_dir), "status")
    assert result.exit_code == 4, result.output
    assert "ALARM: archive lags 180 days, 0:00:00 (never synced)" in result.stderr
    [logged] = [line for line in day_log(data_dir).splitlines() if "ALARM:" in line]
    assert " ERROR " in logged
    assert logged.endswith("ALARM: archive lags 180 days, 0:00:00 (never synced)")


def test_a_status_alarm_under_log_json_is_a_json_line_on_stderr(data_dir: Path) -> None:
    open_store(data_dir / "cscdesk.db").close()
    result = cli("--log-json", "--data-dir", str(data_dir), "status", "--json")
    assert result.exit_code == 4, result.output
    [alarm] = [e for e in json_lines(result.stderr) if e["message"].startswith("ALARM:")]
    assert alarm["level"] == "ERROR"
    assert alarm["message"] == "ALARM: archive lags 180 days, 0:00:00 (never synced)"
    assert json.loads(result.stdout)["archive"]["alarm"] is True  # stdout: the result only


def test_a_quiet_status_still_says_its_alarm_in_words(data_dir: Path) -> None:
    open_store(data_dir / "cscdesk.db").close()
    result = cli("-q", "--data-dir", str(data_dir), "status")
    assert result.exit_code == 4, result.output
    assert result.stderr.splitlines() == ["ALARM: archive lags 180 days, 0:00:00 (never synced)"]


def test_an_archive_sync_alarm_under_log_json_is_json_on_stderr_and_in_the_log(
    memory_keyring: Any, data_dir: Path, tmp_path: Path
) -> None:
    history = start_archive_sim()
    try:
        keys_for(memory_keyring, history)
        config = aliyun_config(tmp_path, history.endpoint, alarm_days=1)
        result = cli("--log-json", "--config", str(config), "--data-dir", str(data_dir),
                     "archive", "sync")  # fmt: skip
    finally:
        history.stop()
    assert result.exit_code == 4, result.output
    [alarm] = [e for e in json_lines(result.stderr) if e["message"].startswith("ALARM:")]
    assert alarm["level"] == "ERROR" and "alarm after 1 day(s)" in alarm["message"]
    assert "recordings stored" in result.stdout

    records = json_lines(day_log(data_dir))  # --log-json: the file is JSON too
    assert [r["message"] for r in records if r["message"].startswith("ALARM:")] == [
        alarm["message"]
    ]
