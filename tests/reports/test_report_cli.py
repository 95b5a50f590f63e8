"""`cscdesk report staffing` end to end through the CLI: output, and clear errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cscdesk.cli import main


def run(*args: str, data_dir: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "report", *args])
    return result.exit_code, result.stdout, result.stderr


def test_staffing_from_a_forecast_file(tmp_path: Path, data_dir: Path) -> None:
    forecast = tmp_path / "peak.csv"
    forecast.write_text(
        "interval_start,calls,aht_seconds\n09:00,100,180\n09:30,20,180\n", encoding="utf-8"
    )
    code, out, _ = run(
        "staffing",
        "--forecast",
        str(forecast),
        "--date",
        "2026-03-02",
        "--format",
        "json",
        data_dir=data_dir,
    )
    assert code == 0
    rows = json.loads(out)["rows"]
    # default config: 80 % in 20 s, occupancy cap 85 %, shrinkage 30 %, broker headcount 12
    assert [
        (r["interval_start"], r["agents"], r["rostered"], r["seconded_to_request"]) for r in rows
    ] == [
        ("2026-03-02 09:00", 14, 20, 8),
        ("2026-03-02 09:30", 4, 6, 0),
    ]
    code, out, _ = run(
        "staffing", "--forecast", str(forecast), "--date", "2026-03-02", data_dir=data_dir
    )
    assert code == 0 and "Peaks: 09:00 (20 rostered, request 8 seconded)" in out.replace("\n", " ")


def test_bad_input_is_named_and_exits_2(tmp_path: Path, data_dir: Path) -> None:
    forecast = tmp_path / "bad.csv"
    forecast.write_text("interval_start,calls\n09:00,many\n", encoding="utf-8")
    code, _, err = run("staffing", "--forecast", str(forecast), data_dir=data_dir)
    assert code == 2 and "line 2, column 'calls'" in err and "Traceback" not in err
    code, _, err = run("staffing", data_dir=data_dir)
    assert code == 2 and "exactly one of --forecast FILE or --from-history" in err
    code, _, err = run(
        "indicators", "--from", "2026-03-02", "--to", "2026-03-01", data_dir=data_dir
    )
    assert code == 2 and "no archive" in err
