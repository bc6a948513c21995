"""Custodians and each lot's k-of-n opening key (the fallback when a bidder's own decryption fails for a cause
not the bidder's).

A lot's custodian key is an SM2 key pair made on first need (a bidding client asks for the public half before it
seals). The private scalar is split with ``pki.shamir`` among the center's active custodians, each share is
encrypted to its custodian's SM2 key and stored; the private key itself is never stored. At the opening, k
custodians decrypt their shares offline and present them; the commitments name any wrong or tampered share.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography import x509
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.pki import certificates as certs
from ggzy.pki import der, shamir, sm, sm2x509

from .. import policies, sealing
from ..bidformat import custodian_key_id
from ..models import Custodian, CustodianShare, Lot, LotOpeningKey

THRESHOLD = 3


def custodian_public_key(pem: str) -> bytes:
    """The SM2 point in a custodian's certificate or SubjectPublicKeyInfo PEM."""
    text = (pem or "").strip()
    point = None
    try:
        if "BEGIN CERTIFICATE" in text:
            point = sm2x509.sm2_public_key_of(certs.certificate_load(text))
        elif "BEGIN PUBLIC KEY" in text:
            body = base64.b64decode("".join(line for line in text.splitlines() if not line.startswith("-----")))
            point = der.read_one(body).children()[1].as_bits()
    except (ValueError, IndexError, der.DerError, x509.InvalidVersion):
        point = None
    if point is None or not sm.sm2_public_key_valid(point):
        raise DomainError("保管人公钥无法识别（应为SM2加密证书或SM2公钥的PEM）", field="public_key_pem")
    return point


def custodian_key_fingerprint(pem: str) -> str:
    """A short id of a custodian's SM2 key (SHA-256 of the public point, first 16 hex digits), to compare with
    the fingerprint the custodian reads off their own certificate or key."""
    return hashlib.sha256(custodian_public_key(pem)).hexdigest()[:16]


def custodian_register(*, actor, center, name: str, organisation: str, public_key_pem: str) -> Custodian:
    """Register a custodian of ``center`` (its staff, or an administrator)."""
    if center is None or not policies.is_center_staff_for(actor, center):
        raise NotAllowed("只有本中心工作人员可以登记开标密钥保管人")
    errors: dict[str, str] = {}
    name, organisation = (name or "").strip(), (organisation or "").strip()
    if not name:
        errors["name"] = "请填写保管人姓名"
    elif len(name) > 100:
        errors["name"] = "保管人姓名不能超过100个字"
    if not organisation:
        errors["organisation"] = "请填写保管人所在单位"
    elif len(organisation) > 100:
        errors["organisation"] = "所在单位不能超过100个字"
    if errors:
        raise DomainError(errors=errors)
    point = custodian_public_key(public_key_pem)
    with transaction.atomic():
        for other in Custodian.objects.select_for_update().filter(center=center):
            if custodian_public_key(other.public_key_pem) == point:
                raise DomainError(f"该公钥已登记为本中心的保管人（{other.name}）", field="public_key_pem")
        custodian = Custodian.objects.create(center=center, name=name, organisation=organisation,
                                             public_key_pem=public_key_pem.strip(), registered_at=clock.now())
        audit_record(actor=actor, action="custodian.register", obj=custodian, center_id=center.pk,
                     after={"name": custodian.name, "organisation": custodian.organisation,
                            "fingerprint": hashlib.sha256(point).hexdigest()[:16]})
    return custodian


def custodian_set_active(*, actor, custodian: Custodian, active: bool) -> Custodian:
    """Deactivate (离任) or reactivate a custodian. Only lots whose key is made afterwards are affected: the
    shares a custodian already holds stay valid and are still needed at those lots' openings."""
    if not policies.is_center_staff_for(actor, custodian.center):
        raise NotAllowed("只有本中心工作人员可以变更开标密钥保管人")
    with transaction.atomic():
        locked = Custodian.objects.select_for_update().get(pk=custodian.pk)
        if locked.active == active:
            raise Conflict("该保管人已在任" if active else "该保管人已离任", field="active")
        locked.active = active
        locked.save(update_fields=["active"])
        audit_record(actor=actor, action="custodian.reactivate" if active else "custodian.deactivate", obj=locked,
                     center_id=locked.center_id, before={"active": not active}, after={"active": active})
    custodian.active = active
    return locked


