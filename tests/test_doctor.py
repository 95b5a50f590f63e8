"""`cscdesk doctor` explains a missing keyring and fails on what would stop a deployment."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail

from cscdesk.cli import main


@pytest.fixture
def no_keyring_backend():  # type: ignore[no-untyped-def]
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_headless_host_without_keyring_is_explained_and_the_demo_still_passes(
    no_keyring_backend: None, data_dir: Path
) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "doctor"])
    assert result.exit_code == 0, result.output
    assert "Secret Service" in result.output
    assert "keyrings.alt" in result.output
    assert "embedded demo needs no secret" in result.output


def test_deployment_without_keyring_fails(
    no_keyring_backend: None, data_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "prod.toml"
    config.write_text(
        '[callcenter]\nmode = "aliyun"\naccess_key_id = "keyring:ccc-id"\n'
        'access_key_secret = "keyring:ccc-secret"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["--config", str(config), "--data-dir", str(data_dir), "doctor"]
    )
    assert result.exit_code == 1
    assert "✗ keyring" in result.output


def test_missing_secret_is_named_but_never_printed(
    memory_keyring,
    data_dir: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    memory_keyring.set_password("cscdesk", "ccc-id", "LTAI-visible-id-value")
    config = tmp_path / "prod.toml"
    config.write_text(
        '[callcenter]\nmode = "aliyun"\naccess_key_id = "keyring:ccc-id"\n'
        'access_key_secret = "keyring:ccc-secret"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["--config", str(config), "--data-dir", str(data_dir), "doctor"]
    )
    assert result.exit_code == 1
    assert "cscdesk secrets set ccc-secret" in result.output
    assert "'ccc-id' is in the keyring" in result.output
    assert "LTAI-visible-id-value" not in result.output


def test_store_file_readable_by_others_fails(data_dir: Path) -> None:
    store = data_dir / "cscdesk.db"
    store.write_bytes(b"")
    store.chmod(0o644)
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "doctor"])
    assert result.exit_code == 1
    assert "must be 600" in result.output


def test_doctor_reports_the_archive_and_the_ticket_outbox(data_dir: Path) -> None:
    from cscdesk.store import open_store

    open_store(data_dir / "fresh" / "cscdesk.db").close()
    assert (data_dir / "fresh").stat().st_mode & 0o077 == 0  # the store's folder is private
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir / "fresh"), "doctor"])
    assert "archive" in result.output
    assert "never synced: run `cscdesk archive sync`" in result.output
    assert "0 change(s) waiting, 0 ticket(s) in conflict" in result.output
    assert "quick_check ok" in result.output


def test_a_store_with_a_damaged_page_fails_and_doctor_does_not_write_into_it(
    data_dir: Path,
) -> None:
    from cscdesk.store import open_store

    path = data_dir / "cscdesk.db"
    open_store(path).close()
    page_size = int.from_bytes(path.read_bytes()[16:18], "big")  # from the SQLite header
    with path.open("r+b") as handle:  # page 3 is a table's b-tree page in every schema version
        handle.seek(2 * page_size)
        handle.write(bytes(range(256)) * (page_size // 256))
    damaged = path.read_bytes()
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "doctor"])
    assert result.exit_code == 1, result.output
    store_line = next(line for line in result.output.splitlines() if line.split()[1] == "store")
    assert store_line.startswith("✗")
    assert f"{path}: damaged (quick_check:" in store_line
    assert "restore it" in store_line
    assert "Traceback" not in result.output
    assert path.read_bytes() == damaged  # checked read-only: nothing written into the damage


def test_doctor_names_the_config_file_it_read(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "desk.toml"
    config.write_text("[desk]\nbell = false\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", str(config), "--data-dir", str(data_dir), "doctor"]
    )
    assert result.exit_code == 0, result.output
    assert f"{config} (given with --config) is valid" in result.output


def _bucket_config(tmp_path: Path, bucket: str) -> Path:
    import s3_server

    config = tmp_path / "s3.toml"
    config.write_text(
        f'[archive]\nrecordings = "s3://{bucket}/center-1"\n'
        f's3_endpoint = "{s3_server.endpoint()}"\ns3_region = "{s3_server.REGION}"\n'
        's3_access_key_id = "keyring:s3-key-id"\ns3_secret_access_key = "keyring:s3-key-secret"\n',
        encoding="utf-8",
    )
    return config


def _doctor_json(config: Path, data_dir: Path) -> tuple[int, dict[str, dict[str, str]]]:
    import json

    result = CliRunner().invoke(
        main, ["--config", str(config), "--data-dir", str(data_dir), "doctor", "--json"]
    )
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    return result.exit_code, checks


def test_a_recordings_bucket_that_does_not_exist_fails_doctor(
    memory_keyring,  # type: ignore[no-untyped-def]
    data_dir: Path,
    tmp_path: Path,
) -> None:
    import s3_server

    memory_keyring.set_password("cscdesk", "s3-key-id", s3_server.KEY_ID)
    memory_keyring.set_password("cscdesk", "s3-key-secret", s3_server.KEY_SECRET)
    code, checks = _doctor_json(_bucket_config(tmp_path, "no-such-bucket"), data_dir)
    assert code == 1
    assert checks["recordings"]["status"] == "fail"
    assert "s3://no-such-bucket/center-1" in checks["recordings"]["detail"]
    assert checks["secret archive.s3_secret_access_key"]["status"] == "ok"


def test_a_readable_bucket_passes_and_a_missing_bucket_key_is_named(
    memory_keyring,  # type: ignore[no-untyped-def]
    data_dir: Path,
    tmp_path: Path,
) -> None:
    import s3_server

    config = _bucket_config(tmp_path, s3_server.new_bucket())
    memory_keyring.set_password("cscdesk", "s3-key-id", s3_server.KEY_ID)
    memory_keyring.set_password("cscdesk", "s3-key-secret", s3_server.KEY_SECRET)
    code, checks = _doctor_json(config, data_dir)
    assert checks["recordings"]["status"] == "ok", checks["recordings"]
    assert code == 0, checks
    memory_keyring.delete_password("cscdesk", "s3-key-secret")
    code, checks = _doctor_json(config, data_dir)
    assert code == 1
    assert checks["secret archive.s3_secret_access_key"]["status"] == "fail"
    assert "s3-key-secret" in checks["recordings"]["detail"]


def test_the_local_recordings_folder_is_checked_when_it_exists(data_dir: Path) -> None:
    import json

    (data_dir / "recordings").mkdir()
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "doctor", "--json"])
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["recordings"] == {
        "check": "recordings",
        "status": "ok",
        "detail": f"{data_dir / 'recordings'} is writable",
    }
