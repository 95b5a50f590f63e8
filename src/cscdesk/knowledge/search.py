"""Finding entries by what an agent types: Chinese words, Latin words, pinyin initials.

The folder holds tens to a few thousand short files, so the whole set lives in memory and a
search is a substring test per term on NFKC-folded text: exact for a term of any length (等待期,
材料, 住院, even one character), with no segmenter to split a term differently from how the agent
typed it (jieba cuts 等待期 into 等待/期 in some sentences) and no index to keep. The store's
bigram index solves a different problem: millions of tickets on disk. Pinyin initials and
full pinyin of titles and topics (``ddq``, ``dengdaiqi`` → 等待期) come from pypinyin, which the
member search already uses. Several terms are ANDed.

Ranking puts the caller first: articles of the insurer and product the caller is covered by,
then articles for every insurer, then other insurers' ones; snippets for the call's ticket type
and skill group before general ones. Within a rank, a term in the title counts most.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cscdesk.domain.models import TicketType
from cscdesk.knowledge.entries import Entry, Kind

WEIGHTS = {"title": 8.0, "tags": 6.0, "headings": 4.0, "body": 1.0}
PINYIN_WEIGHT = 3.0
MIN_PINYIN_LETTERS = 2
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003ffff]")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$", re.MULTILINE)
_LETTERS = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True, slots=True)
class CallerContext:
    """What the desk knows about the call: the caller's cover and the call's kind of work."""

    policies: tuple[tuple[str, str], ...] = ()  # (insurer id, product name)
    skill_group: str | None = None
    ticket_type: TicketType | None = None


@dataclass(frozen=True, slots=True)
class Indexed:
    entry: Entry
    fields: tuple[tuple[str, str], ...]  # (field name, folded text)
    pinyin: tuple[str, ...]  # initials and full pinyin of the title and each topic


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float
    for_caller: bool  # the caller's insurer and product, or the call's ticket type and group


def _pinyin_keys(phrases: Iterable[str]) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    keys: list[str] = []
    for phrase in phrases:
        syllables = [s for s in lazy_pinyin("".join(_HAN.findall(phrase))) if s.isalpha()]
        if syllables:
            keys.extend(("".join(s[0] for s in syllables), "".join(syllables)))
    return tuple(dict.fromkeys(keys))


def index_entry(entry: Entry) -> Indexed:
    tags = [*entry.topics, *entry.products, entry.insurer_name, entry.insurer_id or ""]
    return Indexed(
        entry=entry,
        fields=(
            ("title", fold(entry.title)),
            ("tags", fold("\n".join(tags))),
            ("headings", fold("\n".join(_HEADING.findall(entry.body)))),
            ("body", fold(entry.body)),
        ),
        pinyin=_pinyin_keys([entry.title, *entry.topics]),
    )


def _term_score(indexed: Indexed, term: str) -> float:
    best = 0.0
    for name, text in indexed.fields:
        count = text.count(term)
        if count:
            weight = WEIGHTS[name]
            best = max(best, weight + min(count - 1, 4) * weight / 8)
    pinyin = len(term) >= MIN_PINYIN_LETTERS and _LETTERS.fullmatch(term)
    if not best and pinyin and any(term in key for key in indexed.pinyin):
        best = PINYIN_WEIGHT
    return best


def text_score(indexed: Indexed, query: str) -> float | None:
    """How well the entry matches every term of ``query``; None when a term is missing."""
    total = 0.0
    for term in fold(query).split():
        score = _term_score(indexed, term)
        if not score:
            return None
        total += score
    return total


def _products_match(wanted: Sequence[str], product: str) -> bool:
    product = fold(product)
    return any(fold(w) in product or product in fold(w) for w in wanted)


def article_rank(entry: Entry, context: CallerContext) -> int:
    """0: the caller's insurer and named product; 1: the caller's insurer; 2: every insurer,
    the caller's product; 3: every insurer; 4: another insurer's article."""
    covered = context.policies
    if entry.insurer_id is not None:
        own = [product for insurer, product in covered if insurer == entry.insurer_id]
        if not own:
            return 4
        if not entry.products:
            return 1
        return 0 if any(_products_match(entry.products, p) for p in own) else 4
    if entry.products and any(_products_match(entry.products, p) for _i, p in covered):
        return 2
    return 3


def snippet_rank(entry: Entry, context: CallerContext) -> int:
    """Per dimension (ticket type, skill group) 0 when it matches, 1 when the snippet is for
    any or when the desk does not know (no call: no skill group); a snippet for another type
    or group goes after every other (+10)."""

    def one(constraint: Sequence[str], value: str | None) -> int:
        if not constraint or value is None:
            return 1
        return 0 if value in constraint else 10

    ticket_type = context.ticket_type.value if context.ticket_type else None
    return one(entry.skill_groups, context.skill_group) + one(
        [t.value for t in entry.ticket_types], ticket_type
    )


def search(entries: Sequence[Indexed], query: str, context: CallerContext,
           kinds: frozenset[Kind]) -> list[Hit]:  # fmt: skip
    """Every entry of ``kinds`` matching each term of ``query`` (all when it is blank), the
    caller's first."""
    ranked: list[tuple[int, float, str, Hit]] = []
    for indexed in entries:
        entry = indexed.entry
        if entry.kind not in kinds:
            continue
        score = text_score(indexed, query)
        if score is None:
            continue
        if entry.kind is Kind.ARTICLE:
            rank = article_rank(entry, context)
            mine = rank <= 2 and bool(context.policies) and (rank < 2 or bool(entry.products))
        else:
            rank = snippet_rank(entry, context)
            mine = rank < 2
        ranked.append((rank, -score, entry.title, Hit(entry, score, mine)))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked]
