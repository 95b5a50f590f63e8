"""Roster import (被保险人清单): the member lists employers send for a group policy.

Rosters arrive as spreadsheets typed by hand, so every row is checked before anything is
written: required columns, resident ID checksum, birth date and sex against the ID, mobile
format, dates, duplicates within the file and against the store, and that each dependant's main
insured is known. One bad row imports nothing, and the report names row, column and reason for
every bad row. Importing the same roster again changes nothing.

Messages never show a whole ID number or mobile: they are masked as on the desk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cscdesk.domain.models import IdType, Member, Policy, PolicyStatus, Relation, Sex
from cscdesk.domain.privacy import (
    InvalidIdNumber,
    is_valid_mobile,
    mask_id_number,
    mask_mobile,
    normalise_mobile,
    validate_resident_id,
)
from cscdesk.importing import tabular
from cscdesk.importing.progress import AUTO, Progress, reporting

if TYPE_CHECKING:
    from cscdesk.store import Store

# canonical column → accepted header spellings (compared without spaces, case-insensitive)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "被保险人姓名"),
    "id_type": ("证件类型", "id_type", "idtype"),
    "id_number": ("证件号码", "id_number", "idnumber", "身份证号", "身份证号码"),
    "birth_date": ("出生日期", "birth_date", "birthdate", "birthday"),
    "sex": ("性别", "sex", "gender"),
    "mobile": ("手机号", "mobile", "手机号码", "phone"),
    "employee_no": ("工号", "employee_no", "employeeno", "员工编号"),
    "relation": ("与主被保险人关系", "relation", "关系"),
    "main_id_number": ("主被保险人证件号", "main_id_number", "mainidnumber", "主被保险人证件号码"),
    "plan_tier": ("计划", "plan_tier", "plantier", "plan", "保障计划"),
}
REQUIRED = ("name", "id_number")
LABELS = {key: names[0] for key, names in COLUMNS.items()}
ID_TYPES = {
    "居民身份证": IdType.RESIDENT_ID, "身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT, "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT, "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
    **{t.value: t for t in IdType},
}  # fmt: skip
RELATIONS = {
    "本人": Relation.SELF, "配偶": Relation.SPOUSE, "子女": Relation.CHILD, "父母": Relation.PARENT,
    **{r.value: r for r in Relation},
}  # fmt: skip
SEXES = {"男": Sex.MALE, "女": Sex.FEMALE, "m": Sex.MALE, "f": Sex.FEMALE,
         "male": Sex.MALE, "female": Sex.FEMALE}  # fmt: skip
NUMBER_LIKE = ("id_number", "mobile", "employee_no", "main_id_number", "birth_date")


class RosterConfigError(ValueError):
    """The import cannot start: unreadable file, unknown employer or policy (exit status 2)."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # spreadsheet row number: the header is row 1
    column: str
    reason: str

    def __str__(self) -> str:
        # a mobile or ID number typed into another column is still never shown whole
        return _masked(f"row {self.row}, {self.column}: {self.reason}", _STANDALONE_DIGITS)


@dataclass
class RosterReport:
    path: Path
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        head = f"{self.path.name}: {self.rows} rows"
        if self.errors:
            return [
                f"{head}, {len(self.errors)} problem(s); nothing was imported",
                *(f"  {e}" for e in self.errors),
            ]
        verb = "would be" if self.dry_run else "were"
        return [
            f"{head} valid; {self.added} added, {self.updated} updated, {self.unchanged} unchanged"
            + (f" ({verb} written: dry run, nothing changed)" if self.dry_run else "")
        ]


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    member: Member
    main_id_number: str | None


# ---------------------------------------------------------------------------------- reading
def _text(value: Any) -> str:
    return tabular.to_text(value)


_LONG_DIGITS = re.compile(r"\d{7,}[\dXx]?")
# in a whole message: a long number on its own, not one inside a code such as AN2026000004
_STANDALONE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{7,}[\dXx]?(?![0-9A-Za-z])")


def _masked(text: str, numbers: re.Pattern[str] = _LONG_DIGITS) -> str:
    """``text`` with every long number masked as on the desk: 15 digits or more as an ID
    number, shorter as a mobile. Done here rather than by the log redactor of ``security``,
    which sits above this package (insurer batches read files through ``tabular``)."""
    return numbers.sub(
        lambda m: mask_id_number(m.group()) if len(m.group()) >= 15 else mask_mobile(m.group()),
        text,
    )


