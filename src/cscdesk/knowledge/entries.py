"""What a knowledge folder holds: articles (Markdown to read), canned notes and call scripts
(话术, text an agent inserts into a note). One type for all three, so one search serves them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cscdesk.domain.models import TicketType


class Kind(StrEnum):
    ARTICLE = "article"  # 知识文章: read beside the call
    NOTE = "note"  # 常用备注: inserted into a ticket note or description
    SCRIPT = "script"  # 话术: what to say, also insertable


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of the folder, parsed and checked. ``path`` is relative to the folder (the name a
    lead knows it by); ``insurer_id`` None means every insurer, empty tuples mean any."""

    path: str
    kind: Kind
    title: str
    body: str
    insurer_id: str | None = None
    insurer_name: str = ""
    products: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    ticket_types: tuple[TicketType, ...] = ()
    skill_groups: tuple[str, ...] = ()

    @property
    def insertable(self) -> bool:
        return self.kind is not Kind.ARTICLE


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A file that was not loaded, and why, in words a lead can act on. ``message`` is an
    English template the desk translates (``values`` fill it), so the lead reads it in the
    desk's language."""

    path: str
    message: str
    values: tuple[tuple[str, str], ...] = ()

    @property
    def problem(self) -> str:
        return self.message.format(**dict(self.values))

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"
