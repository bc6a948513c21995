"""The platform's own signing certificate (平台签章证书): what the platform signs documents it issues with (the bid
receipt PDF), as opposed to the certificates of users that it verifies.

A deployment configures a certificate issued to the platform by a real CA: ``GGZY_PLATFORM_SIGNING_CERT_FILE``,
``GGZY_PLATFORM_SIGNING_KEY_FILE`` (PEM, RSA or ECDSA: pyHanko signs PDFs with these) and optionally
``GGZY_PLATFORM_SIGNING_CHAIN_FILE`` (intermediate and root certificates, PEM, embedded in each signature), as
settings or environment variables. Without them, and while ``GGZY_PLATFORM_SIGNING_DEMO`` is true (dev, test and
demo; false in production, where the missing files are an error), the platform issues itself a demo certificate
from the ECDSA root of the test PKI (``<GGZY_OPENING_KEY_DIR>/../pki``, the directory ``ggzy pki demo`` and the
demo data use), registers that root in the trust store and keeps the pair under ``pki/platform/``. The demo root
is ``pki/ca/ECDSA-root.pem``: the ``--trust`` anchor for ``ggzy-bid receipt verify``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from django.conf import settings

from ggzy.core import clock
from ggzy.core.errors import DomainError

from .models import Algorithm

DEMO_SUBJECT = "GGZY公共资源交易平台（演示）电子签章"


@dataclass(frozen=True)
class PlatformSigner:
    """The platform's signing certificate, its private key and the chain above it (all PEM)."""

    cert_pem: bytes
    key_pem: bytes
    chain_pems: tuple[bytes, ...]


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or os.environ.get(name, ""))


def demo_directory() -> Path:
    keys = Path(getattr(settings, "GGZY_OPENING_KEY_DIR", Path(settings.VAR_DIR) / "keys"))
    return keys.parent / "pki"


def platform_signer() -> PlatformSigner:
    """The configured platform signing credentials, else (demo mode) the demo ones, issued on first use."""
    cert_file, key_file = _setting("GGZY_PLATFORM_SIGNING_CERT_FILE"), _setting("GGZY_PLATFORM_SIGNING_KEY_FILE")
    if cert_file and key_file:
        chain_file = _setting("GGZY_PLATFORM_SIGNING_CHAIN_FILE")
        try:
            chain = (Path(chain_file).read_bytes(),) if chain_file else ()
            return PlatformSigner(Path(cert_file).read_bytes(), Path(key_file).read_bytes(), chain)
        except OSError as exc:
            raise DomainError(f"平台签章证书文件无法读取：{exc.filename}", field="platform_signing") from None
    if not getattr(settings, "GGZY_PLATFORM_SIGNING_DEMO", True):
        raise DomainError("平台签章证书未配置（GGZY_PLATFORM_SIGNING_CERT_FILE / GGZY_PLATFORM_SIGNING_KEY_FILE）",
                          field="platform_signing")
    return _demo_signer(demo_directory())


def _demo_signer(directory: Path) -> PlatformSigner:
    from .testpki import build_test_pki, demo_pki_register

    manifest = directory / "manifest.json"
    if not manifest.exists():
        build_test_pki(directory, now=clock.now(), crl_days=365)
    demo_pki_register(directory=directory)
    entry = next(e for e in json.loads(manifest.read_text())["cas"] if e["algorithm"] == Algorithm.ECDSA)
    ca_pem = (directory / entry["certificate"]).read_bytes()
    cert_path, key_path = directory / "platform" / "signing.pem", directory / "platform" / "signing.key"
    if cert_path.exists() and key_path.exists():
        issued = x509.load_pem_x509_certificate(cert_path.read_bytes())
        ca = x509.load_pem_x509_certificate(ca_pem)
        if issued.issuer == ca.subject and issued.not_valid_after_utc > clock.now():
            return PlatformSigner(cert_path.read_bytes(), key_path.read_bytes(), (ca_pem,))
    ca_key = serialization.load_pem_private_key((directory / entry["key"]).read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise DomainError("演示根CA的私钥不是ECDSA密钥", field="platform_signing")
    ca = x509.load_pem_x509_certificate(ca_pem)
    key = ec.generate_private_key(ec.SECP256R1())
    start = clock.now() - dt.timedelta(days=1)
    utf8 = _ASN1Type.UTF8String
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GGZY公共资源交易平台（演示）", _type=utf8),
                         x509.NameAttribute(NameOID.COMMON_NAME, DEMO_SUBJECT, _type=utf8)])
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem)
    cert_path.write_bytes(cert_pem)
    return PlatformSigner(cert_pem, key_pem, (ca_pem,))
