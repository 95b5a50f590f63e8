"""``cscdesk sla due``: the date a person must give, counted as the law counts.

Law: 民法典 §201 (start day not counted), §203 (a last day that is a statutory holiday or rest
day moves to the day after it ends); 银行业保险业消费投诉处理管理办法 (2020) 15日 / 30日 / +30日;
保险法 §23 (30日 decision, 10日 payment after agreement), §24 (3日 refusal notice), §25 (60日).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cscdesk.cli import main


def due(tmp_path: Path, *args: str, config: str = "") -> tuple[int, str, str]:
    path = tmp_path / "cscdesk.toml"
    path.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "sla", "due", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # the Done-when cases of issue 17
        (("complaint", "2026-02-12"), "2026-02-12 → 2026-02-27  decide and tell the complainant"),
        (("complaint", "2026-09-16"), "2026-09-16 → 2026-10-08  decide and tell the complainant"),
        (("refusal-notice", "2026-09-28"), "2026-09-28 → 2026-10-08  refusal notice"),
    ],
)
def test_done_when_cases(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    code, out, err = due(tmp_path, *args)
    assert code == 0, err
    assert expected in out
    assert "民法典 §201" in out


def test_the_rule_names_the_holiday_and_the_roll_forward(tmp_path: Path) -> None:
    _, out, _ = due(tmp_path, "refusal-notice", "2026-09-28")
    assert "= 2026-10-01, a day off (National Day)" in out and "民法典 §203" in out
    assert "保险法 §24" in out


def test_complaint_shows_15_30_and_60_days(tmp_path: Path) -> None:
    code, out, _ = due(tmp_path, "complaint", "2026-02-12", "--json")
    data = json.loads(out)
    assert code == 0
    assert [(d["days"], d["due"]) for d in data["due"]] == [
        (15, "2026-02-27"),
        (30, "2026-03-16"),  # + 30 = Sat 14 Mar → Mon 16 Mar
        (60, "2026-04-13"),
    ]
    assert data["due"][1]["rolled"] and data["due"][1]["nominal_day"] == "2026-03-14"


def test_claim_decision_from_documents_and_insurer_terms(tmp_path: Path) -> None:
    config = "[sla.insurer_claim_terms.ins-a]\nclaim_decision_days = 20\n"
    code, out, err = due(
        tmp_path, "claim-decision", "2026-03-02", "--documents-complete", "2026-03-10",
        "--insurer", "ins-a", "--json", config=config,
    )  # fmt: skip
    assert code == 0, err
    line = json.loads(out)["due"][0]
    assert (line["start_day"], line["days"], line["due"]) == ("2026-03-10", 20, "2026-03-30")
    assert "insurer ins-a" in line["law"]


def test_internal_working_day_target_is_labelled_as_such(tmp_path: Path) -> None:
    config = "[sla]\ninternal_complaint_target_working_days = 10\n"
    _, out, _ = due(tmp_path, "complaint", "2026-02-12", config=config)
    assert "internal target (10 working days)" in out
    assert "not the law" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("complaint", "2026-02-30"), "START_DATE '2026-02-30' is not a date"),
        (("payment", "2026-03-01", "--documents-complete", "2026-03-02"), "applies to"),
        (("complaint", "2026-03-01", "--insurer", "ins-a"), "--insurer applies"),
        (
            ("claim-decision", "2026-03-05", "--documents-complete", "2026-03-01"),
            "is before the claim was received",
        ),
    ],
)
def test_bad_questions_get_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, out, err = due(tmp_path, *args)
    assert code == 2 and message in err and "Traceback" not in err + out
