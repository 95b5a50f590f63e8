"""Start-up: `cscdesk --version` against `python -c pass`, each a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

from bench.harness import Row, time_ms


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True)


def run(quick: bool = False) -> list[Row]:
    repeat = 5 if quick else 20
    baseline = time_ms(lambda: _run([sys.executable, "-c", "pass"]), repeat=repeat)
    version = time_ms(lambda: _run([sys.executable, "-m", "cscdesk", "--version"]), repeat=repeat)
    return [
        Row(
            name="cscdesk --version",
            unit="ms",
            measured=version,
            baseline=baseline,
            baseline_name="python -c pass",
            target="≤ 150 ms",
            met=version.median <= 150,
        )
    ]
