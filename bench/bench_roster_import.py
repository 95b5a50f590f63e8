"""Roster import of a large file: 200,000 rows (--quick 5,000) through ``import_roster``, as CSV
(GBK, how Excel saves it on a Chinese PC) and as .xlsx, each into a fresh seeded store, in a child
process so that its peak memory (VmHWM) is the import's own.

A roster this size is a whole group's staff with families: 3 rows in 4 are main insured, the rest
spouses and children of the row above. Baseline: the same file's rows read and decoded, no checks.

    python -m bench.bench_roster_import [--rows 200000]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.harness import Row, Stats, print_table

HEADER = ["姓名*", "证件类型", "证件号码*", "出生日期", "性别", "手机号", "工号", "与主被保险人关系",
          "主被保险人证件号", "计划"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华佳"


def _rid(birth: date, seq: int) -> str:
    from stdnum.cn import ric

    first17 = f"110105{birth:%Y%m%d}{seq:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def rows(n: int) -> list[list[Any]]:
    out: list[list[Any]] = []
    main = ""
    for i in range(n):
        birth = date(1960, 1, 1) + timedelta(days=(i * 37) % 20000)
        seq = 100 + i // 20000  # with the birth day, unique up to 18,000,000 rows
        number = _rid(birth, seq)
        name = SURNAMES[i % 20] + GIVEN[(i // 20) % len(GIVEN)] + GIVEN[(i // 480) % len(GIVEN)]
        if i % 4 == 3 and main:
            relation = "配偶" if i % 8 == 3 else "子女"
            out.append([name, "居民身份证", number, "", "", "", "", relation, main, "A"])
        else:
            main = number
            mobile = f"139{i:08d}"
            out.append([name, "居民身份证", number, birth.isoformat(), "", mobile, f"E{i:07d}",
                        "本人", "", "A"])  # fmt: skip
    return out


def _unique(data: list[list[Any]]) -> list[list[Any]]:
    """Drop rows whose generated ID repeats (same birth day and sequence) and their dependants."""
    seen: set[str] = set()
    kept = []
    for row in data:
        if row[2] in seen or (row[8] and row[8] not in seen):
            continue
        seen.add(row[2])
        kept.append(row)
    return kept


def write_files(folder: Path, n: int) -> dict[str, Path]:
    data = _unique(rows(n))
    gbk = folder / "roster-gbk.csv"
    with gbk.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["某某集团 2026年度 员工补充医疗保险 被保险人清单"])
        writer.writerow(HEADER)
        writer.writerows(data)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    xlsx = folder / "roster.xlsx"
    book.save(xlsx)
    return {"csv (GBK)": gbk, "xlsx": xlsx}


CHILD = """
import json, sys, time
from pathlib import Path
from cscdesk.demo.seed import seed_demo
from cscdesk.importing.roster import import_roster
from cscdesk.importing import tabular
from cscdesk.store import open_store

path, store_path, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
began = time.perf_counter()
if mode == "read":
    count = sum(1 for _ in tabular.read_rows(path))
    report = None
else:
    store = open_store(store_path)
    member = next(m for m in store.members.all() if m.employer_id == "G1")
    policy_no = store.policies.for_member(member.id)[0].policy_no
    began = time.perf_counter()
    report = import_roster(store, path, employer_id="G1", policy_no=policy_no, progress=None)
    count = report.added
    store.close()
seconds = time.perf_counter() - began
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
ok = report is None or report.ok
print(json.dumps({"seconds": seconds, "rows": count, "peak_mb": peak / 1024, "ok": ok,
                  "lines": [] if report is None else report.lines()[:5]}))
"""


def _child(path: Path, store: Path, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(store), mode],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _seeded(folder: Path) -> Path:
    from cscdesk.demo.seed import seed_demo
    from cscdesk.store import open_store

    path = folder / "seed.db"
    store = open_store(path)
    seed_demo(store, members=40, seed=7)
    store.close()
    return path


def run(quick: bool = False, n: int | None = None) -> list[Row]:
    import shutil

    n = n or (5_000 if quick else 200_000)
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_files(folder, n)
        seed = _seeded(folder)
        for label, path in files.items():
            store = folder / f"store-{path.stem}.db"
            shutil.copy(seed, store)
            result = _child(path, store, "import")
            read = _child(path, store, "read")
            assert result["ok"], result["lines"]
            out.append(
                Row(
                    name=f"roster import, {result['rows']:,} rows, {label}",
                    unit="s",
                    measured=Stats.of([result["seconds"]]),
                    baseline=Stats.of([read["seconds"]]),
                    baseline_name="reading the rows alone",
                    target="validates and imports; bounded memory",
                    met=None,
                    notes=f"peak memory {result['peak_mb']:.0f} MB (reading alone"
                    f" {read['peak_mb']:.0f} MB); one transaction, all or nothing",
                )
            )
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    print_table("Roster import", run(quick=args.quick, n=args.rows))
    print(f"  (whole bench {time.perf_counter() - began:.0f} s)")
