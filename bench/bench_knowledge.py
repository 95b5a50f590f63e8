"""Knowledge search and reload: what the desk does on every keystroke in the knowledge panel (on
the UI thread) and every ``reload_seconds`` (in a worker), against a same-run baseline.

The folder is the demo set copied under many insurers' names: 2,000 files by default (a large
center's whole knowledge base), --quick 200. Search runs the terms agents type (等待期, 材料,
住院, 嘉禾 材料, pinyin ddq) for a caller with two policies; the baseline is the same search over
the 42-file demo set, so the ratio shows how it grows. Target: one keystroke's search within a
frame (16 ms) at the full size. The reload check (a stat per file, nothing changed) is set
against a full load of the same folder; target: under 50 ms for 2,000 files.

    python -m bench --only bench_knowledge
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.harness import Row, print_table, time_ms

QUERIES = ("等待期", "材料", "住院", "嘉禾 材料", "ddq", "赔付比例", "发票", "异地就医")
SEARCH_TARGET_MS = 16.0
RELOAD_TARGET_MS = 50.0


def _folder(root: Path, files: int) -> Path:
    """The demo set copied until ``files`` files, each copy's titles made its own."""
    from cscdesk.wiring import demo_knowledge_folder

    source = sorted(p for p in demo_knowledge_folder().rglob("*.md") if p.name != "README.md")
    target = root / "kb"
    n = 0
    while n < files:
        for path in source:
            if n >= files:
                break
            text = path.read_text("utf-8").replace(
                'title = "', f'title = "第{n // len(source)}版 ', 1
            )
            out = target / f"copy{n // len(source)}" / path.relative_to(demo_knowledge_folder())
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, "utf-8")
            n += 1
    return target


def run(quick: bool = False) -> list[Row]:
    from cscdesk.knowledge import CallerContext, KnowledgeBase
    from cscdesk.wiring import demo_directory, demo_knowledge_folder

    files = 200 if quick else 2000
    caller = CallerContext(
        policies=(("jiahe", "企业补充医疗保险"), ("huaying", "团体意外伤害保险"))
    )
    root = Path(tempfile.mkdtemp(prefix="bench-knowledge-"))
    try:
        folder = _folder(root, files)
        big = KnowledgeBase(folder, demo_directory())
        demo = KnowledgeBase(demo_knowledge_folder(), demo_directory())
        big.reload_if_changed()
        demo.reload_if_changed()
        assert not big.problems and len(big.entries) == files

        def search_all(kb: KnowledgeBase) -> None:
            for query in QUERIES:
                kb.articles(query, caller)

        per_query = len(QUERIES)
        big_search = time_ms(lambda: search_all(big), repeat=20)
        demo_search = time_ms(lambda: search_all(demo), repeat=20)
        scale = 1 / per_query
        searched = type(big_search)(*(v * scale for v in (big_search.median, big_search.minimum,
                                      big_search.maximum, big_search.p95)), big_search.runs)  # fmt: skip
        baseline = type(demo_search)(*(v * scale for v in (demo_search.median, demo_search.minimum,
                                      demo_search.maximum, demo_search.p95)), demo_search.runs)  # fmt: skip
        check = time_ms(big.reload_if_changed, repeat=20)

        def full_load() -> None:
            KnowledgeBase(folder, demo_directory()).reload_if_changed()

        load = time_ms(full_load, repeat=3)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return [
        Row(f"search one keystroke, {files:,} files", "ms", searched, baseline, "42 demo files",
            f"< {SEARCH_TARGET_MS:.0f} ms", searched.p95 < SEARCH_TARGET_MS,
            notes=f"queries {', '.join(QUERIES)}; a caller with two policies"),
        Row(f"reload check, {files:,} unchanged files", "ms", check, load, "full load",
            f"< {RELOAD_TARGET_MS:.0f} ms", check.p95 < RELOAD_TARGET_MS,
            notes="a stat per file every reload_seconds (default 5 s), in a worker"),
    ]  # fmt: skip


if __name__ == "__main__":
    print_table("bench_knowledge", run())
