"""ggzy-bid — the bidding client: seal a bid with the bidder's own key, upload it, and decrypt it at the opening.

    ggzy-bid submit  --server URL --username U --password P --lot ID --cert enc.pem --key enc.key \\
                     --price-sheet sheet.json [--sign-cert sign.pem --sign-key sign.key] FILE [FILE ...]
    ggzy-bid decrypt --server URL --username U --password P --lot ID --cert enc.pem --key enc.key
    ggzy-bid sign    --server URL --username U --password P --lot ID --cert sign.pem --key sign.key \\
                     --purpose opening_record|evaluation_report|award_notice|contract|bid [--out doc.p7s]
    ggzy-bid share   --share-file share.json --key custodian.key [--out share.txt]
    ggzy-bid receipt verify RECEIPT.pdf [--trust platform-ca.pem ...] [--checkpoint-key VKEY ...] [--json]
    ggzy-bid agent   [serve|import FILE|list|unpair ORIGIN|remove ID]   (the local certificate agent: ggzy.bidagent)

Everything is encrypted here, on the bidder's machine: one fresh content key (SM4-GCM for an SM2 encryption
certificate, AES-256-GCM for RSA) seals every file, file name, the price sheet and the machine fingerprint; the
key is wrapped to the bidder's own certificate and to the lot's custodian key. With ``--sign-cert`` the bid's
manifest is signed before the deadline and the signature sealed with the same key (the platform sees who signed
only at the opening, where it is verified and recorded). ``sign`` fetches a document's
canonical bytes, signs them here with the signing certificate's key (a detached CMS/PKCS#7: SM2 in the GM/T 0010
profile, otherwise ECDSA/RSA with SHA-256) and uploads the signature. Only the standard library,
``cryptography`` and ``gmalglib`` (through ggzy.pki's Django-free modules) are used.

``receipt verify`` checks a bid receipt PDF (投标回执) offline, with no network: the platform's PDF signature (and,
with ``--trust``, its certificate chain to the platform's root), the receipt embedded in the signed bytes, and the
inclusion proof of the bid's ledger entry against the checkpoint's signature (``--checkpoint-key`` pins the
ledger's public key; without it the key the signed receipt names is used). See ``tendering.receipt_pdf``.

``share`` is for an opening-key custodian (开标密钥保管人), offline: it decrypts the encrypted share file the center
exported for them with their SM2 private key and prints the share text the center's unlock form accepts.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import http.cookiejar
import json
import os
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from ggzy.core.errors import DomainError
from ggzy.core.jsontext import strict_json_loads
from ggzy.pki import envelope, sm, sm2x509
from ggzy.pki.signing_cms import sm2_signed_data

from . import bidformat
from .price_sheet import price_sheet_clean


class ClientError(Exception):
    """Something the bidder must act on (login refused, server refusal, bad key file)."""


class UrllibTransport:
    """HTTP with a cookie jar (session and CSRF cookies)."""

    def __init__(self, server: str) -> None:
        if not server.startswith(("https://", "http://")):
            raise ClientError("服务器地址应以 https:// 或 http:// 开头")
        self.server = server.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def send(self, method: str, path: str, data: bytes | None, headers: dict) -> tuple[int, bytes]:
        # Django checks Origin (and, over HTTPS, Referer) on writes: say truthfully which site the request is for.
        parts = urllib.parse.urlsplit(self.server)
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}", "Referer": self.server + "/", **headers}
        request = urllib.request.Request(self.server + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=600) as response:  # scheme checked in __init__
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


class Session:
    def __init__(self, transport) -> None:
        self.transport = transport

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Accept": "application/json", **(extra or {})}
        token = self.transport.cookie("csrftoken")
        if token:
            headers["X-CSRFToken"] = token
        return headers

    def call(self, method: str, path: str, *, json_body=None, data: bytes | None = None,
             content_type: str | None = None, expect=(200, 201)) -> dict | list:
        headers = {}
        if json_body is not None:
            data, content_type = json.dumps(json_body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        status, body = self.transport.send(method, path, data, self._headers(headers) if method != "GET"
                                           else {"Accept": "application/json"})
        try:
            parsed = json.loads(body or b"null")
        except ValueError:
            parsed = {"detail": body[:200].decode("utf-8", "replace")}
        if status not in expect:
            detail = parsed.get("detail") if isinstance(parsed, dict) else parsed
            errors = parsed.get("errors") if isinstance(parsed, dict) else None
            raise ClientError(f"服务器拒绝（HTTP {status}）：{detail}{' ' + json.dumps(errors, ensure_ascii=False) if errors else ''}")
        return parsed

    def call_object(self, method: str, path: str, **kwargs: Any) -> dict:
        """``call`` for an endpoint that answers with a JSON object."""
        parsed = self.call(method, path, **kwargs)
        if not isinstance(parsed, dict):
            raise ClientError(f"服务器响应格式有误（{method} {path}：应为JSON对象）")
        return parsed

    def fetch(self, path: str) -> bytes:
        """A GET whose body is raw bytes (a document to sign)."""
        status, body = self.transport.send("GET", path, None, {"Accept": "application/octet-stream"})
        if status != 200:
            try:
                detail = json.loads(body).get("detail")
            except (ValueError, AttributeError):
                detail = body[:200].decode("utf-8", "replace")
            raise ClientError(f"服务器拒绝（HTTP {status}）：{detail}")
        return body

    def login(self, username: str, password: str) -> None:
        self.transport.send("GET", "/accounts/login/", None, {})  # sets the csrftoken cookie
        if not self.transport.cookie("csrftoken"):
            raise ClientError("未能取得CSRF令牌（GET /accounts/login/）")
        self.call("POST", "/api/v1/accounts/login", json_body={"username": username, "password": password})


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "ggzy-bid-" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + value.encode() + b"\r\n")
    for field, filename, content in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()[:128]
    except (OSError, UnicodeDecodeError):
        return ""


def fingerprint_collect() -> dict:
    """The machine fingerprint: MAC, a hostname-derived creator id, and CPU/disk serials where readable."""
    node = uuid.getnode()
    cpu = ""
    for line in _read_lines("/proc/cpuinfo"):
        if line.lower().startswith("serial"):
            cpu = line.split(":", 1)[-1].strip()
    cpu = cpu or _read("/sys/class/dmi/id/product_uuid")
    disk = ""
    block = Path("/sys/block")
    for device in sorted(block.iterdir()) if block.is_dir() else []:
        disk = _read(str(device / "device" / "serial")) or _read(str(device / "serial"))
        if disk:
            break
    return {"mac": ":".join(f"{(node >> s) & 0xFF:02X}" for s in range(40, -1, -8)),
            "file_creator_id": hashlib.sha256(("ggzy-bid|" + socket.gethostname()).encode()).hexdigest()[:32],
            "cpu_serial": cpu[:128], "disk_serial": disk[:128]}


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return []


def load_credentials(cert_path: str, key_path: str):
    return load_credentials_pem(Path(cert_path).read_bytes(), Path(key_path).read_bytes())


def load_credentials_pem(cert_pem: bytes, raw: bytes):
    certificate = x509.load_pem_x509_certificate(cert_pem)
    if sm2x509.sm2_public_key_of(certificate) is not None:
        try:
            return certificate, sm2x509.private_key_from_pem(raw)
        except Exception as exc:  # noqa: BLE001 — any parse failure is the same message to the bidder
            raise ClientError("无法读取SM2私钥文件") from exc
    return certificate, serialization.load_pem_private_key(raw, password=None)


def seal_bid(*, lot_id: int, certificate: x509.Certificate, custodian_key: bytes, price_sheet: dict,
             files: list[tuple[str, bytes]], fingerprint: dict, lot_code: str = "",
             signer: tuple[x509.Certificate, object] | None = None) -> tuple[dict, list[bytes]]:
    """Encrypt and wrap locally; returns (manifest, sealed file contents). With ``signer`` (signing certificate,
    private key) the bid's manifest is signed here and the signature sealed with the same content key, so the
    platform learns who signed only at the opening."""
    algorithm = bidformat.content_algorithm_for(certificate)
    key = envelope.content_key_new(algorithm)

    def seal(data: bytes, purpose: str) -> bytes:
        return envelope.seal_bytes(key, data, context=bidformat.client_context(lot_id, purpose), algorithm=algorithm)

    sealed_files = [seal(content, f"file:{i}") for i, (_, content) in enumerate(files)]
    b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
    price_sheet_sealed = seal(json.dumps(price_sheet, ensure_ascii=False).encode(), "price_sheet")
    plaintext_hashes = [hashlib.sha256(content).hexdigest() for _, content in files]
    manifest: dict[str, str | list[str]] = {
        "algorithm": algorithm,
        "price_sheet_sealed": b64(price_sheet_sealed),
        "fingerprint_sealed": b64(seal(json.dumps(fingerprint, ensure_ascii=False).encode(), "fingerprint")),
        "names_sealed": [b64(seal(name.encode(), f"name:{i}")) for i, (name, _) in enumerate(files)],
        "plaintext_hashes": plaintext_hashes,
        "wrap_to_bidder": b64(bidformat.wrap_to_certificate(certificate, key)),
        "wrap_to_custodians": b64(bidformat.wrap_to_custodians(custodian_key, key)),
        "custodian_key_id": bidformat.custodian_key_id(custodian_key),
        "bidder_certificate_pem": certificate.public_bytes(serialization.Encoding.PEM).decode(),
    }
    if signer is not None:
        if not lot_code:
            raise ClientError("签名需要标段编号")
        document = bidformat.bid_manifest_bytes(lot_code=lot_code, plaintext_hashes=plaintext_hashes,
                                                price_sheet_sealed=price_sheet_sealed)
        signature = sign_content(document, certificate=signer[0], private_key=signer[1])
        manifest["signature_sealed"] = b64(seal(signature, "signature"))
    return manifest, sealed_files


def unwrap(private_key, wrapped: bytes) -> bytes:
    if isinstance(private_key, bytes):
        return sm.sm2_decrypt(private_key, wrapped)
    return private_key.decrypt(wrapped, bidformat.OAEP)


def submit(session: Session, *, lot_id: int, cert: str, key: str, price_sheet: dict, paths: list[str],
           sign_cert: str | None = None, sign_key: str | None = None) -> dict:
    certificate, _private = load_credentials(cert, key)
    signer = load_credentials(sign_cert, sign_key) if sign_cert and sign_key else None
    info = session.call_object("GET", f"/api/v1/tendering/lots/{lot_id}/sealing-key")
    files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    manifest, sealed = seal_bid(lot_id=lot_id, certificate=certificate,
                                custodian_key=base64.b64decode(info["public_key"]), price_sheet=price_sheet,
                                files=files, fingerprint=fingerprint_collect(), lot_code=info.get("lot_code", ""),
                                signer=signer)
    body, content_type = _multipart({"manifest": json.dumps(manifest)},
                                    [("files", f"sealed-{i}.bin", data) for i, data in enumerate(sealed)])
    return session.call_object("POST", f"/api/v1/tendering/lots/{lot_id}/sealed-bid", data=body,
                               content_type=content_type)


def decrypt(session: Session, *, lot_id: int, cert: str, key: str) -> dict:
    _certificate, private_key = load_credentials(cert, key)
    info = session.call_object("GET", f"/api/v1/tendering/lots/{lot_id}/sealed-bid/wrapped-key")
    content_key = unwrap(private_key, base64.b64decode(info["wrapped_key"]))
    return session.call_object("POST", f"/api/v1/tendering/lots/{lot_id}/sealed-bid/decrypt",
                               json_body={"content_key": base64.b64encode(content_key).decode()})


def sign_content(content: bytes, *, certificate: x509.Certificate, private_key) -> bytes:
    """A detached CMS SignedData (DER) over ``content`` — what the platform's ``verify_detached`` checks."""
    if isinstance(private_key, bytes):  # SM2
        if sm.sm2_public_key(private_key) != sm2x509.sm2_public_key_of(certificate):
            raise ClientError("私钥与签名证书不匹配")
        return sm2_signed_data(content, certificate=certificate, private_key=private_key,
                               signing_time=dt.datetime.now(dt.UTC))
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if private_key.public_key().public_bytes(serialization.Encoding.DER, spki) != \
            certificate.public_key().public_bytes(serialization.Encoding.DER, spki):
        raise ClientError("私钥与签名证书不匹配")
    return (pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(certificate, private_key, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary,
                                               pkcs7.PKCS7Options.NoCapabilities]))


