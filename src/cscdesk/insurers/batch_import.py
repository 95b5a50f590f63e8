"""Daily extract files from insurers without an API: validate, load, and answer from them.

File names say what they hold: ``{insurer}_{policies|claims}_{YYYYMMDD}.{csv|xlsx|xls}``, the date
being the extract date (数据截止日). A file is loaded all or nothing: one bad row rejects the
whole file with its row, column and reason. A file already loaded (same name and SHA-256) is
skipped, so re-running an import over the same folder changes nothing. A newer extract replaces
the rows of an older one record by record; an older extract never overwrites newer data.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cscdesk.domain.models import Claim, ClaimStage, Coverage, Policy, PolicyStatus
from cscdesk.importing import tabular
from cscdesk.insurers import fields as f
from cscdesk.insurers.codec import claim_from_json, claim_to_json, policy_from_json, policy_to_json
from cscdesk.insurers.port import PayloadError
from cscdesk.store.insurer_batches import BatchFile, BatchRow

if TYPE_CHECKING:
    from cscdesk.store import Store

FILE_NAME = re.compile(
    r"^(?P<insurer>[a-z0-9]+)_(?P<kind>policies|claims)_(?P<day>\d{8})\.(csv|xlsx|xls)$"
)
LOCAL_TIME = "%Y-%m-%d %H:%M:%S"

POLICY_COLUMNS = (
    "policy_no",
    "sub_policy_no",
    "member_ref",
    "employer_code",
    "product",
    "start",
    "end",
    "status",
    "coverages",
)
CLAIM_COLUMNS = (
    "claim_no",
    "policy_no",
    "member_ref",
    "accident_date",
    "reported_at",
    "stage",
    "amount_claimed",
    "amount_paid",
    "hospital",
    "case_no",
    "settlement_no",
    "refusal_reason",
    "stage_changed_at",
    "decided_at",
    "paid_at",
)
FREE_TEXT = ("product", "hospital", "refusal_reason", "coverages")  # kept as typed; the rest
# (numbers, dates, amounts, codes) has its digits made ASCII before validation
IDENTIFIERS = (
    "policy_no",
    "sub_policy_no",
    "member_ref",
    "employer_code",
    "claim_no",
    "case_no",
    "settlement_no",
)  # a number Excel turned into a float (1.10105E+17) has lost digits: refused, not loaded
STATUS_ZH = {
    "有效": PolicyStatus.ACTIVE,
    "待生效": PolicyStatus.PENDING,
    "失效": PolicyStatus.LAPSED,
    "终止": PolicyStatus.TERMINATED,
    "满期": PolicyStatus.EXPIRED,
}
STAGE_ZH = {
    "报案": ClaimStage.REPORTED,
    "受理": ClaimStage.ACCEPTED,
    "补材料": ClaimStage.DOCUMENTS_REQUESTED,
    "审核": ClaimStage.UNDER_REVIEW,
    "结案": ClaimStage.SETTLED,
    "拒赔": ClaimStage.REFUSED,
    "支付": ClaimStage.PAID,
}


ALREADY_IMPORTED = "already imported (same checksum)"


class BatchFileError(Exception):
    """Why a file was rejected, naming file, row and column so the sender can fix it."""


@dataclass(frozen=True, slots=True)
class FileOutcome:
    file_name: str
    status: str  # imported | skipped | rejected
    rows: int = 0
    detail: str = ""


@dataclass(slots=True)
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return self.count("rejected") == 0


@dataclass(frozen=True, slots=True)
class _Record:
    key: str
    member_id: str
    policy_no: str
    payload: dict[str, Any]


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (
            value.strftime(LOCAL_TIME)
            if value.time() != datetime.min.time()
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    text = tabular.to_text(value)
    return text or None


def _rows(
    path: Path, content: bytes, expected: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(spreadsheet row number, cells by column name) through the shared tabular reader: any
    encoding Excel writes, .xls too, the header found below title rows."""
    try:
        rows = tabular.read_rows(path, content)
        header, ahead = tabular.find_header(rows, {c: (c,) for c in expected}, expected)
    except tabular.TableError as exc:
        raise BatchFileError(str(exc)) from None
    if header.missing:
        raise BatchFileError(f"{path.name}: header lacks column(s) {', '.join(header.missing)}")
    try:
        for number, values in itertools.chain(ahead, rows):
            cells: dict[str, str | None] = {}
            for name, index in header.positions.items():
                value = values[index] if index < len(values) else None
                control = tabular.control_character(value)
                if control is not None:
                    raise BatchFileError(
                        f"{path.name}: row {number}, column {name}: contains the control"
                        f" character {control}"
                    )
                if name in IDENTIFIERS and _mangled(value):
                    raise BatchFileError(
                        f"{path.name}: row {number}, column {name}: {tabular.MANGLED_NUMBER_HELP}"
                    )
                text = _cell(value)
                cells[name] = tabular.ascii_digits(text) if text and name not in FREE_TEXT else text
            if any(cells.values()):
                yield number, cells
    except tabular.TableError as exc:
        raise BatchFileError(str(exc)) from None


