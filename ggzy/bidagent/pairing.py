"""Paired origins: which platform pages may use the agent, each with the SHA-256 of its tokens.

A token is 32 random bytes (URL-safe base64) given to the page once, when the user confirms in the agent that the
page shows the same 6-digit code; only its hash is stored (``<home>/pairings.json``, 0600).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from pathlib import Path
from urllib.parse import urlsplit

from . import files


def origin_valid(origin: str) -> bool:
    """``scheme://host[:port]`` with nothing else (no path, no "null")."""
    if not origin or len(origin) > 300 or origin != origin.strip():
        return False
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 — raises on a bad port
    except ValueError:
        return False
    return (
        parts.scheme in ("https", "http")
        and bool(parts.hostname)
        and not parts.path
        and not parts.query
        and not parts.fragment
        and "@" not in parts.netloc
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Pairings:
    def __init__(self, home: Path) -> None:
        self.path = home / "pairings.json"
        self._lock = threading.Lock()

    def _load(self) -> dict:
        data = files.read_json(self.path, {"origins": {}})
        if not isinstance(data.get("origins"), dict):
            data["origins"] = {}
        return data

    def origins(self) -> list[str]:
        return sorted(self._load()["origins"])

    def is_paired(self, origin: str) -> bool:
        return origin in self._load()["origins"]

    def token_valid(self, origin: str, token: str) -> bool:
        if not token:
            return False
        wanted = _hash(token)
        entries = self._load()["origins"].get(origin, {}).get("tokens", [])
        found = False
        for entry in entries:  # compare against every entry (no early exit)
            found |= hmac.compare_digest(str(entry.get("sha256", "")), wanted)
        return found

    def add(self, origin: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            data = self._load()
            entry = data["origins"].setdefault(origin, {"tokens": []})
            entry["tokens"] = [
                *entry.get("tokens", [])[-9:],
                {"sha256": _hash(token), "created": dt.datetime.now(dt.UTC).isoformat()},
            ]
            files.write_json(self.path, data)
        return token

    def remove(self, origin: str) -> bool:
        with self._lock:
            data = self._load()
            found = data["origins"].pop(origin, None) is not None
            files.write_json(self.path, data)
        return found
