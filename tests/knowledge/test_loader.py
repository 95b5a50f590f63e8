"""Loading a knowledge folder: the demo set, every way a lead can save a file wrong (each named
with its file and a fix, the other files still loaded), and picking up edits without a restart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cscdesk.config import ConfigError, parse_settings
from cscdesk.demo.scenario import INSURERS
from cscdesk.knowledge import Kind, KnowledgeBase
from cscdesk.knowledge import base as knowledge_base_module
from cscdesk.knowledge import files as knowledge_files
from cscdesk.tui import i18n
from cscdesk.wiring import demo_directory, demo_knowledge_folder, knowledge_base

GOOD = """+++
title = "嘉禾演示 住院材料"
insurer = "嘉禾演示"
products = ["企业补充医疗保险"]
topics = ["理赔材料"]
+++
# 住院材料
出院小结、费用明细。
"""


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _loaded(folder: Path) -> KnowledgeBase:
    kb = KnowledgeBase(folder, demo_directory())
    assert kb.reload_if_changed()
    return kb


def test_the_demo_set_loads_whole_and_covers_every_demo_insurer() -> None:
    kb = _loaded(demo_knowledge_folder())
    assert kb.problems == ()
    articles = [e for e in kb.entries if e.kind is Kind.ARTICLE]
    for insurer in INSURERS:
        titles = " ".join(e.title for e in articles if e.insurer_id == insurer.id)
        for topic in (
            "理赔材料清单",
            "等待期",
            "赔付比例",
            "医院范围",
            "联系方式",
            "团体意外伤害保险",
        ):
            assert topic in titles, (insurer.short_name, topic)
    assert {e.kind for e in kb.entries} == {Kind.ARTICLE, Kind.NOTE, Kind.SCRIPT}
    assert all(e.path != "README.md" for e in kb.entries)  # the leads' instructions are skipped


def test_a_file_is_read_with_its_front_matter(tmp_path: Path) -> None:
    _write(tmp_path, "jiahe/住院.md", GOOD)
    (entry,) = _loaded(tmp_path).entries
    assert entry.path == str(Path("jiahe/住院.md"))
    assert (entry.title, entry.insurer_id, entry.insurer_name) == (
        "嘉禾演示 住院材料",
        "jiahe",
        "嘉禾演示",
    )
    assert entry.products == ("企业补充医疗保险",) and entry.topics == ("理赔材料",)
    assert entry.body.startswith("# 住院材料")


def test_a_script_names_its_ticket_types_and_groups_as_agents_say_them(tmp_path: Path) -> None:
    _write(tmp_path, "s.md", '+++\ntitle = "补材料"\nkind = "script"\nticket_types = ["理赔协助", "complaint"]\n'
                             'skill_groups = ["团险理赔"]\n+++\n请补充发票。\n')  # fmt: skip
    (entry,) = _loaded(tmp_path).entries
    assert entry.kind is Kind.SCRIPT and entry.insertable
    assert [t.value for t in entry.ticket_types] == ["claim_assist", "complaint"]
    assert entry.skill_groups == ("sg_group_claims",)


BAD = {
    "gbk.md": (GOOD.encode("gb18030"), "GBK/GB18030"),
    "utf16.md": (GOOD.encode("utf-16"), "UTF-16"),
    "latin.md": (b"+++\ntitle = \"x\"\n+++\n\xff\xfe\xfd body", "not UTF-8"),
    "yaml.md": ("---\ntitle: 等待期\n---\n正文\n", "YAML"),
    "none.md": ("# 只有正文\n", "no front matter"),
    "open.md": ('+++\ntitle = "x"\n正文\n', "not closed"),
    "toml.md": ('+++\ntitle = "x"\ntopics = [等待期]\n+++\n正文\n', "at line 3"),
    "key.md": ('+++\ntitle = "x"\ntags = ["a"]\n+++\n正文\n', "unknown key 'tags'"),
    "title.md": ("+++\ninsurer = \"jiahe\"\n+++\n正文\n", "needs a title"),
    "kind.md": ('+++\ntitle = "x"\nkind = "faq"\n+++\n正文\n', "kind 'faq'"),
    "empty.md": ('+++\ntitle = "x"\n+++\n\n', "nothing after the front matter"),
    "insurer.md": ('+++\ntitle = "x"\ninsurer = "平安"\n+++\n正文\n', "insurer '平安' is not one of this center's (anhe, huaying, jiahe, ruian)"),
    "type.md": ('+++\ntitle = "x"\nticket_types = ["理赔"]\n+++\n正文\n', "ticket type '理赔'"),
    "list.md": ('+++\ntitle = "x"\ntopics = 3\n+++\n正文\n', "topics: give a text or a list"),
}  # fmt: skip


def test_each_bad_file_is_named_with_a_fix_and_the_rest_still_load(tmp_path: Path) -> None:
    _write(tmp_path, "good.md", GOOD)
    for name, (content, _words) in BAD.items():
        _write(tmp_path, f"bad/{name}", content)
    kb = _loaded(tmp_path)
    assert [e.path for e in kb.entries] == ["good.md"]
    problems = {Path(p.path).name: p.problem for p in kb.problems}
    assert set(problems) == set(BAD)
    for name, (_content, words) in BAD.items():
        assert words in problems[name], (name, problems[name])


def test_a_bom_from_a_windows_editor_is_not_content(tmp_path: Path) -> None:
    _write(tmp_path, "bom.md", "\ufeff".encode() + GOOD.encode())
    (entry,) = _loaded(tmp_path).entries
    assert entry.title == "嘉禾演示 住院材料"


def test_a_file_too_big_to_be_an_article_is_refused_unread(tmp_path: Path) -> None:
    _write(tmp_path, "big.md", GOOD + "x" * knowledge_files.MAX_FILE_BYTES)
    kb = _loaded(tmp_path)
    assert kb.entries == () and "at most" in kb.problems[0].problem


def test_hidden_files_backups_and_other_extensions_are_not_articles(tmp_path: Path) -> None:
    for name in (".#draft.md", "~lock.md", ".git/x.md", "notes.txt", "README.md"):
        _write(tmp_path, name, "not an article")
    _write(tmp_path, "a.md", GOOD)
    kb = _loaded(tmp_path)
    assert [e.path for e in kb.entries] == ["a.md"] and kb.problems == ()


def test_edits_are_picked_up_without_a_restart(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.md", GOOD)
    kb = _loaded(tmp_path)
    assert not kb.reload_if_changed()  # nothing changed: nothing read
    path.write_text(GOOD.replace("住院材料", "门诊材料"), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new stamp even within the file system's time resolution
    assert kb.reload_if_changed()
    assert kb.entries[0].title == "嘉禾演示 门诊材料"
    _write(tmp_path, "b.md", GOOD.replace("嘉禾演示 住院材料", "新文章"))
    assert kb.reload_if_changed() and len(kb.entries) == 2
    _write(tmp_path, "b.md", b"\xb5\xc8\xb4\xfd\xc6\xda")  # saved again as GBK: named, a.md stays
    assert kb.reload_if_changed()
    assert [e.path for e in kb.entries] == ["a.md"] and kb.problems[0].path == "b.md"
    path.unlink()
    assert kb.reload_if_changed() and kb.entries == ()


def test_a_folder_that_goes_away_keeps_what_was_loaded_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    _write(folder, "a.md", GOOD)
    kb = _loaded(folder)
    (folder / "a.md").unlink()
    folder.rmdir()
    assert kb.reload_if_changed()
    assert len(kb.entries) == 1 and "not there" in kb.problems[0].problem
    assert not kb.reload_if_changed()  # said once


def test_every_load_problem_reads_in_chinese(tmp_path: Path) -> None:
    for name, (content, _words) in BAD.items():
        _write(tmp_path, name, content)
    _write(tmp_path, "big.md", "x" * (knowledge_files.MAX_FILE_BYTES + 1))
    _write(tmp_path, "group.md", '+++\ntitle = "x"\nskill_groups = ["理赔组"]\n+++\n正文\n')
    _write(tmp_path, "insurer-number.md", '+++\ntitle = "x"\ninsurer = 3\n+++\n正文\n')
    produced = {p.message for p in _loaded(tmp_path).problems}
    assert len(produced) == len(BAD) + 3
    chinese = i18n.catalog("zh_CN")
    templates = produced | {knowledge_base_module.FOLDER_GONE, knowledge_base_module.TOO_MANY,
                            knowledge_base_module.UNREADABLE}  # fmt: skip
    missing = sorted(t for t in templates if t not in chinese)
    assert not missing, missing


def test_the_config_names_a_folder_that_is_not_there(tmp_path: Path) -> None:
    settings = parse_settings({"knowledge": {"folder": str(tmp_path)}}, source="c.toml")
    assert settings.knowledge.folder == tmp_path
    with pytest.raises(ConfigError) as raised:
        parse_settings({"knowledge": {"folder": str(tmp_path / "nope")}}, source="c.toml")
    assert raised.value.key_path == "knowledge.folder" and "no such folder" in str(raised.value)


def test_the_demo_reads_its_own_set_and_a_deployment_only_its_folder(tmp_path: Path) -> None:
    plain = parse_settings({}, source="c.toml")
    assert knowledge_base(plain, demo_directory(), demo=True).folder == demo_knowledge_folder()
    assert not knowledge_base(plain, demo_directory(), demo=False).configured
    mine = parse_settings({"knowledge": {"folder": str(tmp_path)}}, source="c.toml")
    assert knowledge_base(mine, demo_directory(), demo=True).folder == tmp_path