def sign(session: Session, *, lot_id: int, purpose: str, cert: str, key: str, out: str | None = None) -> dict:
    certificate, private_key = load_credentials(cert, key)
    base = f"/api/v1/tendering/lots/{lot_id}/documents/{purpose}"
    content = session.fetch(base + "/content")
    signature = sign_content(content, certificate=certificate, private_key=private_key)
    if out:
        Path(out).write_bytes(signature)
    return session.call_object("POST", base + "/signatures",
                               json_body={"signature": base64.b64encode(signature).decode()})


SHARE_FILE_FORMAT = "ggzy-custodian-share-1"  # written by tendering.services.custody.custodian_share_export


def share_file_decrypt(share_file: bytes | str, private_key_pem: bytes) -> str:
    """The custodian's decrypted share (``ggzy-share-1:…``) from the exported share file and their SM2 key."""
    try:
        data = json.loads(share_file)
        if not isinstance(data, dict) or data.get("format") != SHARE_FILE_FORMAT:
            raise ValueError
        sealed = base64.b64decode(data["share_sealed"], validate=True)
        expected = bytes.fromhex(data["custodian"]["public_key"])
    except (ValueError, KeyError, TypeError):
        raise ClientError("不是开标密钥分片文件（应为交易中心导出的 JSON 文件）") from None
    try:
        private_key = sm2x509.private_key_from_pem(private_key_pem)
    except Exception as exc:  # noqa: BLE001 — any parse failure is the same message to the custodian
        raise ClientError("无法读取保管人SM2私钥文件（应为 EC PRIVATE KEY PEM）") from exc
    if sm.sm2_public_key(private_key) != expected:
        name = data["custodian"].get("name", "")
        raise ClientError(f"私钥与该分片的保管人（{name}）不符")
    try:
        text = sm.sm2_decrypt(private_key, sealed).decode()
    except (sm.SMError, UnicodeDecodeError):
        raise ClientError("分片文件已损坏，无法解密") from None
    if not text.startswith("ggzy-share-1:") or text.split(":")[1:2] != [data.get("split_id")]:
        raise ClientError("解密结果不是本标段开标密钥的分片")
    return text


