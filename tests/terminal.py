"""Run a command with one of its streams on a pseudo-terminal, as a person at a terminal sees
it (colour and progress bars are drawn only there)."""

from __future__ import annotations

import os
import pty
import subprocess
from typing import Any


def run_on_terminal(args: list[str], *, stream: str, env: dict[str, str],
                    **popen: Any) -> tuple[int, bytes, Any]:  # fmt: skip
    """(exit status, what reached the terminal, the other stream's text) of ``args`` with
    ``stream`` ("stdout" or "stderr") on a pseudo-terminal and the other one piped; "both":
    the two on one terminal, as a person's screen shows them (no other stream: None)."""
    leader, follower = pty.openpty()
    other = "stderr" if stream == "stdout" else "stdout"
    streams = ({"stdout": follower, "stderr": follower} if stream == "both"
               else {stream: follower, other: subprocess.PIPE})  # fmt: skip
    try:
        child = subprocess.Popen(args, env=env, **streams, **popen)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        out, err = child.communicate(timeout=180)
        rest = out if stream == "stderr" else err
    finally:
        os.close(leader)
    return child.returncode, drawn, rest
