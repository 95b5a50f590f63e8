"""NO_COLOR (no-color.org) and ``--no-color``: a report printed on a terminal carries colour
codes unless the person asked for none; the desk (Textual) sees the same request."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from textual.app import App

from terminal import run_on_terminal

FORECAST = "interval_start,calls,aht_seconds\n09:00,100,180\n09:30,20,180\n"


def on_a_terminal(tmp_path: Path, *options: str, no_color: str | None = None) -> str:
    """``cscdesk report staffing`` with stdout on a pseudo-terminal, as a person runs it."""
    forecast = tmp_path / "peak.csv"
    forecast.write_text(FORECAST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm-256color"
    if no_color is not None:
        env["NO_COLOR"] = no_color
    args = [sys.executable, "-m", "cscdesk", *options, "--data-dir", str(tmp_path / "data"),
            "report", "staffing", "--forecast", str(forecast), "--date", "2026-03-02"]  # fmt: skip
    code, output, errors = run_on_terminal(args, stream="stdout", env=env)
    assert code == 0, errors
    return output.decode("utf-8", "replace")


def test_a_report_on_a_terminal_is_coloured_by_default(tmp_path: Path) -> None:
    text = on_a_terminal(tmp_path)
    assert "Peaks" in text and "\x1b[" in text


@pytest.mark.parametrize(
    ("options", "no_color"), [((), "1"), (("--no-color",), None)], ids=["NO_COLOR", "--no-color"]
)
def test_no_colour_codes_when_asked(tmp_path: Path, options: tuple[str, ...],
                                    no_color: str | None) -> None:  # fmt: skip
    text = on_a_terminal(tmp_path, *options, no_color=no_color)
    assert "Peaks" in text and "\x1b[" not in text


def test_no_color_option_reaches_the_textual_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--no-color`` sets NO_COLOR for the process, which the desk's Textual app reads."""
    from click.testing import CliRunner

    from cscdesk.cli import main

    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.delenv("NO_COLOR")  # restored (absent) after the test
    assert App().no_color is False
    CliRunner().invoke(main, ["--no-color", "--data-dir", str(tmp_path), "status"])
    assert App().no_color is True