def share(*, share_file: str, key: str, out: str | None = None) -> str:
    text = share_file_decrypt(Path(share_file).read_bytes(), Path(key).read_bytes())
    if out:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the share is a secret
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
    return text


def receipt_verify(*, path: str, trust: list[str], checkpoint_keys: list[str], as_json: bool = False) -> str:
    """The verdict on a receipt PDF, as text for the bidder (or JSON); raises ClientError when it does not verify."""
    from .receipt_pdf import ReceiptPdfInvalid, receipt_pdf_verify

    pems = [Path(p).read_bytes() for p in trust]
    keys = [Path(k).read_text().strip() if Path(k).is_file() else k for k in checkpoint_keys]
    try:
        check = receipt_pdf_verify(Path(path).read_bytes(), trust_pems=pems, checkpoint_keys=keys)
    except ReceiptPdfInvalid as exc:
        raise ClientError(f"投标回执验证失败：{exc}") from None
    receipt = check.receipt
    if as_json:
        return json.dumps({"valid": True, "trusted": check.trusted, "signer": check.signer,
                           "signer_sha256": check.signer_fingerprint, "receipt_number": receipt["receipt_number"],
                           "lot_code": receipt["lot"]["code"], "arrived_at": receipt["arrived_at"],
                           "modification_count": receipt["modification"]["count"],
                           "ledger_index": check.ledger_index, "tree_size": check.tree_size,
                           "checkpoint_key": check.checkpoint_key, "files": receipt["files"],
                           "notes": check.notes}, ensure_ascii=False)
    lines = [f"投标回执验证通过：{receipt['receipt_number']}",
             f"  签章：{check.signer}（证书SHA-256 {check.signer_fingerprint}）"
             + ("，证书链可信" if check.trusted else ""),
             f"  标段：{receipt['lot']['code']} {receipt['lot']['name']}；投标人：{receipt['bidder']['name']}",
             f"  到达时间：{receipt['arrived_at_display']}；{receipt['version_text']}",
             *(f"  文件：{f['name'] or '（文件名已加密）'} SHA-256 {f['sha256']}" for f in receipt["files"]),
             f"  存证：日志条目 {check.ledger_index} 包含于大小为 {check.tree_size} 的已签名检查点"
             + ("（日志公钥：--checkpoint-key 指定）" if check.checkpoint_key == "pinned"
                else "（日志公钥：回执内载明、随签章签署）"),
             *(f"  注意：{note}" for note in check.notes)]
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, transport=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["agent"]:  # the local certificate agent (ggzy.bidagent), Django-free like this client
        from ggzy.bidagent.cli import main as agent_main

        return agent_main(argv[1:])
    parser = argparse.ArgumentParser(prog="ggzy-bid", description="投标客户端：本地加密、上传、开标时解密；对文件电子签名")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("submit", "decrypt", "sign"):
        p = sub.add_parser(name)
        p.add_argument("--server", required=True)
        p.add_argument("--username", required=True)
        p.add_argument("--password", default=os.environ.get("GGZY_BID_PASSWORD"))
        p.add_argument("--lot", type=int, required=True)
        p.add_argument("--cert", required=True, help="签名证书（PEM）" if name == "sign" else "加密证书（PEM）")
        p.add_argument("--key", required=True, help="证书私钥（PEM）")
        if name == "sign":
            p.add_argument("--purpose", required=True,
                           choices=["bid", "opening_record", "evaluation_report", "award_notice", "contract"])
            p.add_argument("--out", default=None, help="同时把签名保存为 .p7s 文件")
        if name == "submit":
            p.add_argument("--price-sheet", required=True, help="报价单 JSON 文件")
            p.add_argument("--sign-cert", default=None, help="签名证书（PEM）：对投标文件签名，签名随投标文件密封，开标时核验")
            p.add_argument("--sign-key", default=None, help="签名证书私钥（PEM）")
            p.add_argument("files", nargs="+")
    p = sub.add_parser("share", help="开标密钥保管人：离线解密本人的密钥分片")
    p.add_argument("--share-file", required=True, help="交易中心导出的加密分片文件（JSON）")
    p.add_argument("--key", required=True, help="保管人SM2私钥（PEM）")
    p.add_argument("--out", default=None, help="把分片写入文件（否则只打印）")
    sub.add_parser("agent", help="本地证书助手：ggzy-bid agent [serve|import|list|unpair|remove] --help")
    p = sub.add_parser("receipt", help="投标回执：离线验证平台签章的PDF回执")
    p.add_argument("action", choices=["verify"])
    p.add_argument("file", help="投标回执PDF")
    p.add_argument("--trust", action="append", default=[], help="平台根证书（PEM），可多次给出")
    p.add_argument("--checkpoint-key", action="append", default=[],
                   help="交易存证日志公钥（vkey 文本或含该文本的文件）；不给出时使用回执内载明的公钥")
    p.add_argument("--json", action="store_true", help="以JSON输出结果")
    args = parser.parse_args(argv)
    if args.command == "receipt":
        try:
            print(receipt_verify(path=args.file, trust=args.trust, checkpoint_keys=args.checkpoint_key,
                                 as_json=args.json))
        except (ClientError, OSError) as exc:
            print(f"ggzy-bid: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "share":
        try:
            text = share(share_file=args.share_file, key=args.key, out=args.out)
        except (ClientError, OSError) as exc:
            print(f"ggzy-bid: {exc}", file=sys.stderr)
            return 1
        print(f"分片已写入 {args.out}" if args.out else text)
        return 0
    try:
        session = Session(transport or UrllibTransport(args.server))
        session.login(args.username, args.password or "")
        if args.command == "submit":
            # The platform reads the sheet only at the opening: check it here, so a typing error is caught
            # before sealing instead of invalidating the bid later.
            sheet = price_sheet_clean(strict_json_loads(Path(args.price_sheet).read_text(encoding="utf-8")))
            if bool(args.sign_cert) != bool(args.sign_key):
                print("错误：--sign-cert 与 --sign-key 须同时提供", file=sys.stderr)
                return 2
            result = submit(session, lot_id=args.lot, cert=args.cert, key=args.key, price_sheet=sheet,
                            paths=args.files, sign_cert=args.sign_cert, sign_key=args.sign_key)
        elif args.command == "sign":
            result = sign(session, lot_id=args.lot, purpose=args.purpose, cert=args.cert, key=args.key, out=args.out)
        else:
            result = decrypt(session, lot_id=args.lot, cert=args.cert, key=args.key)
    except DomainError as exc:
        problems = "；".join(f"{field}：{'、'.join(messages)}" for field, messages in exc.errors.items())
        print(f"ggzy-bid: 报价单有误（{problems or exc}）", file=sys.stderr)
        return 2
    except (ClientError, OSError, ValueError) as exc:
        print(f"ggzy-bid: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
