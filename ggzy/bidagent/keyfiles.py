"""Reading the key files bidders receive: PKCS#12 (.pfx/.p12) or an encrypted PKCS#8 key with its certificate,
SM2 included.

pyca ``cryptography`` cannot load an SM2 private key, so encrypted PKCS#8 (PBES2: PBKDF2 with HMAC-SHA1/SHA-256/
SHA-512/SM3, and AES-CBC or SM4-CBC — what OpenSSL and GmSSL write) is decrypted here with pyca's primitives and
the PrivateKeyInfo read with ``ggzy.pki.der``; an SM2 key becomes its 32-byte scalar (the form ``ggzy.pki.sm``
uses), any other key is handed to pyca. PKCS#12 goes to pyca first; when pyca cannot read it (an SM2 key inside),
the PFX is walked here: shrouded key bags and certificate bags, in plain or PBES2-encrypted SafeContents. The
PFX's MAC is not checked on that path — the key bag's decryption fails on a wrong password, and the key must match
the certificate (checked here) before anything is imported.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import pkcs12

from ggzy.pki import der, sm, sm2x509

from . import stores

PBES2 = "1.2.840.113549.1.5.13"
PBKDF2 = "1.2.840.113549.1.5.12"
PRFS: dict[str, type[hashes.HashAlgorithm]] = {
    "1.2.840.113549.2.7": hashes.SHA1,
    "1.2.840.113549.2.9": hashes.SHA256,
    "1.2.840.113549.2.11": hashes.SHA512,
    "1.2.156.10197.1.401.2": hashes.SM3,
    "1.2.156.10197.1.401.3.1": hashes.SM3,
}
CIPHERS = {
    "2.16.840.1.101.3.4.1.2": ("aes", 16),
    "2.16.840.1.101.3.4.1.22": ("aes", 24),
    "2.16.840.1.101.3.4.1.42": ("aes", 32),
    "1.2.156.10197.1.104.2": ("sm4", 16),
}
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_X509_CERT = "1.2.840.113549.1.9.22.1"


class KeyFileError(ValueError):
    """A key file the agent cannot import; the message is for the user (Chinese)."""


WRONG_PASSWORD = "证书口令错误，或文件已损坏"


@dataclass
class LoadedKey:
    algorithm: str
    private_key: object  # bytes (SM2 scalar) or a pyca private key
    certificate: x509.Certificate


def _pbes2_decrypt(algorithm: der.Node, encrypted: bytes, password: bytes) -> bytes:
    oid_node, params = algorithm.children()
    if oid_node.as_oid() != PBES2:
        raise KeyFileError("不支持的私钥加密方式（仅支持 PBES2，请用 OpenSSL 3 或 GmSSL 重新导出）")
    kdf, scheme = params.children()
    kdf_oid, kdf_params = kdf.children()
    if kdf_oid.as_oid() != PBKDF2:
        raise KeyFileError("不支持的口令派生算法（仅支持 PBKDF2）")
    fields = kdf_params.children()
    salt, iterations = fields[0].content, fields[1].as_int()
    prf: type[hashes.HashAlgorithm] = hashes.SHA1
    for extra in fields[2:]:
        if extra.tag == 0x30:
            prf_oid = extra.children()[0].as_oid()
            if prf_oid not in PRFS:
                raise KeyFileError("不支持的口令派生算法")
            prf = PRFS[prf_oid]
    cipher_oid, iv = scheme.children()
    if cipher_oid.as_oid() not in CIPHERS:
        raise KeyFileError("不支持的私钥加密算法")
    name, size = CIPHERS[cipher_oid.as_oid()]
    if not 1 <= iterations <= 10_000_000:
        raise KeyFileError("私钥文件参数异常")
    key = PBKDF2HMAC(algorithm=prf(), length=size, salt=salt, iterations=iterations).derive(password)
    cipher_algorithm = algorithms.AES(key) if name == "aes" else algorithms.SM4(key)
    decryptor = Cipher(cipher_algorithm, modes.CBC(iv.content)).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise KeyFileError(WRONG_PASSWORD) from None


def _private_key_info(plain: bytes) -> object:
    """PrivateKeyInfo DER → an SM2 scalar (bytes) or a pyca key."""
    try:
        fields = der.read_one(plain).children()
        identifiers = [n.as_oid() for n in fields[1].children() if n.tag == der.OID]
    except (der.DerError, ValueError, IndexError):
        raise KeyFileError(WRONG_PASSWORD) from None
    if (
        identifiers[:1] == [EC_PUBLIC_KEY]
        and sm.SM2_CURVE_OID in identifiers
        or sm.SM2_CURVE_OID in identifiers[:1]
    ):
        try:
            ec_fields = der.read_one(fields[2].content).children()
            scalar = ec_fields[1].content.rjust(32, b"\x00")
            sm.sm2_public_key(scalar)  # raises SMError when it is not a valid key
        except (der.DerError, ValueError, IndexError):
            raise KeyFileError(WRONG_PASSWORD) from None
        return scalar
    try:
        return serialization.load_der_private_key(plain, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(WRONG_PASSWORD) from None


def encrypted_pkcs8_load(data: bytes, password: bytes) -> object:
    """An ENCRYPTED PRIVATE KEY (PEM or DER) → SM2 scalar or pyca key."""
    if data.lstrip().startswith(b"-----BEGIN"):
        lines = data.decode("ascii", "replace").strip().splitlines()
        if lines[0].strip() != "-----BEGIN ENCRYPTED PRIVATE KEY-----":
            raise KeyFileError("私钥文件须为加密的 PKCS#8（ENCRYPTED PRIVATE KEY）；未加密的私钥文件不能导入")
        body = "".join(line.strip() for line in lines[1:] if not line.startswith("-----"))
        data = base64.b64decode(body)
    try:
        algorithm, encrypted = der.read_one(data).children()
        plain = _pbes2_decrypt(algorithm, encrypted.content, password)
    except (der.DerError, ValueError, IndexError) as exc:
        if isinstance(exc, KeyFileError):
            raise
        raise KeyFileError("不是加密的 PKCS#8 私钥文件") from None
    return _private_key_info(plain)


def _pkcs12_walk(data: bytes, password: bytes) -> tuple[object | None, list[x509.Certificate]]:
    """The shrouded key and the certificates of a PFX (PBES2 only), for what pyca cannot load."""
    try:
        pfx = der.read_one(data).children()
        auth_safe = pfx[1].children()
        if auth_safe[0].as_oid() != OID_DATA:
            raise KeyFileError("不支持的 PKCS#12 文件（公钥完整性模式）")
        octets = der.read_one(auth_safe[1].children()[0].raw).content
        key: object | None = None
        certificates: list[x509.Certificate] = []
        for content_info in der.read_one(octets).children():
            kind, *rest = content_info.children()
            if kind.as_oid() == OID_DATA:
                bags_der = der.read_one(rest[0].children()[0].raw).content
            elif kind.as_oid() == OID_ENCRYPTED_DATA:
                encrypted_content_info = rest[0].children()[0].children()[1].children()
                algorithm, payload = encrypted_content_info[1], encrypted_content_info[2]
                bags_der = _pbes2_decrypt(algorithm, payload.content, password)
            else:
                continue
            for bag in der.read_one(bags_der).children():
                bag_id, value, *_attributes = bag.children()
                inner = value.children()[0]
                if bag_id.as_oid() == OID_SHROUDED_KEY_BAG:
                    algorithm, encrypted = inner.children()
                    key = _private_key_info(_pbes2_decrypt(algorithm, encrypted.content, password))
                elif bag_id.as_oid() == OID_CERT_BAG:
                    cert_type, cert_value = inner.children()
                    if cert_type.as_oid() == OID_X509_CERT:
                        certificates.append(x509.load_der_x509_certificate(cert_value.children()[0].content))
        return key, certificates
    except KeyFileError:
        raise
    except (der.DerError, ValueError, IndexError):
        raise KeyFileError(WRONG_PASSWORD) from None


def _same_key(private_key: object, certificate: x509.Certificate) -> bool:
    if isinstance(private_key, bytes):
        return sm.sm2_public_key(private_key) == sm2x509.sm2_public_key_of(certificate)
    if isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        try:
            return private_key.public_key().public_bytes(
                serialization.Encoding.DER, spki
            ) == certificate.public_key().public_bytes(serialization.Encoding.DER, spki)
        except ValueError:
            return False
    return False


def _certificate_load(data: bytes) -> x509.Certificate:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise KeyFileError("无法读取证书文件（应为 PEM 或 DER 格式的 X.509 证书）") from None


def key_file_load(data: bytes, password: str, certificate_data: bytes | None = None) -> LoadedKey:
    """A PKCS#12 file, or an encrypted PKCS#8 key with ``certificate_data``; the key must match the certificate."""
    secret = password.encode()
    is_pem = data.lstrip().startswith(b"-----BEGIN")
    certificate: x509.Certificate | None = None
    if is_pem or certificate_data is not None:
        if certificate_data is None:
            raise KeyFileError("导入 PKCS#8 私钥时须用 --cert 指定对应的证书文件")
        key = encrypted_pkcs8_load(data, secret)
        certificate = _certificate_load(certificate_data)
    else:
        try:
            loaded = pkcs12.load_key_and_certificates(data, secret)
            key, certificate = loaded[0], loaded[1]
        except ValueError:
            key, certificates = _pkcs12_walk(data, secret)
            certificate = next(
                (c for c in certificates if key is not None and _same_key(key, c)),
                certificates[0] if certificates else None,
            )
        except Exception:  # noqa: BLE001 — pyca raises UnsupportedAlgorithm for an SM2 key
            key, certificates = _pkcs12_walk(data, secret)
            certificate = next((c for c in certificates if key is not None and _same_key(key, c)), None)
        if key is None or certificate is None:
            raise KeyFileError("PKCS#12 文件中没有私钥或证书")
    algorithm = stores.algorithm_of(certificate)
    if algorithm is None:
        raise KeyFileError("不支持的证书算法（支持 SM2、ECDSA P-256、RSA）")
    if not _same_key(key, certificate):
        raise KeyFileError("私钥与证书不匹配")
    return LoadedKey(algorithm, key, certificate)
