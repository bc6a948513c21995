"""Writes to the ledger: appending entries, issuing checkpoints, registering witnesses, storing cosignatures.

Appends lock the single ``LogHead`` row (``select_for_update`` on PostgreSQL; SQLite's IMMEDIATE
transactions already serialise writers), compute the new leaf and the complete subtrees it finishes in
memory from the head's right edge, and write one entry row, at most log2(n) node rows (one on average)
and the head — all inside the caller's transaction, so a rolled-back change leaves no entry behind. On
PostgreSQL the usual append is one statement conditional on the head this process last wrote (the
UPDATE takes the same row lock); see ``store``. After the commit a push round is enqueued (``tasks``).

Issuing a checkpoint is not itself audited: a checkpoint *is* a signed record, and an audit entry for it
would grow the tree the moment it was signed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError

from . import canonical, keys, merkle, notes, selectors, store
from .models import Checkpoint, Cosignature, LogEntry, LogHead, SealedEntry, Witness, WitnessKind
from .witness import WitnessRefusal


@dataclass
class EntryInput:
    """One state change to append (what the audit hook passes; the ledger knows no domain model)."""

    action: str
    object_type: str
    object_id: str
    actor_label: str = ""
    actor_role: str = ""
    center_id: int | None = None
    before: Any = None
    after: Any = None
    at: dt.datetime | None = None
    source_id: int | None = None
    documents: Sequence[str] = field(default_factory=tuple)
    # Non-empty: a sealed act. The leaf commits to the body, which stays out of public view until the key is lifted.
    seal_key: str = ""


def _locked_head() -> LogHead:
    head = LogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LogHead.objects.get_or_create(pk=1, defaults={"hash_algorithm": keys.configured_hash_algorithm()})
        head = LogHead.objects.select_for_update().get(pk=1)
    if head.size == 0:
        head.hash_algorithm = keys.configured_hash_algorithm()  # chosen per deployment until the first entry
    return head


def _split_frontier(data: bytes, size: int) -> list[bytes]:
    count = size.bit_count()
    if count == 0:
        return []
    n = len(data) // count
    return [bytes(data[i * n:(i + 1) * n]) for i in range(count)]


Computed = tuple[list[LogEntry], list[tuple[int, int, bytes]], list[SealedEntry]]


def _sealed(hash_fn: merkle.HashFn, item: EntryInput, index: int, at: dt.datetime,
            body: bytes, actor_salt: bytes | None) -> tuple[LogEntry, SealedEntry]:
    """A sealed act's public row (its leaf commits to ``body`` under a fresh salt) and the private row keeping both.
    The public row names no object, action, actor or center; its time is kept but never shown until revealed."""
    salt = secrets.token_bytes(canonical.SALT_BYTES)
    stub = canonical.entry_bytes(canonical.sealed_stub(
        index=index, commitment_hex=canonical.commitment(hash_fn, salt, body).hex()))
    entry = LogEntry(index=index, created_at=at, body=stub.decode("utf-8"), leaf_hash=merkle.leaf_hash(hash_fn, stub),
                     object_type="", object_id="", action=canonical.SEALED_KIND, actor_label="", actor_role="",
                     center_id=None, previous_state_hash="", source_id=None)
    return entry, SealedEntry(index=index, seal_key=item.seal_key[:128], body=body.decode("utf-8"), salt=salt,
                              actor_salt=actor_salt,
                              object_type=item.object_type[:64], object_id=item.object_id[:64],
                              center_id=item.center_id, source_id=item.source_id)


def _compute(head: LogHead | store.HeadState, items: Iterable[EntryInput]) -> Computed:
    """The entry rows, the complete-subtree rows and the sealed bodies of appending ``items`` to ``head`` (moved
    forward in place)."""
    hash_fn = merkle.hash_function(head.hash_algorithm)
    frontier = _split_frontier(bytes(head.frontier), head.size)
    entries: list[LogEntry] = []
    nodes: list[tuple[int, int, bytes]] = []
    sealed: list[SealedEntry] = []
    for item in items:
        at = item.at or clock.now()
        index = head.size
        before_hash = canonical.state_hash(hash_fn, item.before)
        before = item.before if isinstance(item.before, dict) else None
        after = item.after if isinstance(item.after, dict) else None
        # a user's name enters the public body only as a salted commitment (format version 2)
        actor_salt = secrets.token_bytes(canonical.SALT_BYTES) if canonical.actor_is_personal(item.actor_label) \
            else None
        body = canonical.entry_bytes(canonical.entry_body(
            index=index, at=at, action=item.action, object_type=item.object_type, object_id=item.object_id,
            actor_label=item.actor_label, actor_role=item.actor_role, center_id=item.center_id,
            actor_label_commitment=canonical.actor_commitment(hash_fn, actor_salt, item.actor_label)
            if actor_salt is not None else None,
            before_hash=before_hash, after_hash=canonical.state_hash(hash_fn, item.after),
            changed=canonical.changed_fields(before, after),
            documents=sorted({*item.documents, *canonical.document_hashes(after)}),
            source=f"audit:{item.source_id}" if item.source_id is not None else None))
        if item.seal_key:
            entry, kept = _sealed(hash_fn, item, index, at, body, actor_salt)
            sealed.append(kept)
        else:
            entry = LogEntry(
                index=index, created_at=at, body=body.decode("utf-8"), leaf_hash=merkle.leaf_hash(hash_fn, body),
                object_type=item.object_type[:64], object_id=item.object_id[:64], action=item.action[:64],
                actor_label=item.actor_label[:150], actor_role=item.actor_role[:32], actor_salt=actor_salt,
                center_id=item.center_id,
                previous_state_hash=before_hash or "", source_id=item.source_id)
        nodes.extend(merkle.append_leaf(hash_fn, frontier, index, bytes(entry.leaf_hash)))
        entries.append(entry)
        head.size += 1
    if entries:
        head.frontier = b"".join(frontier)
        head.root_hash = merkle.frontier_root(hash_fn, frontier)
    return entries, nodes, sealed


def _append(items: Sequence[EntryInput]) -> list[LogEntry]:
    """Append under the head's row lock: first conditionally on the head this process last wrote (one
    statement, see ``store``), else lock, read and write."""
    if not items:
        return []
    expected = store.remembered_head() if len(items) <= store.MAX_CONDITIONAL_ENTRIES else None
    if expected is not None:
        moved = expected.copy()  # _compute moves its head in place; ``expected`` must stay put
        entries, nodes, sealed = _compute(moved, items)
        if store.write_append_if_head(entries, nodes, moved, expected):  # remembers ``moved``, else forgets
            _keep_sealed(sealed)
            transaction.on_commit(_push_soon)
            return entries
    head = _locked_head()
    entries, nodes, sealed = _compute(head, items)
    store.write_append(entries, nodes, head)
    store.remember_head(head)
    _keep_sealed(sealed)
    transaction.on_commit(_push_soon)
    return entries


def _keep_sealed(sealed: list[SealedEntry]) -> None:
    """The sealed bodies, in the append's transaction (one more statement, only when a sealed act is appended)."""
    if sealed:
        SealedEntry.objects.bulk_create(sealed)


