"""Who looked up whom is recorded without the numbers asked with; the CLI commands work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cscdesk.cli import main
from cscdesk.insurers.gateway import InsurerGateway
from cscdesk.insurers.port import LookupQuery
from cscdesk.insurers.sim import InsurerSimHandles

from .helpers import API_INSURERS, insured_at


async def test_each_lookup_writes_one_audit_event_without_id_number_or_mobile(
    gateway: InsurerGateway, sims: InsurerSimHandles, store: Any
) -> None:
    person = insured_at(sims, "ruian")
    assert person.mobile, "demo members have mobiles"
    before = len([e for e in store.audit.list() if e.action == "insurer.lookup"])
    query = LookupQuery(
        id_number=person.id_number,
        mobile=person.mobile,
        member_ids=(person.member_id,),
        insurer_ids=API_INSURERS,
        actor="agent007@ccc-demo",
    )
    await gateway.lookup_all(query)

    events = [e for e in store.audit.list() if e.action == "insurer.lookup"]
    assert len(events) == before + 1
    event = events[-1]
    assert event.actor == "agent007@ccc-demo"
    assert event.subject == person.member_id
    written = json.dumps(event.detail, ensure_ascii=False) + event.subject
    assert person.id_number not in written
    assert person.mobile not in written
    assert event.detail["by"] == ["id_number", "mobile"]
    assert sorted(event.detail["insurers"]) == sorted(API_INSURERS)


def test_import_insurer_batch_command_reports_each_file(
    sims: InsurerSimHandles, store_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "extracts"  # the simulators wrote today's 安和 extract here
    (folder / "anhe_claims_20260101.csv").write_text("claim_no\nX\n", encoding="utf-8")
    config = tmp_path / "cscdesk.toml"
    config.write_text(f"[store]\npath = '{store_path}'\n", encoding="utf-8")
    runner = CliRunner()

    first = runner.invoke(main, ["--config", str(config), "import", "insurer-batch", str(folder)])
    again = runner.invoke(main, ["--config", str(config), "import", "insurer-batch", str(folder)])

    assert first.exit_code == 1, first.output  # one file was rejected
    assert "2 imported, 0 already loaded, 1 rejected" in first.output
    assert "anhe_claims_20260101.csv" in first.output and "policy_no" in first.output
    assert "0 imported, 2 already loaded, 1 rejected" in again.output


def test_import_insurer_batch_command_refuses_a_missing_folder(
    store_path: Path, tmp_path: Path
) -> None:
    config = tmp_path / "cscdesk.toml"
    config.write_text(f"[store]\npath = '{store_path}'\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", str(config), "import", "insurer-batch", str(tmp_path / "nope")]
    )
    assert result.exit_code == 2
    assert "not a folder" in result.output
