"""Certificate validation against the trust store — one interface whichever recognised CA issued the certificate.

Checks, in order (RFC 5280 §6, simplified to the platform's needs, the same for RSA, ECDSA and SM2):
path building by name + signature up to an enabled registered root; validity of every certificate at ``at``;
basic constraints and keyCertSign on every CA; no unknown critical extension; the leaf's key usage; and
revocation of every non-root certificate by its issuer's CRL — missing or stale revocation data is a hard
failure (fail closed), because "we could not check" must never read as "not revoked".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from django.utils import timezone

from . import certificates as certs
from .models import OcspResponse, OcspStatus, RevocationList, TrustedCA

MAX_PATH_LENGTH = 6

USAGE_LABELS = {
    "digital_signature": "数字签名",
    "content_commitment": "不可否认签名",
    "key_encipherment": "密钥加密（数字信封）",
    "data_encipherment": "数据加密",
    "key_agreement": "密钥协商",
}

_KNOWN_CRITICAL = {
    x509.BasicConstraints, x509.KeyUsage, x509.ExtendedKeyUsage, x509.SubjectAlternativeName,
    x509.CertificatePolicies, x509.NameConstraints, x509.PolicyConstraints, x509.InhibitAnyPolicy,
}


@dataclass(frozen=True)
class ChainLink:
    name: str
    fingerprint: str
    trusted_ca_id: int | None


@dataclass(frozen=True)
class ValidationResult:
    """The verdict: ``ok`` and, either way, a reason a person understands (Chinese) and a stable ``code``."""

    ok: bool
    code: str
    reason: str
    chain: list[ChainLink] = field(default_factory=list)
    subject: certs.SubjectInfo | None = None


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _refuse(code: str, reason: str, chain: list[ChainLink] | None = None,
            subject: certs.SubjectInfo | None = None) -> ValidationResult:
    return ValidationResult(ok=False, code=code, reason=reason, chain=chain or [], subject=subject)


def _trusted() -> list[tuple[TrustedCA, x509.Certificate]]:
    return [(ca, certs.certificate_load(ca.certificate_pem)) for ca in TrustedCA.objects.filter(enabled=True)]


def _build_path(leaf: x509.Certificate, anchors: list[tuple[TrustedCA, x509.Certificate]]
                ) -> tuple[list[tuple[TrustedCA, x509.Certificate]], ValidationResult | None]:
    """The issuing CAs from the leaf's issuer up to a root, or a refusal."""
    path: list[tuple[TrustedCA, x509.Certificate]] = []
    current = leaf
    for _ in range(MAX_PATH_LENGTH):
        named = [(ca, cert) for ca, cert in anchors if cert.subject == current.issuer]
        label = "证书" if current is leaf else f"CA证书“{certs.common_name(current.subject)}”"
        if not named:
            return path, _refuse("untrusted", f"{label}的签发者“{certs.common_name(current.issuer)}”"
                                              "不是平台认可的CA（未登记或已停用）")
        issuer = next(((ca, cert) for ca, cert in named if certs.signature_valid(current, cert)), None)
        if issuer is None:
            return path, _refuse("bad_signature", f"{label}的签名验证失败：证书内容已被改动，或并非由"
                                                  f"“{certs.common_name(current.issuer)}”签发")
        if any(issuer[0].pk == ca.pk for ca, _ in path):
            return path, _refuse("untrusted", "证书链存在循环，无法建立到根CA的信任路径")
        path.append(issuer)
        if issuer[0].is_root:
            return path, None
        current = issuer[1]
    return path, _refuse("untrusted", "证书链过长，无法建立到根CA的信任路径")


def _check_validity(chain: list[x509.Certificate], at: dt.datetime) -> ValidationResult | None:
    for index, cert in enumerate(chain):
        label = "证书" if index == 0 else f"签发CA证书“{certs.common_name(cert.subject)}”"
        if at < cert.not_valid_before_utc:
            return _refuse("not_yet_valid", f"{label}尚未生效（生效时间 {_when(cert.not_valid_before_utc)}）")
        if at > cert.not_valid_after_utc:
            return _refuse("expired", f"{label}已过期（有效期至 {_when(cert.not_valid_after_utc)}）")
    return None


