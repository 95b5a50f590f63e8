"""Recordings: a short generated WAV per recorded call, expiring URLs, archive and restore.

Audio is generated on demand from the contact id (deterministic, nothing stored). URL expiry and
the archive age are measured on the simulated clock, so tests can step past them.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import wave
from dataclasses import dataclass

SAMPLE_RATE = 8000
CLIP_SECONDS = 3


def wav_bytes(contact_id: str) -> bytes:
    """A few seconds of tone plus noise, different per call and identical on every request."""
    seed = int.from_bytes(hashlib.sha256(contact_id.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    freq = 300 + seed % 500
    frames = bytearray()
    for n in range(SAMPLE_RATE * CLIP_SECONDS):
        sample = 0.4 * math.sin(2 * math.pi * freq * n / SAMPLE_RATE) + rng.uniform(-0.05, 0.05)
        frames += int(sample * 32767).to_bytes(2, "little", signed=True)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Grant:
    contact_id: str
    expires_at: float  # simulated seconds


class RecordingVault:
    def __init__(
        self, secret: str, archive_after_days: float = 30.0, restore_seconds: float = 600.0
    ):
        self._secret = secret.encode()
        self.archive_after_seconds = archive_after_days * 86400
        self.restore_seconds = restore_seconds
        self._grants: dict[str, Grant] = {}
        self._restores: dict[str, float] = {}  # contact id -> simulated second it is available

    def is_archived(self, started_at: float, now: float) -> bool:
        return now - started_at > self.archive_after_seconds

    def available(self, contact_id: str, started_at: float, now: float) -> bool:
        if not self.is_archived(started_at, now):
            return True
        ready = self._restores.get(contact_id)
        return ready is not None and now >= ready

    def restore_status(self, contact_id: str, started_at: float, now: float) -> str:
        if not self.is_archived(started_at, now):
            return "Unarchived"
        ready = self._restores.get(contact_id)
        if ready is None:
            return "Archived"
        return "Restored" if now >= ready else "Restoring"

    def restore(self, contact_id: str, now: float) -> None:
        self._restores.setdefault(contact_id, now + self.restore_seconds)

    def grant(self, contact_id: str, now: float, expire_seconds: int) -> str:
        expires = now + expire_seconds
        token = hashlib.sha256(self._secret + f"{contact_id}|{expires}".encode()).hexdigest()[:40]
        self._grants[token] = Grant(contact_id, expires)
        return token

    def redeem(self, token: str, now: float) -> str | bool | None:
        """The contact id for a live token; False when expired; None when unknown."""
        grant = self._grants.get(token)
        if grant is None:
            return None
        if now > grant.expires_at:
            return False
        return grant.contact_id
