"""Open a call's recording: from the local archive when it is there, else from the call system;
play it with the system's audio player if one is installed, or keep a copy. Every access is
written to the audit log (who, which call, played or saved, and whether it worked)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

from cscdesk.store.files import private_dir, private_file
from cscdesk.tui.data import DeskData
from cscdesk.tui.messages import RecordingReady

PLAYERS: tuple[tuple[str, list[str]], ...] = (
    ("paplay", []),
    ("aplay", ["-q"]),
    ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "quiet"]),
    ("afplay", []),
)


def find_player() -> tuple[str, list[str]] | None:
    for name, args in PLAYERS:
        path = shutil.which(name)
        if path:
            return path, args
    return None


def _archived_copy(services: Any, contact_id: str) -> Path | None:
    """The archive's blob for this call, when the sync has already copied it."""
    recordings = getattr(services.store, "recordings", None)
    if recordings is None:
        return None
    try:
        stored = recordings.get(contact_id)
    except Exception:
        return None
    if stored is None:
        return None
    from cscdesk.sync.blobstore import BlobStore

    blob_dir = services.settings.archive.blob_dir or services.paths.recordings
    path = BlobStore(Path(blob_dir)).path_for(stored.sha256)
    return path if path.exists() else None


def _private_copy(source: Path, target: Path) -> None:
    """Copy a recording into an owner-only file (700 folders, 600 file), replacing an old copy."""
    private_dir(target.parent)
    target.unlink(missing_ok=True)
    with source.open("rb") as src, private_file(target, "wb") as out:
        shutil.copyfileobj(src, out)


async def _download(services: Any, contact_id: str, expire: int, target_dir: Path) -> Path:
    center = services.call_center
    locator = await center.get_recording(contact_id, expire)
    if locator.archived or not locator.url:
        await center.restore_recordings([contact_id])
        raise RuntimeError("the recording is archived at the call system; a restore was requested")
    suffix = Path(locator.file_name).suffix or ".wav"
    target = target_dir / f"{contact_id}{suffix}"
    private_dir(target_dir)
    target.unlink(missing_ok=True)  # a new owner-only file, never an older copy's mode
    with private_file(target, "wb") as out:
        async for chunk in center.download(locator):
            out.write(chunk)
    return target


async def fetch_and_play(services: Any, data: DeskData, actor: str, contact_id: str,
                         expire: int) -> RecordingReady:  # fmt: skip
    """Never raises: failures come back in ``RecordingReady.error`` (and are audited)."""
    copies = Path(services.paths.data_dir) / "exports" / "recordings"
    try:
        archived = await asyncio.to_thread(_archived_copy, services, contact_id)
        if archived is not None:
            path = copies / f"{contact_id}{archived.suffix or '.wav'}"
            await asyncio.to_thread(_private_copy, archived, path)
        else:
            path = await _download(services, contact_id, expire, copies)
    except Exception as exc:
        await asyncio.to_thread(_audit, data, actor, contact_id, False, {"error": str(exc)[:200]})
        return RecordingReady(contact_id, None, None, str(exc))
    player = find_player()
    played_with = None
    if player is not None:
        try:
            subprocess.Popen(
                [player[0], *player[1], str(path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            played_with = Path(player[0]).name
        except OSError:
            played_with = None
    action = "play" if played_with else "save"
    await asyncio.to_thread(_audit, data, actor, contact_id, True, {"action": action})
    return RecordingReady(contact_id, str(path), played_with)


def _audit(data: DeskData, actor: str, contact_id: str, ok: bool, detail: dict[str, Any]) -> None:
    # the store is down: the notice already tells the agent what happened
    with contextlib.suppress(Exception):
        data.audit(actor, "recording.open", "call", contact_id, ok, detail)
