"""Daily extracts: a bad row rejects its whole file and says where; re-imports change nothing;
a newer extract updates claim stages and an older one never rolls them back."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import xlwt  # test dependency: writes real BIFF8 .xls files as old Excel does
from openpyxl import load_workbook

from cscdesk.domain.models import ClaimStage
from cscdesk.insurers.batch_import import CLAIM_COLUMNS, find_records, import_directory
from cscdesk.insurers.sim import InsurerSimHandles
from cscdesk.insurers.sim.runner import start_insurer_sims

from .conftest import quiet_profiles

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _all_of_anhe(store: Any, sims: InsurerSimHandles) -> Any:
    return find_records(
        store,
        "anhe",
        member_ids=tuple(sims.batch_book.people),
        policy_no=None,
        claim_no=None,
    )


def _corrupt_csv(path: Path, row: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[row - 2][column] = value
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_bad_row_rejects_its_file_naming_row_and_column(
    sims: InsurerSimHandles, store: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    policies, claims = sims.write_batch(folder, date(2026, 11, 23))
    assert len(sims.batch_book.policies) >= 3, "demo data gives 安和 several policies"
    _corrupt_csv(policies, 4, "start", "2026-02-30")

    report = import_directory(store, folder, NOW)

    outcomes = {o.file_name: o for o in report.outcomes}
    rejected = outcomes[policies.name]
    assert rejected.status == "rejected" and not report.ok
    assert "row 4" in rejected.detail and "column start" in rejected.detail
    assert outcomes[claims.name].status == "imported"  # files stand or fall alone
    answer = _all_of_anhe(store, sims)
    assert answer.policies == ()  # nothing from the bad file
    assert len(answer.claims) == len(sims.batch_book.claims)


def test_importing_the_same_files_twice_changes_nothing(
    sims: InsurerSimHandles, store: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    sims.write_batch(folder, date(2026, 11, 23))
    first = import_directory(store, folder, NOW)
    before = _all_of_anhe(store, sims)
    second = import_directory(store, folder, NOW + timedelta(hours=1))

    assert first.count("imported") == 2
    assert second.count("skipped") == 2 and second.count("imported") == 0
    assert _all_of_anhe(store, sims) == before
    assert {p.policy_no for p in before.policies} == {p.policy_no for p in sims.batch_book.policies}


def test_a_restarted_insurer_simulator_writes_the_days_extract_byte_for_byte_again(
    sims: InsurerSimHandles, store: Any, store_path: Path, tmp_path: Path
) -> None:
    """openpyxl stamps the zip entries and docProps with the moment of saving: a restart made
    the same day's claims workbook a "new" file under another checksum, imported twice."""
    day = date(2026, 11, 23)
    first = {p.name: p.read_bytes() for p in sims.write_batch(tmp_path / "before", day)}
    assert import_directory(store, tmp_path / "before", NOW).count("imported") == 2
    again = start_insurer_sims(store_path, seed=7, profiles=quiet_profiles())
    try:
        written = again.write_batch(tmp_path / "after", day)
    finally:
        again.stop()
    assert {p.name: p.read_bytes() for p in written} == first
    for path in written:  # the restart's files are the same files: nothing new to import
        path.replace(tmp_path / "before" / path.name)
    assert import_directory(store, tmp_path / "before", NOW).count("skipped") == 2
    (claims,) = [p for p in written if p.suffix == ".xlsx"]
    with zipfile.ZipFile(io.BytesIO(first[claims.name])) as workbook:
        assert {i.date_time for i in workbook.infolist()} == {(2026, 11, 23, 0, 0, 0)}
        core = workbook.read("docProps/core.xml").decode()
    assert core.count("2026-11-23T00:00:00Z") == 2  # created and modified: the extract's day