def _shown(text: str) -> str:
    """A cell value quoted back in a message, with any long number masked (it may be an ID
    number or a mobile typed into the wrong column)."""
    return repr(_masked(text))


# ---------------------------------------------------------------------------------- checks
def _check_row(
    number: int, cells: dict[str, Any], employer_id: str, today: date
) -> tuple[_Row | None, list[RowError]]:
    errors: list[RowError] = []

    def bad(key: str, reason: str) -> None:
        errors.append(RowError(number, LABELS[key], reason))

    for key, value in cells.items():
        control = tabular.control_character(value)
        if control is not None:
            bad(key, f"contains the control character {control}: retype the cell")
    if errors:
        return None, errors
    for key in ("id_number", "main_id_number"):
        if tabular.mangled_number(cells.get(key)):
            bad(key, tabular.MANGLED_NUMBER_HELP)
    if errors:
        return None, errors
    cells = {k: tabular.number_text(v) if k in NUMBER_LIKE and isinstance(v, str) else v
             for k, v in cells.items()}  # fmt: skip
    name = _text(cells.get("name"))
    if not name:
        bad("name", "required, but empty")
    id_type_text = _text(cells.get("id_type")) or "居民身份证"
    id_type = ID_TYPES.get(id_type_text) or ID_TYPES.get(id_type_text.lower())
    if id_type is None:
        bad("id_type", f"unknown ID type {_shown(id_type_text)} (for example 居民身份证, 护照)")
    raw_id = _text(cells.get("id_number")).upper()
    birth_text, sex_text = cells.get("birth_date"), _text(cells.get("sex")).lower()
    birth = tabular.parse_date(birth_text) if _text(birth_text) else None
    if _text(birth_text) and birth is None:
        bad(
            "birth_date",
            f"not a date: {_shown(_text(birth_text))} (use 2026-03-02 or 2026年3月2日)",
        )
    elif birth is not None and not date(1900, 1, 1) <= birth <= today:
        bad("birth_date", f"{birth.isoformat()} is not a possible birth date")
    sex = SEXES.get(sex_text) if sex_text else None
    if sex_text and sex is None:
        bad("sex", f"unknown value {_shown(sex_text)} (男/女)")
    id_number = raw_id
    if not raw_id:
        bad("id_number", "required, but empty")
    elif id_type is IdType.RESIDENT_ID:
        try:
            resident = validate_resident_id(raw_id)
        except InvalidIdNumber as exc:
            bad("id_number", str(exc))
        else:
            id_number = resident.number
            if birth is not None and birth != resident.birth_date:
                bad("birth_date", f"{birth.isoformat()} differs from the ID number's birth date")
            if sex is not None and sex is not resident.sex:
                bad("sex", "differs from the sex in the ID number")
            birth = birth or resident.birth_date
            sex = sex or resident.sex
    if id_type is not None and id_type is not IdType.RESIDENT_ID:
        if birth is None and not _text(birth_text):
            bad("birth_date", f"required for {id_type_text}")
        if sex is None and not sex_text:
            bad("sex", f"required for {id_type_text}")
    relation_text = _text(cells.get("relation")) or "本人"
    relation = RELATIONS.get(relation_text) or RELATIONS.get(relation_text.lower())
    if relation is None:
        bad("relation", f"unknown value {_shown(relation_text)} (本人/配偶/子女/父母)")
    mobile_text = _text(cells.get("mobile"))
    mobile = normalise_mobile(mobile_text) if mobile_text else None
    if mobile_text and not is_valid_mobile(mobile_text):
        bad(
            "mobile",
            f"{mask_mobile(mobile_text)} is not a mainland mobile number (11 digits, 1[3-9]…)",
        )
    if relation is Relation.SELF and not mobile_text:
        bad("mobile", "required for the main insured (本人)")
    main_id = _text(cells.get("main_id_number")).upper() or None
    if relation is not None and relation is not Relation.SELF and not main_id:
        bad("main_id_number", "required for a dependant")
    if errors or id_type is None or relation is None or birth is None or sex is None:
        return None, errors
    member = Member(
        id="",
        name=name,
        id_type=id_type,
        id_number=id_number,
        birth_date=birth,
        sex=sex,
        mobile=mobile,
        employer_id=employer_id,
        employee_no=_text(cells.get("employee_no")) or None,
        relation=relation,
        plan_tier=_text(cells.get("plan_tier")) or None,
    )
    return _Row(number, member, None if relation is Relation.SELF else main_id), errors


def _same(a: Member, b: Member) -> bool:
    return a == dataclasses.replace(b, flags=a.flags)


