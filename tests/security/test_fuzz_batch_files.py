"""Insurer daily extracts (CSV/XLSX) are outside data: a corrupted file is rejected with file,
row and column named, never a crash, and a rejected file leaves the store exactly as it was."""

from __future__ import annotations

import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from cscdesk.insurers.batch_import import CLAIM_COLUMNS, import_directory
from cscdesk.store import Store, open_store

from .fuzz import FILE_FUZZ

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD_ROW = {
    "claim_no": "AH-C-1",
    "policy_no": "AH-GP-1",
    "member_ref": "M0001",
    "accident_date": "2026-02-10",
    "reported_at": "2026-02-11 10:00:00",
    "stage": "审核",
    "amount_claimed": "3250.50",
    "amount_paid": "",
    "hospital": "协和",
    "case_no": "CASE-1",
    "settlement_no": "",
    "refusal_reason": "",
    "stage_changed_at": "2026-02-20 15:00:00",
    "decided_at": "",
    "paid_at": "",
}
CELL = st.text(max_size=12) | st.sampled_from(
    ["", "2026-02-30", "-1", "1e999", "NaN", "拒赔?", "2026-02-11 25:61:00", "=cmd|' /C calc'!A0"]
)


def _dump(store: Store) -> list[tuple[object, ...]]:
    """Every row of every table: a rejected file must leave all of them as they were."""
    with store.reading() as db:
        return [(t, *row) for t in db.table_names() for row in db.execute(f"SELECT * FROM [{t}]")]


def _import_and_check(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        good, bad = root / "good", root / "bad"
        good.mkdir()
        bad.mkdir()
        _write_csv(good / "anhe_claims_20260228.csv", [GOOD_ROW])
        store = open_store(root / "cscdesk.db")
        assert import_directory(store, good, NOW).ok
        before = _dump(store)
        (bad / name).write_bytes(content)
        report = import_directory(store, bad, NOW)
        (outcome,) = report.outcomes
        assert outcome.status in ("imported", "rejected", "skipped")
        if outcome.status == "rejected":
            assert name in outcome.detail
            assert _dump(store) == before  # nothing half-written
        store.close()


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    lines = [",".join(CLAIM_COLUMNS)]
    lines += [",".join(f'"{r[c]}"' for c in CLAIM_COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_one_bad_row_rejects_the_file_naming_row_and_column(tmp_path: Path) -> None:
    store = open_store(tmp_path / "cscdesk.db")
    _write_csv(
        tmp_path / "anhe_claims_20260301.csv",
        [GOOD_ROW, dict(GOOD_ROW, claim_no="AH-C-2", amount_claimed="abc")],
    )
    (outcome,) = import_directory(store, tmp_path, NOW).outcomes
    assert outcome.status == "rejected"
    assert "row 3" in outcome.detail and "amount_claimed" in outcome.detail
    with store.reading() as db:
        assert db.execute("SELECT count(*) FROM insurer_batch_rows").fetchone() == (0,)
    store.close()


@FILE_FUZZ
@given(data=st.data(), rows=st.integers(min_value=1, max_value=4))
def test_corrupted_csv_cells_reject_the_whole_file_and_change_nothing(
    data: st.DataObject, rows: int
) -> None:
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(CLAIM_COLUMNS)
    for i in range(rows):
        row = dict(GOOD_ROW, claim_no=f"AH-C-{i + 10}")
        for column in CLAIM_COLUMNS:
            if data.draw(st.integers(0, 6), label="corrupt?") == 0:
                row[column] = data.draw(CELL, label=column)
        writer.writerow([row[c] for c in CLAIM_COLUMNS])
    _import_and_check("anhe_claims_20260301.csv", out.getvalue().encode("utf-8"))


@FILE_FUZZ
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_as_a_csv_or_xlsx_are_rejected_cleanly(content: bytes) -> None:
    _import_and_check("anhe_claims_20260301.csv", content)
    _import_and_check("anhe_policies_20260301.xlsx", content)


PRINTABLE = st.text(st.characters(min_codepoint=32, exclude_categories=["Cs"]), max_size=12)
XLSX_CELL = (
    PRINTABLE
    | st.sampled_from(["", "2026-02-30", "-1", "1e999"])
    | st.integers()
    | st.floats(allow_nan=False)
    | st.none()
    | st.dates()
)


@FILE_FUZZ
@given(data=st.data())
def test_corrupted_xlsx_cells_are_rejected_cleanly(data: st.DataObject) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(CLAIM_COLUMNS))
    row: list[object] = [GOOD_ROW[c] for c in CLAIM_COLUMNS]
    for i in range(len(row)):
        if data.draw(st.integers(0, 4), label="corrupt?") == 0:
            row[i] = data.draw(XLSX_CELL, label=CLAIM_COLUMNS[i])
    sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    _import_and_check("anhe_claims_20260301.xlsx", buffer.getvalue())
