"""Simulated insurer services for the demo, training and the tests: real HTTP on 127.0.0.1.

瑞安 (JSON REST + OAuth2), 嘉禾 (signed XML), 华盈 (nested JSON + OAuth2, flaky) each run on their
own port; 安和 has no API and writes daily CSV/XLSX extracts. All answer from the demo store,
read once at start, and move claims on with simulated time.
"""

from __future__ import annotations

from cscdesk.insurers.sim.runner import (
    DEMO_SECRETS,
    InsurerSimHandles,
    SimService,
    demo_insurer_settings,
    demo_secret_resolver,
    start_insurer_sims,
)

__all__ = [
    "DEMO_SECRETS",
    "InsurerSimHandles",
    "SimService",
    "demo_insurer_settings",
    "demo_secret_resolver",
    "start_insurer_sims",
]
