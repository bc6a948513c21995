"""``ggzy ledger verify --url``: check a live platform from its public endpoints alone (no database, no Django).

    bodies (GET /api/v1/ledger/entries?start=…)  →  leaves H(0x00 || body)  →  tree  →  the latest signed
    checkpoint (GET /checkpoints/latest, the log's key pinned or read from GET /keys)  →  cosignatures under a
    policy: at least ``min_cosignatures`` valid ones from the witnesses given (or, unpinned, the listed witnesses
    whose keys the platform does not hold itself).

Revealed sealed entries are opened from ``GET /entries/{i}``; damage that only the checkpoint's root shows is
placed by a descent through ``GET /tree/{level}/{position}`` (``verify.locate_divergence``).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from . import canonical, notes
from .verify import VerifyReport, verify_log

API = "/api/v1/ledger"
PAGE = 1000
TIMEOUT = 30


class FetchError(Exception):
    """The platform could not be read (network, HTTP status, not JSON)."""


@dataclass
class Policy:
    """Whose cosignatures count, and how many are required on the latest checkpoint."""

    log_key: str | None = None  # pinned; None: taken from /keys (and the report says so)
    witness_keys: list[str] = field(default_factory=list)  # pinned; empty: the listed independent witnesses
    min_cosignatures: int = 1


@dataclass
class UrlReport:
    report: VerifyReport
    tree_size: int
    notices: list[str]  # what the verifier took on trust, in the reader's words


def _get(base: str, path: str, params: dict[str, Any] | None = None) -> Any:
    url = base.rstrip("/") + API + path + ("?" + urllib.parse.urlencode(params) if params else "")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 — the auditor's URL
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise FetchError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FetchError(f"{url}: {exc}") from exc


def _entries(base: str) -> tuple[list[tuple[int, str, bytes, bool]], int]:
    rows: list[tuple[int, str, bytes, bool]] = []
    start: int | None = 0
    size = 0
    while start is not None:
        page = _get(base, "/entries", {"start": start, "limit": PAGE})
        if page is None:
            raise FetchError("the platform publishes no entry bodies (GET /entries)")
        size = int(page["tree_size"])
        rows.extend((int(e["index"]), str(e["body"]), base64.b64decode(e["leaf_hash"]), bool(e.get("masked")))
                    for e in page["entries"])
        start = page.get("next_start")
    return rows, size


def is_sealed(body: str) -> bool:
    try:
        return canonical.is_sealed_stub(json.loads(body))
    except ValueError:
        return False


def _reveals(base: str, rows: list[tuple[int, str, bytes, bool]]) -> dict[int, tuple[str, bytes]]:
    """Bodies and salts of the sealed entries whose seals have lifted (one request per sealed entry)."""
    reveals: dict[int, tuple[str, bytes]] = {}
    for index, body, _leaf, _masked in rows:
        if not is_sealed(body):
            continue
        detail = _get(base, f"/entries/{index}") or {}
        sealed = detail.get("sealed") or {}
        if sealed.get("is_revealed") and not sealed.get("body_masked") and sealed.get("body"):
            reveals[index] = (str(sealed["body"]), base64.b64decode(sealed["salt"]))
    return reveals


def _node_source(base: str):
    cache: dict[tuple[int, int], bytes | None] = {}

    def claimed(level: int, position: int) -> bytes | None:
        if (level, position) not in cache:
            found = _get(base, f"/tree/{level}/{position}")
            cache[(level, position)] = base64.b64decode(found["hash"]) if found else None
        return cache[(level, position)]

    return claimed


def _policy_witnesses(keys: dict, policy: Policy, notices: list[str]) -> list[notes.Verifier]:
    if policy.witness_keys:
        return [notes.parse_vkey(k) for k in policy.witness_keys]
    listed = [w for w in keys.get("witnesses", []) if w.get("is_active", True)]
    independent = [w for w in listed if w.get("key_holder") != "platform"]
    skipped = len(listed) - len(independent)
    notices.append(f"见证方公钥取自平台 /keys（未固定）：{len(independent)} 个独立见证方"
                   + (f"，另有 {skipped} 个密钥由平台持有的见证方不计入" if skipped else ""))
    return [notes.parse_vkey(w["vkey"]) for w in independent]


def verify_url(base: str, policy: Policy) -> UrlReport:
    """Verify the platform at ``base`` from public endpoints alone."""
    notices: list[str] = []
    keys = _get(base, "/keys")
    if keys is None:
        raise FetchError("the platform publishes no keys (GET /keys)")
    if policy.log_key:
        log_key = notes.parse_vkey(policy.log_key)
        if policy.log_key != keys.get("log_key"):
            notices.append("平台 /keys 公布的公钥与固定的公钥不同")
    else:
        log_key = notes.parse_vkey(keys["log_key"])
        notices.append(f"平台公钥取自 /keys（未固定）：{keys['log_key']}")
    witnesses = _policy_witnesses(keys, policy, notices)
    checkpoint = _get(base, "/checkpoints/latest")
    rows, size = _entries(base)
    report = verify_log(hash_name=str(keys["hash"]), entries=rows,
                        checkpoint_notes=[checkpoint["note"]] if checkpoint else [], log_keys=[log_key],
                        witness_keys=witnesses, reveals=_reveals(base, rows), claimed=_node_source(base))
    if checkpoint is None:
        report.add("平台尚未公布签名检查点")
    elif report.latest_size is not None:
        count = len(set(report.latest_cosigners))
        if count < policy.min_cosignatures:
            report.add(f"检查点 {report.latest_size} 只有 {count} 个有效见证签名，策略要求至少 "
                       f"{policy.min_cosignatures} 个（{len(witnesses)} 个见证方中）")
        if report.latest_size < report.entries:
            notices.append(f"index {report.latest_size} 起的 {report.entries - report.latest_size} 条记录尚无检查点"
                           "：已核对内容与叶哈希，未经签名")
    if size != report.entries:
        report.add(f"平台公布的记录数 {size} 与读到的 {report.entries} 条不符", min(size, report.entries), rank=2)
    if report.masked:
        notices.append(f"{report.masked} 条第 1 版记录公布时遮蔽了用户名：其叶哈希无法由公开内容重算，"
                       "只由检查点的根哈希核对")
    return UrlReport(report, size, notices)
