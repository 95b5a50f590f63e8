"""The archive commands as an operator runs them, on the embedded demo's simulator."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cscdesk.cli import main
from cscdesk.store import open_store
from cscdesk.sync.blobstore import BlobStore


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_sync_verify_export_import_and_purge_from_the_command_line(tmp_path: Path) -> None:
    site, other = tmp_path / "site", tmp_path / "other"
    code, out = run("--data-dir", str(site), "archive", "sync")
    assert code == 0 and "recordings stored" in out
    code, out = run("--data-dir", str(site), "archive", "verify")
    assert code == 0 and "0 missing, 0 corrupt" in out
    code, out = run("--data-dir", str(site), "archive", "purge", "--dry-run")
    assert code == 0 and "0 past keep-until" in out  # everything is days old, kept 5 years
    code, out = run("--data-dir", str(site), "archive", "export", str(tmp_path / "bundle"))
    assert code == 0 and "personal data is only in members.jsonl" in out
    code, out = run("--data-dir", str(other), "archive", "import", str(tmp_path / "bundle"))
    assert code == 0 and "imported" in out
    code, out = run("--data-dir", str(other), "archive", "import", str(tmp_path / "bundle"))
    assert code == 1 and "import needs an empty store" in out
    victim = open_store(other / "cscdesk.db").recordings.list()[0]
    BlobStore(other / "recordings").path_for(victim.sha256).write_bytes(b"overwritten")
    code, out = run("--data-dir", str(other), "archive", "verify")
    assert code == 1 and f"corrupt  {victim.contact_id}" in out