def _mangled(value: object) -> bool:
    """A float from a workbook, or text as Excel shows a large number (``1.10105E+17``); an
    insurer code such as ``2026E001`` has no ``+`` and stays valid."""
    return tabular.mangled_number(value) and not (isinstance(value, str) and "+" not in value)


def _coverages(raw: Mapping[str, Any], path: str) -> tuple[Coverage, ...]:
    spec = raw.get("coverages") or ""
    out = []
    for i, part in enumerate(p for p in spec.split(";") if p.strip()):
        bits = part.split(":")
        where = f"{path}, column coverages item {i + 1}"
        if len(bits) != 5:
            raise PayloadError(where, "expected code:name:limit:deductible:ratio")
        item = dict(zip(("code", "name", "limit", "deductible", "ratio"), bits, strict=True))
        out.append(
            Coverage(
                code=f.text(item, "code", where),
                name=f.text(item, "name", where),
                limit=f.money(item, "limit", where),
                deductible=f.money(item, "deductible", where),
                ratio=f.ratio(item, "ratio", where),
            )
        )
    return tuple(out)


def _policy(raw: Mapping[str, Any], path: str, insurer_id: str) -> _Record:
    policy = Policy(
        policy_no=f.text(raw, "policy_no", path),
        sub_policy_no=f.text(raw, "sub_policy_no", path),
        insurer_id=insurer_id,
        employer_id=f.text(raw, "employer_code", path),
        member_id=f.text(raw, "member_ref", path),
        product=f.text(raw, "product", path),
        start=f.day(raw, "start", path),
        end=f.day(raw, "end", path),
        status=f.code(raw, "status", path, STATUS_ZH),
        coverages=_coverages(raw, path),
    )
    key = f"{policy.policy_no}/{policy.sub_policy_no}"
    return _Record(key, policy.member_id, policy.policy_no, policy_to_json(policy))


def _claim(raw: Mapping[str, Any], path: str, insurer_id: str) -> _Record:
    claim = Claim(
        claim_no=f.text(raw, "claim_no", path),
        insurer_id=insurer_id,
        policy_no=f.text(raw, "policy_no", path),
        member_id=f.text(raw, "member_ref", path),
        accident_date=f.day(raw, "accident_date", path),
        reported_at=f.instant(raw, "reported_at", path, fmt=LOCAL_TIME),
        stage=f.code(raw, "stage", path, STAGE_ZH),
        amount_claimed=f.money(raw, "amount_claimed", path),
        amount_paid=f.optional_money(raw, "amount_paid", path),
        hospital=f.optional_text(raw, "hospital", path),
        case_no=f.optional_text(raw, "case_no", path),
        settlement_no=f.optional_text(raw, "settlement_no", path),
        refusal_reason=f.optional_text(raw, "refusal_reason", path),
        stage_changed_at=f.optional_instant(raw, "stage_changed_at", path, fmt=LOCAL_TIME),
        decided_at=f.optional_instant(raw, "decided_at", path, fmt=LOCAL_TIME),
        paid_at=f.optional_instant(raw, "paid_at", path, fmt=LOCAL_TIME),
    )
    return _Record(claim.claim_no, claim.member_id, claim.policy_no, claim_to_json(claim))


