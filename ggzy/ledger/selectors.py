"""Reads of the ledger: the head, entries, proofs from the stored complete subtrees, checkpoints, traces.

Proofs read the head and O(log n) stored hashes (leaves from ``LogEntry``, higher levels from ``TreeNode``)
in one query on PostgreSQL (``store.read_proof_nodes``): the keys are worked out first with a dry run of the
proof algorithm.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from ggzy.core.errors import DomainError, NotFound
from ggzy.core.roles import Role

from . import canonical, merkle, store
from .models import Checkpoint, Cosignature, LogEntry, LogHead, SealedEntry, TreeNode

TRACE_ROLES = (Role.SUPERVISOR, Role.CENTER_STAFF, Role.ADMIN)


def log_head() -> LogHead:
    """The head as it is now (an empty, unsaved head before the first entry)."""
    from .keys import configured_hash_algorithm

    return LogHead.objects.filter(pk=1).first() or LogHead(hash_algorithm=configured_hash_algorithm())


def log_hash_fn(head: LogHead | None = None) -> merkle.HashFn:
    return merkle.hash_function((head or log_head()).hash_algorithm)


def _check_size(size: int, head: LogHead | store.HeadState, field: str) -> None:
    if size < 0 or size > head.size:
        raise DomainError(f"记录数须在 0 到 {head.size} 之间", field=field)


def _proof_read(size: int, field: str, build: Callable[[merkle.HashFn, merkle.NodeGetter], Any],
                shortcut_at_head: bool = False) -> Any:
    """``build(hash_fn, get)`` on the stored hashes of the tree of ``size`` leaves, refusing a size beyond the log.

    The keys ``build`` reads are worked out first with a dry run (they depend on the sizes and indexes, not on
    the hashes), then the head and those hashes are read together (``store.read_proof_nodes``: one query on
    PostgreSQL, one snapshot). With ``shortcut_at_head``, the root at the head's own size is the head's root."""
    needed = merkle.node_keys_needed(lambda get: build(merkle.sha256, get)) if size >= 0 else []
    head, found = store.read_proof_nodes(needed)
    if head is None:
        from .keys import configured_hash_algorithm

        head = store.HeadState(0, b"", b"", configured_hash_algorithm())
    _check_size(size, head, field)
    if shortcut_at_head and size == head.size and size:
        return bytes(head.root_hash)
    missing = [k for k in needed if k not in found]
    if missing:
        raise RuntimeError(f"ledger tree nodes missing: {missing[:5]}")  # a damaged store; ledger verify names it
    return build(merkle.hash_function(head.hash_algorithm), lambda level, position: found[(level, position)])


def inclusion_proof_hashes(*, index: int, size: int) -> list[bytes]:
    if not 0 <= index < size:
        _check_size(size, log_head(), "size")  # a size beyond the log is named first
        raise DomainError("序号须小于记录数", field="index")
    return _proof_read(size, "size", lambda hash_fn, get: merkle.inclusion_proof(hash_fn, get, index, size))


def consistency_proof_hashes(*, first: int, second: int) -> list[bytes]:
    if not 0 < first <= second:
        _check_size(second, log_head(), "second")  # a size beyond the log is named first
        raise DomainError("起始记录数须大于 0 且不大于终止记录数", field="first")
    return _proof_read(second, "second",
                       lambda hash_fn, get: merkle.consistency_proof(hash_fn, get, first, second))


def root_at(*, size: int) -> bytes:
    """The root of the tree of the first ``size`` entries, from stored subtrees."""
    return _proof_read(size, "size", lambda hash_fn, get: merkle.tree_root(hash_fn, get, size), shortcut_at_head=True)


def entry_get(*, index: int) -> LogEntry:
    entry = LogEntry.objects.filter(index=index).first()
    if entry is None:
        raise NotFound("存证记录不存在", field="index")
    return entry


ENTRY_PAGE_MAX = 1000


def entry_page(*, start: int, limit: int) -> list[LogEntry]:
    """Entries ``index >= start`` in order, at most ``limit`` (≤ ENTRY_PAGE_MAX): the public bodies, for anyone who
    recomputes the log (``ggzy ledger verify --url``)."""
    if start < 0:
        raise DomainError("起始序号不正确", field="start")
    if not 1 <= limit <= ENTRY_PAGE_MAX:
        raise DomainError(f"每次最多读取 {ENTRY_PAGE_MAX} 条", field="limit")
    return list(LogEntry.objects.filter(index__gte=start).order_by("index")[:limit])


def tree_node(*, level: int, position: int) -> bytes:
    """The stored hash of the complete subtree (level, position): a leaf hash at level 0, else a tree node."""
    if level == 0:
        leaf = LogEntry.objects.filter(index=position).values_list("leaf_hash", flat=True).first()
        found = bytes(leaf) if leaf is not None else None
    else:
        h = TreeNode.objects.filter(level=level, position=position).values_list("hash", flat=True).first()
        found = bytes(h) if h is not None else None
    if found is None:
        raise NotFound("没有这个子树哈希", field="position")
    return found


def sealed_get(*, index: int) -> SealedEntry | None:
    """The private row behind sealed entry ``index`` (body and salt), or None. Callers decide who may see it:
    the public only once ``is_revealed``."""
    return SealedEntry.objects.filter(index=index).first()


def sealed_revealed(*, indexes: Iterable[int]) -> dict[int, SealedEntry]:
    """The revealed sealed entries among ``indexes`` (one query), by index."""
    return {s.index: s for s in SealedEntry.objects.filter(index__in=list(indexes), revealed_at__isnull=False)}


def sealed_counts() -> tuple[int, int]:
    """(sealed entries still sealed, sealed entries revealed), platform-wide: the only public figure about them."""
    pending = SealedEntry.objects.filter(revealed_at__isnull=True).count()
    return pending, SealedEntry.objects.count() - pending


def entry_index_for_source(*, source_id: int) -> int | None:
    """The index of the entry that seals audit record ``source_id`` (sealed or not), or None."""
    sealed = SealedEntry.objects.filter(source_id=source_id).values_list("index", flat=True).first()
    if sealed is not None:
        return sealed
    return LogEntry.objects.filter(source_id=source_id).values_list("index", flat=True).first()


def _checkpoints_with_cosignatures() -> QuerySet[Checkpoint]:
    return Checkpoint.objects.prefetch_related(
        Prefetch("cosignatures", queryset=Cosignature.objects.select_related("witness").order_by("witness__name")))


def checkpoint_latest() -> Checkpoint | None:
    return _checkpoints_with_cosignatures().order_by("-tree_size").first()


def checkpoint_list_public(*, limit: int = 50) -> list[Checkpoint]:
    return list(_checkpoints_with_cosignatures().order_by("-tree_size")[:limit])


def checkpoint_covering(*, index: int) -> Checkpoint | None:
    """The checkpoint a receipt for entry ``index`` should carry: the latest one, preferring cosigned ones."""
    covering = _checkpoints_with_cosignatures().filter(tree_size__gt=index).order_by("-tree_size")
    return covering.filter(cosignatures__isnull=False).distinct().first() or covering.first()


def parse_object_reference(reference: str) -> tuple[str, str]:
    """``<object_type>:<object_id>`` (e.g. ``tendering.tender:42``)."""
    object_type, sep, object_id = (reference or "").strip().rpartition(":")
    if not sep or not object_type or not object_id:
        raise DomainError("对象应写作 类型:标识，例如 tendering.tender:42", field="object")
    return object_type, object_id


def _object_entries(object_type: str, object_id: str, *, center_id: int | None = None) -> QuerySet[LogEntry]:
    """An object's entries: those that name it, and the sealed ones revealed to name it (of ``center_id`` only,
    when given)."""
    named = Q(object_type=object_type, object_id=object_id)
    revealed = SealedEntry.objects.filter(object_type=object_type, object_id=object_id, revealed_at__isnull=False)
    if center_id is not None:
        named &= Q(center_id=center_id)
        revealed = revealed.filter(center_id=center_id)
    return LogEntry.objects.filter(named | Q(index__in=revealed.values("index"))).order_by("index")


def entry_trace_visible(*, user: Any, object_type: str, object_id: str) -> QuerySet[LogEntry]:
    """An object's whole history, for supervisors, center staff and administrators of its center (sealed entries
    only once revealed: before the opening not even staff may count a lot's bidders)."""
    if getattr(user, "role", None) not in TRACE_ROLES:
        return LogEntry.objects.none()
    if getattr(user, "is_provincial", False):
        return _object_entries(object_type, object_id)
    if not user.center_id:
        return LogEntry.objects.none()
    return _object_entries(object_type, object_id, center_id=user.center_id)


