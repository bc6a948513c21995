"""Writes to the trust store: registering CAs and importing their CRLs (signatures checked before anything is kept)."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from . import certificates as certs
from .models import RevocationList, TrustedCA
from .policies import can_manage_trust_store

_SNAPSHOT_EXCLUDE = ("certificate_pem", "crl_der")


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(Encoding.PEM).decode()


def ca_register(*, actor: Any, certificate: bytes | str) -> TrustedCA:
    """Register a CA certificate (PEM or DER). A root must be self-signed; an intermediate must be signed by a
    CA already registered. The certificate must be a CA (basic constraints) and use a recognised algorithm."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以管理可信CA列表")
    try:
        cert = certs.certificate_load(certificate)
    except certs.CertificateFormatError as exc:
        raise DomainError(str(exc), field="certificate") from None
    algorithm = certs.algorithm_of(cert)
    if algorithm is None:
        raise DomainError("CA证书的公钥算法不是平台支持的算法（RSA、ECDSA、SM2）", field="certificate")
    constraints = certs.extension(cert, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        raise DomainError("该证书不是CA证书（缺少基本约束 CA=TRUE）", field="certificate")
    fingerprint = certs.fingerprint(cert)
    with transaction.atomic():
        if TrustedCA.objects.filter(fingerprint=fingerprint).exists():
            raise Conflict("该CA证书已登记", field="certificate")
        is_root = cert.subject == cert.issuer
        if is_root and not certs.signature_valid(cert, cert):
            raise DomainError("根CA证书的自签名验证失败", field="certificate")
        if not is_root:
            issuers = [ca for ca in TrustedCA.objects.filter(enabled=True)
                       if certs.certificate_load(ca.certificate_pem).subject == cert.issuer]
            if not any(certs.signature_valid(cert, certs.certificate_load(ca.certificate_pem)) for ca in issuers):
                raise DomainError("中级CA证书的签发者未登记，或签名验证失败；请先登记其上级CA", field="certificate")
        ca = TrustedCA.objects.create(
            name=certs.common_name(cert.subject)[:200], subject=cert.subject.rfc4514_string()[:500],
            certificate_pem=_pem(cert), is_root=is_root, algorithm=algorithm, fingerprint=fingerprint,
            not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, enabled=True,
            registered_at=clock.now(),
        )
        audit_record(actor=actor, action="pki.ca_register", obj=ca,
                     after=snapshot(ca, exclude=_SNAPSHOT_EXCLUDE))
    return ca


def ca_set_enabled(*, actor: Any, ca: TrustedCA, enabled: bool) -> TrustedCA:
    """Stop (or resume) recognising a CA; its certificates fail validation while it is disabled."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以管理可信CA列表")
    with transaction.atomic():
        ca = TrustedCA.objects.select_for_update().get(pk=ca.pk)
        before = snapshot(ca, exclude=_SNAPSHOT_EXCLUDE)
        ca.enabled = enabled
        ca.save(update_fields=["enabled"])
        audit_record(actor=actor, action="pki.ca_enable" if enabled else "pki.ca_disable", obj=ca,
                     before=before, after=snapshot(ca, exclude=_SNAPSHOT_EXCLUDE))
    return ca


def crl_import(*, actor: Any, crl: bytes | str) -> RevocationList:
    """Import a CRL (PEM or DER) after checking it is signed by the registered CA that names itself its issuer."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以导入证书吊销列表")
    try:
        parsed = certs.crl_load(crl)
    except certs.CertificateFormatError as exc:
        raise DomainError(str(exc), field="crl") from None
    if parsed.next_update_utc is None:
        raise DomainError("CRL缺少下次更新时间（nextUpdate），无法判断其是否过期", field="crl")
    if parsed.next_update_utc <= parsed.last_update_utc:
        raise DomainError("CRL的下次更新时间早于本次更新时间", field="crl")
    with transaction.atomic():
        candidates = [ca for ca in TrustedCA.objects.all()
                      if certs.certificate_load(ca.certificate_pem).subject == parsed.issuer]
        if not candidates:
            raise DomainError(f"CRL的签发者“{certs.common_name(parsed.issuer)}”不是已登记的CA", field="crl")
        issuer = next((ca for ca in candidates
                       if certs.signature_valid(parsed, certs.certificate_load(ca.certificate_pem))), None)
        if issuer is None:
            raise DomainError("CRL签名验证失败：内容已被改动，或并非由登记的CA签发", field="crl")
        if RevocationList.objects.filter(ca=issuer, this_update=parsed.last_update_utc).exists():
            raise Conflict("该CRL已导入", field="crl")
        newest = RevocationList.objects.filter(ca=issuer).order_by("-this_update").first()
        number = _crl_number(parsed)
        if newest is not None and number is not None and newest.number is not None and number < newest.number \
                and parsed.last_update_utc > newest.this_update:
            raise DomainError("CRL编号倒退，拒绝导入", field="crl")
        revocation_list = RevocationList.objects.create(
            ca=issuer, crl_der=parsed.public_bytes(Encoding.DER), number=number,
            this_update=parsed.last_update_utc, next_update=parsed.next_update_utc,
            revoked_count=len(parsed), fetched_at=clock.now(),
        )
        audit_record(actor=actor, action="pki.crl_import", obj=revocation_list,
                     after=snapshot(revocation_list, exclude=_SNAPSHOT_EXCLUDE))
    return revocation_list


def _crl_number(crl: x509.CertificateRevocationList) -> int | None:
    try:
        return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        return None
