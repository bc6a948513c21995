"""A subscriber test server: a real local HTTP server in a thread. It refuses (503) the first ``refuse`` POSTs,
then accepts; it checks the HMAC signature, applies each message once by idempotency key (as a receiver must:
delivery is at-least-once) and records the order it applied them in."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ggzy.ledger.outbox import SIGNATURE_HEADER, signature_valid


class Sink:
    def __init__(self, secret: str, *, refuse: int = 0, delay: float = 0.0) -> None:
        self.secret = secret
        self.refuse = refuse
        self.delay = delay
        self.lock = threading.Lock()
        self.posts = 0
        self.refused = 0
        self.received: list[dict] = []  # every message as it arrived, duplicates included
        self.applied: list[dict] = []  # each idempotency key once, in arrival order
        self.keys: set[str] = set()
        self.bad_signatures = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with sink.lock:
                    sink.posts += 1
                    if sink.refused < sink.refuse:
                        sink.refused += 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    if not signature_valid(sink.secret, body, self.headers.get(SIGNATURE_HEADER, "")):
                        sink.bad_signatures += 1
                        self.send_response(401)
                        self.end_headers()
                        return
                    for message in json.loads(body)["messages"]:
                        sink.received.append(message)
                        if message["idempotency_key"] not in sink.keys:
                            sink.keys.add(message["idempotency_key"])
                            sink.applied.append(message)
                if sink.delay:
                    time.sleep(sink.delay)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
