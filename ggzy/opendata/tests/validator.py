"""The official OCDS validator (libcoveocds) run offline: the standard's schema from the shared test data's ZIP, the
bids extension served from the shared copy on 127.0.0.1, and any other network access refused."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ggzy.core.testing import shared_data_path

from ..ocds import BID_EXTENSION


@contextlib.contextmanager
def _serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 — the signature of the base class
        pass


@contextlib.contextmanager
def _local_network_only() -> Iterator[None]:
    """Any connection to a host other than 127.0.0.1 fails the validation loudly instead of reaching the Internet."""
    original = socket.create_connection

    def guarded(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"OCDS 校验试图联网：{address}")
        return original(address, *args, **kwargs)

    socket.create_connection = guarded
    try:
        yield
    finally:
        socket.create_connection = original


STANDARD_URL = "https://standard.open-contracting.org/schema/1__1__5/"


class _Answer:
    def __init__(self, text: str) -> None:
        self.text = text

    def raise_for_status(self) -> None:
        pass

    def json(self, **kwargs):
        return json.loads(self.text, **kwargs)


@contextlib.contextmanager
def _standard_from_zip(standard: Path) -> Iterator[None]:
    """The record package schema names the versioned release schema by its URL, and libcoveocds resolves that ref
    through jsonref's loader: answer it from the standard's ZIP (the same files), never from the network."""
    import jsonref
    import requests

    with zipfile.ZipFile(standard) as archive:
        files = {Path(name).name: archive.read(name).decode("utf-8") for name in archive.namelist()
                 if "/schema/" in name and name.endswith(".json")}

    class OfflineRequests:
        @staticmethod
        def get(uri, *args, **kwargs):
            if uri.startswith(STANDARD_URL) and uri[len(STANDARD_URL):] in files:
                return _Answer(files[uri[len(STANDARD_URL):]])
            return requests.get(uri, *args, **kwargs)

    original = jsonref.requests
    jsonref.requests = OfflineRequests
    try:
        yield
    finally:
        jsonref.requests = original


def validate(package: dict[str, Any]) -> dict[str, Any]:
    """libcoveocds's report on ``package`` (its ``extensions`` naming the bids extension are pointed at the local
    copy). Callers check ``validation_errors`` and ``additional_closed_codelist_values``."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    standard = shared_data_path("ocds", "standard-1__1__5.zip")
    extension_dir = shared_data_path("ocds", "ocds_bid_extension")
    config = LibCoveOCDSConfig()
    config.config["standard_zip"] = f"file://{standard}"
    config.config["context"] = "api"
    with _serve(extension_dir) as base, _local_network_only(), _standard_from_zip(standard):
        local = dict(package)
        local["extensions"] = [base + "extension.json" if url == BID_EXTENSION else url
                               for url in package.get("extensions", [])]
        return ocds_json_output(json_data=local, lib_cove_ocds_config=config, record_pkg="records" in local)