def custodian_deactivate(*, actor, custodian: Custodian) -> Custodian:
    return custodian_set_active(actor=actor, custodian=custodian, active=False)


def custodian_reactivate(*, actor, custodian: Custodian) -> Custodian:
    return custodian_set_active(actor=actor, custodian=custodian, active=True)


def _opening_key_make(*, actor, lot: Lot, custodians: list[Custodian], sealed: bool) -> LotOpeningKey:
    """Make the key and its encrypted shares; the caller holds the lot's row lock inside a transaction."""
    threshold = min(THRESHOLD, len(custodians))
    private_key, public_key = sm.sm2_keypair_new()
    shares, commitment = shamir.secret_split(private_key, threshold=threshold, count=len(custodians))
    del private_key
    key = LotOpeningKey.objects.create(
        lot=lot, public_key=public_key, key_id=custodian_key_id(public_key), threshold=threshold,
        split_id=commitment.split_id.hex(), secret_digest=commitment.secret_digest.hex(),
        share_digests={str(i): d.hex() for i, d in commitment.share_digests.items()}, created_at=clock.now())
    for share, custodian in zip(shares, custodians, strict=True):
        CustodianShare.objects.create(
            opening_key=key, custodian=custodian, index=share.index,
            share_sealed=sm.sm2_encrypt(custodian_public_key(custodian.public_key_pem), share.encode().encode()))
    audit_record(actor=actor, action="lot.opening_key_create", obj=key, center_id=lot.project.center_id,
                 sealed=sealed, seal_key=sealing.seal_key(lot.pk) if sealed else "",
                 after={"key_id": key.key_id, "threshold": threshold, "custodians": len(custodians)})
    return key


def _active_custodians(lot: Lot) -> list[Custodian]:
    return list(Custodian.objects.filter(center_id=lot.project.center_id, active=True).order_by("id"))


def lot_opening_key_at_publication(*, actor, lot: Lot) -> LotOpeningKey | None:
    """Called by ``lot_publish`` inside its transaction (the lot row already locked): make the key when the center
    has at least 2 active custodians; with fewer, the lot is published without one and client-sealed bids are
    refused (``lot_opening_key_ensure`` says why)."""
    existing = LotOpeningKey.objects.filter(lot=lot).first()
    if existing is not None:
        return existing
    custodians = _active_custodians(lot)
    if len(custodians) < 2:
        return None
    return _opening_key_make(actor=actor, lot=lot, custodians=custodians, sealed=False)


def lot_opening_key_ensure(*, actor, lot: Lot) -> LotOpeningKey:
    """The lot's custodian key. Made at publication since custodians could be registered; a lot published
    before that (or before its center had 2 custodians) gets it here, on first need: k = min(3, n) of the
    center's n active custodians."""
    existing = LotOpeningKey.objects.filter(lot=lot).first()
    if existing is not None:
        return existing
    custodians = _active_custodians(lot)
    if len(custodians) < 2:
        raise Conflict("本中心登记的开标密钥保管人不足2名，不能接受投标人自持密钥的投标", field="custodians")
    with transaction.atomic():
        Lot.objects.select_for_update().get(pk=lot.pk)
        existing = LotOpeningKey.objects.filter(lot=lot).first()
        if existing is not None:
            return existing
        # the actor here is usually a bidder asking before it seals: its identity stays sealed in the audit trail
        return _opening_key_make(actor=actor, lot=lot, custodians=custodians, sealed=True)


