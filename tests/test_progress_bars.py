"""Long jobs draw a progress bar on stderr for a person at a terminal, and nothing at all when
stderr is a pipe or a file (cron, CI): stdout stays the result alone either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from terminal import run_on_terminal


def demo_data(data_dir: Path, *, terminal: bool) -> tuple[str, str]:
    """(stdout, stderr) of ``cscdesk demo-data --members 4000`` with stderr on a pseudo-terminal
    or a pipe."""
    args = [sys.executable, "-m", "cscdesk", "--data-dir", str(data_dir), "demo-data",
            "--members", "4000", "--as-of", "2026-03-02"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm-256color"}
    if not terminal:
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=180)
        assert done.returncode == 0, done.stderr
        return done.stdout, done.stderr
    code, drawn, stdout = run_on_terminal(args, stream="stderr", env=env, text=True)
    assert code == 0, drawn
    return stdout, drawn.decode("utf-8", "replace")


def test_demo_data_draws_a_bar_only_on_a_terminal(tmp_path: Path) -> None:
    stdout, stderr = demo_data(tmp_path / "tty", terminal=True)
    assert "members" in stderr and "/4000" in stderr.replace(" ", "").replace(",", "")
    assert "members" in stdout and "employers" in stdout
    piped_out, piped_err = demo_data(tmp_path / "pipe", terminal=False)
    assert piped_err == ""
    assert "members" in piped_out


def test_store_copy_draws_a_bar_per_table_only_on_a_terminal(tmp_path: Path) -> None:
    data = tmp_path / "center"
    demo_data(data, terminal=False)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm-256color"}

    def copy(target: Path) -> list[str]:
        return [sys.executable, "-m", "cscdesk", "--data-dir", str(data), "store", "copy",
                "--to", str(target), "--batch", "20"]  # fmt: skip

    code, drawn, stdout = run_on_terminal(copy(tmp_path / "a.db"), stream="stderr", env=env,
                                          text=True)  # fmt: skip
    assert code == 0, drawn
    assert "members" in drawn.decode("utf-8", "replace") and "ok" in stdout
    piped = subprocess.run(copy(tmp_path / "b.db"), capture_output=True, text=True, env=env,
                           timeout=180)  # fmt: skip
    assert piped.returncode == 0 and piped.stderr == "" and "ok" in piped.stdout


def test_archive_sync_prints_its_result_after_the_bar_is_gone(tmp_path: Path) -> None:
    """At a terminal (stdout and stderr on one screen) the round's line was written under the
    live bar, whose clean-up then erased half of it and left bar debris. Now nothing is drawn
    after the result line: it stands whole below where the bar was."""
    data = tmp_path / "center"
    demo_data(data, terminal=False)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm-256color"}
    code, drawn, _ = run_on_terminal(
        [sys.executable, "-m", "cscdesk", "--data-dir", str(data), "archive", "sync"],
        stream="both", env=env,
    )  # fmt: skip
    assert code == 0, drawn
    assert b"CDRs (hours)" in drawn  # the bar was drawn
    result = drawn.rindex(b"CDRs ")
    assert b"window(s); recordings stored" in drawn[result:]
    assert b"\x1b" not in drawn[result:]  # no cursor move or erase after the result line
