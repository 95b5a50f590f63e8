"""Each command's start line in the day's log, named by its whole path (``archive sync``,
``complaint review decide``), so an operator reading the log can tell which command wrote the
lines under it. Arguments are left out: they can hold personal data (a roster file named after
its people, a complaint id) or a secret typed by mistake."""

from __future__ import annotations

import logging

import click

from cscdesk import __version__

log = logging.getLogger("cscdesk")


def log_start(path: str) -> None:
    """The first record a command (or the desk: ``desk``) writes to the log."""
    log.info("cscdesk %s started (version %s)", path, __version__)


def command_path(ctx: click.Context) -> str:
    """The subcommands' names from the root down (no options, no arguments)."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or ctx.command.name or "?")
        ctx = ctx.parent
    return " ".join(reversed(names))


class StartLoggedCommand(click.Command):
    """A command that logs its start as it reads its options, before anything it does: a run
    that stops on a usage error or ``--help`` has its start line too, as before."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        log_start(command_path(ctx))
        return super().parse_args(ctx, args)


class CommandTree(click.Group):
    """A group whose commands, and its subgroups' commands, all log their start."""

    command_class = StartLoggedCommand
    group_class: type[click.Group] | type[type] | None = type  # subgroups: CommandTrees too
