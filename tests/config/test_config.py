"""Config: the example documents every key, bad files name the key and exit 2, secrets stay out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from cscdesk.cli import main
from cscdesk.config import (
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
        ("[security]\naudit_retention_days = 30\n", "security.audit_retention_days", "183"),
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
