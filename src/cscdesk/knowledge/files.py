"""Reading one file of the knowledge folder: TOML front matter between ``+++`` lines, then the
Markdown body. Every problem becomes an ``EntryError`` whose text says what to change, so a lead
who saved a file wrong reads why it is missing, and the other files still load.

TOML rather than YAML front matter: the deployment's config is TOML already, the standard
library reads it, and it has no implicit types (YAML reads ``no`` as false, ``1.10`` as 1.1).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from cscdesk.domain.center_directory import CenterDirectory
from cscdesk.domain.models import TicketType
from cscdesk.knowledge.entries import Entry, Kind

FENCE = "+++"
MAX_FILE_BYTES = 256 * 1024  # an article is a few kB; a bigger file is something else
KEYS = ("title", "kind", "insurer", "products", "topics", "ticket_types", "skill_groups")
TICKET_TYPE_NAMES = {
    "咨询": TicketType.ENQUIRY, "理赔协助": TicketType.CLAIM_ASSIST,
    "保全变更": TicketType.POLICY_CHANGE, "投诉": TicketType.COMPLAINT,
    "回访": TicketType.FOLLOW_UP, "建议表扬": TicketType.FEEDBACK, "紧急": TicketType.URGENT,
}  # fmt: skip
UNKNOWN_TYPE = "ticket type '{given}' is not one of ({names})"
UNKNOWN_GROUP = "skill group '{given}' is not one of this center's ({names})"
UNKNOWN_INSURER = "insurer '{given}' is not one of this center's ({names})"
_TOML_LINE = re.compile(r"at line (\d+)")


class EntryError(ValueError):
    """Why one file was not loaded: an English template and its values (translated by the desk)."""

    def __init__(self, message: str, **values: object) -> None:
        self.message = message
        self.values = tuple((k, str(v)) for k, v in values.items())
        super().__init__(message.format(**values))


def read_text(path: Path) -> str:
    """The file as text; anything but UTF-8 is refused with the fix (an editor's "save as")."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise EntryError(
            "is {size} bytes; an article is at most {limit}", size=size, limit=MAX_FILE_BYTES
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")  # a BOM from a Windows editor is not content
    except UnicodeDecodeError as exc:
        raise _encoding_problem(raw, exc) from None


def _encoding_problem(raw: bytes, exc: UnicodeDecodeError) -> EntryError:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return EntryError("is UTF-16 text; save it as UTF-8")
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return EntryError(
            "is not UTF-8 text (bad byte at offset {offset}); save it as UTF-8", offset=exc.start
        )
    return EntryError(
        "is not UTF-8: it looks like GBK/GB18030 text (what Windows editors call ANSI);"
        " save it as UTF-8"
    )


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, Markdown body)."""
    lines = text.splitlines(keepends=True)
    first = lines[0].strip() if lines else ""
    if first == "---":
        raise EntryError("has YAML front matter ('---'); write it in TOML between '+++' lines")
    if first != FENCE:
        raise EntryError('has no front matter: start it with a line "+++", title = "…", "+++"')
    for end in range(1, len(lines)):
        if lines[end].strip() == FENCE:
            break
    else:
        raise EntryError("front matter is not closed: add a line '+++' after it")
    try:
        data = tomllib.loads("".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        message = _TOML_LINE.sub(lambda m: f"at line {int(m.group(1)) + 1}", str(exc))
        raise EntryError("front matter is not valid TOML: {error}", error=message) from None
    return data, "".join(lines[end + 1 :]).strip("\n")


def _texts(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryError('{key}: give a text or a list of texts, such as ["…", "…"]', key=key)
    return tuple(v.strip() for v in value if v.strip())


def _one_of(message: str, given: str, known: dict[str, str]) -> str:
    found = known.get(given.casefold())
    if found is None:
        names = ", ".join(sorted(dict.fromkeys(known.values())))
        raise EntryError(message, given=given, names=names)
    return found


def parse_entry(path: str, text: str, directory: CenterDirectory) -> Entry:
    """One checked entry from a file's text; ``path`` names it in every message."""
    data, body = split_front_matter(text)
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise EntryError(
            "unknown key '{key}' in the front matter (keys: {keys})",
            key=unknown[0], keys=", ".join(KEYS),
        )  # fmt: skip
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise EntryError('needs a title: title = "…" in the front matter')
    try:
        kind = Kind(str(data.get("kind", Kind.ARTICLE.value)))
    except ValueError:
        raise EntryError(
            "kind '{kind}': give article, note or script", kind=data.get("kind")
        ) from None
    if not body.strip():
        raise EntryError("has nothing after the front matter")
    insurer_id, insurer_name = _insurer(data, directory)
    return Entry(
        path=path, kind=kind, title=title.strip(), body=body, insurer_id=insurer_id,
        insurer_name=insurer_name, products=_texts(data, "products"),
        topics=_texts(data, "topics"), ticket_types=_ticket_types(data),
        skill_groups=_skill_groups(data, directory),
    )  # fmt: skip


def _ticket_types(data: dict[str, Any]) -> tuple[TicketType, ...]:
    """By value (``claim_assist``) or as agents say it (理赔协助)."""
    known = {t.value: t.value for t in TicketType}
    known |= {name: t.value for name, t in TICKET_TYPE_NAMES.items()}
    return tuple(TicketType(_one_of(UNKNOWN_TYPE, t, known)) for t in _texts(data, "ticket_types"))


def _skill_groups(data: dict[str, Any], directory: CenterDirectory) -> tuple[str, ...]:
    """By id or either name; taken as written when the directory knows no groups."""
    given = _texts(data, "skill_groups")
    if not directory.skill_groups:
        return given
    known = {}
    for group in directory.skill_groups:
        for alias in (group.id, group.name, group.name_en):
            known[alias.casefold()] = group.id
    return tuple(_one_of(UNKNOWN_GROUP, g, known) for g in given)


def _insurer(data: dict[str, Any], directory: CenterDirectory) -> tuple[str | None, str]:
    given = data.get("insurer")
    if given is None or given == "":
        return None, ""
    if not isinstance(given, str):
        raise EntryError("insurer: give the insurer's id or name as text")
    if not directory.insurers:  # no directory to check against: take the id as written
        return given, given
    known = {}
    for insurer in directory.insurers:
        for alias in (insurer.id, insurer.name, insurer.short_name or insurer.name):
            known[alias.casefold()] = insurer.id
    insurer_id = _one_of(UNKNOWN_INSURER, given, known)
    return insurer_id, directory.insurer_name(insurer_id)
