"""The config file is outside data too: any edit of it loads or fails with ConfigError naming
the file — never a traceback, and never a secret accepted as a plain value."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cscdesk.config import ConfigError, Settings, load_settings

from .fuzz import FUZZ

EXAMPLE = (Path(__file__).parents[2] / "config.example.toml").read_text(encoding="utf-8")
ASSIGNMENT = re.compile(r"^(\s*[A-Za-z_][\w-]*\s*=\s*)(.+)$")

TOML_VALUE = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["nan", "inf", "-inf"]),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(
        ["[]", "{}", "[1, 'a']", "{ x = 1 }", "00:61", "1979-05-27T07:32:00Z", "'keyring:'"]
    ),
    st.text(max_size=10),  # not valid TOML at all
)


def _load(text: str | bytes) -> Settings | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cscdesk.toml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        try:
            return load_settings(path)
        except ConfigError as error:
            assert str(path) in str(error)
            return None


def test_the_example_config_loads() -> None:
    assert _load(EXAMPLE) is not None


@FUZZ
@given(data=st.data())
def test_an_edited_config_loads_or_names_the_problem(data: st.DataObject) -> None:
    lines = []
    for line in EXAMPLE.splitlines():
        match = ASSIGNMENT.match(line)
        if match and data.draw(st.integers(0, 8), label="edit?") == 0:
            line = match[1] + data.draw(TOML_VALUE, label=match[1].strip())
        lines.append(line)
    _load("\n".join(lines))


@FUZZ
@given(content=st.binary(max_size=120) | st.text(max_size=120).map(str.encode))
def test_any_bytes_as_a_config_file_are_a_config_error_or_valid(content: bytes) -> None:
    _load(content)


@FUZZ
@given(secret=st.text(min_size=1, max_size=30).filter(lambda s: not s.startswith("keyring:")))
def test_a_secret_written_in_the_file_is_refused(secret: str) -> None:
    text = f"[callcenter]\naccess_key_secret = {json.dumps(secret)}\n"
    assert _load(text) is None
