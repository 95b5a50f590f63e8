"""Member rosters are typed by hand at employers: any CSV or XLSX, however broken, gives a report
naming row and column (or a clear file-level error), never a crash — and a rejected roster
leaves the store exactly as it was (all or nothing)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from stdnum.cn import ric

from cscdesk.demo.seed import seed_demo
from cscdesk.importing.roster import RosterConfigError, import_roster
from cscdesk.store import Store, open_store

from .fuzz import FILE_FUZZ

HEADER = ["姓名", "证件类型", "证件号码", "出生日期", "性别", "手机号", "工号", "与主被保险人关系",
          "主被保险人证件号", "计划"]  # fmt: skip


def _rid(birth: date, seq: int) -> str:
    first17 = f"110105{birth:%Y%m%d}{seq:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


MAIN = _rid(date(1988, 5, 20), 11)
GOOD = [
    ["赵一鸣", "居民身份证", MAIN, "1988-05-20", "男", "13911112222", "X9001", "本人", "", "A"],
    ["钱晓", "", _rid(date(1990, 7, 1), 22), "", "女", "13911113333", "", "配偶", MAIN, "A"],
]
CELL = st.text(max_size=14) | st.sampled_from(
    ["", "1988-02-30", "男女", "19911112222", "13911112222", MAIN, "X" * 18, "=1+1", "配偶", "本人"]
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str, str]]:
    store = open_store(tmp_path_factory.mktemp("roster") / "cscdesk.db")
    seed_demo(store, members=10, seed=7)
    with store.reading() as db:
        policy_no, employer_id = db.execute(
            "SELECT policy_no, employer_id FROM policies ORDER BY policy_no LIMIT 1"
        ).fetchone()
    yield store, employer_id, policy_no
    store.close()


def _dump(store: Store) -> list[tuple[object, ...]]:
    with store.reading() as db:
        return [(t, *row) for t in db.table_names() for row in db.execute(f"SELECT * FROM [{t}]")]


def _import(seeded: tuple[Store, str, str], name: str, content: bytes) -> None:
    store, employer_id, policy_no = seeded
    before = _dump(store)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            report = import_roster(store, path, employer_id=employer_id, policy_no=policy_no)
        except RosterConfigError as error:
            assert str(error)
            assert _dump(store) == before
            return
    if not report.ok:
        assert all(e.row >= 1 and e.column and e.reason for e in report.errors)
        assert _dump(store) == before  # nothing half-written
        for number in (MAIN, "13911112222"):
            assert number not in "\n".join(report.lines())  # the report masks them


@FILE_FUZZ
@given(data=st.data())
def test_a_corrupted_csv_roster_is_reported_never_crashes(
    data: st.DataObject, seeded: tuple[Store, str, str]
) -> None:
    rows = [list(r) for r in GOOD]
    for row in rows:
        for i in range(len(row)):
            if data.draw(st.integers(0, 5), label="corrupt?") == 0:
                row[i] = data.draw(CELL, label=HEADER[i])
    header = list(HEADER)
    if data.draw(st.integers(0, 9), label="drop column?") == 0:
        header.pop(data.draw(st.integers(0, len(header) - 1)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    _import(seeded, "roster.csv", out.getvalue().encode("utf-8"))


@FILE_FUZZ
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_as_a_roster_are_a_clear_error(
    content: bytes, seeded: tuple[Store, str, str]
) -> None:
    _import(seeded, "roster.csv", content)
    _import(seeded, "roster.xlsx", content)


@FILE_FUZZ
@given(data=st.data())
def test_odd_cell_types_in_an_xlsx_roster_are_reported(
    data: st.DataObject, seeded: tuple[Store, str, str]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for good in GOOD:
        row: list[object] = list(good)
        for i in range(len(row)):
            if data.draw(st.integers(0, 4), label="corrupt?") == 0:
                row[i] = data.draw(
                    st.integers() | st.floats(allow_nan=False) | st.dates() | st.none()
                    | st.sampled_from(["", "1988-02-30", MAIN]),
                    label=HEADER[i],
                )  # fmt: skip
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    _import(seeded, "roster.xlsx", buffer.getvalue())
