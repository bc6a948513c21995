"""Stage 4: sealed bid submission, modification and withdrawal.

Each bid gets its own AES-256 content key; files, file names, the price sheet and the client fingerprint are
encrypted with it in the request (plaintext never reaches disk, logs or error messages); the key is wrapped to the
center's opening key, which lives outside the database. Arrival time is the server clock when the upload has
been received; the deadline is checked against it at that moment, so a slow upload that ends late is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ggzy.core import clock, secrets
from ggzy.core import files as file_store
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.models import AuditEntry
from ggzy.ledger import receipts as ledger_receipts
from ggzy.ledger import selectors as ledger_selectors
from ggzy.pki import envelope
from ggzy.registry import services as registry_services

from .. import policies, rules, sealing
from ..choices import BidState
from ..models import Bid, BidEvent, BidFile, Lot
from ..price_sheet import fingerprint_clean, price_sheet_clean
from ..procedures import lot_fresh, procedure_for
from . import bonds
from .credit_checks import credit_passed_sealed, credit_refuse_sealed
from .signup import signup_of

MAX_FILES = 20
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass
class IncomingFile:
    """A file being uploaded: its name and its bytes as chunks (an UploadedFile's .chunks() or a list)."""

    name: str
    chunks: Iterable[bytes]


def _context(lot: Lot, tag: str, purpose: str) -> bytes:
    return f"ggzy-bid|lot:{lot.pk}|{tag}|{purpose}".encode()


def _event(lot: Lot, tag: str, kind: str, detail: str = "") -> None:
    with transaction.atomic():
        BidEvent.objects.create(lot=lot, bidder_tag=tag, kind=kind, at=clock.now(), detail=detail[:255])


def bid_of(*, actor, lot: Lot) -> Bid | None:
    """The acting bidder's own bid for ``lot`` (found by its tag), or None."""
    bidder = policies.acting_entity(actor)
    if bidder is None:
        return None
    return Bid.objects.filter(lot=lot, bidder_tag=sealing.bidder_tag(lot_id=lot.pk, entity_id=bidder.pk)).first()


def _segments(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The upload regrouped into envelope-segment-sized blocks (Django hands uploads over in 64 KB chunks): one
    hand-over per MB to the hashing and encryption workers; segment-sized chunks pass through uncopied."""
    block = bytearray()
    for chunk in chunks:
        if not block and len(chunk) == envelope.SEGMENT:
            yield chunk
            continue
        view = memoryview(chunk)
        while view:
            take = envelope.SEGMENT - len(block)
            block += view[:take]
            view = view[take:]
            if len(block) == envelope.SEGMENT:
                yield bytes(block)
                block = bytearray()
    if block:
        yield bytes(block)


def _seal_file(lot: Lot, tag: str, key: bytes, index: int, incoming: IncomingFile) -> tuple[str, str, int]:
    """Encrypt and store one file; returns (plaintext sha256, ciphertext sha256, plaintext size). Plaintext hashing,
    encryption, ciphertext hashing and writing run as a pipeline of threads; a failure anywhere stops them all
    and leaves no stored object."""
    limit = settings.GGZY_BID_FILE_MAX_BYTES
    hasher = file_store.BackgroundHasher()

    def counted() -> Iterator[bytes]:
        for chunk in _segments(incoming.chunks):
            if hasher.size + len(chunk) > limit:
                raise DomainError(f"单个文件不得超过{limit // (1024 * 1024)}MB", field=f"files.{index}")
            hasher.update(chunk)
            yield chunk

    try:
        digest, _ = file_store.put_chunks(
            envelope.seal_stream(key, counted(), context=_context(lot, tag, f"file:{index}")))
    except BaseException:
        hasher.cancel()
        raise
    if hasher.size == 0:
        file_store.discard(digest)
        raise DomainError("文件为空", field=f"files.{index}")
    return hasher.hexdigest(), digest, hasher.size


def _seal_files(lot: Lot, tag: str, key: bytes, files: list[IncomingFile]) -> list:
    """Seal every file of a submission; if one fails, the ones already stored are removed (their ciphertext is
    unique to this submission's key and nonce, so nothing else can refer to it)."""
    sealed: list = []
    try:
        for i, f in enumerate(files):
            sealed.append((_seal_file(lot, tag, key, i, f), f.name.strip()[:200]))
    except BaseException:
        for (_, cipher_hash, _), _ in sealed:
            file_store.discard(cipher_hash)
        raise
    return sealed


def bid_preconditions(*, actor, lot: Lot) -> tuple[Lot, object, str]:
    """What every submission path checks first (role, deadline, sign-up, bond, qualification): (lot, bidder, tag)."""
    lot = lot_fresh(lot)
    if not policies.can_bid(actor):
        raise NotAllowed("只有投标人可以递交投标文件")
    bidder = policies.acting_entity_verified(actor)
    tag = sealing.bidder_tag(lot_id=lot.pk, entity_id=bidder.pk)
    if not procedure_for(lot).is_accepting_bids():
        _event(lot, tag, "refused_late", "投标截止后递交")
        raise Conflict("已过投标截止时间，投标文件不予受理", field="bid_deadline")
    signup = signup_of(actor=actor, lot=lot)
    if signup is None:
        raise NotAllowed("请先报名", field="lot")
    credit_refuse_sealed(actor=actor, lot=lot, entity=bidder, behaviour="bid")  # refuses a restricted entity
    blocked = bonds.bond_block_reason(lot=lot, signup=signup, bidder=bidder)
    if blocked:
        raise DomainError(blocked, field="bond")
    if lot.qualification_required:
        registry_services.qualification_check_valid(entity=bidder, qualification_type=lot.qualification_required,
                                                    on_date=clock.today())
    return lot, bidder, tag


def submission_token_clean(token: str | None) -> str:
    """A one-time submission token (the bid form's hidden field, or the API's Idempotency-Key header): empty, or
    16 to 64 letters, digits, '-' or '_'."""
    token = (token or "").strip()
    if token and not TOKEN_PATTERN.fullmatch(token):
        raise DomainError("递交令牌格式不正确（16至64位字母、数字、- 或 _）", field="submission_token")
    return token


def _submission_problems(files: list[IncomingFile], price_sheet: object,
                         fingerprint: object) -> tuple[dict[str, list[str]], dict, dict]:
    """Every missing or wrong part of a submission at once (files, price sheet and its fields, fingerprint), so
    the bidder fixes them in one go; returns (problems, clean sheet, clean fingerprint)."""
    problems: dict[str, list[str]] = {}
    sheet: dict = {}
    prints: dict = {}
    if price_sheet is None or price_sheet == "":
        problems["price_sheet"] = ["请填写报价单（投标总价等）"]
    else:
        try:
            sheet = price_sheet_clean(price_sheet)
        except DomainError as exc:
            for name, messages in exc.errors.items():
                problems.setdefault(name, []).extend(messages)
    try:
        prints = fingerprint_clean(fingerprint)
    except DomainError as exc:
        for name, messages in exc.errors.items():
            problems.setdefault(name, []).extend(messages)
    if not files:
        problems.setdefault("files", []).append("请至少上传一个投标文件")
    elif len(files) > MAX_FILES:
        problems.setdefault("files", []).append(f"投标文件最多{MAX_FILES}个")
    for i, f in enumerate(files[:MAX_FILES]):
        if not (f.name or "").strip():
            problems.setdefault(f"files.{i}", []).append("文件名不能为空")
    return problems, sheet, prints


def problems_raise(problems: dict[str, list[str]]) -> None:
    """One DomainError naming every problem (its message lists them all, for pages that show one line)."""
    if problems:
        summary = "；".join(m for messages in problems.values() for m in messages)
        refused = DomainError(errors=problems)
        refused.args = (f"投标文件不完整，请补正：{summary}",)  # the detail lists them all; no extra "__all__" entry
        raise refused


def bid_submit(*, actor, lot: Lot, files: list[IncomingFile], price_sheet: object,
               fingerprint: object = None, submission_token: str = "") -> Bid:
    """Submit (or replace) the acting bidder's sealed bid before the deadline. The same ``submission_token`` sent
    again answers with the bid it made, unchanged (no second modification)."""
    lot, bidder, tag = bid_preconditions(actor=actor, lot=lot)
    token = submission_token_clean(submission_token)
    problems, sheet, prints = _submission_problems(files, price_sheet, fingerprint)
    problems_raise(problems)
    earlier = Bid.objects.filter(lot=lot, bidder_tag=tag).first() if token else None
    if earlier is not None and earlier.submission_token == token and earlier.state == BidState.SUBMITTED:
        return earlier  # a repeated send of a submission already stored
    change_refusal_check(lot=lot, tag=tag)

    key = envelope.content_key_new()
    sealed_files = _seal_files(lot, tag, key, files)
    sheet_bytes = json.dumps(sheet, ensure_ascii=False).encode()
    detail = {"files": [{"name": name, "sha256": plain, "size": size} for (plain, _, size), name in sealed_files],
              "price_sheet_sha256": hashlib.sha256(sheet_bytes).hexdigest()}
    try:
        wrapped, key_id = envelope.wrap_key(sealing.opening_key_name(lot), key)
        sealed_sheet = envelope.seal_bytes(key, sheet_bytes, context=_context(lot, tag, "price_sheet"))
        sealed_print = envelope.seal_bytes(key, json.dumps(prints, ensure_ascii=False).encode(),
                                           context=_context(lot, tag, "fingerprint"))
        return bid_store(actor=actor, lot=lot, bidder=bidder, tag=tag, wrapped=wrapped, key_id=key_id, key=key,
                         sealed_files=sealed_files, sealed_sheet=sealed_sheet, sealed_print=sealed_print,
                         submission_token=token, receipt_detail=detail)
    except AlreadyStored as stored:
        discard_unreferenced([cipher for (_, cipher, _), _ in sealed_files])
        return stored.bid
    except ArrivedLate:
        discard_unreferenced([cipher for (_, cipher, _), _ in sealed_files])
        _event(lot, tag, "refused_late", "上传完成时已过投标截止时间")
        raise Conflict("已过投标截止时间，投标文件不予受理", field="bid_deadline") from None
    except BaseException:
        discard_unreferenced([cipher for (_, cipher, _), _ in sealed_files])
        raise


def discard_unreferenced(digests: list[str]) -> None:
    """Remove stored ciphertext a failed submission left behind, unless a bid file refers to it (a client that
    uploads the same bytes again must not lose its earlier bid's file)."""
    referenced = set(BidFile.objects.filter(ciphertext_sha256__in=digests).values_list("ciphertext_sha256", flat=True))
    for digest in set(digests) - referenced:
        file_store.discard(digest)


class ArrivedLate(Exception):
    """The upload finished after the deadline (rolls the transaction back)."""


class AlreadyStored(Exception):
    """A concurrent send of the same submission (same token) was stored first (rolls this one back)."""

    def __init__(self, bid: Bid) -> None:
        super().__init__("already stored")
        self.bid = bid


def change_refusal_check(*, lot: Lot, tag: str) -> None:
    """Refuse early (before any file is sealed) a replacement the procedure forbids (询价: one quotation only);
    ``bid_store`` checks again under the lot's lock."""
    has_bid = Bid.objects.filter(lot=lot, bidder_tag=tag, state=BidState.SUBMITTED).exists()
    refusal = procedure_for(lot).bid_change_refusal(has_bid=has_bid)
    if refusal:
        raise Conflict(refusal, field="bid")


def receipt_detail_context(lot_id: int, tag: str) -> str:
    return f"tendering.bid.receipt_detail|lot:{lot_id}|{tag}"


def bid_store(*, actor, lot, bidder, tag, wrapped, key_id, key, sealed_files, sealed_sheet, sealed_print,
              names_sealed: list[bytes] | None = None, extra: dict | None = None, submission_token: str = "",
              receipt_detail: dict | None = None) -> Bid:
    """Store a sealed bid under the lot's lock, checking the deadline against the arrival time. ``key`` seals the
    file names (platform path); a client-sealed bid passes ``names_sealed`` and its own fields in ``extra``.
    ``receipt_detail`` (file names, sizes, hashes) is kept encrypted for the bidder's receipt."""
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        arrived = clock.now()
        if not procedure_for(locked).is_accepting_bids(arrived):
            raise ArrivedLate
        bid = Bid.objects.filter(lot=locked, bidder_tag=tag).first()
        if (submission_token and bid is not None and bid.submission_token == submission_token
                and bid.state == BidState.SUBMITTED):
            raise AlreadyStored(bid)
        kind = "modify" if bid is not None and bid.state == BidState.SUBMITTED else "submit"
        refusal = procedure_for(locked).bid_change_refusal(has_bid=kind == "modify")
        if refusal:
            raise Conflict(refusal, field="bid")
        before = _sealed_state(bid) if bid is not None else None  # None only when the bid is created
        if bid is None:
            bid = Bid(lot=locked, bidder_tag=tag, bidder_sealed=sealing.seal_small(locked, {"entity_id": bidder.pk}))
        else:
            bid.files.all().delete()
            if kind == "modify":
                bid.modified_count += 1
        bid.state = BidState.SUBMITTED
        bid.arrived_at = arrived
        bid.wrapped_key = wrapped
        bid.key_wrap_id = key_id
        bid.sealed_price_sheet = sealed_sheet
        bid.fingerprint_sealed = sealed_print
        bid.submission_token = submission_token
        bid.receipt_detail_sealed = (secrets.encrypt(json.dumps(receipt_detail, ensure_ascii=False),
                                                     context=receipt_detail_context(locked.pk, tag))
                                     if receipt_detail is not None else "")
        for field, value in {"sealed_by": "platform", "content_algorithm": envelope.AES_256_GCM,
                             "bidder_wrapped_key": None, "certificate_sealed": None, "sealed_sha256": "",
                             **(extra or {})}.items():
            setattr(bid, field, value)
        credit_passed_sealed(actor=actor, lot=locked, entity=bidder, behaviour="bid")  # logged with the bid
        record = audit_record(actor=actor, action=f"bid.{kind}", object_type="tendering.lot", object_id=str(lot.pk),
                              object_repr="投标文件（密封）", center_id=locked.project.center_id, sealed=True,
                              seal_key=sealing.seal_key(lot.pk), before=before,
                              after=_sealed_state(bid, files=[c for (_, c, _), _ in sealed_files]))
        bid.ledger_source_id = record.pk
        bid.save()
        for i, ((plain_hash, cipher_hash, size), name) in enumerate(sealed_files):
            name_sealed = (names_sealed[i] if names_sealed is not None
                           else envelope.seal_bytes(key, name.encode(), context=_context(lot, tag, f"name:{i}")))
            BidFile.objects.create(bid=bid, plaintext_sha256=plain_hash, ciphertext_sha256=cipher_hash, size=size,
                                   name_sealed=name_sealed)
        BidEvent.objects.create(lot=locked, bidder_tag=tag, kind=kind, at=arrived)
    return bid


def bid_receipt(*, actor, lot: Lot) -> dict:
    """The acting bidder's receipt for its bid (its latest submission or modification): the sealed ledger entry with
    its inclusion proof and a signed checkpoint, the entry's body and salt (which open the commitment the public
    log shows) and the after-state holding the arrival time. Only the bidder that made the entry gets it (found by
    its tag); the public sees the commitment alone until the opening. Verifiable offline with
    ``ggzy.ledger.receipts.receipt_verify``."""
    bid = bid_of(actor=actor, lot=lot)
    if bid is None or bid.ledger_source_id is None:
        raise NotFound("没有本单位的投标文件", field="lot")
    index = ledger_selectors.entry_index_for_source(source_id=bid.ledger_source_id)
    record = AuditEntry.objects.filter(pk=bid.ledger_source_id).first()
    if index is None or record is None:
        raise NotFound("该投标文件没有存证记录", field="lot")
    receipt = ledger_receipts.receipt_for(index, open_sealed=True, states={"after": record.after})
    arrived = bid.arrived_at
    return {"receipt": receipt, "lot_id": lot.pk, "arrived_at": arrived, "bid_deadline": lot.bid_deadline,
            "arrived_before_deadline": lot.bid_deadline is not None and arrived < lot.bid_deadline}


def _sealed_state(bid: Bid, *, files: list[str] | None = None) -> dict:
    """What the audit trail keeps of a bid before the opening: its state, arrival time and ciphertext hashes (the
    entry is logged against the lot, so neither names the bidder). ``files`` saves reading them back. The time is
    in UTC, as the database returns it, so a modification's before state hashes like the submission's after state."""
    if files is None:
        files = list(bid.files.order_by("pk").values_list("ciphertext_sha256", flat=True))
    return {"state": bid.state, "files": files, "arrived_at": bid.arrived_at.astimezone(dt.UTC)}


def bid_withdraw(*, actor, lot: Lot) -> Bid:
    """Withdraw the bid before the deadline; the bond then falls due for refund within the template's days."""
    lot = lot_fresh(lot)
    bid = bid_of(actor=actor, lot=lot)
    if bid is None or bid.state != BidState.SUBMITTED:
        raise Conflict("没有可撤回的投标文件", field="bid")
    refusal = procedure_for(lot).bid_change_refusal(has_bid=True)
    if refusal:
        raise Conflict(refusal, field="bid")
    if not procedure_for(lot).is_accepting_bids():
        _event(lot, bid.bidder_tag, "refused_late", "投标截止后撤回")
        raise Conflict("已过投标截止时间，不能撤回", field="bid_deadline")
    with transaction.atomic():
        before = _sealed_state(bid)
        Bid.objects.filter(pk=bid.pk).update(state=BidState.WITHDRAWN)
        bid.refresh_from_db()
        BidEvent.objects.create(lot=lot, bidder_tag=bid.bidder_tag, kind="withdraw", at=clock.now())
        signup = signup_of(actor=actor, lot=lot)
        bond = getattr(signup, "bond", None) if signup else None
        if bond is not None:
            due = rules.after(lot.project, "bid_bond_refund_after_withdrawal_max", clock.now())
            bonds.bond_refund_due(bond=bond, due_on=timezone.localdate(due), reason="撤回投标")
        audit_record(actor=actor, action="bid.withdraw", object_type="tendering.lot", object_id=str(lot.pk),
                     object_repr="投标文件（密封）", center_id=lot.project.center_id, sealed=True,
                     before=before, after=_sealed_state(bid, files=before["files"]),
                     seal_key=sealing.seal_key(lot.pk))
    return bid