# ---------------------------------------------------------------------------------- import
BATCH = 2000  # rows checked against the store per query, and written per statement


@dataclass(slots=True)
class _Seen:
    """What the first pass keeps of a row: a few strings, never the row itself."""

    row: int
    is_main: bool
    member_id: str


@dataclass
class _Index:
    people: dict[str, _Seen] = field(default_factory=dict)  # ID number → row, role, member id
    outside_mains: dict[str, str] = field(default_factory=dict)  # ID number → member id


def import_roster(
    store: Store,
    path: Path,
    *,
    employer_id: str,
    policy_no: str,
    dry_run: bool = False,
    today: date | None = None,
    progress: Progress | Literal["auto"] | None = AUTO,
) -> RosterReport:
    """Validate every row, then write all of them in one transaction, or none.

    The file is read twice, streaming: the first pass checks every row and keeps only each
    person's ID number, row and member id (duplicates, dependants' main insured); the second
    builds members batch by batch and writes them inside one transaction. Memory grows with
    the number of people, not with the file. ``progress`` gets ``(stage, done, total)``; the
    default draws a bar on stderr when it is a terminal."""
    path = Path(path)
    today = today or date.today()
    try:
        store.employers.get(employer_id)
    except KeyError:
        raise RosterConfigError(f"employer {employer_id!r} is not in the store") from None
    terms = store.policies.group_terms(policy_no)
    if terms is None:
        raise RosterConfigError(f"group policy {policy_no!r} is not in the store")
    if terms.employer_id != employer_id:
        raise RosterConfigError(
            f"group policy {policy_no!r} belongs to employer {terms.employer_id!r}, not {employer_id!r}"
        )
    if not path.is_file():
        raise RosterConfigError(f"{path}: no such file")
    report = RosterReport(path=path, dry_run=dry_run)
    header = _header(path)
    report.errors.extend(
        RowError(header.row, LABELS[key], "required column is missing") for key in header.missing
    )
    if report.errors:
        return report
    key = secrets.token_bytes(16)  # new member ids: the same in both passes, not guessable
    with reporting(progress) as show:
        index = _validate(store, path, header, employer_id, policy_no, today, report, key, show)
        report.errors.sort(key=lambda e: (e.row, e.column))
        if report.errors:
            return report
        if dry_run:
            _apply(store, path, header, index, terms, today, report, show, write=False)
        else:
            with store.transaction():
                _apply(store, path, header, index, terms, today, report, show, write=True)
    return report


def _header(path: Path) -> tabular.Header:
    try:
        header, _ = tabular.find_header(tabular.read_rows(path), COLUMNS, REQUIRED)
    except tabular.TableError as exc:
        raise RosterConfigError(str(exc)) from None
    return header


