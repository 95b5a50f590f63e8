"""People search as an agent uses it: any part of a name, number fragments, nothing unmasked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import postgres_db
from cscdesk.demo.seed import seed_demo
from cscdesk.store import Store, open_store
from cscdesk.store.migrations import MIGRATIONS, _v15_member_pinyin, apply_migrations

from .helpers import employer, member


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The same seeded people on each engine: PostgreSQL must find whom SQLite finds."""
    if request.param == "sqlite":
        store = open_store(tmp_path_factory.mktemp("search") / "cscdesk.db")
    else:
        from cscdesk.store.postgres import open_postgres

        heads = tmp_path_factory.mktemp("search") / "audit-head"
        url = postgres_db.new_database("cscdesk_search")
        store = open_postgres(url, pool_size=2, audit_head_file=heads)
    seed_demo(store, members=3000, seed=7)
    yield store
    store.close()


def _like(store: Store, fragment: str) -> set[str]:
    with store.reading() as db:
        rows = db.execute("SELECT id FROM members WHERE name LIKE ?", [f"%{fragment}%"])
        return {r[0] for r in rows}


@pytest.mark.parametrize("fragment", ["丽华", "佳", "华", "明"])
def test_any_part_of_a_name_finds_exactly_what_like_finds(seeded: Store, fragment: str) -> None:
    expected = _like(seeded, fragment)
    assert expected, f"the seeded store should hold names with {fragment}"
    found = seeded.members.lookup(fragment, limit=100_000)
    assert {h.member.id for h in found.hits} == expected
    assert found.total == len(expected)


def test_the_count_is_true_when_hits_are_capped(seeded: Store) -> None:
    expected = _like(seeded, "华")
    found = seeded.members.lookup("华", limit=5)
    assert len(found.hits) == 5
    assert found.total == len(expected) > 5


def test_hits_tell_people_apart_without_unmasking(seeded: Store) -> None:
    hit = seeded.members.lookup("佳", limit=1).hits[0]
    assert hit.employer and not hit.employer.startswith("E")  # the employer's name
    assert hit.birth_year == hit.member.birth_date.year
    shown = hit.masked()
    assert hit.member.id_number not in " ".join(shown.values())
    assert shown["relation"] == hit.member.relation.value
    assert int(shown["policies"]) >= 1


def test_mobile_prefix_and_tail_and_id_fragment_find_the_person(seeded: Store) -> None:
    someone = next(m for m in seeded.members.search("", limit=50) if m.mobile)
    assert someone.mobile is not None
    for fragment in (someone.mobile[:7], someone.mobile[-4:], someone.id_number[6:14]):
        ids = {h.member.id for h in seeded.members.lookup(fragment, limit=100_000).hits}
        assert someone.id in ids, fragment
    full_width = someone.mobile.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert someone.id in {m.id for m in seeded.members.search(full_width)}
    spaced = f"{someone.mobile[:3]} {someone.mobile[3:7]}-{someone.mobile[7:]}"
    assert [m.id for m in seeded.members.search(spaced)][:1] == [someone.id]


@pytest.mark.parametrize("text", ['"', "*", "-", "^", "()", "AND", '丽"华', "13"])
def test_search_syntax_characters_are_text_not_commands(seeded: Store, text: str) -> None:
    found = seeded.members.lookup(text, limit=100_000)
    letters = "".join(c for c in text if c.isalnum())
    expected = _like(seeded, letters) if letters and not letters.isdigit() else set()
    assert {h.member.id for h in found.hits} == expected
    assert found.total == len(expected)


def test_renames_and_removals_follow_the_index(store: Store) -> None:
    store.employers.put_many([employer()])
    main = member("M1", "欧阳娜娜", "11010519491231002X", "13812345678", employee_no="E0042")
    store.members.add_many([main])
    assert [m.id for m in store.members.search("阳娜")] == ["M1"]
    store.members.upsert_many([replace(main, name="欧阳丽", mobile="13900001111")])
    assert store.members.search("阳娜") == []
    assert [m.id for m in store.members.search("阳丽")] == ["M1"]
    assert [m.id for m in store.members.search("0001111")] == ["M1"]
    assert store.members.search("12345678") == []


def _ids(store: Store, text: str) -> set[str]:
    return {h.member.id for h in store.members.lookup(text, limit=100_000).hits}


def _spelled(store: Store, column: str, tokens: str) -> set[str]:
    """Members whose stored pinyin spelling holds ``tokens`` as whole syllables/initials."""
    with store.reading() as db:
        rows = db.execute(f"SELECT id, {column} FROM members").fetchall()
    return {mid for mid, spelled in rows if f" {tokens} " in f" {spelled} "}


def test_a_name_typed_in_pinyin_or_initials_finds_the_people(seeded: Store) -> None:
    heard = _like(seeded, "丽华")
    assert heard, "the seeded store should hold a 丽华"
    assert heard <= _ids(seeded, "lihua") == _ids(seeded, "Li Hua")
    assert _ids(seeded, "lihua") == _spelled(seeded, "name_pinyin", "li hua")
    assert heard <= _ids(seeded, "lh") == _spelled(seeded, "name_initials", "l h")
    assert seeded.members.lookup("lh").total == len(_spelled(seeded, "name_initials", "l h"))


def test_pinyin_search_on_people_added_renamed_and_with_surname_readings(store: Store) -> None:
    store.employers.put_many([employer()])
    people = [
        member("M1", "李华", "11010519491231002X", "13800000001"),
        member("M2", "王丽华", "110105194912310046", "13800000002"),
        member("M3", "刘海", "110105194912310062", "13800000003"),
        member("M4", "曾小贤", "110105194912310089", "13800000004"),
        member("M5", "张三", "110105194912310101", "13800000005"),
    ]
    store.members.add_many(people)
    assert _ids(store, "lihua") == {"M1", "M2"}
    assert _ids(store, "lh") == {"M1", "M2", "M3"}
    assert _ids(store, "zengxiaoxian") == _ids(store, "cengxiao") == {"M4"}  # 曾 as a surname
    assert _ids(store, "zhangs") == {"M5"}  # still typing: the last syllable is a prefix
    assert _ids(store, "zs") == {"M5"} and _ids(store, "xyz") == set()
    store.members.upsert_many([replace(people[0], name="李明")])
    assert _ids(store, "lihua") == {"M2"}
    assert _ids(store, "liming") == {"M1"}


def test_members_stored_before_pinyin_search_are_found_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before = next(i for i, m in enumerate(MIGRATIONS) if m.apply is _v15_member_pinyin)
    old = open_store(path, migrate=lambda s: apply_migrations(s, upto=before))
    old.employers.put_many([employer()])
    with old.transaction() as db:
        db.execute(
            "INSERT INTO members (id, name, id_type, id_number, birth_date, sex, mobile,"
            " employer_id, relation) VALUES ('M1', '王丽华', 'resident_id', '11010519491231002X',"
            " '1949-12-31', 'F', '13800000001', 'E1', 'self')"
        )
    old.close()
    store = open_store(path)
    try:
        assert _ids(store, "lihua") == _ids(store, "wlh") == {"M1"}
    finally:
        store.close()
