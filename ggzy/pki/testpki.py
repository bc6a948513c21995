"""A test PKI: two independent CAs (SM2, ECDSA P-256), user certificates, CRLs and custodian keys.

``ggzy pki demo`` and the tests build the same thing, the tests in a tmp dir. A real deployment imports real
CAs instead. Under the SM2 root every key is SM2 (GM/T dual certificates: a signing and an encryption
certificate). Under the ECDSA root signing keys are ECDSA P-256 and encryption keys RSA-2048, so a content key
can be wrapped with RSA-OAEP as ``envelope.wrap_key`` does. Private keys are written unencrypted (mode 0600):
this is demo material, never production keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ggzy.core.credit_code import credit_code_make, organisation_code_make

from . import sm, sm2x509
from .models import Algorithm

SIGN_USAGES = ["digital_signature", "content_commitment"]
SM2_ENCRYPT_USAGES = ["key_encipherment", "data_encipherment"]
CA_USAGES = ["key_cert_sign", "crl_sign"]

O_COUNTRY, O_ORG, O_UNIT, O_CN, O_SERIAL, O_ORG_ID = "2.5.4.6", "2.5.4.10", "2.5.4.11", "2.5.4.3", "2.5.4.5", "2.5.4.97"

DEMO_ENTITIES = [  # (name, credit code or an 8-character organisation-code body, the CA that issues its certificates)
    ("山东鲁建工程集团有限公司", "MA3C7K1P", Algorithm.SM2),
    ("济南泉城路桥建设有限公司", "MA94TQ2D", Algorithm.SM2),
    ("青岛海晟招标代理有限公司", "MA7R2M5X", Algorithm.ECDSA),
    ("烟台港城设备采购有限公司", "MA1W8E4N", Algorithm.ECDSA),
]
DEMO_PERSONS = [("王建国", Algorithm.SM2), ("李海燕", Algorithm.ECDSA), ("张志强", Algorithm.SM2)]
CUSTODIANS = ["省公共资源交易中心", "省发展和改革委员会", "省财政厅", "省纪委监委驻厅纪检组", "公证处"]


def demo_credit_code(body8: str, county: str = "370100") -> str:
    return credit_code_make("91" + county + organisation_code_make(body8))


@dataclass
class Issued:
    """One certificate and its private key (SM2: the 32-byte scalar; otherwise a pyca private key)."""

    label: str
    algorithm: str
    certificate: x509.Certificate
    private_key: Any
    credit_code: str = ""

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def private_key_pem(self) -> bytes:
        if isinstance(self.private_key, bytes):
            return sm2x509.private_key_pem(self.private_key)
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())


def _name(attributes: list[tuple[str, str]]) -> x509.Name:
    return x509.Name([x509.NameAttribute(x509.ObjectIdentifier(oid), value) for oid, value in attributes])


def _pyca_key_usage(usages: list[str]) -> x509.KeyUsage:
    flags = {name: name in usages for name in sm2x509.KEY_USAGE_BITS}
    return x509.KeyUsage(**flags, encipher_only=False, decipher_only=False)


@dataclass
class TestCA:
    """A root CA of the test PKI that issues certificates and CRLs."""

    __test__ = False  # a helper, not a pytest class

    issued: Issued
    subject: list[tuple[str, str]]
    _serials: itertools.count = field(default_factory=lambda: itertools.count(1000))

    @property
    def algorithm(self) -> str:
        return self.issued.algorithm

    @property
    def name(self) -> str:
        return self.issued.label

    def issue(self, *, label: str, subject: list[tuple[str, str]], usages: list[str], not_before: dt.datetime,
              not_after: dt.datetime, key_algorithm: str | None = None, serial: int | None = None,
              ca: bool = False, credit_code: str = "") -> Issued:
        """Issue a certificate for a fresh key (SM2 under the SM2 CA; ECDSA P-256, or RSA when asked)."""
        serial = serial if serial is not None else next(self._serials)
        key_algorithm = key_algorithm or self.algorithm
        if self.algorithm == Algorithm.SM2:
            private_key, public_key = sm.sm2_keypair_new()
            extensions = [sm2x509.basic_constraints(ca=ca, path_length=0 if ca else None), sm2x509.key_usage(usages),
                          sm2x509.subject_key_id(public_key),
                          sm2x509.authority_key_id(sm.sm2_public_key(self.issued.private_key))]
            encoded = sm2x509.certificate_build(
                serial=serial, issuer=self.subject, subject=subject, not_before=not_before, not_after=not_after,
                public_key=public_key, issuer_private_key=self.issued.private_key, extensions=extensions)
            certificate = x509.load_der_x509_certificate(encoded)
            return Issued(label, Algorithm.SM2, certificate, private_key, credit_code)
        key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if key_algorithm == Algorithm.RSA
               else ec.generate_private_key(ec.SECP256R1()))
        issuer_key = self.issued.private_key
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(subject)).issuer_name(_name(self.subject))
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
            .add_extension(_pyca_key_usage(usages), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                           critical=False)
        )
        certificate = builder.sign(issuer_key, hashes.SHA256())
        return Issued(label, key_algorithm, certificate, key, credit_code)

    def crl(self, *, this_update: dt.datetime, next_update: dt.datetime,
            revoked: Iterable[tuple[int, dt.datetime]] = (), number: int = 1) -> bytes:
        """A DER CRL listing ``revoked`` (serial, revocation time)."""
        entries = list(revoked)
        if self.algorithm == Algorithm.SM2:
            return sm2x509.crl_build(issuer=self.subject, issuer_private_key=self.issued.private_key,
                                     this_update=this_update, next_update=next_update, revoked=entries,
                                     number=number)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(_name(self.subject))
                   .last_update(this_update).next_update(next_update)
                   .add_extension(x509.CRLNumber(number), critical=False))
        for serial, when in entries:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        return builder.sign(self.issued.private_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


    def ocsp_response(self, *, serials: list[int], produced_at: dt.datetime, this_update: dt.datetime,
                      next_update: dt.datetime, revoked: dict[int, dt.datetime] | None = None,
                      responder: Issued | None = None) -> bytes:
        """A DER OCSP response on ``serials`` (good unless in ``revoked``), signed by the CA or by ``responder``."""
        from . import ocsp as ocsp_mod

        revoked = revoked or {}
        if self.algorithm == Algorithm.SM2:
            statuses = [ocsp_mod.SingleStatus(s, "revoked" if s in revoked else "good", this_update, next_update,
                                              revoked.get(s)) for s in serials]
            return ocsp_mod.sm2_response_build(issuer=self.issued.certificate,
                                               issuer_private_key=self.issued.private_key,
                                               produced_at=produced_at, statuses=statuses)
        from cryptography.x509 import ocsp

        name_hash = hashlib.sha1(ocsp_mod.subject_der(self.issued.certificate)).digest()  # noqa: S324
        key_hash = hashlib.sha1(ocsp_mod.public_key_bits(self.issued.certificate)).digest()  # noqa: S324
        builder = ocsp.OCSPResponseBuilder()
        for serial in serials:
            status = ocsp.OCSPCertStatus.REVOKED if serial in revoked else ocsp.OCSPCertStatus.GOOD
            builder = builder.add_response_by_hash(
                issuer_name_hash=name_hash, issuer_key_hash=key_hash, serial_number=serial,
                algorithm=hashes.SHA1(), cert_status=status, this_update=this_update,  # noqa: S303
                next_update=next_update, revocation_time=revoked.get(serial),
                revocation_reason=None)
        signer = responder or self.issued
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer.certificate)
        if responder is not None:
            builder = builder.certificates([responder.certificate])
        return builder.sign(signer.private_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def ca_new(*, name: str, algorithm: str, not_before: dt.datetime, years: int = 20) -> TestCA:
    """A self-signed root CA."""
    subject = [(O_COUNTRY, "CN"), (O_ORG, "GGZY测试PKI"), (O_CN, name)]
    not_after = not_before + dt.timedelta(days=365 * years)
    if algorithm == Algorithm.SM2:
        private_key, public_key = sm.sm2_keypair_new()
        encoded = sm2x509.certificate_build(
            serial=1, issuer=subject, subject=subject, not_before=not_before, not_after=not_after,
            public_key=public_key, issuer_private_key=private_key,
            extensions=[sm2x509.basic_constraints(ca=True), sm2x509.key_usage(CA_USAGES),
                        sm2x509.subject_key_id(public_key), sm2x509.authority_key_id(public_key)])
        return TestCA(Issued(name, Algorithm.SM2, x509.load_der_x509_certificate(encoded), private_key), subject)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(subject))
        .public_key(key.public_key()).serial_number(1).not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_pyca_key_usage(CA_USAGES), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TestCA(Issued(name, Algorithm.ECDSA, certificate, key), subject)


def entity_subject(name: str, credit_code: str, *, algorithm: str) -> list[tuple[str, str]]:
    """SM2 CAs here use organizationIdentifier (2.5.4.97); the ECDSA CA puts the code in serialNumber."""
    code_attribute = (O_ORG_ID, credit_code) if algorithm == Algorithm.SM2 else (O_SERIAL, credit_code)
    return [(O_COUNTRY, "CN"), (O_ORG, name), code_attribute, (O_CN, name)]


def person_subject(name: str) -> list[tuple[str, str]]:
    return [(O_COUNTRY, "CN"), (O_UNIT, "个人"), (O_CN, name)]


@dataclass
class DemoPKI:
    """Everything ``build_test_pki`` made; ``users`` maps a label like "王建国/sign" to its certificate."""

    directory: Path
    cas: dict[str, TestCA]
    crls: dict[str, bytes]
    users: dict[str, Issued]
    custodians: list[Issued]
    revoked: list[Issued]


def _pair(ca: TestCA, label: str, subject, now, *, credit_code: str = "") -> list[Issued]:
    until = now + dt.timedelta(days=3 * 365)
    encrypt_algorithm = Algorithm.SM2 if ca.algorithm == Algorithm.SM2 else Algorithm.RSA
    return [
        ca.issue(label=f"{label}/sign", subject=subject, usages=SIGN_USAGES, not_before=now, not_after=until,
                 credit_code=credit_code),
        ca.issue(label=f"{label}/encrypt", subject=subject, usages=["key_encipherment", "data_encipherment"],
                 not_before=now, not_after=until, key_algorithm=encrypt_algorithm, credit_code=credit_code),
    ]


def build_test_pki(directory: Path, *, now: dt.datetime, entities=DEMO_ENTITIES, persons=DEMO_PERSONS,
                   crl_days: int = 30) -> DemoPKI:
    """Create both CAs, user and custodian certificates and one CRL per CA (each revoking one demo
    certificate), and write them under ``directory`` with a manifest.json."""
    start = now - dt.timedelta(days=1)
    cas: dict[str, TestCA] = {Algorithm.SM2: ca_new(name="GGZY测试SM2根CA", algorithm=Algorithm.SM2, not_before=start),
           Algorithm.ECDSA: ca_new(name="GGZY测试ECDSA根CA", algorithm=Algorithm.ECDSA, not_before=start)}
    users: dict[str, Issued] = {}
    for name, code_or_body, algorithm in entities:
        code = code_or_body if len(code_or_body) == 18 else demo_credit_code(code_or_body)
        for issued in _pair(cas[algorithm], name, entity_subject(name, code, algorithm=algorithm), start,
                            credit_code=code):
            users[issued.label] = issued
    for name, algorithm in persons:
        for issued in _pair(cas[algorithm], name, person_subject(name), start):
            users[issued.label] = issued
    custodians = [cas[Algorithm.SM2].issue(label=f"保管人{i}-{name}", subject=person_subject(f"开标密钥保管人-{name}"),
                                           usages=SM2_ENCRYPT_USAGES, not_before=start,
                                           not_after=start + dt.timedelta(days=3 * 365))
                  for i, name in enumerate(CUSTODIANS, start=1)]
    revoked = [ca.issue(label=f"已吊销-{ca.name}", subject=person_subject("已吊销的演示证书"), usages=SIGN_USAGES,
                        not_before=start, not_after=start + dt.timedelta(days=365)) for ca in cas.values()]
    crls: dict[str, bytes] = {algorithm: ca.crl(this_update=start, next_update=now + dt.timedelta(days=crl_days),
                              revoked=[(item.certificate.serial_number, now - dt.timedelta(hours=1))])
            for (algorithm, ca), item in zip(cas.items(), revoked, strict=True)}
    pki = DemoPKI(Path(directory), cas, crls, users, custodians, revoked)
    _write(pki)
    return pki


def _write_file(root: Path, relative: str, content: bytes, *, private: bool = False) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if private:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    else:
        path.write_bytes(content)
    return relative


def _write(pki: DemoPKI) -> None:
    root = pki.directory
    manifest: dict[str, list] = {"cas": [], "crls": [], "users": [], "custodians": [], "revoked": []}
    for algorithm, ca in pki.cas.items():
        manifest["cas"].append({"name": ca.name, "algorithm": algorithm,
                                "certificate": _write_file(root, f"ca/{algorithm}-root.pem", ca.issued.pem),
                                "key": _write_file(root, f"ca/{algorithm}-root.key",
                                                   ca.issued.private_key_pem(), private=True)})
        manifest["crls"].append(_write_file(root, f"crl/{algorithm}-root.crl", pki.crls[algorithm]))
    for group, items in (("users", list(pki.users.values())), ("custodians", pki.custodians),
                         ("revoked", pki.revoked)):
        for index, issued in enumerate(items, start=1):
            stem = f"{group}/{index:02d}-{issued.algorithm}-{issued.label.rsplit('/', 1)[-1]}"
            manifest[group].append({
                "label": issued.label, "algorithm": issued.algorithm, "credit_code": issued.credit_code,
                "certificate": _write_file(root, f"{stem}.pem", issued.pem),
                "key": _write_file(root, f"{stem}.key", issued.private_key_pem(), private=True),
            })
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))


def demo_pki_register(*, directory: Path, actor: Any = None) -> tuple[int, int]:
    """Register the CAs and CRLs written under ``directory`` in the trust store; already-known ones are skipped.
    Returns (CAs registered, CRLs imported)."""
    from ggzy.core.errors import Conflict

    from .services import ca_register, crl_import

    root = Path(directory)
    manifest = json.loads((root / "manifest.json").read_text())
    counts = [0, 0]
    for entry in manifest["cas"]:
        try:
            ca_register(actor=actor, certificate=(root / entry["certificate"]).read_bytes())
            counts[0] += 1
        except Conflict:
            pass
    for path in manifest["crls"]:
        try:
            crl_import(actor=actor, crl=(root / path).read_bytes())
            counts[1] += 1
        except Conflict:
            pass
    return counts[0], counts[1]

