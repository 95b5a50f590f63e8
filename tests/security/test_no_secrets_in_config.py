"""The shipped config example holds no secret and no personal number; secret fields accept only
keyring references (the loader refuses a value, see test_fuzz_config)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from cscdesk.config import SECRET_PREFIX, Settings

from .test_snapshots_have_no_pii import personal_numbers

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"
SECRET_KEYS = re.compile(r"(secret|hmac_key|password|encryption_key|token)$")
DEMO_SIMULATOR = "simulator"  # the documented demo key pair the local simulator accepts


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [pair for k, v in node.items() for pair in _walk(v, f"{path}.{k}".lstrip("."))]
    if isinstance(node, list):
        return [pair for i, v in enumerate(node) for pair in _walk(v, f"{path}[{i}]")]
    return [(path, node)]


def _uncommented(text: str) -> str:
    """The example with its commented-out sample lines switched on, so they are checked too."""
    return re.sub(r"(?m)^# ?(?=[a-z_\[])", "", text)


def test_example_config_and_its_commented_samples_have_no_secret_values() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    Settings.model_validate(data)
    for path, value in _walk(data):
        if SECRET_KEYS.search(path) and not path.startswith(DEMO_SIMULATOR):
            assert value is None or str(value).startswith(SECRET_PREFIX), path
    section = ""
    for line in _uncommented(text).splitlines():
        if line.startswith("["):
            section = line.split("#", 1)[0].strip("[] ")
            continue
        key = line.split("=", 1)[0].strip()
        if "=" in line and SECRET_KEYS.search(key) and section != DEMO_SIMULATOR:
            value = line.split("=", 1)[1].split("#", 1)[0].strip().strip('"')
            assert value.startswith(SECRET_PREFIX), f"[{section}] {line}"


def test_example_config_has_no_personal_numbers() -> None:
    assert personal_numbers(EXAMPLE.read_text(encoding="utf-8")) == []
