"""Text and author metadata of one decrypted document, read from its plaintext chunks in memory (never on disk).

The format is recognised by its first bytes (the file name is sealed): ``PK`` → an Office Open XML package (.docx:
``word/document.xml`` text, ``docProps/core.xml`` creator / lastModifiedBy, ``docProps/app.xml`` Company), ``%PDF``
→ pypdf (page text, /Author /Creator /Producer), otherwise text in UTF-8 or GB 18030. Limits keep a huge or hostile
file from exhausting memory: at most ``MAX_FILE_BYTES`` are buffered (a larger file is recorded ``too_large`` and
skipped), at most ``MAX_TEXT_CHARS`` of text and ``MAX_PDF_PAGES`` pages are kept, and a zip member is read only up to
``MAX_XML_BYTES`` (zip bombs). What cannot be read is recorded with its status, never raised.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_XML_BYTES = 64 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 500

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CORE = {
    "author": "{http://purl.org/dc/elements/1.1/}creator",
    "last_modified_by": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy",
}
_APP_COMPANY = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Company"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Extracted:
    status: str  # ok / too_large / unreadable / empty / truncated
    kind: str  # docx / pdf / text / unknown
    text: str = ""
    authors: dict[str, str] = field(default_factory=dict)


class Collector:
    """Feed the plaintext chunks as they are decrypted; ``result()`` reads what it can."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._too_large = False

    def feed(self, chunk: bytes) -> None:
        if self._too_large:
            return
        if len(self._buf) + len(chunk) > MAX_FILE_BYTES:
            self._too_large = True
            self._buf = bytearray()
            return
        self._buf += chunk

    def result(self) -> Extracted:
        if self._too_large:
            return Extracted("too_large", "unknown")
        data = bytes(self._buf)
        self._buf = bytearray()
        return extract(data)


def extract(data: bytes) -> Extracted:
    try:
        if data.startswith(b"PK"):
            out = _docx(data)
        elif data.startswith(b"%PDF"):
            out = _pdf(data)
        else:
            out = _text(data)
    except Exception as exc:  # a damaged or hostile file must never stop the opening
        logging.getLogger(__name__).info("document not readable: %s", type(exc).__name__)
        return Extracted("unreadable", "unknown")
    if len(out.text) > MAX_TEXT_CHARS:
        out.text, out.status = out.text[:MAX_TEXT_CHARS], "truncated"
    if not out.text.strip() and out.status == "ok":
        out.status = "empty"
    return out


def _member(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES:
        raise ValueError("member too large")
    with zf.open(info) as f:
        data = f.read(MAX_XML_BYTES + 1)
    if len(data) > MAX_XML_BYTES:
        raise ValueError("member too large")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("DTD in an OOXML part")  # OOXML never has one: refuses entity expansion attacks
    return data


def _docx(data: bytes) -> Extracted:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        body = _member(zf, "word/document.xml")
        if body is None:
            return Extracted("unreadable", "unknown")
        paragraphs = []
        document = ElementTree.fromstring(body)  # noqa: S314 (no DTD: _member refuses it)
        for p in document.iter(f"{_W}p"):
            paragraphs.append("".join(t.text or "" for t in p.iter(f"{_W}t")))
        authors: dict[str, str] = {}
        core = _member(zf, "docProps/core.xml")
        if core is not None:
            root = ElementTree.fromstring(core)  # noqa: S314 (no DTD)
            for key, tag in _CORE.items():
                node = root.find(tag)
                if node is not None and node.text and node.text.strip():
                    authors[key] = node.text.strip()[:200]
        app = _member(zf, "docProps/app.xml")
        if app is not None:
            node = ElementTree.fromstring(app).find(_APP_COMPANY)  # noqa: S314 (no DTD)
            if node is not None and node.text and node.text.strip():
                authors["company"] = node.text.strip()[:200]
    return Extracted("ok", "docx", "\n".join(paragraphs), authors)


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts: list[str] = []
    size = 0
    for i, page in enumerate(reader.pages):
        if i >= MAX_PDF_PAGES or size > MAX_TEXT_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    authors: dict[str, str] = {}
    meta: Any = reader.metadata or {}
    for key, name in (("author", "/Author"), ("creator", "/Creator"), ("producer", "/Producer")):
        value = meta.get(name)
        if isinstance(value, str) and value.strip():
            authors[key] = _CONTROL.sub("", value).strip()[:200]
    return Extracted("ok", "pdf", "\n".join(parts), authors)


def _text(data: bytes) -> Extracted:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text[:4096]):
            break  # binary, not text
        return Extracted("ok", "text", text)
    return Extracted("unreadable", "unknown")