def test_a_newer_extract_moves_claims_on_and_an_older_one_does_not_roll_back(
    sims: InsurerSimHandles, store: Any, tmp_path: Path
) -> None:

    start_stages = {c.claim_no: c.stage for c in sims.batch_book.claims}
    assert start_stages, "demo data gives 安和 some claims"
    import_directory(store, _extract(sims, tmp_path / "d1", date(2026, 11, 23)), NOW)

    sims.advance(timedelta(days=120))
    import_directory(store, _extract(sims, tmp_path / "d2", date(2026, 11, 24)), NOW)
    later = {c.claim_no: c.stage for c in _all_of_anhe(store, sims).claims}
    assert set(later.values()) <= {ClaimStage.PAID, ClaimStage.REFUSED}

    old = tmp_path / "d1"
    for path in old.iterdir():  # a re-sent old extract under a new checksum
        path.rename(path.with_name(path.name.replace("20261123", "20261122")))
    (old / "anhe_policies_20261122.csv").write_text(
        (old / "anhe_policies_20261122.csv").read_text(encoding="utf-8-sig") + "\n",
        encoding="utf-8-sig",
    )
    import_directory(store, old, NOW)
    after = _all_of_anhe(store, sims)
    assert {c.claim_no: c.stage for c in after.claims} == later
    assert after.extract_date == date(2026, 11, 24)


def test_unreadable_or_misnamed_files_are_rejected_with_a_reason(
    store: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "anhe_claims_20261124.xlsx").write_bytes(b"this is not a workbook")
    (folder / "claims-latest.csv").write_text("claim_no\n1\n", encoding="utf-8")
    (folder / "anhe_policies_20261124.csv").write_text(
        "policy_no,product\nP1,x\n", encoding="utf-8"
    )

    report = import_directory(store, folder, NOW)

    details = {o.file_name: o.detail for o in report.outcomes}
    assert all(o.status == "rejected" for o in report.outcomes)
    assert "cannot be read as a spreadsheet" in details["anhe_claims_20261124.xlsx"]
    assert "name must be" in details["claims-latest.csv"]
    assert "sub_policy_no" in details["anhe_policies_20261124.csv"]


def _extract(sims: InsurerSimHandles, folder: Path, day: date) -> Path:
    sims.write_batch(folder, day)
    return folder


def _policies_seen(answer: Any) -> dict[str, tuple[Any, ...]]:
    return {p.policy_no: (p.product, p.status, p.start, p.end, p.coverages) for p in answer}


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("gbk", ","), ("gb18030", ","), ("utf-16", "\t")],  # as Excel saves CSV / "Unicode text"
)
def test_policy_extracts_in_every_encoding_excel_writes_import_intact(
    sims: InsurerSimHandles, store: Any, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    folder = tmp_path / "in"
    policies, claims = sims.write_batch(folder, date(2026, 11, 23))
    claims.unlink()
    with policies.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with policies.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)

    report = import_directory(store, folder, NOW)

    assert report.ok, [o.detail for o in report.outcomes]
    assert _policies_seen(_all_of_anhe(store, sims).policies) == _policies_seen(
        sims.batch_book.policies
    )  # Chinese products, statuses and coverage names read back as sent


def test_a_claims_extract_as_an_old_xls_workbook_imports(
    sims: InsurerSimHandles, store: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    policies, claims = sims.write_batch(folder, date(2026, 11, 23))
    policies.unlink()
    sheet = load_workbook(claims, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    claims.unlink()
    book = xlwt.Workbook()
    out = book.add_sheet("理赔")
    out.write(0, 0, "安和保险 理赔数据")  # a title row above the header, as insurers send them
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            out.write(r, c, value)
    book.save(str(folder / "anhe_claims_20261123.xls"))

    report = import_directory(store, folder, NOW)

    assert report.ok, [o.detail for o in report.outcomes]
    seen = {
        c.claim_no: (c.stage, c.hospital, c.amount_claimed)
        for c in _all_of_anhe(store, sims).claims
    }
    sent = {c.claim_no: (c.stage, c.hospital, c.amount_claimed) for c in sims.batch_book.claims}
    assert seen == sent and seen


def test_an_excel_mangled_claim_number_is_refused_saying_how_to_fix_it(
    store: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "anhe_claims_20261124.csv").write_text(
        ",".join(CLAIM_COLUMNS)
        + "\n1.10105E+17,P1,M1,2026-11-01,2026-11-02 09:00:00,报案,100"
        + "," * (len(CLAIM_COLUMNS) - 7)
        + "\n",
        encoding="gbk",
    )

    report = import_directory(store, folder, NOW)

    (outcome,) = report.outcomes
    assert outcome.status == "rejected"
    assert "row 2, column claim_no" in outcome.detail and "文本" in outcome.detail
