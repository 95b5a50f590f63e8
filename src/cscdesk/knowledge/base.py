"""The knowledge folder as the desk sees it: loaded once, reloaded when a file changes.

A lead edits files in the folder the deployment configures (``[knowledge] folder``); every desk
notices within ``reload_seconds`` by comparing each file's size and modification time, a stat
per file (a few hundred files cost well under a millisecond, and this works on a network share
where file-change notifications do not). A load builds a new immutable ``Snapshot`` and swaps it
in whole, so a reload in a worker thread never shows a reader half a folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cscdesk.domain.center_directory import CenterDirectory
from cscdesk.knowledge.entries import Entry, Kind, LoadProblem
from cscdesk.knowledge.files import EntryError, parse_entry, read_text
from cscdesk.knowledge.search import CallerContext, Hit, Indexed, index_entry, search

MAX_FILES = 5000
SKIPPED_NAMES = {"readme.md"}  # the folder's own instructions for leads
ARTICLES = frozenset({Kind.ARTICLE})
SNIPPETS = frozenset({Kind.NOTE, Kind.SCRIPT})

FOLDER_GONE = "the knowledge folder is not there (moved or unmounted?)"
TOO_MANY = "holds more than {limit} files"
UNREADABLE = "cannot be read: {reason}"
Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    entries: tuple[Indexed, ...] = ()
    problems: tuple[LoadProblem, ...] = ()
    signature: Signature | None = None


def _markdown_files(folder: str, prefix: str = "") -> Iterator[tuple[str, int, int]]:
    """(path relative to the folder, mtime ns, size) of every ``*.md`` below ``folder`` but
    hidden files and folders, editor backups and README.md, in a stable order. ``scandir``
    hands over each file's type, so a round costs one stat per article and no more."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return  # removed or unreadable while we looked: the next round sees it
    for entry in entries:
        name = entry.name
        if name.startswith((".", "~")):
            continue
        try:
            if entry.is_dir():
                yield from _markdown_files(entry.path, f"{prefix}{name}{os.sep}")
            elif name.endswith(".md") and name.casefold() not in SKIPPED_NAMES:
                info = entry.stat()
                yield f"{prefix}{name}", info.st_mtime_ns, info.st_size
        except OSError:
            continue


class KnowledgeBase:
    """Articles, canned notes and call scripts of one folder (None: none configured)."""

    def __init__(self, folder: Path | None, directory: CenterDirectory | None = None) -> None:
        self.folder = folder
        self.directory = directory or CenterDirectory()
        self._snapshot = Snapshot()

    @property
    def configured(self) -> bool:
        return self.folder is not None

    @property
    def problems(self) -> tuple[LoadProblem, ...]:
        return self._snapshot.problems

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(i.entry for i in self._snapshot.entries)

    def _signature(self) -> tuple[Signature, list[LoadProblem]]:
        assert self.folder is not None
        stamps: list[tuple[str, int, int]] = []
        for stamp in _markdown_files(str(self.folder)):
            if len(stamps) == MAX_FILES:  # the first ones still load
                limit = (("limit", str(MAX_FILES)),)
                return tuple(stamps), [LoadProblem(str(self.folder), TOO_MANY, limit)]
            stamps.append(stamp)
        return tuple(stamps), []

    def reload_if_changed(self) -> bool:
        """Load again when a file was added, removed or changed; True when something did."""
        if self.folder is None:
            return False
        if not self.folder.is_dir():
            gone = LoadProblem(str(self.folder), FOLDER_GONE)
            changed = self._snapshot.problems != (gone,)
            self._snapshot = Snapshot(self._snapshot.entries, (gone,), None)  # keep what we had
            return changed
        signature, problems = self._signature()
        if signature == self._snapshot.signature:
            return False
        self._snapshot = self._load(signature, problems)
        return True

    def _load(self, signature: Signature, problems: list[LoadProblem]) -> Snapshot:
        assert self.folder is not None
        entries = []
        for name, _mtime, _size in signature:
            try:
                entry = parse_entry(name, read_text(self.folder / name), self.directory)
            except EntryError as exc:
                problems.append(LoadProblem(name, exc.message, exc.values))
                continue
            except OSError as exc:
                reason = (("reason", str(exc.strerror or exc)),)
                problems.append(LoadProblem(name, UNREADABLE, reason))
                continue
            entries.append(index_entry(entry))
        return Snapshot(tuple(entries), tuple(problems), signature)

    def articles(self, query: str, context: CallerContext | None = None) -> list[Hit]:
        return search(self._snapshot.entries, query, context or CallerContext(), ARTICLES)

    def snippets(self, query: str, context: CallerContext | None = None) -> list[Hit]:
        return search(self._snapshot.entries, query, context or CallerContext(), SNIPPETS)

    def entry(self, path: str) -> Entry | None:
        return next((i.entry for i in self._snapshot.entries if i.entry.path == path), None)