def ledger_append(*, entry: EntryInput) -> LogEntry:
    """Append one entry in the caller's transaction (or its own when there is none)."""
    with transaction.atomic(savepoint=False):
        return _append([entry])[0]


def ledger_append_many(*, entries: Sequence[EntryInput]) -> list[LogEntry]:
    """Append a batch under one lock and one transaction (bulk imports, the benchmark)."""
    with transaction.atomic(savepoint=False):
        return _append(entries)


def ledger_append_audit(audit_entry: Any, seal_key: str = "") -> None:
    """The audit hook: every ``AuditEntry`` becomes a ledger entry in the same transaction.

    Only hashes of the before/after states enter the log (sealed-bid privacy: the values stay in the
    audit table, which a supervisor's trace compares against these hashes). With a ``seal_key`` the public
    leaf is only a commitment to the entry (``seal_lift`` publishes it).
    """
    ledger_append(entry=EntryInput(
        action=audit_entry.action, object_type=audit_entry.object_type, object_id=audit_entry.object_id,
        actor_label=audit_entry.actor_label, actor_role=audit_entry.actor_role, center_id=audit_entry.center_id,
        before=audit_entry.before, after=audit_entry.after, at=audit_entry.at, source_id=audit_entry.pk,
        seal_key=seal_key))


def seal_lift(*, seal_key: str) -> int:
    """Publish the body and salt of every entry sealed under ``seal_key`` (idempotent; entries sealed under it
    later are published by the next call). Returns how many entries this call revealed.

    The caller decides when a seal lifts (tendering: at the opening, or when the lot fails for too few bids); the
    ledger only knows the opaque key. Not itself an entry: the leaves already commit to what is revealed, and
    anyone can check it (``canonical.reveal_problem``)."""
    if not seal_key:
        raise DomainError("缺少密封标识", field="seal_key")
    with transaction.atomic(savepoint=False):
        return SealedEntry.objects.filter(seal_key=seal_key[:128], revealed_at__isnull=True).update(
            revealed_at=clock.now())


def _push_soon() -> None:
    from .tasks import push_soon  # tasks imports the services

    push_soon()


# --- checkpoints and witnesses -------------------------------------------------------------------------------


