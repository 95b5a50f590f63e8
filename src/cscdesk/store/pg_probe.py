"""One connection tried before a PostgreSQL store's pool opens, so a fault that waiting will
not mend (no such database, a refused password) is said at once and in words, instead of the
pool retrying it for seconds and printing its own warnings on the way."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from cscdesk.store.errors import StoreError

CONNECT_TIMEOUT_SECONDS = 5


def probe(url: str, where: str, password: dict[str, Any]) -> None:
    """Connect once and leave; raise what is wrong as a ``StoreError`` naming ``where``."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS, **password).close()
    except psycopg.OperationalError as exc:
        raise refusal(url, where, str(exc)) from None


def refusal(url: str, where: str, said: str) -> StoreError:
    """What the server's (or libpq's) words mean for the person who configured ``url``."""
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/")) or "(the user's default)"
    user = unquote(parts.username or "") or "(the login user)"
    first = said.strip().splitlines()[-1] if said.strip() else "no answer"
    if f'database "{database}" does not exist' in said:
        return StoreError(
            where,
            f"the server has no database named {database!r}",
            "Create it (createdb -O <service user> NAME, with a UTF-8 LC_CTYPE) or correct"
            " [store] url; cscdesk creates its tables, not the database.",
        )
    if "password authentication failed" in said or "no password supplied" in said:
        return StoreError(
            where,
            f"the server refused the password of user {user!r}",
            "Put the password in the keyring entry that [store] password names"
            ' ("keyring:NAME"): cscdesk secrets set NAME.',
        )
    if f'role "{user}" does not exist' in said:
        return StoreError(
            where,
            f"the server has no user {user!r}",
            "Correct the user in [store] url, or create the role on the server.",
        )
    return StoreError(
        where,
        f"the database server cannot be reached ({first.strip()})",
        "Check [store] url (host and port), that the server runs and accepts this host.",
    )
