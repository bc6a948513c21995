"""The one encoding of a ledger entry (docs/ledger-format.md): RFC 8785 canonical JSON, hashed as bytes.

JCS: object keys sorted by UTF-16 code units, no insignificant whitespace, UTF-8, strings with only
``"``, ``\\`` and control characters escaped, numbers in ECMAScript's shortest form. Any JCS library
recomputes the same bytes, hence the same hashes. Entry bodies hold only strings, integers, ``null`` and
arrays; the before/after states whose hashes they carry may hold any JSON, floats included.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Mapping
from typing import Any

from . import merkle

FORMAT_VERSION = 2
# Sealed stubs keep version 1: their shape never named a person.
SEALED_STUB_VERSION = 1
# Actor labels that name nobody: they stay in clear in every version. Any other label is a user name (personal
# data), which version 2 replaces with ``label_commitment`` (hex H(salt || label), the salt kept by the platform).
PUBLIC_ACTOR_LABELS = frozenset({"", "匿名/系统", "投标人（密封）"})
_HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")
# Fields of an after-state that name a document by its hash (copied into the entry, see ledger-format.md).
_DOCUMENT_SUFFIXES = ("sha256", "sm3", "_hash", "digest")


def _number(value: float) -> str:
    """ECMAScript Number-to-String, as RFC 8785 §3.2.2.3 requires (shortest round-trip digits)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinities are not JSON numbers")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _s, digits, raw_exponent = decimal.Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    exponent = int(raw_exponent) + len(digits) - len(text)  # finite, so the exponent is an int
    k, n = len(text), len(text) + exponent
    if k <= n <= 21:
        out = text + "0" * (n - k)
    elif 0 < n <= 21:
        out = text[:n] + "." + text[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * -n + text
    else:
        e = n - 1
        mantissa = text if k == 1 else text[0] + "." + text[1:]
        out = f"{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"
    return sign + out


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out)
        out.append("]")
    elif isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise ValueError("object keys must be strings")
        out.append("{")
        # RFC 8785 §3.2.3: keys ordered by their UTF-16 code units
        for i, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be"))):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _encode(value[key], out)
        out.append("}")
    else:
        raise ValueError(f"{type(value).__name__} is not a JSON value")


_ENTRY_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


def _is_plain(value: Any) -> bool:
    """True when Python's C JSON encoder already writes JCS: no floats anywhere, and no object key holding
    a character from U+E000 up (the only keys whose code point order can differ from UTF-16 order)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _PLAIN_SCALARS:
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str or (not key.isascii() and max(key) >= "\ue000"):
                    return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        else:
            return False  # floats and anything unusual take the exact path
    return True


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 (JCS) bytes of a JSON value."""
    if _is_plain(value):
        try:
            return _ENTRY_ENCODER.encode(value).encode("utf-8")
        except TypeError:
            pass  # a non-JSON value: let the slow path name it
    out: list[str] = []
    _encode(value, out)
    return "".join(out).encode("utf-8")


def canonical_time(at: dt.datetime) -> str:
    """UTC with microseconds and a ``Z``: ``2026-03-02T01:00:00.000000Z``."""
    if at.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def state_hash(hash_fn: merkle.HashFn, state: Any) -> str | None:
    """Hex hash of the canonical JSON of a before/after state; the values themselves never enter the log."""
    if state is None:
        return None
    return hash_fn(canonical_json(state)).hex()