def _check_extensions(chain: list[x509.Certificate], usage: str) -> ValidationResult | None:
    for index, cert in enumerate(chain):
        for ext in cert.extensions:
            if ext.critical and type(ext.value) not in _KNOWN_CRITICAL:
                return _refuse("unknown_critical_extension",
                               f"证书“{certs.common_name(cert.subject)}”含有无法识别的关键扩展（{ext.oid.dotted_string}）")
        constraints = certs.extension(cert, x509.BasicConstraints)
        if index == 0:
            if constraints is not None and constraints.ca:
                return _refuse("wrong_usage", "该证书是CA证书，不能作为用户证书使用")
            continue
        name = certs.common_name(cert.subject)
        if constraints is None or not constraints.ca:
            return _refuse("not_ca", f"签发者证书“{name}”不是CA证书（基本约束不允许签发证书）")
        below = index - 1  # CA certificates between this CA and the leaf
        if constraints.path_length is not None and below > constraints.path_length:
            return _refuse("not_ca", f"CA证书“{name}”的路径长度约束不允许再下级CA签发证书")
        ca_usage = certs.extension(cert, x509.KeyUsage)
        if ca_usage is not None and not ca_usage.key_cert_sign:
            return _refuse("not_ca", f"CA证书“{name}”的密钥用途不允许签发证书")
    key_usage = certs.extension(chain[0], x509.KeyUsage)
    if key_usage is not None and not getattr(key_usage, usage):
        return _refuse("wrong_usage", f"证书的密钥用途不允许用于{USAGE_LABELS[usage]}")
    return None


def _ocsp_answer(ca: TrustedCA, cert: x509.Certificate, at: dt.datetime) -> OcspResponse | None:
    """The newest OCSP status of ``cert`` current at ``at`` (an "unknown" answer is no answer)."""
    return (OcspResponse.objects.filter(ca=ca, serial_number=format(cert.serial_number, "x"), this_update__lte=at,
                                        next_update__gte=at)
            .exclude(status=OcspStatus.UNKNOWN).order_by("-this_update").first())


def _check_revocation(chain: list[x509.Certificate], path: list[tuple[TrustedCA, x509.Certificate]],
                      at: dt.datetime) -> ValidationResult | None:
    """Revoked by either source → refused. A current OCSP answer stands in for a missing or stale CRL; with
    neither, the certificate is refused (fail closed)."""
    for index, (ca, _) in enumerate(path):
        cert = chain[index]
        label = "证书" if index == 0 else f"签发CA证书“{certs.common_name(cert.subject)}”"
        answer = _ocsp_answer(ca, cert, at)
        if answer is not None and answer.status == OcspStatus.REVOKED \
                and (answer.revocation_time is None or answer.revocation_time <= at):
            when = f"于 {_when(answer.revocation_time)} " if answer.revocation_time else ""
            return _refuse("revoked", f"{label}已{when}被CA“{ca.name}”吊销（OCSP在线状态查询结果）")
        latest = RevocationList.objects.filter(ca=ca, this_update__lte=at).order_by("-this_update").first()
        if latest is None or latest.next_update < at:
            if answer is not None:
                continue  # OCSP says good and is current
            if latest is None:
                return _refuse("revocation_unknown", f"缺少CA“{ca.name}”的证书吊销列表（CRL）或在线状态（OCSP），"
                                                     f"无法确认{label}是否已被吊销")
            return _refuse("revocation_stale", f"CA“{ca.name}”的证书吊销列表已过期（应于 {_when(latest.next_update)} 前更新），"
                                               f"且无有效的OCSP状态，无法确认{label}是否已被吊销")
        entry = certs.crl_load(bytes(latest.crl_der)).get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None and entry.revocation_date_utc <= at:
            return _refuse("revoked", f"{label}已于 {_when(entry.revocation_date_utc)} 被CA“{ca.name}”吊销")
    return None


def validate_certificate(certificate: bytes | str, *, at: dt.datetime, usage: str) -> ValidationResult:
    """Validate a PEM or DER certificate for ``usage`` (a key of ``USAGE_LABELS``) at time ``at``."""
    if usage not in USAGE_LABELS:
        raise ValueError(f"unknown key usage {usage!r}")
    try:
        leaf = certs.certificate_load(certificate)
    except certs.CertificateFormatError as exc:
        return _refuse("format", str(exc))
    if certs.algorithm_of(leaf) is None:
        return _refuse("format", "证书的公钥算法不是平台支持的算法（RSA、ECDSA、SM2）")
    subject = certs.subject_info(leaf)
    path, refusal = _build_path(leaf, _trusted())
    chain = [leaf] + [cert for _, cert in path]
    links = [ChainLink(certs.common_name(leaf.subject), subject.fingerprint, None)]
    links += [ChainLink(ca.name, ca.fingerprint, ca.pk) for ca, _ in path]
    if refusal is None:
        refusal = (_check_validity(chain, at) or _check_extensions(chain, usage)
                   or _check_revocation(chain, path, at))
    if refusal is not None:
        return ValidationResult(ok=False, code=refusal.code, reason=refusal.reason, chain=links, subject=subject)
    return ValidationResult(ok=True, code="ok", reason=f"证书有效（由“{path[0][0].name}”签发，信任链完整，未被吊销）",
                            chain=links, subject=subject)
