"""Where the config comes from: --config, then $CSCDESK_CONFIG, then the user config dir, then the
host-wide file; `doctor` says which one it read, and a named file that is missing is an error.

Every test points HOME / XDG_CONFIG_HOME / XDG_CONFIG_DIRS at its own folders, so the developer's
real ~/.config/cscdesk and /etc/xdg/cscdesk are never read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cscdesk.cli import main


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake host: HOME, an XDG host-wide config dir, all empty; no XDG_CONFIG_HOME set."""
    (tmp_path / "home").mkdir()
    (tmp_path / "etc-xdg").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    monkeypatch.delenv("CSCDESK_CONFIG", raising=False)
    return tmp_path


def _config(path: Path, store: Path) -> Path:
    """A config whose effect shows in `doctor`: the store line names this store path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[store]\npath = "{store}"\n', encoding="utf-8")
    return path


def _doctor(host: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--data-dir", str(host / "data"), "doctor"])


def test_the_documented_user_config_file_is_read(host: Path) -> None:
    config = _config(host / "home/.config/cscdesk/config.toml", host / "user.db")
    result = _doctor(host)
    assert result.exit_code == 0, result.output
    assert f"{config} (found in the user config dir) is valid" in result.output
    assert str(host / "user.db") in result.output
    assert "embedded demo" not in result.output


def test_xdg_config_home_moves_the_user_config_dir(
    host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(host / "xdg"))
    _config(host / "home/.config/cscdesk/config.toml", host / "ignored.db")
    config = _config(host / "xdg/cscdesk/config.toml", host / "xdg.db")
    result = _doctor(host)
    assert f"{config} (found in the user config dir)" in result.output
    assert str(host / "xdg.db") in result.output
    assert "ignored.db" not in result.output


def test_the_host_wide_file_is_read_when_the_user_has_none(host: Path) -> None:
    config = _config(host / "etc-xdg/cscdesk/config.toml", host / "site.db")
    result = _doctor(host)
    assert result.exit_code == 0, result.output
    assert f"{config} (found in the host-wide config dir) is valid" in result.output
    assert str(host / "site.db") in result.output


def test_the_user_file_wins_over_the_host_wide_file(host: Path) -> None:
    _config(host / "etc-xdg/cscdesk/config.toml", host / "site.db")
    _config(host / "home/.config/cscdesk/config.toml", host / "user.db")
    result = _doctor(host)
    assert str(host / "user.db") in result.output
    assert "site.db" not in result.output


def test_cscdesk_config_wins_over_the_config_dirs(
    host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(host / "home/.config/cscdesk/config.toml", host / "user.db")
    named = _config(host / "named.toml", host / "named.db")
    monkeypatch.setenv("CSCDESK_CONFIG", str(named))
    result = _doctor(host)
    assert f"{named} (named by $CSCDESK_CONFIG) is valid" in result.output
    assert "user.db" not in result.output


def test_the_config_option_wins_over_cscdesk_config(
    host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSCDESK_CONFIG", str(_config(host / "named.toml", host / "named.db")))
    given = _config(host / "given.toml", host / "given.db")
    result = _doctor(host, "--config", str(given))
    assert f"{given} (given with --config) is valid" in result.output
    assert "named.db" not in result.output


def test_cscdesk_config_naming_a_missing_file_is_an_error_not_the_demo(
    host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(host / "home/.config/cscdesk/config.toml", host / "user.db")
    monkeypatch.setenv("CSCDESK_CONFIG", str(host / "typo.toml"))
    result = _doctor(host)
    assert result.exit_code == 2
    assert f"{host / 'typo.toml'}: file not found (named by $CSCDESK_CONFIG)" in result.output
    assert "Traceback" not in result.output


def test_a_broken_user_config_stops_and_says_where_it_was_found(host: Path) -> None:
    config = host / "home/.config/cscdesk/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[desk]\nlanguage = 'fr'\n", encoding="utf-8")
    result = _doctor(host)
    assert result.exit_code == 2
    assert f"{config}: desk.language" in result.output
    assert "found in the user config dir" in result.output


def test_a_folder_in_place_of_the_user_config_is_reported_not_skipped(host: Path) -> None:
    (host / "home/.config/cscdesk/config.toml").mkdir(parents=True)
    _config(host / "etc-xdg/cscdesk/config.toml", host / "site.db")
    result = _doctor(host)
    assert result.exit_code == 2
    assert "not a regular file" in result.output


def test_without_any_config_doctor_says_where_it_looked_and_that_the_demo_runs(
    host: Path,
) -> None:
    result = _doctor(host)
    assert result.exit_code == 0, result.output
    config_line = result.output.splitlines()[0]
    assert "embedded demo" in config_line
    assert str(host / "home/.config/cscdesk/config.toml") in config_line
    assert str(host / "etc-xdg/cscdesk/config.toml") in config_line


def test_a_real_process_reads_home_dot_config(tmp_path: Path) -> None:
    """The documented location, through a real `cscdesk` process and a plain environment."""
    home = tmp_path / "home"
    config = _config(home / ".config/cscdesk/config.toml", tmp_path / "proc.db")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "CSCDESK_CONFIG")
    }
    env["HOME"] = str(home)
    env["XDG_CONFIG_DIRS"] = str(tmp_path / "no-site")
    out = subprocess.run(
        [sys.executable, "-m", "cscdesk", "--data-dir", str(tmp_path / "data"), "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert f"{config} (found in the user config dir) is valid" in out.stdout, out.stderr
