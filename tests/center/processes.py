"""Processes of a center for the tests: the ``cscdesk`` command line, rosters, open-file checks."""

from __future__ import annotations

import csv
import os
import sqlite3
import sys
import threading
from datetime import date
from pathlib import Path

from stdnum.cn import ric

HERE = Path(__file__).parent
UNBUFFERED = {**os.environ, "PYTHONUNBUFFERED": "1"}  # each round's line reaches us at once
ROSTER_HEADER = ["姓名", "证件类型", "证件号码", "出生日期", "性别", "手机号", "工号",
                 "与主被保险人关系", "主被保险人证件号", "计划"]  # fmt: skip


def cscdesk(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cscdesk", "--data-dir", str(data_dir), *args]


def deleted_files(pid: int) -> list[str]:
    """Files this process still has open although they were deleted (a lost WAL shows here)."""
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.endswith("(deleted)") and "cscdesk.db" in target:
            found.append(target)
    return found


def roster_file(path: Path, round_no: int) -> Path:
    """Three new people per round: valid resident IDs, unique mobiles."""
    rows = []
    for k in range(3):
        birth = date(1980 + k, 1 + round_no, 10)
        first17 = f"110105{birth:%Y%m%d}{100 + round_no * 3 + k:03d}"
        id_no = first17 + ric.calc_check_digit(first17 + "0")
        sex = "男" if (100 + round_no * 3 + k) % 2 else "女"
        rows.append([f"测试{round_no}{k}", "居民身份证", id_no, f"{birth:%Y-%m-%d}", sex,
                     f"1390000{round_no:02d}{k:02d}", f"R{round_no}{k}", "本人", "", "A"])  # fmt: skip
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER)
        writer.writerows(rows)
    return path


class PlainReader(threading.Thread):
    """The stdlib sqlite3 module reading while everything else runs (connect, count, close)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.reads = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                conn = sqlite3.connect(self.path, timeout=10)
                conn.execute("SELECT count(*) FROM tickets").fetchone()
                conn.close()
                self.reads += 1
            except sqlite3.Error as exc:
                self.errors.append(str(exc))
            self.stop.wait(0.05)
