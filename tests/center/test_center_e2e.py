"""A center on one host, as its people use it: two agents' desks and a team lead's wallboard, each
``cscdesk`` in its own terminal on one data dir, sharing the simulated center the first of them
started (issue 15, item 6).

What a person would notice is asserted on the screens: the lead sees each agent's state change as
they sign in and go ready, and a ticket written on desk 1 is found on desk 2.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cscdesk.callcenter.sim import shared

from .processes import cscdesk
from .terminals import Terminal, Terminals, stop_center

NOT_OFFLINE = r"(Ready|Ringing|Talking|Break|ACW)"


@pytest.fixture
def center(tmp_path: Path) -> Iterator[tuple[Terminals, Path]]:
    data_dir = tmp_path / "data"
    seeded = subprocess.run(cscdesk(data_dir, "demo-data", "--members", "200"),
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    terminals = Terminals("center")
    try:
        yield terminals, data_dir
    finally:
        terminals.stop()
        stop_center(data_dir)


def lead_row(lead: Terminal, name: str, state: str) -> None:
    lead.wait_for(rf"{name}\s+Broker\s+{state}")


def sign_in(desk: Terminal) -> None:
    desk.keys("g")
    desk.wait_for("Sign in to skill groups")
    desk.keys("Tab", "Tab", "Enter")  # past the ticked groups and Cancel, to Sign in
    desk.wait_for(r"Break")


def test_two_desks_and_a_lead_share_one_center(center: tuple[Terminals, Path]) -> None:
    terminals, data_dir = center
    desk1 = terminals.open("desk1", data_dir, "--as", "agent001", "--lang", "en")
    lead = terminals.open("lead", data_dir, "--as", "lead", "--lang", "en")
    desk2 = terminals.open("desk2", data_dir, "--as", "agent002", "--lang", "en")

    # one center for all three, started by whichever came first
    desk1.wait_for("王芳")
    desk2.wait_for("李娜")
    lead_row(lead, "王芳", "Offline")
    lead_row(lead, "李娜", "Offline")
    published = shared.read_published(data_dir)
    assert published is not None and shared.answers(published)

    # the lead sees each agent sign in (signed in, they are on a break until ready)
    sign_in(desk1)
    lead_row(lead, "王芳", "Break")
    sign_in(desk2)
    lead_row(lead, "李娜", "Break")

    # a ticket written on desk 1 is found on desk 2, by the words of its title
    title = f"e2e{uuid.uuid4().hex[:8]}"
    desk1.keys("n")
    desk1.wait_for("New ticket")
    desk1.type(title)  # the form opens with the title in focus
    desk1.keys("C-s")
    created = desk1.wait_for(r"Ticket created: (\S+)").group(1)
    desk2.keys("C-f")
    desk2.wait_for("Find a ticket")
    desk2.type(title)
    desk2.keys("Enter")
    found = desk2.wait_for(rf"1 tickets? found[\s\S]*?{re.escape(created)}\s+\S+\s+{title}")
    assert found

    # desk 2 goes ready: the lead sees it take calls
    desk2.keys("Escape", "r")
    lead.wait_for(r"李娜\s+Broker\s+(Ready|Ringing|Talking|ACW)")
    assert shared.read_published(data_dir) == published  # still the one center
