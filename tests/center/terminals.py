"""Real terminals for the center tests: each desk runs ``cscdesk`` in its own tmux window, on a
tmux server of its own (``-L``), and the test reads the screen as a person would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from cscdesk.callcenter.sim import shared

WIDTH, HEIGHT = 120, 36


class Terminals:
    """One private tmux server; ``stop`` ends every window (the desks get SIGHUP)."""

    def __init__(self, tag: str) -> None:
        self.socket = f"cscdesk-test-{tag}-{os.getpid()}"

    def tmux(self, *args: str) -> str:
        # the test session sets COLUMNS/LINES (80x24); a desk must measure its own terminal
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=30, check=True, env=env)  # fmt: skip
        return done.stdout

    def open(self, name: str, data_dir: Path, *args: str) -> Terminal:
        command = " ".join([sys.executable, "-m", "cscdesk", "--data-dir", str(data_dir), *args])
        self.tmux("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT),
                  f"{command}; echo EXITED $?; sleep 60")  # fmt: skip
        # a server with no client attached keeps its own default size: set the window's
        self.tmux("resize-window", "-t", name, "-x", str(WIDTH), "-y", str(HEIGHT))
        return Terminal(self, name)

    def stop(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


class Terminal:
    def __init__(self, terminals: Terminals, name: str) -> None:
        self.terminals = terminals
        self.name = name

    def text(self) -> str:
        return self.terminals.tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: a dialog may open between two of them
            self.terminals.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.terminals.tmux("send-keys", "-t", self.name, "-l", text)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """The first match of ``pattern`` on the screen; the screen itself when it never comes."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            found = re.search(pattern, screen)
            if found:
                return found
            if "EXITED" in screen or time.monotonic() > deadline:
                size = self.terminals.tmux("display", "-p", "-t", self.name,
                                           "#{pane_width}x#{pane_height}").strip()  # fmt: skip
                raise AssertionError(f"{self.name} ({size}): {pattern!r} not on the screen:\n"
                                     f"{screen}")  # fmt: skip
            time.sleep(0.25)


def stop_center(data_dir: Path) -> None:
    """Stop the center the data dir publishes (it runs in its own session, outliving desks)."""
    import signal

    address = shared.read_published(data_dir)
    if address is None or not shared.process_alive(address.pid):
        return
    os.kill(address.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while shared.process_alive(address.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
