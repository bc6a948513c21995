"""The agent's HTTP server: 127.0.0.1 only, the protocol of docs/agent.md.

Security properties (what the code below enforces):
- bound to 127.0.0.1; the Host header must be 127.0.0.1:PORT or localhost:PORT (a DNS-rebinding page, whose Host
  is its own name, is refused);
- certificates, sign and unwrap need a paired Origin AND its bearer token (stored hashed); unpaired origins get
  no CORS header, so a foreign page cannot even read the refusal;
- every pairing, signature and unwrap waits for the user's confirmation in the agent (one at a time: ``busy``);
  what the page sends for display (the summary) is stripped of control characters before it is shown;
- bodies are limited to 1 MiB; PINs, keys and tokens are never logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import VERSION, stores
from .confirm import Confirmer, ConfirmTimeout, Prompt
from .errors import AgentError
from .pairing import Pairings, origin_valid

MAX_BODY = 1 << 20
PURPOSES = {"login": "登录", "bid": "投标文件签名", "other": "其他签名"}
UNWRAP_ALGORITHMS = {"sm2": stores.SM2, "rsa-oaep-sha256": stores.RSA}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, limit: int = 200) -> str:
    """Text from a page, safe to print on a terminal (no escape sequences, no bidi overrides), shortened."""
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class PendingPairing:
    id: str
    origin: str
    code: str
    status: str = "pending"  # pending | paired | declined | timeout | taken
    token: str = ""
    done: threading.Event = field(default_factory=threading.Event)
    created: float = field(default_factory=time.monotonic)


class Agent:
    def __init__(
        self,
        *,
        stores_: list[Any],
        pairings: Pairings,
        confirmer: Confirmer,
        port: int,
        timeout: float = 120.0,
    ) -> None:
        self.stores = stores_
        self.pairings = pairings
        self.confirmer = confirmer
        self.port = port
        self.timeout = timeout
        self.user = threading.Lock()  # one request waits for the user at a time
        self.pending: dict[str, PendingPairing] = {}
        self._pending_lock = threading.Lock()

    # --- certificates ------------------------------------------------------------------------------------------

    def certificates(self) -> list[stores.CertificateEntry]:
        found: list[stores.CertificateEntry] = []
        for store in self.stores:
            try:
                found.extend(store.certificates())
            except AgentError:
                continue
        return found

    def find(self, certificate_id: str) -> tuple[Any, stores.CertificateEntry]:
        for store in self.stores:
            for entry in store.certificates():
                if entry.id == certificate_id:
                    return store, entry
        raise AgentError("no_such_certificate", "证书助手中没有这张证书", field="certificate_id")

    # --- pairing -------------------------------------------------------------------------------------------

    def pair_start(self, origin: str) -> PendingPairing:
        if not self.user.acquire(blocking=False):
            raise AgentError("busy", "证书助手正在等待用户处理另一个请求，请稍后再试")
        pairing = PendingPairing(
            id=secrets.token_urlsafe(16), origin=origin, code=f"{secrets.randbelow(10**6):06d}"
        )
        with self._pending_lock:
            now = time.monotonic()
            self.pending = {k: v for k, v in self.pending.items() if now - v.created < 600}
            self.pending[pairing.id] = pairing
        threading.Thread(target=self._pair_ask, args=(pairing,), name="agent-pair", daemon=True).start()
        return pairing

    def _pair_ask(self, pairing: PendingPairing) -> None:
        try:
            prompt = Prompt(
                "网页请求与证书助手配对",
                [
                    f"来源网站：{pairing.origin}",
                    f"配对码：{pairing.code}",
                    "请核对网页上显示的配对码与此相同；不是您本人打开的网页，请拒绝。",
                ],
            )
            try:
                decision = self.confirmer.ask(prompt, self.timeout)
            except ConfirmTimeout:
                pairing.status = "timeout"
                self.confirmer.notify("配对请求已超时")
                return
            if decision.approved:
                pairing.token = self.pairings.add(pairing.origin)
                pairing.status = "paired"
                self.confirmer.notify(f"已与 {pairing.origin} 配对")
            else:
                pairing.status = "declined"
                self.confirmer.notify("已拒绝配对")
        finally:
            self.user.release()
            pairing.done.set()

    def pair_poll(self, origin: str, pairing_id: str, wait: float) -> dict:
        with self._pending_lock:
            pairing = self.pending.get(pairing_id)
        if pairing is None or pairing.origin != origin:
            raise AgentError("bad_request", "配对请求不存在或已结束", field="pairing_id")
        pairing.done.wait(wait)
        if pairing.status == "pending":
            return {"status": "pending"}
        if pairing.status == "paired":
            with self._pending_lock:
                self.pending.pop(pairing.id, None)  # the token is handed out once
            return {"status": "paired", "token": pairing.token}
        if pairing.status == "declined":
            raise AgentError("declined", "用户在证书助手中拒绝了配对")
        raise AgentError("timeout", "证书助手中无人确认配对（已超时）")

    # --- sign / unwrap --------------------------------------------------------------------------------------------

    def _confirm(
        self, prompt: Prompt, store: Any = None, entry: stores.CertificateEntry | None = None
    ) -> str:
        if store is not None and entry is not None:
            try:
                left = store.tries_left(entry)
            except AgentError:
                left = None
            if left is not None:
                prompt.lines.append(f"证书口令剩余尝试次数：{left}")
        try:
            decision = self.confirmer.ask(prompt, self.timeout)
        except ConfirmTimeout:
            self.confirmer.notify("请求已超时")
            raise AgentError("timeout", "证书助手中无人确认（已超时）") from None
        if not decision.approved:
            self.confirmer.notify("已拒绝")
            raise AgentError("declined", "用户在证书助手中拒绝了本次操作")
        return decision.pin or ""

    def _usable(self, store: Any, entry: stores.CertificateEntry, usage: str) -> None:
        if not entry.present or not store.present():
            raise AgentError("token_absent", f"未检测到证书介质（{store.label}），请插入USB Key后重试")
        if usage not in entry.usage:
            raise AgentError(
                "unsupported",
                "该证书不能用于" + ("签名" if usage == "sign" else "解密"),
                field="certificate_id",
            )
        if entry.expired:
            raise AgentError(
                "certificate_expired",
                f"证书已于 {entry.certificate.not_valid_after_utc:%Y-%m-%d} 过期，请更新证书",
            )

    def sign(self, origin: str, body: dict) -> dict:
        certificate_id = _field(body, "certificate_id", str)
        data = _b64(body, "data")
        purpose = body.get("purpose", "other")
        if purpose not in PURPOSES:
            raise AgentError("bad_request", "用途（purpose）应为 login、bid 或 other", field="purpose")
        summary = printable(_field(body, "summary", str, required=False) or "")
        store, entry = self.find(certificate_id)
        self._usable(store, entry, "sign")
        if not self.user.acquire(blocking=False):
            raise AgentError("busy", "证书助手正在等待用户处理另一个请求，请稍后再试")
        try:
            pin = self._confirm(
                Prompt(
                    "签名请求",
                    [
                        f"来源网站：{origin}",
                        f"用途：{PURPOSES[purpose]}",
                        f"内容：{summary or '（网页未说明）'}",
                        f"证书：{entry.subject}（{entry.label}）",
                        f"待签数据SHA-256：{hashlib.sha256(data).hexdigest()}",
                    ],
                    need_pin=True,
                ),
                store,
                entry,
            )
            try:
                signature = store.sign(entry, data, pin)
            except AgentError as exc:
                self.confirmer.notify(f"签名失败：{exc.message}")
                raise
            self.confirmer.notify("已签名")
        finally:
            self.user.release()
        return {
            "signature": base64.b64encode(signature).decode(),
            "algorithm": stores.SIGNATURE_ALGORITHM[entry.algorithm],
            "certificate_pem": entry.certificate_pem,
        }

    def unwrap(self, origin: str, body: dict) -> dict:
        certificate_id = _field(body, "certificate_id", str)
        wrapped = _b64(body, "wrapped")
        algorithm = _field(body, "algorithm", str)
        if algorithm not in UNWRAP_ALGORITHMS:
            raise AgentError(
                "unsupported", "密钥信封算法（algorithm）应为 sm2 或 rsa-oaep-sha256", field="algorithm"
            )
        summary = printable(_field(body, "summary", str, required=False) or "")
        store, entry = self.find(certificate_id)
        self._usable(store, entry, "encrypt")
        if UNWRAP_ALGORITHMS[algorithm] != entry.algorithm:
            raise AgentError(
                "unsupported", f"该证书（{entry.algorithm}）不能解开 {algorithm} 密钥信封", field="algorithm"
            )
        if not self.user.acquire(blocking=False):
            raise AgentError("busy", "证书助手正在等待用户处理另一个请求，请稍后再试")
        try:
            pin = self._confirm(
                Prompt(
                    "解密请求",
                    [
                        f"来源网站：{origin}",
                        "用途：开标解密（解开投标文件的内容密钥）",
                        f"内容：{summary or '（网页未说明）'}",
                        f"证书：{entry.subject}（{entry.label}）",
                    ],
                    need_pin=True,
                ),
                store,
                entry,
            )
            try:
                key = store.unwrap(entry, wrapped, algorithm, pin)
            except AgentError as exc:
                self.confirmer.notify(f"解密失败：{exc.message}")
                raise
            self.confirmer.notify("已解开内容密钥")
        finally:
            self.user.release()
        return {"key": base64.b64encode(key).decode()}

    def status(self, paired: bool) -> dict:
        return {
            "agent": "ggzy-bid-agent",
            "version": VERSION,
            "paired": paired,
            "stores": [
                {"id": s.id, "kind": s.kind, "label": s.label, "present": bool(s.present())}
                for s in self.stores
            ],
        }


def _field(body: dict, name: str, kind: type, *, required: bool = True) -> Any:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (kind is str and required and not value):
        raise AgentError("bad_request", f"缺少字段或类型错误：{name}", field=name)
    return value


def _b64(body: dict, name: str) -> bytes:
    value = _field(body, name, str)
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise AgentError("bad_request", f"{name} 应为 Base64 编码", field=name) from None
    if not decoded:
        raise AgentError("bad_request", f"{name} 不能为空", field=name)
    return decoded


class Handler(BaseHTTPRequestHandler):
    server_version = "ggzy-bid-agent"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    agent: Agent  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base class's name
        # method, path (no query), status; never headers or bodies (tokens, PINs)
        sys.stderr.write(
            f"[agent] {self.command} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n"
        )

    # --- plumbing ----------------------------------------------------------------------------------------------

    def _send(self, status: int, body: dict, *, cors: bool, preflight: bool = False) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Vary", "Origin")
        origin = self.headers.get("Origin")
        if cors and origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            if preflight:
                self.send_header("Access-Control-Allow-Methods", "GET, POST")
                self.send_header("Access-Control-Allow-Headers", "Content-Type, Authorization")
                self.send_header("Access-Control-Allow-Private-Network", "true")
                self.send_header("Access-Control-Max-Age", "600")
        self.end_headers()
        self.wfile.write(payload)

    def _host_ok(self) -> bool:
        port = self.agent.port
        return self.headers.get("Host", "") in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _token(self) -> str:
        value = self.headers.get("Authorization", "")
        return value[7:].strip() if value.startswith("Bearer ") else ""

    def _body(self) -> dict:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise AgentError("bad_request", "缺少 Content-Length", field="body") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise AgentError("bad_request", "请求体过大（上限 1 MiB）", field="body")
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise AgentError("bad_request", "请求体不是有效的 JSON", field="body") from None
        if not isinstance(body, dict):
            raise AgentError("bad_request", "请求体应为 JSON 对象", field="body")
        return body

    def _route(self) -> tuple[str, str]:
        path = urlsplit(self.path).path
        if path.startswith("/v1/pair/") and path.count("/") == 3:
            return "pair_poll", path.rsplit("/", 1)[1]
        return {
            "/v1/status": "status",
            "/v1/pair": "pair",
            "/v1/certificates": "certificates",
            "/v1/sign": "sign",
            "/v1/unwrap": "unwrap",
        }.get(path, "unknown"), ""

    # --- dispatch ------------------------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        origin = self.headers.get("Origin", "")
        route, argument = self._route()
        public = route in ("status", "pair", "pair_poll")
        agent = self.agent
        paired = bool(origin) and agent.pairings.is_paired(origin)
        cors = bool(origin) and (public or paired)
        try:
            if not self._host_ok():
                cors = False
                raise AgentError(
                    "bad_request", "Host 头应为 127.0.0.1 或 localhost（防DNS重绑定）", field="Host"
                )
            if route == "unknown":
                raise AgentError("bad_request", "没有这个接口", field="path")
            if origin and not origin_valid(origin):
                cors = False
                raise AgentError("bad_request", "Origin 格式错误", field="Origin")
            if method == "OPTIONS":
                if not cors:
                    raise AgentError("not_paired", "该网站未与证书助手配对")
                self._send(200, {}, cors=True, preflight=True)
                return
            expected = {
                "status": "GET",
                "pair": "POST",
                "pair_poll": "GET",
                "certificates": "GET",
                "sign": "POST",
                "unwrap": "POST",
            }[route]
            if method != expected:
                raise AgentError("bad_request", f"此接口只接受 {expected}", field="method")
            body = self._body() if method == "POST" else {}
            if route == "status":
                token = self._token()
                is_paired = agent.pairings.token_valid(origin, token) if token else paired
                self._send(200, agent.status(is_paired), cors=cors)
                return
            if not origin:
                raise AgentError("not_paired", "请求缺少 Origin（只接受网页发来的请求）")
            if route == "pair":
                pairing = agent.pair_start(origin)
                self._send(200, {"pairing_id": pairing.id, "code": pairing.code}, cors=cors)
                return
            if route == "pair_poll":
                try:
                    wait = min(
                        30.0, max(0.0, float(parse_qs(urlsplit(self.path).query).get("wait", ["30"])[0]))
                    )
                except ValueError:
                    wait = 30.0
                self._send(200, agent.pair_poll(origin, argument, wait), cors=cors)
                return
            if not paired or not agent.pairings.token_valid(origin, self._token()):
                raise AgentError("not_paired", "该网站未与证书助手配对（或配对令牌无效），请先配对")
            if route == "certificates":
                self._send(200, {"certificates": [e.as_json() for e in agent.certificates()]}, cors=cors)
            elif route == "sign":
                self._send(200, agent.sign(origin, body), cors=cors)
            else:
                self._send(200, agent.unwrap(origin, body), cors=cors)
        except AgentError as exc:
            self.close_connection = True  # a body left unread must not be taken for the next request
            self._send(exc.status, exc.body(), cors=cors)
        except Exception as exc:  # noqa: BLE001 — never a traceback (or a secret in one) to the page
            sys.stderr.write(f"[agent] internal error: {type(exc).__name__}\n")
            error = AgentError("internal", "证书助手内部错误")
            self._send(error.status, error.body(), cors=cors)

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._handle("OPTIONS")


def make_server(agent: Agent, port: int) -> ThreadingHTTPServer:
    handler = type("AgentHandler", (Handler,), {"agent": agent})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    agent.port = server.server_address[1]
    return server
