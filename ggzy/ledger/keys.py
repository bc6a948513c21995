"""The platform's checkpoint signing key and the log's identity (never stored in the database).

The key is a signed-note signer key (``PRIVATE+KEY+<name>+<id>+<base64>``) read from the file named by
``settings.GGZY_LEDGER_KEY_FILE`` or the environment variable of the same name; without either, it is
generated on first use into ``<VAR_DIR>/ledger-key`` (mode 0600). Its name is the log's origin.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings

from . import merkle, notes

_lock = threading.Lock()
_cache: dict[str, notes.Signer] = {}


def log_origin() -> str:
    """The checkpoint origin line: a schema-less URL naming this platform's log."""
    configured = getattr(settings, "GGZY_LEDGER_ORIGIN", None) or os.environ.get("GGZY_LEDGER_ORIGIN")
    if configured:
        return configured
    system_id = getattr(settings, "GGZY_TRADING_SYSTEM_ID", "ggzy").lower()
    return f"ggzy.local/{system_id}/ledger"


def configured_hash_algorithm() -> str:
    """SHA-256 unless the deployment selects SM3 (settings or env ``GGZY_LEDGER_HASH``); fixed once the log
    has its first entry."""
    name = getattr(settings, "GGZY_LEDGER_HASH", None) or os.environ.get("GGZY_LEDGER_HASH") or "sha256"
    merkle.hash_function(name)  # refuse an unknown name early
    return name


def key_file() -> Path:
    configured = getattr(settings, "GGZY_LEDGER_KEY_FILE", None) or os.environ.get("GGZY_LEDGER_KEY_FILE")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "ledger-key"


def platform_signer() -> notes.Signer:
    """The platform's note signer (Ed25519, or SM2 where required), generated into the key file the first time."""
    path = key_file()
    with _lock:
        cached = _cache.get(str(path))
        if cached is not None:
            return cached
        signer = notes.parse_skey(path.read_text(encoding="ascii")) if path.exists() else _generate(path)
        _cache[str(path)] = signer
        return signer


def signature_type() -> int:
    """Ed25519 unless the deployment requires SM2 (settings or env ``GGZY_LEDGER_SIGNATURE=sm2``)."""
    name = getattr(settings, "GGZY_LEDGER_SIGNATURE", None) or os.environ.get("GGZY_LEDGER_SIGNATURE") or "ed25519"
    types = {"ed25519": notes.ED25519, "sm2": notes.SM2}
    if name.lower() not in types:
        raise ValueError(f"GGZY_LEDGER_SIGNATURE must be one of {sorted(types)}")
    return types[name.lower()]


def _generate(path: Path) -> notes.Signer:
    signer = notes.Signer.generate(log_origin(), signature_type())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return notes.parse_skey(path.read_text(encoding="ascii"))
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(signer.skey + "\n")
    return signer


def platform_verifier() -> notes.Verifier:
    return platform_signer().verifier
