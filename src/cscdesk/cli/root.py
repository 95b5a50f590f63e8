"""The ``cscdesk`` group itself: global options and the context every command shares.

Heavy modules (textual, httpx, faker, uvicorn) are imported inside the commands so that
``cscdesk --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from cscdesk import __version__
from cscdesk.cli.errors import EXIT_USAGE, CommandGroup
from cscdesk.cli.started import log_start

if TYPE_CHECKING:
    from cscdesk.config import ConfigChoice
    from cscdesk.tui.services import DeskServices

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
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="More on stderr: -v info, -vv debug (the log file keeps [logging] level).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option(
    "--log-json",
    is_flag=True,
    help="Log lines as JSON objects on stderr and in the log file (the file alone: "
    '[logging] format = "json").',
)
@click.option(
    "--no-color", is_flag=True, help="No colour anywhere, the desk included (as NO_COLOR=1 does)."
)
@click.pass_context
def main(
    click_ctx: click.Context,
    config_file: Path | None,
    data_dir: Path | None,
    who: str,
    center_url: str | None,
    lang: str | None,
    verbose: int,
    quiet: bool,
    log_json: bool,
    no_color: bool,
) -> None:
    """cscdesk: the customer service desk. With no command it opens the desk."""
    if no_color:  # rich consoles and the Textual app of this process read it
        os.environ["NO_COLOR"] = "1"
    click_ctx.obj = Context(config_file, data_dir)
    desk = click_ctx.invoked_subcommand is None
    _start_logging(click_ctx.obj, console=not desk, verbose=verbose, quiet=quiet,
                   log_json=log_json)  # fmt: skip
    if desk:  # a command logs its start itself, with its whole path (cli/started.py)
        log_start("desk")
        role = "lead" if who.startswith("lead") else "agent"
        _open_desk(click_ctx.obj, role=role, lang=lang, who=who, center_url=center_url)


def _start_logging(ctx: Context, *, console: bool, verbose: int, quiet: bool,
                   log_json: bool) -> None:  # fmt: skip
    """The day's log file in the configured logs folder, and for commands stderr (one line a
    warning, never a traceback; the desk owns the terminal, so it logs to the file only).
    A config that does not load still gets stderr: the command itself then says what is wrong."""
    from cscdesk.config import ConfigError, LoggingSettings, load_settings
    from cscdesk.security.logfile import configure_logging, stderr_level

    folder: Path | None = None
    options = LoggingSettings()
    try:
        options = load_settings(ctx.config_file).logging
        folder = options.dir or ctx.paths().logs
    except (ConfigError, OSError, ValueError):
        pass
    log_format = "json" if log_json else options.format  # --log-json: stderr too
    configure_logging(folder=folder, file_level=logging.getLevelName(options.level),
                      keep_days=options.keep_days, log_format=log_format,
                      console=console, console_level=stderr_level(verbose, quiet),
                      console_format="json" if log_json else "text")  # fmt: skip


def _open_desk(ctx: Context, *, role: str, lang: str | None, who: str | None = None,
               center_url: str | None = None) -> None:  # fmt: skip
    """The composition root builds the services; the desk only runs on them."""
    from cscdesk.tui.i18n import resolve_language
    from cscdesk.tui.launch import run_desk
    from cscdesk.wiring import build_services, close_services

    settings = ctx.settings()
    language = resolve_language(lang if lang and lang != "auto" else settings.desk.language)
    paths = ctx.paths()

    def build() -> DeskServices:  # after the desk's first frame, in a thread
        return build_services(settings, paths, language=language, role=role, who=who,
                              center_url=center_url)  # fmt: skip

    services = None
    try:
        services, refused = run_desk(settings, language=language, role=role, build=build)
    finally:
        if services is not None:
            close_services(services)
    if refused:  # the builder's WiringError, as when it ran before the desk
        click.echo(f"cscdesk: {refused}", err=True)
        sys.exit(2)
