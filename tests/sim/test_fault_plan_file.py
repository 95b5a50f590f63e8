"""Fault plan files are checked at load: wrong types or ranges name the file, the key, what was
expected and what was given (issue 12, item 10); ``cscdesk sim --faults`` turns that into an
exit-2 message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cscdesk.callcenter.sim.faults import FaultPlan, Latency


def plan_file(tmp_path: Path, text: str, name: str = "faults.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "key", "expected", "given"),
    [
        ("error_rates = 5", "error_rates", "a table of vendor code", "a number 5"),
        ('reset_rate = "high"', "reset_rate", "a probability between 0 and 1", "a string 'high'"),
        ("reset_rate = true", "reset_rate", "a probability between 0 and 1", "a boolean True"),
        ("timeout_rate = 1.5", "timeout_rate", "a probability between 0 and 1", "a number 1.5"),
        ("timeout_seconds = nan", "timeout_seconds", "seconds, above 0", "a number nan"),
        ('actions = "MakeCall"', "actions", "a list of action names", "a string 'MakeCall'"),
        ("actions = [1]", "actions.0", "a list of action names", "a number 1"),
        ("latency = 3", "latency", "a table with fixed_ms", "a number 3"),
        ("[latency]\nfixed_ms = -1", "latency.fixed_ms", "milliseconds, a number 0 or more", "-1"),
        ("[error_rates]\nThrottling = 'x'", "error_rates.Throttling", "a probability", "'x'"),
        # a dotted code unquoted is a nested table in TOML: the message says to quote it
        (
            "[error_rates]\nThrottling.User = 0.1",
            "error_rates.Throttling",
            "a probability",
            "a table",
        ),
    ],
)
def test_wrong_types_name_the_file_key_and_what_was_expected(
    tmp_path: Path, text: str, key: str, expected: str, given: str
) -> None:
    path = plan_file(tmp_path, text)
    with pytest.raises(ValueError) as caught:
        FaultPlan.from_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: expected ")
    assert expected in message
    assert f"got {given}" in message or given in message


def test_other_refusals_name_the_file(tmp_path: Path) -> None:
    cases = {
        "bogus = 1": "unknown key bogus",
        '[error_rates]\n"Nope" = 0.1': "error_rates.Nope: unknown code",
        "reset_rate = 0.6\ntimeout_rate = 0.6": "add up to 1.2",
        "reset_rate = ": "not valid TOML",
    }
    for text, fragment in cases.items():
        path = plan_file(tmp_path, text)
        with pytest.raises(ValueError) as caught:
            FaultPlan.from_file(path)
        assert str(caught.value).startswith(f"{path}: ")
        assert fragment in str(caught.value)


def test_json_plans_and_odd_files(tmp_path: Path) -> None:
    path = plan_file(tmp_path, '{"error_rates": [0.5]}', "faults.json")
    with pytest.raises(ValueError, match=r"faults\.json: error_rates: expected a table"):
        FaultPlan.from_file(path)
    deep = plan_file(tmp_path, "[" * 30_000 + "]" * 30_000, "deep.json")
    with pytest.raises(ValueError, match=r"deep\.json: not valid JSON: nested too deeply"):
        FaultPlan.from_file(deep)
    big = plan_file(tmp_path, "#" * 100_000, "big.toml")
    with pytest.raises(ValueError, match=r"big\.toml: a fault plan is at most"):
        FaultPlan.from_file(big)
    top = plan_file(tmp_path, "[1, 2]", "list.json")
    with pytest.raises(ValueError, match="must be a table"):
        FaultPlan.from_file(top)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"# caf\xe9\nreset_rate = 0.1\n")
    with pytest.raises(ValueError, match=r"latin\.toml: not UTF-8"):
        FaultPlan.from_file(latin)
    if Path("/dev/zero").exists():
        with pytest.raises(ValueError, match="regular file"):
            FaultPlan.from_file(Path("/dev/zero"))


def test_a_good_plan_loads_with_a_bom_and_quoted_codes(tmp_path: Path) -> None:
    text = (
        "reset_rate = 0.1\ntimeout_rate = 0\ntimeout_seconds = 2\nactions = ['ListUsers']\n"
        '[error_rates]\n"Throttling.User" = 0.05\nInternalError = 0.01\n'
        "[latency]\nfixed_ms = 5\njitter_ms = 2.5\n"
    )
    path = tmp_path / "faults.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    plan = FaultPlan.from_file(path)
    assert plan.error_rates == {"Throttling.User": 0.05, "InternalError": 0.01}
    assert plan.reset_rate == 0.1 and plan.timeout_seconds == 2.0
    assert plan.actions == frozenset({"ListUsers"})
    assert plan.latency == Latency(fixed_ms=5.0, jitter_ms=2.5)


def test_cscdesk_sim_with_a_bad_plan_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    """Before: ``TypeError: 'int' object is not iterable`` and a traceback."""
    path = plan_file(tmp_path, "error_rates = 5")
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("CSCDESK_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "cscdesk", "sim", "--port", "0", "--faults", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert f"{path}: error_rates: expected a table" in done.stderr
