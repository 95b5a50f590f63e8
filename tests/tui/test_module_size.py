"""Small modules with one job: no module of the desk grows past ~500 lines (issue 13 split the
1,170-line agent screen into the ``tui.desk`` package; this keeps it from growing back)."""

from __future__ import annotations

from pathlib import Path

TUI = Path(__file__).resolve().parents[2] / "src" / "cscdesk" / "tui"
MOST_LINES = 520


def test_no_tui_module_is_over_about_500_lines() -> None:
    modules = sorted(TUI.rglob("*.py"))
    assert len(modules) > 20  # the scan found the desk
    long = {str(p.relative_to(TUI)): n for p in modules
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MOST_LINES}  # fmt: skip
    assert long == {}, f"split these by job: {long}"
