"""The ``cscdesk`` group itself: global options and the context every command shares.

Heavy modules (textual, httpx, faker, uvicorn) are imported inside the commands so that
``cscdesk --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from cscdesk import __version__
from cscdesk.cli.errors import EXIT_USAGE, CommandGroup

if TYPE_CHECKING:
    from cscdesk.config import ConfigChoice

EXIT_CONFIG = EXIT_USAGE


class Context:
    """What every command shares: the chosen config file and data dir.

    The config file is found once, on first use: ``--config``, then ``$CSCDESK_CONFIG``, then the
    user config dir, then the host-wide file (``cscdesk.config.discover_config``).
    """

    def __init__(self, config_file: Path | None, data_dir: Path | None) -> None:
        self._config_option = config_file
        self._choice: ConfigChoice | None = None
        self.data_dir = data_dir

    @property
    def config_choice(self) -> ConfigChoice:
        """Which file this run reads and which rule picked it (``doctor`` prints it)."""
        if self._choice is None:
            from cscdesk.config import discover_config

            self._choice = discover_config(self._config_option)
        return self._choice

    @property
    def config_file(self) -> Path | None:
        return self.config_choice.path

    def settings(self):  # type: ignore[no-untyped-def]
        from cscdesk.config import ConfigError, load_settings

        choice = self.config_choice
        try:
            return load_settings(choice.path)
        except ConfigError as exc:
            if choice.rule != "--config":  # say why this file was read at all
                exc = ConfigError(exc.file, exc.key_path, f"{exc.problem} ({choice.reason})")
            fail_config(exc)

    def paths(self):  # type: ignore[no-untyped-def]
        from cscdesk.config import resolve_paths

        return resolve_paths(self.config_file, self.data_dir)


def fail_config(exc: Exception) -> NoReturn:
    click.echo(f"config error: {exc}", err=True)
    sys.exit(EXIT_CONFIG)


pass_ctx = click.make_pass_decorator(Context)


@click.group(
    cls=CommandGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", "-V", prog_name="cscdesk")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=(
        "Config file (TOML). Without it: $CSCDESK_CONFIG, then ~/.config/cscdesk/config.toml,"
        " then /etc/xdg/cscdesk/config.toml; none of them: the embedded demo."
    ),
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the store, recordings and logs live (default: the user data dir).",
)
@click.option(
    "--as",
    "who",
    default="agent",
    metavar="agent|lead|USER",
    help="Open the agent desk or the team-lead wallboard; in the demo, as whom (agent002, lead).",
)
@click.option(
    "--center",
    "center_url",
    default=None,
    metavar="URL",
    help="Attach to the simulated center at http://127.0.0.1:PORT (a `cscdesk sim` on this host).",
)
@click.option(
    "--lang",
    type=click.Choice(["auto", "zh_CN", "en"]),
    default=None,
    help="UI language (overrides the config).",
)
@click.pass_context
def main(
    click_ctx: click.Context,
    config_file: Path | None,
    data_dir: Path | None,
    who: str,
    center_url: str | None,
    lang: str | None,
) -> None:
    """cscdesk: the customer service desk. With no command it opens the desk."""
    from cscdesk.security.redact import install_log_redaction

    install_log_redaction()  # no full mobile or ID number in any log line, from any library
    click_ctx.obj = Context(config_file, data_dir)
    if click_ctx.invoked_subcommand is not None:
        _one_line_logging()
        return
    role = "lead" if who.startswith("lead") else "agent"
    _open_desk(click_ctx.obj, role=role, lang=lang, who=who, center_url=center_url)


class _OneLine(logging.Formatter):
    """A warning a command logs reaches the person as one line: never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f": {type(error).__name__}: {error}"
        return text


def _one_line_logging() -> None:
    """Commands log warnings to stderr in one line each (Python's fallback printed tracebacks)."""
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine())
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(handler)


def _open_desk(ctx: Context, *, role: str, lang: str | None, who: str | None = None,
               center_url: str | None = None) -> None:  # fmt: skip
    """The composition root builds the services; the desk only runs on them."""
    from cscdesk.tui.i18n import resolve_language
    from cscdesk.tui.launch import run_desk
    from cscdesk.wiring import WiringError, build_services, close_services

    settings = ctx.settings()
    language = resolve_language(lang if lang and lang != "auto" else settings.desk.language)
    try:
        services = build_services(settings, ctx.paths(), language=language, role=role, who=who,
                                  center_url=center_url)  # fmt: skip
    except WiringError as exc:
        click.echo(f"cscdesk: {exc}", err=True)
        sys.exit(2)
    try:
        run_desk(services, role=role)
    finally:
        close_services(services)