def entry_history(*, object_type: str, object_id: str) -> QuerySet[LogEntry]:
    """An object's whole history, unscoped: for operators' command line (``ggzy ledger trace``)."""
    return _object_entries(object_type, object_id)


def entry_body(entry: LogEntry, revealed: SealedEntry | None = None) -> dict[str, Any]:
    """The entry's body as JSON: the revealed body of a sealed entry when given, else the leaf's own body."""
    return json.loads(revealed.body if revealed is not None else entry.body)


def trace_rows(entries: Iterable[LogEntry]) -> list[dict[str, Any]]:
    """Each entry with what it changed: the audit trail's before/after values (one query), checked against
    the hashes the ledger holds — so an audit row altered afterwards shows up as not matching."""
    from ggzy.core.models import AuditEntry

    entries = list(entries)
    head = log_head()
    hash_fn = log_hash_fn(head)
    revealed = sealed_revealed(indexes=[e.index for e in entries if e.action == canonical.SEALED_KIND])
    source_of = {e.index: (revealed[e.index].source_id if e.index in revealed else e.source_id) for e in entries}
    sources = {s for s in source_of.values() if s is not None}
    audits = AuditEntry.objects.in_bulk(sources) if sources else {}
    rows = []
    for entry in entries:
        body = entry_body(entry, revealed.get(entry.index))
        audit = audits.get(source_of[entry.index])
        matches = None
        if audit is not None:
            matches = (canonical.state_hash(hash_fn, audit.before) == body.get("before_hash")
                       and canonical.state_hash(hash_fn, audit.after) == body.get("after_hash"))
        actor = body.get("actor") or {}
        # version 2 bodies commit to a user's name; the name itself is in the audit record and the entry row
        label = actor.get("label") or (audit.actor_label if audit is not None else entry.actor_label)
        rows.append({"entry": entry, "body": body, "changed": body.get("changed", []), "action": body.get("action", ""),
                     "actor_label": label, "actor_role": actor.get("role", ""),
                     "before": audit.before if audit else None, "after": audit.after if audit else None,
                     "audit_matches": matches})
    return rows


