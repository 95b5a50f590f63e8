"""Rosters as Chinese HR departments send them: GBK CSV, Excel "Unicode text", old .xls, title
rows and two-row headers, Excel dates, full-width digits; and what must still be refused."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import xlwt  # test dependency: writes real BIFF8 .xls files as old Excel does
from openpyxl import Workbook

from cscdesk.importing.roster import import_roster
from cscdesk.store import Store

from .test_roster import HEADER, MAIN, good_rows, policy_of

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _csv_text(rows: list[list[object]], header: list[str] = HEADER, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _import(store: Store, path: Path):  # type: ignore[no-untyped-def]
    return import_roster(store, path, employer_id="G1", policy_no=policy_of(store, "G1"))


def _mains(store: Store) -> dict[str, str | None]:
    return {MAIN: store.members.by_id_number(MAIN)[0].mobile}


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("gbk.csv", lambda text: text.encode("gbk")),
        ("gb18030.csv", lambda text: text.replace("赵一鸣", "赵䶮").encode("gb18030")),
        ("utf8.csv", lambda text: text.encode("utf-8")),
        ("utf16.txt", lambda text: text.replace(",", "\t").encode("utf-16")),
        ("utf16le.csv", lambda text: text.encode("utf-16-le")),
    ],
)
def test_csv_in_every_encoding_excel_writes_imports(
    store: Store, tmp_path: Path, name: str, encode
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(encode(_csv_text(good_rows())))
    report = _import(store, path)
    assert report.ok, report.lines()
    assert report.added == 3
    main = store.members.by_id_number(MAIN)[0]
    assert main.name in ("赵一鸣", "赵䶮")  # 䶮: a GB18030-only character, read intact


def test_an_xls_workbook_imports(store: Store, tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    sheet.write_merge(0, 0, 0, 9, "某某科技有限公司 2026年度 被保险人清单")
    for col, title in enumerate(HEADER):
        sheet.write(1, col, title)
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(good_rows(), start=2):
        for col, value in enumerate(row):
            if col == 3 and value:
                sheet.write(r, col, date.fromisoformat(value.replace("/", "-")), dated)
            else:
                sheet.write(r, col, value)
    path = tmp_path / "roster.xls"
    book.save(str(path))
    report = _import(store, path)
    assert report.ok, report.lines()
    assert report.added == 3


def test_title_rows_two_row_headers_starred_names_and_excel_dates(
    store: Store, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年度员工福利保险 被保险人清单"])
    sheet.merge_cells("A1:J1")
    sheet.append(["填表日期：2026-02-01"])
    sheet.append(["基本信息", None, None, None, None, "联系方式", None, "家属信息"])
    sheet.append(["姓名*", "证件类型", "证件号码*", "出生日期", "性别", "手机号", "工号",
                  "与主被保险人关系", "主被保险人证件号", "计划（选填）"])  # fmt: skip
    main, spouse, child = good_rows()
    main[3] = 32283  # 1988-05-20 as an Excel serial number
    spouse[3] = "1990年7月1日"
    child[3] = "２０１６年９月９日"
    for row in (main, spouse, child):
        sheet.append(row)
    path = tmp_path / "two-row-header.xlsx"
    book.save(path)
    report = _import(store, path)
    assert report.ok, report.lines()
    assert store.members.by_id_number(MAIN)[0].birth_date == date(1988, 5, 20)


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC])
def test_mobiles_typed_in_other_digits_are_stored_as_ascii(
    store: Store, tmp_path: Path, digits: dict[int, str]
) -> None:
    rows = good_rows()
    rows[0][5] = "13911112222".translate(digits)
    rows[0][2] = MAIN.translate(digits)
    path = tmp_path / "wide.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    report = _import(store, path)
    assert report.ok, report.lines()
    assert _mains(store) == {MAIN: "13911112222"}
    assert [m.name for m in store.members.by_mobile("13911112222")] == ["赵一鸣"]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (0, "赵\x00一鸣", "row 2, 姓名: contains the control character U+0000 (NUL)"),
        (6, "X90\x0701", "row 2, 工号: contains the control character U+0007"),
        (2, "1.10105E+17", "row 2, 证件号码: Excel stored it as a number"),
    ],
)
def test_control_characters_and_excel_mangled_ids_are_refused(
    store: Store, tmp_path: Path, column: int, value: str, expected: str
) -> None:
    rows = good_rows()
    rows[0][column] = value
    path = tmp_path / "bad.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    before = store.members.count()
    report = _import(store, path)
    assert not report.ok and store.members.count() == before
    assert any(str(e).startswith(expected) for e in report.errors), report.lines()


def test_an_id_number_stored_as_a_float_in_xlsx_says_how_to_fix_it(
    store: Store, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    main, spouse, child = good_rows()
    main[2] = float(MAIN[:-1] + "0")  # what Excel keeps of 18 digits typed into a number cell
    for row in (main, spouse, child):
        sheet.append(row)
    path = tmp_path / "float.xlsx"
    book.save(path)
    report = _import(store, path)
    text = "\n".join(report.lines())
    assert not report.ok
    assert "row 2, 证件号码: Excel stored it as a number" in text
    assert "文本" in text and MAIN[:14] not in text


def test_text_in_no_known_encoding_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes("姓名,证件号码\n".encode() + b"\x80\xff,1\n")  # neither UTF-8 nor GB18030
    from cscdesk.importing.roster import RosterConfigError

    with pytest.raises(RosterConfigError, match="GBK"):
        _import(store, path)


@pytest.mark.parametrize(
    "content",
    [
        b"\x00",  # one NUL byte: looks like UTF-16, is not
        "姓名,证件号码\n".encode("utf-16") + b"\x00",  # UTF-16 cut off mid-character
        "姓名\n".encode("utf-16-le") + b"\x00\xdc\x00\x00",  # a lone surrogate
    ],
)
def test_broken_utf16_text_is_a_clear_error_naming_the_file(
    store: Store, tmp_path: Path, content: bytes
) -> None:
    from cscdesk.importing.roster import RosterConfigError

    path = tmp_path / "名单.csv"
    path.write_bytes(content)
    with pytest.raises(RosterConfigError, match=r"名单\.csv: not text in UTF-8, UTF-16"):
        _import(store, path)


def test_a_dependant_listed_before_the_main_insured_imports(store: Store, tmp_path: Path) -> None:
    main, spouse, child = good_rows()
    path = tmp_path / "order.csv"
    path.write_text(_csv_text([child, spouse, main]), encoding="utf-8")
    report = _import(store, path)
    assert report.ok, report.lines()
    (head,) = store.members.by_id_number(MAIN)
    assert {m.name for m in store.members.dependants_of(head.id)} == {"钱晓", "赵小小"}


def test_progress_is_reported_while_checking_and_writing(store: Store, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []
    path = tmp_path / "roster.csv"
    path.write_text(_csv_text(good_rows()), encoding="utf-8")
    report = import_roster(
        store, path, employer_id="G1", policy_no=policy_of(store, "G1"),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )  # fmt: skip
    assert report.ok
    assert seen[0] == ("checking", 3, None)
    assert seen[-1] == ("writing", 3, 3)


def test_the_bar_moves_through_a_file_of_bad_rows_too(store: Store, tmp_path: Path) -> None:
    """100,000 rows with a mistyped check digit once showed no bar for a minute and a half:
    checking reported only batches of valid rows. Now it reports every batch of rows read."""
    from cscdesk.importing.roster import BATCH

    main = good_rows()[0]
    bad = [[main[0], main[1], MAIN[:-1] + ("0" if MAIN[-1] != "0" else "1"), *main[3:]]]
    path = tmp_path / "bad.csv"
    path.write_text(_csv_text(bad * (2 * BATCH + 5)), encoding="utf-8")
    seen: list[tuple[str, int, int | None]] = []
    report = import_roster(
        store, path, employer_id="G1", policy_no=policy_of(store, "G1"),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )  # fmt: skip
    assert not report.ok
    assert seen[:2] == [("checking", BATCH, None), ("checking", 2 * BATCH, None)]


def test_a_number_in_a_row_message_is_masked_but_a_policy_code_is_not() -> None:
    from cscdesk.importing.roster import RowError

    text = str(RowError(3, "姓名", f"{MAIN} / 13811112222 already under AN2026000004"))
    assert MAIN not in text and "13811112222" not in text
    assert MAIN[:6] in text and "138****2222" in text and "AN2026000004" in text