def read_extract(path: Path, content: bytes) -> tuple[str, str, date, list[_Record]]:
    """Validate one file completely; raise ``BatchFileError`` on the first problem."""
    match = FILE_NAME.match(path.name)
    if match is None:
        raise BatchFileError(
            f"{path.name}: name must be insurer_policies|claims_YYYYMMDD.csv|xlsx|xls"
        )
    insurer_id, kind = match["insurer"], match["kind"]
    try:
        extract_date = datetime.strptime(match["day"], "%Y%m%d").date()
    except ValueError:
        raise BatchFileError(f"{path.name}: {match['day']} is not a date") from None
    expected = POLICY_COLUMNS if kind == "policies" else CLAIM_COLUMNS
    parse = _policy if kind == "policies" else _claim
    records: list[_Record] = []
    seen: set[str] = set()
    for number, raw in _rows(path, content, expected):
        try:
            record = parse(raw, f"row {number}", insurer_id)
        except PayloadError as exc:
            where = exc.field_path.replace(".", ", column ", 1)
            raise BatchFileError(f"{path.name}: {where}: {exc.problem}") from None
        if record.key in seen:
            raise BatchFileError(f"{path.name}: row {number}: {record.key} appears twice")
        seen.add(record.key)
        records.append(record)
    return insurer_id, kind, extract_date, records


def import_directory(store: Store, directory: Path, now: datetime) -> ImportReport:
    """Load every extract in ``directory`` (sorted by name, so older dates load first)."""
    report = ImportReport()
    for path in sorted(p for p in directory.iterdir() if p.suffix in (".csv", ".xlsx", ".xls")):
        report.outcomes.append(_import_file(store, path, now))
    return report


def _import_file(store: Store, path: Path, now: datetime) -> FileOutcome:
    content = path.read_bytes()
    # Name and content: the same rows re-sent as a later day's extract still confirm that day.
    digest = hashlib.sha256(path.name.encode() + b"\0" + content).hexdigest()
    if store.insurer_batches.is_loaded(digest):
        return FileOutcome(path.name, "skipped", detail=ALREADY_IMPORTED)
    try:
        insurer_id, kind, extract_date, records = read_extract(path, content)
    except BatchFileError as exc:
        return FileOutcome(path.name, "rejected", detail=str(exc))
    loaded = store.insurer_batches.load(  # the whole file or nothing
        BatchFile(digest, insurer_id, kind, path.name, extract_date, len(records), now),
        (
            BatchRow(r.key, r.member_id, r.policy_no, json.dumps(r.payload, ensure_ascii=False))
            for r in records
        ),
    )
    if not loaded:  # another desk on the same store imported it meanwhile
        return FileOutcome(path.name, "skipped", detail=ALREADY_IMPORTED)
    return FileOutcome(path.name, "imported", rows=len(records))


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    policies: tuple[Policy, ...]
    claims: tuple[Claim, ...]
    extract_date: date | None


def find_records(
    store: Store,
    insurer_id: str,
    *,
    member_ids: tuple[str, ...],
    policy_no: str | None,
    claim_no: str | None,
) -> BatchAnswer:
    """Rows of ``insurer_id`` about these members, this policy or this claim.

    The extract date is the oldest among the rows found, or the newest file's when none is.
    """
    if not (member_ids or policy_no or claim_no):
        return BatchAnswer((), (), None)
    rows = store.insurer_batches.find(
        insurer_id, member_ids=member_ids, policy_no=policy_no, claim_no=claim_no
    )
    policies = tuple(policy_from_json(json.loads(r.payload)) for r in rows if r.kind == "policies")
    claims = tuple(claim_from_json(json.loads(r.payload)) for r in rows if r.kind == "claims")
    if rows:
        extract: date | None = min(r.extract_date for r in rows)
    else:
        extract = store.insurer_batches.latest_extract(insurer_id)
    return BatchAnswer(policies, claims, extract)
