"""Searching the demo set as an agent does: short Chinese words, pinyin, several words, and the
caller's insurer and product first; snippets for the call's ticket type and skill group first."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscdesk.domain.models import TicketType
from cscdesk.knowledge import CallerContext, KnowledgeBase
from cscdesk.wiring import demo_directory, demo_knowledge_folder

MED = "企业补充医疗保险"
ACC = "团体意外伤害保险"
# a 嘉禾演示 group medical member whose accident cover is with 华盈演示 (as the demo seeds them)
CALLER = CallerContext(policies=(("jiahe", MED), ("huaying", ACC)))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    base = KnowledgeBase(demo_knowledge_folder(), demo_directory())
    base.reload_if_changed()
    return base


def titles(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.entry.title for h in hits]


def test_waiting_period_shows_the_callers_insurer_first(kb: KnowledgeBase) -> None:
    hits = kb.articles("等待期", CALLER)
    assert titles(hits)[0] == "嘉禾演示 企业补充医疗保险 等待期"
    assert hits[0].for_caller and "年中新增的员工" in hits[0].entry.body
    # the caller's accident cover (华盈演示: no waiting period) next, then other insurers'
    assert titles(hits)[1] == "华盈演示 团体意外伤害保险 理赔材料与赔付规则" and hits[1].for_caller
    others = [h for h in hits if not h.for_caller]
    assert {"瑞安演示 企业补充医疗保险 等待期", "安和演示 企业补充医疗保险 等待期"} <= set(
        titles(others)
    )
    assert hits.index(others[0]) > max(hits.index(h) for h in hits if h.for_caller)


def test_without_a_caller_the_title_matches_come_first(kb: KnowledgeBase) -> None:
    hits = kb.articles("等待期")
    assert all("等待期" in t for t in titles(hits)[:4])
    assert not any(h.for_caller for h in hits)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("材料", "嘉禾演示 企业补充医疗保险 理赔材料清单"),
        ("住院", "嘉禾演示 企业补充医疗保险 医院范围与就医规则"),
        ("比例", "嘉禾演示 企业补充医疗保险 赔付比例与免赔额"),
        ("电话", "嘉禾演示 团险理赔联系方式"),
        ("药", "嘉禾演示 企业补充医疗保险 医院范围与就医规则"),  # one character matches too
        ("ddq", "嘉禾演示 企业补充医疗保险 等待期"),  # pinyin initials of 等待期
        ("dengdaiqi", "嘉禾演示 企业补充医疗保险 等待期"),
        ("ＩＣＵ 嘉禾", None),  # full-width Latin is folded; no article mentions ICU
        ("嘉禾 材料", "嘉禾演示 企业补充医疗保险 理赔材料清单"),  # several words: all of them
    ],
)
def test_short_terms_match(kb: KnowledgeBase, query: str, expected: str | None) -> None:
    hits = kb.articles(query, CALLER)
    if expected is None:
        assert hits == []
    else:
        assert expected in titles(hits)[:2], titles(hits)[:5]


def test_every_term_must_match(kb: KnowledgeBase) -> None:
    both = set(titles(kb.articles("安和 等待期", CALLER)))
    assert both == {
        "安和演示 企业补充医疗保险 等待期",
        "安和演示 团体意外伤害保险 理赔材料与赔付规则",
    }


def test_articles_for_every_insurer_sit_between_the_callers_and_the_others(
    kb: KnowledgeBase,
) -> None:
    hits = kb.articles("异地就医", CALLER)
    general = titles(hits).index("异地就医与转诊")
    assert all(h.entry.insurer_id == "jiahe" for h in hits[:general])
    assert hits[general].for_caller  # every insurer's, about the caller's product
    assert hits[general + 1 :] and not any(h.for_caller for h in hits[general + 1 :])


def test_snippets_for_the_calls_ticket_type_and_group_come_first(kb: KnowledgeBase) -> None:
    claims = CallerContext(skill_group="sg_group_claims", ticket_type=TicketType.CLAIM_ASSIST)
    hits = kb.snippets("", claims)
    assert titles(hits)[:2] == ["理赔进度查询", "补充材料告知"]
    assert all(h.entry.insertable for h in hits)
    mine = [h for h in hits if h.for_caller]
    assert {"已告知理赔材料清单", "已升级保险公司处理"} <= set(titles(mine))
    # a complaint script is for the complaints group and ticket type: last for a claims call
    assert titles(hits).index("投诉受理") > titles(hits).index("结束语")
    complaint = kb.snippets(
        "", CallerContext(skill_group="sg_complaints", ticket_type=TicketType.COMPLAINT)
    )
    assert titles(complaint)[:2] == ["投诉受理", "投诉已登记并告知时限"]


def test_snippets_are_searched_like_articles(kb: KnowledgeBase) -> None:
    assert titles(kb.snippets("回电"))[0] == "客户要求回电"  # in the title before in a text
    assert "投诉受理" in titles(kb.snippets("tssl"))  # 投诉受理 → t s s l
    assert kb.articles("回电") == [] or all(not h.entry.insertable for h in kb.articles("回电"))


def test_a_new_article_for_the_callers_insurer_is_found_after_a_reload(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path, demo_directory())
    base.reload_if_changed()
    assert base.articles("等待期", CALLER) == []
    (tmp_path / "a.md").write_text(
        '+++\ntitle = "嘉禾演示 重疾等待期"\ninsurer = "jiahe"\n+++\n180 天\n', "utf-8"
    )
    assert base.reload_if_changed()
    assert titles(base.articles("等待期", CALLER)) == ["嘉禾演示 重疾等待期"]
