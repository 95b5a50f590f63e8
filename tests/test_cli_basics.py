from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from cscdesk import __version__
from cscdesk.cli import main


def test_version_is_printed() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_version_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from cscdesk.cli import main;"
        "CliRunner().invoke(main, ['--version']);"
        "heavy = [m for m in ('textual', 'httpx', 'faker', 'uvicorn', 'sqlite_utils') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_secrets_set_stores_in_keyring_not_on_disk(memory_keyring, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    result = runner.invoke(main, ["secrets", "set", "ccc-prod-secret"], input="s3cr3t-value\n")
    assert result.exit_code == 0, result.output
    assert memory_keyring.secrets[("cscdesk", "ccc-prod-secret")] == "s3cr3t-value"
    assert "s3cr3t-value" not in result.output
    result = runner.invoke(main, ["secrets", "delete", "ccc-prod-secret"])
    assert result.exit_code == 0
    assert ("cscdesk", "ccc-prod-secret") not in memory_keyring.secrets
