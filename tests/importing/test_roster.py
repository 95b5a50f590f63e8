"""Roster import: every row checked, all or nothing, full error report, idempotent, dry run."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from stdnum.cn import ric

from cscdesk.domain.models import Relation
from cscdesk.importing.roster import RosterConfigError, import_roster
from cscdesk.store import Store, open_store

HEADER = [
    "姓名",
    "证件类型",
    "证件号码",
    "出生日期",
    "性别",
    "手机号",
    "工号",
    "与主被保险人关系",
    "主被保险人证件号",
    "计划",
]


def rid(birth: date, seq: int, region: str = "110105") -> str:
    """A valid resident ID; odd ``seq`` is a man."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


MAIN = rid(date(1988, 5, 20), 11)
SPOUSE = rid(date(1990, 7, 1), 22)
CHILD = rid(date(2016, 9, 9), 33)


def good_rows() -> list[list[str]]:
    return [
        ["赵一鸣", "居民身份证", MAIN, "1988-05-20", "男", "13911112222", "X9001", "本人", "", "A"],
        ["钱晓", "", SPOUSE, "", "女", "139 1111 3333", "", "配偶", MAIN, "A"],
        ["赵小小", "居民身份证", CHILD, "2016/09/09", "", "", "", "子女", MAIN, ""],
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def policy_of(store: Store, employer_id: str) -> str:
    member = next(m for m in store.members.all() if m.employer_id == employer_id)
    return store.policies.for_member(member.id)[0].policy_no


def test_valid_roster_imports_families_with_their_policy(store: Store, tmp_path: Path) -> None:
    policy_no = policy_of(store, "G1")
    before = store.members.count()
    report = import_roster(
        store, write_csv(tmp_path / "r.csv", good_rows()), employer_id="G1", policy_no=policy_no
    )
    assert report.ok, report.lines()
    assert (report.rows, report.added, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert store.members.count() == before + 3
    (main,) = store.members.by_id_number(MAIN)
    assert (main.mobile, main.employee_no, main.relation) == ("13911112222", "X9001", Relation.SELF)
    family = store.members.dependants_of(main.id)
    assert {m.relation for m in family} == {Relation.SPOUSE, Relation.CHILD}
    assert {m.mobile for m in family} == {"13911113333", None}
    (spouse,) = store.members.by_id_number(SPOUSE)
    assert spouse.birth_date == date(1990, 7, 1)  # taken from the ID number
    (policy,) = store.policies.for_member(main.id)
    assert policy.policy_no == policy_no and policy.coverages  # plan A's liabilities
    assert [m.id for m in store.members.search("赵一鸣")] == [main.id]


def test_reimport_changes_nothing_and_a_changed_row_is_an_update(
    store: Store, tmp_path: Path
) -> None:
    policy_no = policy_of(store, "G1")
    path = write_csv(tmp_path / "r.csv", good_rows())
    import_roster(store, path, employer_id="G1", policy_no=policy_no)
    before = (
        store.members.count(),
        [list(store.policies.for_member(m.id)) for m in store.members.by_id_number(MAIN)],
    )
    again = import_roster(store, path, employer_id="G1", policy_no=policy_no)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    after = (
        store.members.count(),
        [list(store.policies.for_member(m.id)) for m in store.members.by_id_number(MAIN)],
    )
    assert after == before
    rows = good_rows()
    rows[0][5] = "13800001111"
    changed = import_roster(
        store, write_csv(tmp_path / "r2.csv", rows), employer_id="G1", policy_no=policy_no
    )
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 2)
    assert store.members.by_id_number(MAIN)[0].mobile == "13800001111"


def test_one_bad_row_imports_nothing_and_every_problem_is_listed(
    store: Store, tmp_path: Path
) -> None:
    policy_no = policy_of(store, "G1")
    elsewhere = next(m for m in store.members.all() if m.employer_id == "G2")
    wrong_check = MAIN[:-1] + ("0" if MAIN[-1] != "0" else "1")
    rows: list[list[object]] = [
        *good_rows(),
        ["孙错", "", wrong_check, "", "", "13911114444", "", "本人", "", ""],  # row 5
        [
            "李日",
            "",
            rid(date(1970, 1, 2), 15),
            "1970-02-01",
            "男",
            "13911115555",
            "",
            "本人",
            "",
            "",
        ],  # row 6: birth date differs from the ID
        [
            "周性",
            "",
            rid(date(1971, 3, 4), 17),
            date(1971, 3, 4),
            "女",
            "13911116666",
            "",
            "本人",
            "",
            "",
        ],  # row 7: sex differs
        ["吴号", "", rid(date(1972, 3, 4), 19), "", "", "1234567", "", "本人", "", ""],  # row 8
        [
            "郑期",
            "",
            rid(date(1973, 3, 4), 21),
            "2024-13-45",
            "",
            "13911117777",
            "",
            "本人",
            "",
            "",
        ],  # row 9: not a date
        ["赵重", "", MAIN, "", "", "13911118888", "", "本人", "", ""],  # row 10: twice in file
        [
            "王依",
            "",
            rid(date(2015, 1, 1), 41),
            "",
            "",
            "",
            "",
            "子女",
            rid(date(1960, 1, 1), 43),
            "",
        ],  # row 11: main insured unknown
        [elsewhere.name, "", elsewhere.id_number, "", "", "13911119999", "", "本人", "", ""],
        ["", "", rid(date(1974, 3, 4), 23), "", "", "13911110000", "", "兄弟", "", ""],  # row 13
    ]
    before = store.members.count()
    report = import_roster(
        store, write_xlsx(tmp_path / "bad.xlsx", rows), employer_id="G1", policy_no=policy_no
    )
    assert not report.ok
    assert store.members.count() == before  # the three good rows were not imported either
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (5, "证件号码"),
        (6, "出生日期"),
        (7, "性别"),
        (8, "手机号"),
        (9, "出生日期"),
        (10, "证件号码"),
        (11, "主被保险人证件号"),
        (12, "证件号码"),
        (13, "姓名"),
        (13, "与主被保险人关系"),
    }
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "check character" in reasons[(5, "证件号码")]
    assert "also in row 2" in reasons[(10, "证件号码")]
    assert "already insured under employer G2" in reasons[(12, "证件号码")]
    text = "\n".join(report.lines())
    assert "nothing was imported" in text
    for number in (MAIN, elsewhere.id_number, wrong_check):
        assert number not in text  # ID numbers are masked in the report


