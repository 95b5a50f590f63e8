"""A center on one host, as its people use it: one simulator (``cscdesk sim --demo``), two agents'
desks and a team lead's wallboard, each ``cscdesk`` in its own terminal on one data dir (issue 15,
item 6). The desks find the simulator through the data dir; that the first desk starts one when
none runs is tested in test_shared_center.py with the same code path.

What a person would notice is asserted on the screens: the lead sees each agent's state change as
they sign in and go ready, a ticket written on desk 1 is found on desk 2, handed to its agent
(announced there within a poll), passed to a group's queue and claimed from it on desk 1, and callers who hung up
unanswered reach the missed calls worklist (the lead's line and the agent's list). The simulator
runs 10× so that callers lose patience within the test (a person's demo runs in real time).
"""

from __future__ import annotations

import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cscdesk.callcenter.sim import shared
from cscdesk.store import open_store

from .processes import UNBUFFERED, cscdesk
from .terminals import Terminal, Terminals, stop_center

NOT_OFFLINE = r"(Ready|Ringing|Talking|Break|ACW)"


@pytest.fixture
def center(tmp_path: Path) -> Iterator[tuple[Terminals, Path, int]]:
    data_dir = tmp_path / "data"
    seeded = subprocess.run(cscdesk(data_dir, "demo-data", "--members", "200"),
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    sim = subprocess.Popen(cscdesk(data_dir, "sim", "--demo", "--speed", "10"), text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=UNBUFFERED)  # fmt: skip
    terminals = Terminals("center")
    try:
        assert sim.stdout is not None
        assert sim.stdout.readline().startswith("CCC simulator listening on")
        yield terminals, data_dir, sim.pid
    finally:
        terminals.stop()
        sim.send_signal(signal.SIGINT)
        sim.communicate(timeout=30)
        stop_center(data_dir)  # none, unless a desk had to start one


def lead_row(lead: Terminal, name: str, state: str) -> None:
    lead.wait_for(rf"{name}\s+Broker\s+{state}")


def sign_in(desk: Terminal) -> None:
    desk.keys("g")
    desk.wait_for("Sign in to skill groups")
    desk.keys("Tab", "Tab", "Enter")  # past the ticked groups and Cancel, to Sign in
    desk.wait_for(r"Break")


def find_ticket(desk: Terminal, title: str) -> None:
    desk.keys("C-f")
    desk.wait_for("Find a ticket")
    desk.type(title)
    desk.keys("Enter")
    desk.wait_for(rf"1 tickets? found[\s\S]*?{title}")


def hand_over(desk: Terminal, title: str, to: str) -> None:
    """Find the ticket, Ctrl+T, pick the new owner by typing the start of its name."""
    find_ticket(desk, title)
    desk.keys("C-t")
    desk.wait_for("Hand over ticket")
    desk.keys("Enter")  # the list of agents and groups opens
    desk.type(to)  # type to search, as a person picks from a long list
    desk.keys("Enter")
    desk.keys("Tab")
    desk.type("e2e hand-over")
    desk.keys("Tab", "Tab", "Enter")  # past Cancel, to Hand over
    desk.wait_for(r"is now with")
    desk.keys("Escape")


def test_two_desks_and_a_lead_share_one_center(center: tuple[Terminals, Path, int]) -> None:
    terminals, data_dir, sim_pid = center
    desk1 = terminals.open("desk1", data_dir, "--as", "agent001", "--lang", "en")
    lead = terminals.open("lead", data_dir, "--as", "lead", "--lang", "en")
    desk2 = terminals.open("desk2", data_dir, "--as", "agent002", "--lang", "en")

    # one center for all three: the simulator the data dir publishes
    desk1.wait_for("王芳")
    desk2.wait_for("李娜")
    lead_row(lead, "王芳", "Offline")
    lead_row(lead, "李娜", "Offline")
    published = shared.read_published(data_dir)
    assert published is not None and published.pid == sim_pid

    # the lead sees each agent sign in (signed in, they are on a break until ready)
    sign_in(desk1)
    lead_row(lead, "王芳", "Break")
    sign_in(desk2)
    lead_row(lead, "李娜", "Break")

    # a ticket written on desk 1 is found on desk 2, by the words of its title
    title = f"e2e{uuid.uuid4().hex[:8]}"
    desk1.keys("n")
    desk1.wait_for(r"Policy no\.")  # the form's own field ("New ticket" is in the footer too)
    desk1.type(title)  # the form opens with the title in focus
    desk1.wait_for(title)
    desk1.keys("C-s")
    created = desk1.wait_for(r"Ticket created: (\S+)").group(1)
    desk2.keys("C-f")
    desk2.wait_for("Find a ticket")
    desk2.type(title)
    desk2.keys("Enter")
    # the row names it by its number a person reads out (GD-YYYYMMDD-NNNN), or its id
    stored = open_store(data_dir / "cscdesk.db", read_only=True)
    try:
        ticket = stored.tickets.get(created)
    finally:
        stored.close()
    assert ticket is not None and ticket.number is not None
    shown = desk2.wait_for(rf"1 tickets? found[\s\S]*?(\S+)\s+\S+\s+{title}").group(1)
    assert shown in (ticket.number, created)
    desk2.keys("Escape")

    # desk 1 hands it to 李娜 (agent002): her desk, another process, announces it within a poll
    hand_over(desk1, title, "李娜")
    desk2.wait_for(rf"New in your tickets: {ticket.number}")
    # she passes it to the claims group's queue, and 王芳 claims it from there
    hand_over(desk2, title, "Group: Group claims")
    find_ticket(desk1, title)
    desk1.keys("C-g")
    desk1.wait_for(rf"Ticket {ticket.number} is now with 王芳")
    desk1.keys("Escape")
    stored = open_store(data_dir / "cscdesk.db", read_only=True)
    try:
        moved = stored.tickets.require(created)
        kinds = [e.kind for e in stored.tickets.events(created)]
    finally:
        stored.close()
    assert moved.owner == "agent001@ccc-demo" and kinds.count("assigned") == 3

    # callers nobody answered (no broker agent was ready) reach the missed calls worklist: the
    # lead's line counts them, and desk 1 lists those of its groups
    lead.wait_for(r"Missed calls: [1-9]\d* waiting", timeout=45)
    desk2.keys("Escape")
    desk1.keys("l")
    desk1.wait_for(r"Missed calls to call back: [1-9]\d* waiting")

    # desk 2 goes ready: the lead sees it take calls
    desk2.keys("r")
    lead.wait_for(r"李娜\s+Broker\s+(Ready|Ringing|Talking|ACW)")
    assert shared.read_published(data_dir) == published  # still the one center
