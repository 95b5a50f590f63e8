"""Config: the example documents every key, bad files name the key and exit 2, secrets stay out."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from cscdesk.cli import main
from cscdesk.config import (
    MAX_CONFIG_BYTES,
    ConfigError,
    SecretUnavailable,
    Settings,
    load_settings,
    resolve_secret,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_leaf_keys(annotation, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys


def test_example_file_loads_to_the_defaults_except_its_secret_references() -> None:
    example = load_settings(EXAMPLE)
    assert example.model_copy(update={"callcenter": Settings().callcenter}) == Settings()
    assert example.callcenter.access_key_secret == "keyring:ccc-access-key-secret"


def test_example_file_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    missing = []
    for key in _leaf_keys(Settings):
        leaf = key.rsplit(".", 1)[-1]
        if not re.search(rf"(^|[\s{{.\[#,]){re.escape(leaf)}\s*[=\].]", text, re.MULTILINE):
            missing.append(key)
    assert missing == []


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cscdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[desk]\npoll_interval_seconds = 'fast'\n", "desk.poll_interval_seconds", "number"),
        ("[desk]\nlanguage = 'fr'\n", "desk.language", "'zh_CN'"),
        ("[callcenter]\naccess_key_secret = 'abc123'\n", "callcenter.access_key_secret", "keyring"),
        ("[sync]\nlease_secs = 3\n", "sync.lease_secs", "unknown key"),
        ("[[insurers]]\nid = 'x'\nname = 'X'\nkind = 'soap'\n", "insurers[0].kind", "rest_oauth"),
        ("[security]\naudit_retention_days = 30\n", "security.audit_retention_days", "184"),
        ("[store]\nurl = 'postgresql://desk:pw@db/cscdesk'\n", "store.url", "keyring"),
        ("[store]\nurl = 'mysql://desk@db/cscdesk'\n", "store.url", "PostgreSQL URL"),
        ("[store]\npassword = 'hunter2'\n", "store.password", "keyring"),
        ("[webhook]\nurl = 'ftp://biz.example.com/in'\n", "webhook.url", "http(s) URL"),
        ("[callcenter]\nendpoint = 'http://[::1'\n", "callcenter.endpoint", "not a usable URL"),
        ("[callcenter]\nendpoint = 'not a url'\n", "callcenter.endpoint", "host name"),
        ("[archive]\ns3_endpoint = 'oss-cn-shanghai'\n", "archive.s3_endpoint", "http(s) URL"),
        (
            "[[insurers]]\nid = 'x'\nname = 'X'\nkind = 'rest_oauth'\nbase_url = 'https://'\n",
            "insurers[0].base_url",
            "no host",
        ),
    ],
)
def test_bad_values_name_the_key_path(tmp_path: Path, text: str, key: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key_path == key
    assert expected in info.value.problem
    assert str(path) in str(info.value)


def test_cli_exits_2_without_traceback_on_a_bad_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[desk]\ntheme = \n")
    result = CliRunner().invoke(main, ["--config", str(path), "doctor"])
    assert result.exit_code == 2
    assert str(path) in result.output
    assert "not valid TOML" in result.output
    assert "Traceback" not in result.output


def test_cli_exit_2_names_key_for_a_wrong_type(tmp_path: Path) -> None:
    path = _write(tmp_path, "[staffing]\nshrinkage = 1.5\n")
    result = CliRunner().invoke(main, ["--config", str(path), "doctor"])
    assert result.exit_code == 2
    assert "staffing.shrinkage" in result.output


def test_a_url_that_cannot_work_stops_the_command_with_exit_2(tmp_path: Path) -> None:
    """Issue 20: ``[webhook] url = "ftp://x"`` once loaded as valid and doctor said ok."""
    path = _write(tmp_path, "[webhook]\nurl = 'ftp://x'\n")
    result = CliRunner().invoke(main, ["--config", str(path), "doctor"])
    assert result.exit_code == 2
    assert "webhook.url" in result.stderr and "Traceback" not in result.output


def test_the_usual_endpoints_load(tmp_path: Path) -> None:
    for endpoint in ("ccc.cn-shanghai.aliyuncs.com", "http://127.0.0.1:8080", "ccc.example:443"):
        path = _write(tmp_path, f"[callcenter]\nendpoint = '{endpoint}'\n")
        assert load_settings(path).callcenter.endpoint == endpoint


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "doctor"])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_secret_reference_resolves_through_the_keyring(memory_keyring: Any) -> None:
    memory_keyring.set_password("cscdesk", "ccc-secret", "value-1")
    assert resolve_secret("keyring:ccc-secret", what="callcenter.access_key_secret") == "value-1"


def test_missing_secret_says_how_to_store_it() -> None:
    with pytest.raises(SecretUnavailable) as info:
        resolve_secret("keyring:ccc-secret", what="callcenter.access_key_secret")
    assert "cscdesk secrets set ccc-secret" in str(info.value)


# --- hostile or odd files: exit 2 naming file, key and expectation; never a traceback ---------


def _doctor(path: Path, data_dir: Path) -> Any:
    return CliRunner().invoke(main, ["--config", str(path), "--data-dir", str(data_dir), "doctor"])


def test_deeply_nested_arrays_are_refused_cleanly(tmp_path: Path, data_dir: Path) -> None:
    path = _write(tmp_path, "[desk]\ntheme = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = _doctor(path, data_dir)
    assert result.exit_code == 2
    assert f"{path}: line 2: arrays or tables nested more than 32 deep" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, RecursionError)


def test_brackets_inside_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    deep = "[" * 200
    path = _write(
        tmp_path,
        f"# {deep}\n[keymap]\nquit = \"{deep}\"\nhelp = '{deep}'\nlong = '''\n{deep}'''\n",
    )
    assert load_settings(path).keymap["quit"] == deep


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[sla]\ntimezone = 'Mars/Olympus_Mons'\n", "sla.timezone"),
        ("[indicators.default]\ntimezone = 'Asia/Nowhere'\n", "indicators.default.timezone"),
        (
            "[indicators.queues.claims]\ntimezone = '../../etc/passwd'\n",
            "indicators.queues.claims.timezone",
        ),
    ],
)
def test_an_unknown_time_zone_fails_at_load_not_in_a_report(
    tmp_path: Path, data_dir: Path, text: str, key: str
) -> None:
    path = _write(tmp_path, text)
    result = _doctor(path, data_dir)
    assert result.exit_code == 2
    assert f"{path}: {key}: not an IANA time zone" in result.output
    assert "Asia/Shanghai" in result.output  # says what a good value looks like


def test_a_known_time_zone_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, "[sla]\ntimezone = 'Asia/Hong_Kong'\n")
    assert load_settings(path).sla.timezone == "Asia/Hong_Kong"


def test_an_absurd_archive_window_is_a_config_error(tmp_path: Path, data_dir: Path) -> None:
    path = _write(tmp_path, "[archive]\nwindow_minutes = 999999999999\n")
    result = _doctor(path, data_dir)
    assert result.exit_code == 2
    assert f"{path}: archive.window_minutes: Input should be less than or equal to 1440" in (
        result.output
    )
    assert "OverflowError" not in result.output


_DURATION = re.compile(r"_(ms|seconds|minutes|hours|days|years)$")


def _duration_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_duration_keys(annotation, f"{prefix}{name}."))
        elif _DURATION.search(name) and (annotation in (int, float) or "float" in str(annotation)):
            keys.append(f"{prefix}{name}")  # numbers (and dicts of them), not flags or choices
    return keys


@pytest.mark.parametrize("key", _duration_keys(Settings))
def test_every_window_interval_and_timeout_has_an_upper_bound(tmp_path: Path, key: str) -> None:
    table, leaf = key.rsplit(".", 1)
    value = "{ enquiry = 1e12 }" if leaf == "resolution_hours" else "999999999999"
    path = _write(tmp_path, f"[{table}]\n{leaf} = {value}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key_path.startswith(key)
    assert "less than" in info.value.problem


def test_nan_is_not_a_threshold(tmp_path: Path) -> None:
    path = _write(tmp_path, "[alerts.waiting_calls]\nwarning = nan\ncritical = 10\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key_path == "alerts.waiting_calls.warning"


def test_a_file_saved_with_a_bom_is_accepted(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[desk]\nbell = false\n")
    assert load_settings(path).desk.bell is False
    result = _doctor(path, data_dir)
    assert result.exit_code == 0, result.output
    assert f"{path} (given with --config) is valid" in result.output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_before_reading(data_dir: Path) -> None:
    result = _doctor(Path("/dev/zero"), data_dir)
    assert result.exit_code == 2
    assert "/dev/zero: is a device, pipe or socket, not a regular file" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, data_dir: Path
) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result = _doctor(fifo, data_dir)
    assert result.exit_code == 2
    assert "not a regular file" in result.output


def test_a_huge_file_is_refused_before_reading(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(MAX_CONFIG_BYTES + 1)  # sparse: no disk used
    result = _doctor(path, data_dir)
    assert result.exit_code == 2
    assert f"{path}: is {MAX_CONFIG_BYTES + 1} bytes; a config file is at most" in result.output


def test_a_long_bad_value_is_not_echoed_whole(tmp_path: Path) -> None:
    path = _write(tmp_path, "[desk]\ntheme = [" + ", ".join(["1"] * 50_000) + "]\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key_path == "desk.theme"
    assert len(str(info.value)) < 300