def test_dry_run_validates_but_writes_nothing(store: Store, tmp_path: Path) -> None:
    policy_no = policy_of(store, "G1")
    before = store.members.count()
    report = import_roster(
        store,
        write_csv(tmp_path / "r.csv", good_rows()),
        employer_id="G1",
        policy_no=policy_no,
        dry_run=True,
    )
    assert report.ok and report.added == 3
    assert store.members.count() == before and store.members.by_id_number(MAIN) == []


def test_missing_required_column_and_unknown_policy(store: Store, tmp_path: Path) -> None:
    policy_no = policy_of(store, "G1")
    header = [h for h in HEADER if h != "证件号码"]
    rows = [[c for i, c in enumerate(r) if HEADER[i] != "证件号码"] for r in good_rows()]
    report = import_roster(
        store, write_csv(tmp_path / "r.csv", rows, header), employer_id="G1", policy_no=policy_no
    )
    assert [str(e) for e in report.errors] == ["row 1, 证件号码: required column is missing"]
    with pytest.raises(RosterConfigError, match="not in the store"):
        import_roster(store, tmp_path / "r.csv", employer_id="G1", policy_no="NOPE")
    with pytest.raises(RosterConfigError, match="belongs to employer 'G1'"):
        import_roster(store, tmp_path / "r.csv", employer_id="G2", policy_no=policy_no)


def test_english_headers_are_accepted(store: Store, tmp_path: Path) -> None:
    header = [
        "name",
        "id_type",
        "id_number",
        "birth_date",
        "sex",
        "mobile",
        "employee_no",
        "relation",
        "main_id_number",
        "plan_tier",
    ]
    rows = [
        [*r[:7], {"本人": "self", "配偶": "spouse", "子女": "child"}[r[7]], *r[8:]]
        for r in good_rows()
    ]
    report = import_roster(
        store,
        write_csv(tmp_path / "en.csv", rows, header),
        employer_id="G1",
        policy_no=policy_of(store, "G1"),
    )
    assert report.ok and report.added == 3


def test_cli_exit_status_and_report(store_path: Path, tmp_path: Path) -> None:
    from cscdesk.cli import main

    with open_store(store_path) as store:
        policy_no = policy_of(store, "G1")
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{store_path}"\n', encoding="utf-8")
    good = write_csv(tmp_path / "good.csv", good_rows())
    bad = write_csv(
        tmp_path / "bad.csv", [*good_rows(), ["", "", "123", "", "", "", "", "", "", ""]]
    )
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, ["--config", str(config), "import", "roster", *args])
        return result.exit_code, result.output

    code, out = run(str(bad), "--employer", "G1", "--policy", policy_no)
    assert code == 1 and "row 5, 姓名" in out and "nothing was imported" in out
    code, out = run(str(good), "--employer", "G1", "--policy", policy_no, "--dry-run")
    assert code == 0 and "3 added" in out and "dry run" in out
    code, out = run(str(good), "--employer", "G1", "--policy", policy_no)
    assert code == 0 and "3 added" in out
    code, out = run(str(good), "--employer", "G1", "--policy", policy_no)
    assert code == 0 and "3 unchanged" in out
    code, out = run(str(good), "--employer", "NOPE", "--policy", policy_no)
    assert code == 2 and "employer 'NOPE'" in out
    code, out = run(str(tmp_path / "r.txt"), "--employer", "G1", "--policy", policy_no)
    assert code == 2 and "no such file" in out