def _data_rows(path: Path, header: tabular.Header) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, cells by column) of every non-blank row below the header."""
    try:
        for number, values in tabular.read_rows(path):
            if number <= header.row or all(_text(v) == "" for v in values):
                continue  # title rows, the header, blank lines at the end of a sheet
            yield (
                number,
                {k: values[i] if i < len(values) else None for k, i in header.positions.items()},
            )
    except tabular.TableError as exc:
        raise RosterConfigError(str(exc)) from None


def _batches(
    path: Path, header: tabular.Header, employer_id: str, today: date, report: RosterReport | None
) -> Iterator[list[_Row]]:
    """Checked rows in batches; row problems go to ``report`` (first pass) or, when there is
    no report (second pass), mean the file changed between the passes. A batch ends every
    ``BATCH`` rows read, valid or not (it may then be short or empty), so that the progress
    bar moves through a file of bad rows too."""
    batch: list[_Row] = []
    read = 0
    for number, cells in _data_rows(path, header):
        read += 1
        row, errors = _check_row(number, cells, employer_id, today)
        if report is not None:
            report.rows += 1
            report.errors.extend(errors)
        elif errors:
            raise RosterConfigError(
                f"{path}: the file changed while importing; nothing was imported"
            )
        if row is not None:
            batch.append(row)
        if read >= BATCH:
            yield batch
            batch, read = [], 0
    if batch:
        yield batch


def _new_id(key: bytes, id_number: str) -> str:
    return "M" + hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()[:12].upper()


def _validate(
    store: Store,
    path: Path,
    header: tabular.Header,
    employer_id: str,
    policy_no: str,
    today: date,
    report: RosterReport,
    key: bytes,
    show: Progress,
) -> _Index:
    """First pass: every row's own checks, duplicates within the file, conflicts with the
    store, and that each dependant's main insured is in the file or with this employer."""
    index = _Index()
    dependants: list[tuple[int, str]] = []
    for batch in _batches(path, header, employer_id, today, report):
        existing = store.members.by_id_numbers([r.member.id_number for r in batch])
        policies = store.members.policy_numbers([m.id for m in existing.values()])
        for row in batch:
            number = row.member.id_number
            if number in index.people:
                report.errors.append(RowError(row.number, LABELS["id_number"],
                    f"{mask_id_number(number)} also in row {index.people[number].row}"))  # fmt: skip
                continue
            current = existing.get(number)
            if current is not None:
                held = policies.get(current.id, set())
                if current.employer_id != employer_id or (held and policy_no not in held):
                    where = ", ".join(sorted(held)) or "no policy"
                    report.errors.append(RowError(row.number, LABELS["id_number"],
                        f"{mask_id_number(number)} is already insured under employer"
                        f" {current.employer_id} ({where})"))  # fmt: skip
                    continue
            is_main = row.member.relation is Relation.SELF
            member_id = current.id if current is not None else _new_id(key, number)
            index.people[number] = _Seen(row.number, is_main, member_id)
            if row.main_id_number is not None:
                dependants.append((row.number, row.main_id_number))
        show("checking", report.rows, None)
    outside = sorted({m for _, m in dependants if not _main_in_file(index, m)})
    for start in range(0, len(outside), BATCH):
        found = store.members.by_id_numbers(outside[start : start + BATCH])
        for number, member in found.items():
            if member.employer_id == employer_id and member.relation is Relation.SELF:
                index.outside_mains[number] = member.id
    for row_number, main in dependants:
        if not _main_in_file(index, main) and main not in index.outside_mains:
            report.errors.append(RowError(row_number, LABELS["main_id_number"],
                f"main insured {mask_id_number(main)} is neither in this roster nor insured"
                " with this employer"))  # fmt: skip
    return index


def _main_in_file(index: _Index, id_number: str) -> bool:
    seen = index.people.get(id_number)
    return seen is not None and seen.is_main


def _apply(
    store: Store,
    path: Path,
    header: tabular.Header,
    index: _Index,
    terms: Policy,
    today: date,
    report: RosterReport,
    show: Progress,
    *,
    write: bool,
) -> None:
    """Second pass: each row as the member it becomes, counted as added, updated or unchanged,
    and written batch by batch when ``write`` (inside the caller's transaction)."""
    done = 0
    for batch in _batches(path, header, terms.employer_id, today, None):
        existing = store.members.by_id_numbers([r.member.id_number for r in batch])
        policies = store.members.policy_numbers([m.id for m in existing.values()])
        new: list[Member] = []
        changed: list[Member] = []
        for row in batch:
            number = row.member.id_number
            current = existing.get(number)
            member_id = index.people[number].member_id
            main = row.main_id_number
            main_id = member_id if main is None else (
                index.people[main].member_id if _main_in_file(index, main)
                else index.outside_mains[main]
            )  # fmt: skip
            member = dataclasses.replace(
                row.member,
                id=member_id,
                main_member_id=main_id,
                flags=current.flags if current else (),
                plan_tier=row.member.plan_tier or (current.plan_tier if current else None),
            )
            if current is None:
                new.append(member)
            elif _same(current, member) and terms.policy_no in policies.get(current.id, set()):
                report.unchanged += 1
            else:
                changed.append(member)
        report.added += len(new)
        report.updated += len(changed)
        if write:
            _write(store, new, changed, terms)
        done += len(batch)
        show("writing" if write else "planning", done, len(index.people))


def _write(store: Store, new: list[Member], changed: list[Member], terms: Policy) -> None:
    def insured(member: Member, sub_policy_no: str | None = None) -> Policy:
        return dataclasses.replace(
            terms,
            sub_policy_no=sub_policy_no or f"{terms.policy_no}-{member.id}",
            member_id=member.id,
            status=PolicyStatus.ACTIVE,
            coverages=(),
        )

    def held(member: Member) -> str | None:
        mine = [p for p in store.policies.for_member(member.id) if p.policy_no == terms.policy_no]
        return mine[0].sub_policy_no if mine else None

    tiers = {m.id: m.plan_tier or "" for m in [*new, *changed]}
    store.members.add_many(new, defer_links=True)  # a dependant may precede its main insured
    store.members.upsert_many(changed)
    policies = [insured(m) for m in new] + [insured(m, held(m)) for m in changed]
    store.policies.add_many(policies, tiers)