FEED_MAX_LIMIT = 1000


def feed_entries(*, after: int, limit: int) -> list[LogEntry]:
    """Entries ``index > after`` in order, at most ``limit`` (≤ FEED_MAX_LIMIT): the pull subscribers' feed."""
    if after < -1:
        raise DomainError("起始序号不正确", field="after")
    if not 1 <= limit <= FEED_MAX_LIMIT:
        raise DomainError(f"每次最多读取 {FEED_MAX_LIMIT} 条", field="limit")
    return list(LogEntry.objects.filter(index__gt=after).order_by("index")[:limit])


def feed_subscriber(*, token: str):
    """The enabled pull subscriber whose shared secret is ``token`` (compared in constant time), or None."""
    import hmac

    from .models import Subscriber, SubscriberKind

    if not token:
        return None
    for subscriber in Subscriber.objects.filter(kind=SubscriberKind.PULL, is_enabled=True):
        if hmac.compare_digest(subscriber.secret.encode(), token.encode()):
            return subscriber
    return None


def checkpoint_first_covering(*, index: int) -> Checkpoint | None:
    """The first signed checkpoint whose tree includes entry ``index`` (a value nobody knew when it was appended:
    the expert draw's beacon)."""
    return Checkpoint.objects.filter(tree_size__gt=index).order_by("tree_size").first()
