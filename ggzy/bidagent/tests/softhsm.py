"""A private SoftHSM2 token for the tests: its own SOFTHSM2_CONF and token directory, RSA and ECDSA P-256 keys
imported with ``softhsm2-util --import`` and their certificates added as CKO_CERTIFICATE objects (same CKA_ID)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

MODULE_CANDIDATES = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
]
USER_PIN = "246810"
SO_PIN = "13579135"
TOKEN_LABEL = "ggzy-test-token"


def softhsm_module() -> str:
    """The SoftHSM2 module; skips when missing — fails instead when GGZY_REQUIRE_BROWSER=1 (CI: never skip)."""
    module = next((m for m in MODULE_CANDIDATES if os.path.exists(m)), None)
    if module is None or shutil.which("softhsm2-util") is None:
        message = "PKCS#11 测试需要 SoftHSM2（apt-get install softhsm2；make test 会自动安装）"
        if os.environ.get("GGZY_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return module


_ADD_CERTIFICATES = """
import sys, pkcs11
from cryptography import x509
from pkcs11 import Attribute, ObjectClass, CertificateType
lib = pkcs11.lib(sys.argv[1])
token = lib.get_token(token_label=sys.argv[2])
with token.open(user_pin=sys.argv[3], rw=True) as session:
    for item in sys.argv[4:]:
        cka_id, label, path = item.split(":", 2)
        value = open(path, "rb").read()
        certificate = x509.load_der_x509_certificate(value)
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE:
                               CertificateType.X_509, Attribute.TOKEN: True, Attribute.ID: bytes.fromhex(cka_id),
                               Attribute.LABEL: label, Attribute.VALUE: value,
                               Attribute.SUBJECT: certificate.subject.public_bytes(),
                               Attribute.ISSUER: certificate.issuer.public_bytes()})
"""


def token_make(directory: Path, module: str, keys: dict) -> dict[str, str]:
    """Init a token under ``directory`` and import ``keys`` ({label: testpki.Issued}); returns the env to use."""
    tokens = directory / "tokens"
    tokens.mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, env=env)  # noqa: E731
    run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        TOKEN_LABEL,
        "--pin",
        USER_PIN,
        "--so-pin",
        SO_PIN,
    )
    items = []
    for index, (label, issued) in enumerate(keys.items(), start=1):
        cka_id = f"{index:02x}"
        key_pem = directory / f"{label}.pk8.pem"
        key_pem.write_bytes(
            issued.private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        run(
            "softhsm2-util",
            "--import",
            str(key_pem),
            "--token",
            TOKEN_LABEL,
            "--label",
            label,
            "--id",
            cka_id,
            "--pin",
            USER_PIN,
        )
        key_pem.unlink()
        cert_der = directory / f"{label}.der"
        cert_der.write_bytes(issued.certificate.public_bytes(serialization.Encoding.DER))
        items.append(f"{cka_id}:{label}:{cert_der}")
    run(sys.executable, "-c", _ADD_CERTIFICATES, module, TOKEN_LABEL, USER_PIN, *items)
    return {"SOFTHSM2_CONF": str(conf)}
