"""``cscdesk knowledge check``: a lead who edited the knowledge folder learns what loaded and what
did not (file, fix), exit 1 when a file did not, before any desk shows it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cscdesk.cli import main


def check(tmp_path: Path, *args: str, config: str = "") -> tuple[int, str, str]:
    path = tmp_path / "cscdesk.toml"
    path.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["--config", str(path), "--data-dir", str(tmp_path / "data"), "knowledge", "check", *args],
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_demo_set_loads_whole(tmp_path: Path) -> None:
    code, out, err = check(tmp_path)
    assert code == 0, err
    assert "42 loaded (27 articles, 7 canned notes, 8 scripts)" in out and err == ""


def test_a_bad_file_is_named_with_its_fix_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    (folder / "嘉禾").mkdir(parents=True)
    (folder / "嘉禾" / "等待期.md").write_bytes(
        '+++\ntitle = "等待期"\n+++\n三十天\n'.encode("gb18030")
    )
    (folder / "好.md").write_text('+++\ntitle = "住院"\ninsurer = "嘉禾演示"\n+++\n正文\n', "utf-8")
    code, out, err = check(tmp_path, config=f'[knowledge]\nfolder = "{folder}"\n')
    assert code == 1
    assert "1 loaded (1 articles" in out
    assert f"not loaded: {Path('嘉禾/等待期.md')}: is not UTF-8: it looks like GBK/GB18030" in err
    code, out, _ = check(tmp_path, "--json", "--folder", str(folder))
    data = json.loads(out)
    assert code == 1 and data["loaded"] == {"article": 1, "note": 0, "script": 0}
    assert [p["path"] for p in data["problems"]] == [str(Path("嘉禾/等待期.md"))]


def test_a_deployment_without_a_folder_is_told_to_set_one(tmp_path: Path) -> None:
    code, _, err = check(tmp_path, config='[callcenter]\nmode = "aliyun"\n')
    assert code == 2 and "set [knowledge] folder" in err


def test_a_configured_folder_that_is_gone_stops_at_the_config(tmp_path: Path) -> None:
    code, _, err = check(tmp_path, config=f'[knowledge]\nfolder = "{tmp_path / "gone"}"\n')
    assert code == 2 and "knowledge.folder" in err and "no such folder" in err
