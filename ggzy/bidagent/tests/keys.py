"""Test certificates and key files: SM2 under an SM2 test CA, ECDSA P-256 and RSA under an ECDSA test CA."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ggzy.pki import sm2x509, testpki
from ggzy.pki.models import Algorithm

PASSWORD = "证书口令-8642"
ENCRYPT_USAGES = ["key_encipherment", "data_encipherment"]


@dataclass
class Made:
    issued: testpki.Issued
    cert_path: Path
    key_path: Path  # encrypted PKCS#8 (PEM)
    p12_path: Path


def _write(directory: Path, name: str, issued: testpki.Issued) -> Made:
    cert_path = directory / f"{name}.crt.pem"
    cert_path.write_bytes(issued.certificate.public_bytes(serialization.Encoding.PEM))
    key_path, p12_path = directory / f"{name}.key.pem", directory / f"{name}.p12"
    if isinstance(issued.private_key, bytes):  # SM2: OpenSSL writes the encrypted PKCS#8 and the PKCS#12
        plain = directory / f"{name}.plain.pem"
        plain.write_bytes(sm2x509.private_key_pem(issued.private_key))
        subprocess.run(
            [
                "openssl",
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-passout",
                f"pass:{PASSWORD}",
                "-in",
                str(plain),
                "-out",
                str(key_path),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "openssl",
                "pkcs12",
                "-export",
                "-inkey",
                str(plain),
                "-in",
                str(cert_path),
                "-passout",
                f"pass:{PASSWORD}",
                "-out",
                str(p12_path),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "openssl",
                "pkcs8",
                "-topk8",
                "-v2",
                "sm4-cbc",
                "-v2prf",
                "hmacWithSHA256",
                "-passout",
                f"pass:{PASSWORD}",
                "-in",
                str(plain),
                "-out",
                str(directory / f"{name}.key-sm4.pem"),
            ],
            check=True,
            capture_output=True,
        )
        plain.unlink()
    else:
        encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
        key_path.write_bytes(
            issued.private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            )
        )
        p12_path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                name.encode(), issued.private_key, issued.certificate, None, encryption
            )
        )
    return Made(issued, cert_path, key_path, p12_path)


def make_keys(directory: Path) -> dict[str, Made]:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    until = now + dt.timedelta(days=365)
    sm2_ca = testpki.ca_new(name="SM2测试CA", algorithm=Algorithm.SM2, not_before=now)
    ec_ca = testpki.ca_new(name="ECDSA测试CA", algorithm=Algorithm.ECDSA, not_before=now)
    person = testpki.person_subject("王建国")
    made = {
        "sm2_sign": sm2_ca.issue(
            label="sm2-sign", subject=person, usages=testpki.SIGN_USAGES, not_before=now, not_after=until
        ),
        "sm2_encrypt": sm2_ca.issue(
            label="sm2-enc", subject=person, usages=ENCRYPT_USAGES, not_before=now, not_after=until
        ),
        "ec_sign": ec_ca.issue(
            label="ec-sign", subject=person, usages=testpki.SIGN_USAGES, not_before=now, not_after=until
        ),
        "rsa_encrypt": ec_ca.issue(
            label="rsa-enc",
            subject=person,
            usages=ENCRYPT_USAGES,
            not_before=now,
            not_after=until,
            key_algorithm=Algorithm.RSA,
        ),
        "lock": ec_ca.issue(
            label="lock",
            subject=testpki.person_subject("锁定测试"),
            usages=testpki.SIGN_USAGES,
            not_before=now,
            not_after=until,
        ),
        "expired": ec_ca.issue(
            label="expired",
            subject=testpki.person_subject("过期证书"),
            usages=testpki.SIGN_USAGES,
            not_before=now - dt.timedelta(days=400),
            not_after=now - dt.timedelta(days=1),
        ),
    }
    return {name: _write(directory, name, issued) for name, issued in made.items()}