def changed_fields(before: Mapping | None, after: Mapping | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def document_hashes(after: Mapping | None) -> list[str]:
    """Hex digests named by the after-state's ``*sha256`` / ``*sm3`` / ``*_hash`` / ``*digest`` fields."""
    found: set[str] = set()
    for key, value in (after or {}).items():
        if not str(key).lower().endswith(_DOCUMENT_SUFFIXES):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _HEX_DIGEST.match(item.lower()):
                found.add(item.lower())
    return sorted(found)


def entry_bytes(body: dict[str, Any]) -> bytes:
    """The canonical bytes of an ``entry_body``: its keys are ASCII and it holds no floats, so the C JSON
    encoder's sorted compact output is already RFC 8785."""
    return _ENTRY_ENCODER.encode(body).encode("utf-8")


def actor_is_personal(label: str) -> bool:
    return label not in PUBLIC_ACTOR_LABELS


def actor_commitment(hash_fn: merkle.HashFn, salt: bytes, label: str) -> str:
    """Hex ``H(salt || label)``: the leaf commits to who acted without publishing a user name (a user name has
    little entropy, so the 32-byte salt, kept by the platform, is what hides it)."""
    return hash_fn(bytes(salt) + label.encode("utf-8")).hex()


def entry_body(*, index: int, at: dt.datetime, action: str, object_type: str, object_id: str,
               actor_label: str, actor_role: str, center_id: int | None, before_hash: str | None,
               after_hash: str | None, changed: list[str], documents: list[str],
               source: str | None, actor_label_commitment: str | None = None) -> dict[str, Any]:
    """The entry as a JSON object (version 2); ``canonical_json`` of it is the Merkle leaf's data, and it is
    public as it stands: a user's name enters only as ``actor_label_commitment`` (``actor_commitment``).

    An actor without a role (the system, a sealed bidder act) has no ``role`` key. Version 1 entries (before
    issue 10 item 2) wrote the label in clear, and before item 1 ``"role": ""`` for no role; their bytes, hence
    their leaves, stay as they were."""
    if actor_label_commitment is not None:
        actor: dict[str, str] = {"label_commitment": actor_label_commitment}
    elif actor_is_personal(actor_label):
        raise ValueError("a user's name enters the log only as a commitment")
    else:
        actor = {"label": actor_label}
    if actor_role:
        actor["role"] = actor_role
    return {
        "v": FORMAT_VERSION,
        "index": index,
        "time": canonical_time(at),
        "action": action,
        "object": {"type": object_type, "id": object_id},
        "actor": actor,
        "center": center_id,
        "before_hash": before_hash,
        "after_hash": after_hash,
        "changed": list(changed),
        "documents": list(documents),
        "source": source,
    }


MASKED_LABEL = "（已遮蔽）"


def public_body(body_text: str) -> tuple[str, bool]:
    """The body as the public may read it, and whether it had to be masked.

    Version 2 bodies and sealed stubs are public as stored (the leaf is ``H(0x00 || body)`` of exactly that
    text). A version 1 body naming a user in clear has the label replaced by ``MASKED_LABEL``: its leaf cannot
    be recomputed from the masked text, and the caller must say so."""
    try:
        body = json.loads(body_text)
    except ValueError:
        return body_text, False  # not JSON at all: published as is, and verification says what is wrong
    if not isinstance(body, dict) or body.get("v") != 1 or is_sealed_stub(body):
        return body_text, False
    actor = body.get("actor")
    if not isinstance(actor, dict) or not actor_is_personal(str(actor.get("label", ""))):
        return body_text, False
    masked = dict(body, actor=dict(actor, label=MASKED_LABEL))
    return canonical_json(masked).decode("utf-8"), True


# --- sealed entries (docs/ledger-format.md, "Sealed entries") ----------------------------------------------

SEALED_KIND = "sealed"
SALT_BYTES = 32


def commitment(hash_fn: merkle.HashFn, salt: bytes, body: bytes) -> bytes:
    """``H(salt || body)``: hides the body (the salt is 32 random bytes) and binds the log to it."""
    return hash_fn(bytes(salt) + bytes(body))


def sealed_stub(*, index: int, commitment_hex: str) -> dict[str, Any]:
    """The public entry of a sealed act: its position and a commitment, nothing else (no time, object or actor).
    ``canonical_json`` of it is the Merkle leaf's data, so the tree is verified exactly as for any entry."""
    return {"v": SEALED_STUB_VERSION, "index": index, "kind": SEALED_KIND, "commitment": commitment_hex}


def is_sealed_stub(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("kind") == SEALED_KIND


def sealed_stub_problem(entry: dict[str, Any], hash_size: int) -> str | None:
    """Why ``entry`` is not a well-formed sealed stub, or None."""
    if set(entry) != {"v", "index", "kind", "commitment"} or entry.get("v") != SEALED_STUB_VERSION:
        return "密封记录的字段不正确"
    value = entry.get("commitment")
    if not isinstance(value, str) or len(value) != 2 * hash_size or not re.fullmatch(r"[0-9a-f]+", value):
        return "密封记录的承诺值不是十六进制哈希"
    return None


def reveal_problem(hash_fn: merkle.HashFn, stub: dict[str, Any], body_text: str, salt: bytes) -> str | None:
    """Why a revealed ``body_text`` and ``salt`` do not open ``stub``'s commitment, or None when they do."""
    body = body_text.encode("utf-8")
    if commitment(hash_fn, salt, body).hex() != stub.get("commitment"):
        return "揭示的内容与承诺值不符"
    try:
        decoded = json.loads(body)
        is_canonical = canonical_json(decoded) == body
    except ValueError:
        decoded, is_canonical = None, False
    if not is_canonical or not isinstance(decoded, dict):
        return "揭示的内容不是规范化 JSON"
    if decoded.get("index") != stub.get("index") or is_sealed_stub(decoded):
        return "揭示的内容写明的序号与记录不符"
    return None
