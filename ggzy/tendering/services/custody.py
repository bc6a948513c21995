"""Custodians and each lot's k-of-n opening key (the fallback when a bidder's own decryption fails for a cause
not the bidder's).

A lot's custodian key is an SM2 key pair made on first need (a bidding client asks for the public half before it
seals). The private scalar is split with ``pki.shamir`` among the center's active custodians, each share is
encrypted to its custodian's SM2 key and stored; the private key itself is never stored. At the opening, k
custodians decrypt their shares offline and present them; the commitments name any wrong or tampered share.
"""

from __future__ import annotations

import base64

from cryptography import x509
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.pki import certificates as certs
from ggzy.pki import der, shamir, sm, sm2x509

from .. import policies
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


def custodian_register(*, actor, center, name: str, organisation: str, public_key_pem: str) -> Custodian:
    """Register a custodian of ``center`` (its staff, or an administrator)."""
    if not policies.is_center_staff_for(actor, center):
        raise NotAllowed("只有本中心工作人员可以登记开标密钥保管人")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写保管人姓名"
    if not (organisation or "").strip():
        errors["organisation"] = "请填写保管人所在单位"
    if errors:
        raise DomainError("保管人信息不完整", errors=errors)
    custodian_public_key(public_key_pem)
    with transaction.atomic():
        custodian = Custodian.objects.create(center=center, name=name.strip()[:100],
                                             organisation=organisation.strip()[:100],
                                             public_key_pem=public_key_pem.strip(), registered_at=clock.now())
        audit_record(actor=actor, action="custodian.register", obj=custodian, center_id=center.pk,
                     after={"name": custodian.name, "organisation": custodian.organisation})
    return custodian


def lot_opening_key_ensure(*, actor, lot: Lot) -> LotOpeningKey:
    """The lot's custodian key, made on first need: k = min(3, n) of the center's n active custodians."""
    existing = LotOpeningKey.objects.filter(lot=lot).first()
    if existing is not None:
        return existing
    custodians = list(Custodian.objects.filter(center_id=lot.project.center_id, active=True).order_by("id"))
    if len(custodians) < 2:
        raise Conflict("本中心登记的开标密钥保管人不足2名，不能接受投标人自持密钥的投标", field="custodians")
    threshold = min(THRESHOLD, len(custodians))
    with transaction.atomic():
        Lot.objects.select_for_update().get(pk=lot.pk)
        existing = LotOpeningKey.objects.filter(lot=lot).first()
        if existing is not None:
            return existing
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
                     sealed=True, after={"key_id": key.key_id, "threshold": threshold, "custodians": len(custodians)})
    return key


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
