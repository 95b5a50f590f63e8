"""`make bench`: run every bench/bench_*.py, print their tables, write results.json and the doc.

`python -m bench [--quick] [--only NAME ...]`: --quick shrinks data sets for a smoke run. Only a
full run of every module rewrites results.json and docs/benchmarks.md; a smoke run or a few
modules write bench/results-partial.json, so a quick check never overwrites the full record.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import Row, as_json, print_table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def discover() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def machine() -> dict[str, str]:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            mem = handle.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def write_doc(results: dict[str, list[Row]], info: dict[str, str], command: str,
              wall_seconds: float) -> None:  # fmt: skip
    lines = [
        "# Benchmarks",
        "",
        f"Latest run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, command `{command}`,"
        f" {wall_seconds / 60:.1f} minutes in all (data sets included when they were made).",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()) + ".",
        "",
        "Each figure is the median of repeated runs; the baseline is measured in the same run.",
        "",
        "| benchmark | what | median | min | max | p95 | baseline | baseline median | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        for r in rows:
            b = r.baseline
            lines.append(
                f"| {name} | {r.name} ({r.unit}) | {r.measured.median:,.2f} | {r.measured.minimum:,.2f}"
                f" | {r.measured.maximum:,.2f} | {r.measured.p95:,.2f} | {r.baseline_name}"
                f" | {f'{b.median:,.2f}' if b else '—'} | {f'{r.ratio:.3g}×' if r.ratio else '—'}"
                f" | {r.target} | {({True: 'yes', False: 'NO', None: '—'})[r.met]} |"
            )
    notes = [
        f"- {name} / {r.name}: {r.notes}" for name, rows in results.items() for r in rows if r.notes
    ]
    if notes:
        lines += ["", "Notes:", "", *notes]
    findings = HERE / "FINDINGS.md"  # hand-written: profiles of missed targets, before/after
    if findings.exists():
        lines += ["", findings.read_text(encoding="utf-8").rstrip()]
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small data sets: a smoke run")
    parser.add_argument("--only", nargs="*", default=None, help="benchmark module names")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = args.only or discover()
    began = time.perf_counter()
    results: dict[str, list[Row]] = {}
    failures: dict[str, str] = {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        try:
            rows = module.run(quick=args.quick)
        except Exception as exc:  # a broken benchmark must not hide the others' figures
            failures[name] = f"{type(exc).__name__}: {exc}"
            print(f"{name}: FAILED {failures[name]}", file=sys.stderr)
            continue
        print_table(f"{name}  ({time.perf_counter() - started:.0f} s)", rows)
        results[name] = rows
    info = machine()
    command = "make bench" + (" --quick" if args.quick else "")
    payload = {
        "machine": info,
        "quick": args.quick,
        "at": datetime.now(UTC).isoformat(),
        "results": {name: as_json(rows) for name, rows in results.items()},
        "failures": failures,
        "wall_seconds": round(time.perf_counter() - began, 1),
    }
    if args.quick or args.only:  # a smoke run or a few modules: the record of the full run stays
        (HERE / "results-partial.json").write_text(
            json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        print("partial run: bench/results-partial.json written; bench/results.json and"
              " docs/benchmarks.md keep the last full run's figures", file=sys.stderr)  # fmt: skip
        return 1 if failures else 0
    (HERE / "results.json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    if not args.no_doc:
        write_doc(results, info, command, time.perf_counter() - began)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