def checkpoint_issue(*, actor: Any = None) -> Checkpoint:
    """Sign the current tree head (on demand, and every few minutes from ``tasks``); idempotent per size."""
    with transaction.atomic():
        head = _locked_head()
        latest = Checkpoint.objects.order_by("-tree_size").first()
        if latest is not None and latest.tree_size == head.size:
            return latest
        hash_fn = merkle.hash_function(head.hash_algorithm)
        root = bytes(head.root_hash) if head.size else merkle.empty_root(hash_fn)
        signer = keys.platform_signer()
        body = notes.Checkpoint(keys.log_origin(), head.size, root).text()
        checkpoint = Checkpoint.objects.create(tree_size=head.size, root_hash=root,
                                               note=notes.sign_note(body, signer), issued_at=clock.now())
        transaction.on_commit(_witness_push_soon)  # each new checkpoint goes to every remote witness
        return checkpoint


def _witness_push_soon() -> None:
    from .tasks import ledger_witness_push_task  # tasks imports the services

    ledger_witness_push_task()


def witness_register(*, actor: Any, name: str, display_name: str, kind: str, vkey: str, url: str = "") -> Witness:
    """登记见证方: a supervision department or the provincial center, by its cosignature public key and, when
    it runs a tlog-witness server the platform should call, that server's address (``url``)."""
    errors: dict[str, str] = {}
    url = url.strip().rstrip("/")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = "见证接口地址须为 http(s) 地址"
    try:
        verifier = notes.parse_vkey(vkey)
    except notes.NoteError:
        errors["vkey"] = "验证公钥格式不正确（应为 名称+密钥标识+Base64）"
    else:
        if not verifier.is_cosigner:
            errors["vkey"] = "见证方公钥须为见证签名类型（0x04）"
        elif verifier.name != name:
            errors["vkey"] = "验证公钥中的名称与见证方名称不一致"
    if kind not in WitnessKind.values:
        errors["kind"] = "见证方类别不正确"
    if not display_name.strip():
        errors["display_name"] = "请填写见证方名称"
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        if Witness.objects.filter(name=name).exists():
            raise Conflict("该见证方已登记", field="name")
        witness = Witness.objects.create(name=name, display_name=display_name.strip(), kind=kind, vkey=vkey.strip(),
                                         url=url, created_at=clock.now())
        audit_record(actor=actor, action="ledger.witness_register", obj=witness,
                     after={"name": name, "kind": kind, "vkey": witness.vkey, "url": url})
    return witness


def cosignature_add(*, actor: Any = None, checkpoint: Checkpoint, witness: Witness,
                    signature_line: str) -> Cosignature:
    """Store a witness's cosignature after checking it against the witness's key and the checkpoint."""
    verifier = notes.parse_vkey(witness.vkey)
    note = checkpoint.note + (signature_line if signature_line.endswith("\n") else signature_line + "\n")
    try:
        _cp, cosigs = notes.open_checkpoint(note, [keys.platform_verifier()], [verifier])
    except notes.NoteError as exc:
        raise DomainError("见证签名无法验证", field="signature_line") from exc
    if not cosigs:
        raise DomainError("签名行不属于该见证方", field="signature_line")
    with transaction.atomic():
        cosignature, _ = Cosignature.objects.get_or_create(
            checkpoint=checkpoint, witness=witness,
            defaults={"signature_line": cosigs[0].line, "signed_at": dt.datetime.fromtimestamp(cosigs[0].timestamp or 0,
                                                                                          tz=dt.UTC)})
        Witness.objects.filter(pk=witness.pk, last_cosigned_size__lt=checkpoint.tree_size).update(
            last_cosigned_size=checkpoint.tree_size)
    return cosignature


def checkpoint_request_cosignature(*, actor: Any = None, checkpoint: Checkpoint, witness: Witness,
                                   send: Callable[[str], str]) -> Cosignature:
    """Ask one witness to cosign (tlog-witness ``add-checkpoint``): ``send`` delivers the request body and
    returns the response body (signature lines). A 409 answer names the size the witness knows; the
    request is retried once from there."""
    from .witness import add_checkpoint_body

    old_size = min(witness.last_cosigned_size, checkpoint.tree_size)
    for _attempt in range(2):
        proof = selectors.consistency_proof_hashes(first=old_size, second=checkpoint.tree_size) if old_size else []
        try:
            response = send(add_checkpoint_body(old_size, proof, checkpoint.note))
        except WitnessRefusal as refusal:
            if refusal.status == 409 and refusal.known_size is not None and refusal.known_size != old_size \
                    and refusal.known_size <= checkpoint.tree_size:
                old_size = refusal.known_size
                continue
            raise DomainError(f"见证方拒绝签名：{refusal}", field="witness") from refusal
        lines = [line + "\n" for line in response.splitlines() if line.startswith(notes.EM_DASH)]
        if not lines:
            raise DomainError("见证方未返回签名", field="witness")
        return cosignature_add(actor=actor, checkpoint=checkpoint, witness=witness, signature_line=lines[0])
    raise DomainError("见证方状态不一致，无法签名", field="witness")
