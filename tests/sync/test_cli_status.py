"""``cscdesk status``: what monitoring polls every minute, read from the store without writing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cscdesk.store import open_store
from cscdesk.sync.archive import cdr_watermark_key
from cscdesk.sync.storage import SyncStorage
from cscdesk.sync.worker import ARCHIVE_LEASE, TICKETS_LEASE

from .cli_env import cli, hold
from .desks import Desk

STATUS_KEYS = {"archive", "outbox_backlog", "conflicts", "leases"}
ARCHIVE_KEYS = {"lag_seconds", "alarm", "alarm_days", "cdr_watermark", "oldest_pending_recording"}


def test_status_of_a_store_never_archived_is_an_alarm(data_dir: Path) -> None:
    open_store(data_dir / "cscdesk.db").close()
    result = cli("--data-dir", str(data_dir), "status", "--json")
    assert result.exit_code == 4, result.output
    report = json.loads(result.stdout)
    assert set(report) == STATUS_KEYS and set(report["archive"]) == ARCHIVE_KEYS
    assert report["archive"]["alarm"] is True
    assert report["archive"]["cdr_watermark"] is None
    assert report["archive"]["lag_seconds"] == timedelta(days=180).total_seconds()
    assert report["leases"] == {"tickets": None, "archive": None}
    assert "ALARM: archive lags" in result.stderr and "never synced" in result.stderr


def test_status_shows_backlog_and_lease_holder_and_never_writes(data_dir: Path) -> None:
    path = data_dir / "cscdesk.db"
    desk = Desk(path, None, "li.agent")  # type: ignore[arg-type]  # no call system needed
    desk.create("地址变更")
    SyncStorage(desk.store).set_time(
        cdr_watermark_key("ccc-demo"), datetime.now(UTC) - timedelta(hours=1)
    )
    desk.store.close()
    lease = hold(data_dir, TICKETS_LEASE)
    before = path.read_bytes()

    result = cli("--data-dir", str(data_dir), "status", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["outbox_backlog"] == 1 and report["conflicts"] == 0
    assert report["leases"] == {"tickets": lease.holder, "archive": None}
    assert report["archive"]["alarm"] is False and report["archive"]["alarm_days"] == 3
    assert 3600 <= report["archive"]["lag_seconds"] < 86_400

    text = cli("--data-dir", str(data_dir), "status")
    assert text.exit_code == 0, text.output
    assert "1 change(s) waiting, 0 ticket(s) in conflict" in text.stdout
    assert "tickets lease   pid 4242 on desk-7.broker.lan (heartbeat good for" in text.stdout
    assert "archive lease   nobody" in text.stdout
    assert path.read_bytes() == before  # looked at read-only


def test_status_words_a_lease_holder_as_sync_does(data_dir: Path) -> None:
    """Issue 20: ``status`` printed the raw lease row (``vm:21525:84b3f0``) where ``sync``
    said ``pid 21525 on vm``; an operator reading both saw two names for one process."""
    open_store(data_dir / "cscdesk.db").close()
    tickets = hold(data_dir, TICKETS_LEASE)
    hold(data_dir, ARCHIVE_LEASE)
    busy = cli("--data-dir", str(data_dir), "sync")
    assert busy.exit_code == 3, busy.output
    who = "pid 4242 on desk-7.broker.lan"
    assert f"ticket sync is running in {who} (heartbeat good for" in busy.stderr

    text = cli("--data-dir", str(data_dir), "status")
    assert f"tickets lease   {who} (heartbeat good for" in text.stdout
    assert f"archive lease   {who} (heartbeat good for" in text.stdout
    archive = cli("--data-dir", str(data_dir), "archive", "status")
    assert f"copied by           {who} (heartbeat good for" in archive.stdout
    doctor = cli("--data-dir", str(data_dir), "doctor")
    assert f"sync lease held by {who}" in doctor.stdout
    assert tickets.holder not in text.stdout + archive.stdout + doctor.stdout

    report = json.loads(cli("--data-dir", str(data_dir), "status", "--json").stdout)
    assert report["leases"] == {"tickets": tickets.holder, "archive": tickets.holder}


def test_status_without_a_store_says_where_it_looked_and_exits_2(data_dir: Path) -> None:
    result = cli("--data-dir", str(data_dir), "status")
    assert result.exit_code == 2
    assert f"no store at {data_dir / 'cscdesk.db'}" in result.stderr
    assert not (data_dir / "cscdesk.db").exists()


def test_status_of_an_unreachable_postgresql_store_names_it_not_a_sqlite_file(
    data_dir: Path, tmp_path: Path
) -> None:
    """Issue 20: ``status`` on a PostgreSQL URL whose database does not exist said "store
    <data dir>/cscdesk.db cannot be opened", a file that is not in use, before the URL."""
    config = tmp_path / "pg.toml"
    config.write_text('[store]\nurl = "postgresql://postgres@127.0.0.1:5432/no_such_db_20"\n',
                      encoding="utf-8")  # fmt: skip
    result = cli("--config", str(config), "--data-dir", str(data_dir), "status")
    assert result.exit_code == 1
    assert "no_such_db_20" in result.stderr
    assert "cscdesk.db" not in result.stderr
    assert "Traceback" not in result.output


def test_a_postgresql_database_that_does_not_exist_is_named_at_once_with_what_to_do(
    data_dir: Path, tmp_path: Path
) -> None:
    """Found by the operator trial: a missing database was retried for 10 s with the pool's
    warnings on stderr, then called "the database server cannot be reached" (it answered),
    under a URL with one slash, advising a keyring entry that does not exist."""
    import postgres_db

    postgres_db.server_or_skip()
    config = tmp_path / "pg.toml"
    config.write_text('[store]\nurl = "postgresql://postgres@127.0.0.1:5432/no_such_db_20"\n',
                      encoding="utf-8")  # fmt: skip
    result = cli("--config", str(config), "--data-dir", str(data_dir), "status")
    assert result.exit_code == 1
    assert "postgresql://postgres@127.0.0.1:5432/no_such_db_20" in result.stderr
    assert "the server has no database named 'no_such_db_20'" in result.stderr
    assert "createdb" in result.stderr
    assert "cannot be reached" not in result.stderr
    assert "error connecting" not in result.stderr  # the pool never tried
    assert "secrets set store.password" not in result.stderr


def test_a_postgresql_server_that_is_not_there_is_called_unreachable(
    data_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "pg.toml"
    config.write_text('[store]\nurl = "postgresql://postgres@127.0.0.1:9/cscdesk"\n',
                      encoding="utf-8")  # fmt: skip
    result = cli("--config", str(config), "--data-dir", str(data_dir), "status")
    assert result.exit_code == 1
    assert "postgresql://postgres@127.0.0.1:9/cscdesk" in result.stderr
    assert "the database server cannot be reached" in result.stderr
    assert "Traceback" not in result.output