SHARE_FILE_FORMAT = "ggzy-custodian-share-1"  # read by ``ggzy-bid share`` (bidclient.share_file_decrypt)


def custodian_share_export(*, actor, lot: Lot, custodian_id: int) -> dict:
    """One custodian's encrypted share of the lot's opening key, as the small JSON file the custodian takes away
    and decrypts offline with their SM2 private key (``ggzy-bid share``). Staff of the lot's center only."""
    if not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以导出保管人密钥分片")
    share = (CustodianShare.objects.select_related("custodian", "opening_key")
             .filter(opening_key__lot=lot, custodian_id=custodian_id).first())
    if share is None:
        raise NotFound("该保管人没有本标段的密钥分片", field="custodian")
    key, custodian = share.opening_key, share.custodian
    with transaction.atomic():
        audit_record(actor=actor, action="custodian.share_export", obj=share, center_id=lot.project.center_id,
                     after={"lot": lot.pk, "custodian": custodian.pk, "index": share.index})
    return {
        "format": SHARE_FILE_FORMAT, "lot_id": lot.pk, "lot_code": lot.code, "key_id": key.key_id,
        "split_id": key.split_id, "threshold": key.threshold, "count": key.shares.count(), "index": share.index,
        "custodian": {"id": custodian.pk, "name": custodian.name, "organisation": custodian.organisation,
                      "public_key": custodian_public_key(custodian.public_key_pem).hex(),
                      "fingerprint": custodian_key_fingerprint(custodian.public_key_pem)},
        "algorithm": "sm2", "share_sealed": base64.b64encode(bytes(share.share_sealed)).decode(),
    }


def _commitment(key: LotOpeningKey) -> shamir.Commitment:
    return shamir.Commitment(split_id=bytes.fromhex(key.split_id), threshold=key.threshold,
                             share_digests={int(i): bytes.fromhex(d) for i, d in key.share_digests.items()},
                             secret_digest=bytes.fromhex(key.secret_digest))


def opening_key_recover(key: LotOpeningKey, shares: list[str]) -> bytes:
    """The private key from k presented (decrypted) shares; a wrong or tampered share is named, never used."""
    names = {s.index: s.custodian.name for s in key.shares.select_related("custodian")}
    decoded = []
    for i, text in enumerate(shares):
        try:
            decoded.append(shamir.Share.decode(text))
        except shamir.ShareError as exc:
            raise DomainError(f"第{i + 1}份：{exc}", field="shares") from None
    try:
        private_key = shamir.secret_combine(decoded, _commitment(key))
    except shamir.ShareError as exc:
        if exc.bad_indices:
            who = "、".join(f"第{i}号（{names.get(i, '未登记的保管人')}）" for i in exc.bad_indices)
            raise DomainError(f"密钥分片{who}与登记的承诺值不符（分片错误或被篡改）", field="shares") from None
        raise DomainError(str(exc), field="shares") from None
    if sm.sm2_public_key(private_key) != bytes(key.public_key):
        raise DomainError("由分片恢复的私钥与标段开标密钥不符", field="shares")
    return private_key


def custodians_demo_register(*, actor, center, directory) -> int:
    """Register the test PKI's custodian certificates (``ggzy pki demo`` output under ``directory``) as
    ``center``'s custodians; already-registered ones are skipped. Returns how many were added."""
    import json
    from pathlib import Path

    root = Path(directory)
    added = 0
    for entry in json.loads((root / "manifest.json").read_text())["custodians"]:
        pem = (root / entry["certificate"]).read_text().strip()
        if Custodian.objects.filter(center=center, public_key_pem=pem).exists():
            continue
        label = entry["label"].split("-", 1)[-1]
        organisation = "交易中心" if "交易中心" in label else ("公证处" if "公证" in label else "监管部门")
        custodian_register(actor=actor, center=center, name=f"{label}保管人", organisation=organisation,
                           public_key_pem=pem)
        added += 1
    return added
