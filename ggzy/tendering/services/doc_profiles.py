"""Bid document profiles for the document screens, built while the opening decrypts (plaintext never on disk).

The lot's published tender documents, amendments and clarification texts are read from the file store (their
text and shingles computed lazily, cached per set of document hashes) and their shingles and tokens removed from
each bid's before the MinHash is taken (实施条例 第四十条: what the tender documents themselves dictate is not a
sign of collusion).
"""

from __future__ import annotations

from functools import lru_cache

from ggzy.core import clock, textprint
from ggzy.core import files as file_store

from .. import doctext
from ..models import Bid, BidDocumentProfile, Lot


@lru_cache(maxsize=32)
def _tender_sets(digests: tuple[str, ...], clarifications: tuple[str, ...]) -> tuple[frozenset[int], frozenset[int]]:
    shingles: set[int] = set()
    tokens: set[int] = set()
    for digest in digests:
        collector = doctext.Collector()
        try:
            for chunk in file_store.iter_chunks(digest):
                collector.feed(chunk)
        except FileNotFoundError:
            continue
        text = collector.result().text
        shingles |= textprint.shingles(text)
        tokens |= textprint.tokens(text)
    for text in clarifications:
        shingles |= textprint.shingles(text)
        tokens |= textprint.tokens(text)
    return frozenset(shingles), frozenset(tokens)


def tender_sets(lot: Lot) -> tuple[frozenset[int], frozenset[int]]:
    """The shingles and tokens of the lot's published tender documents (every version) and clarifications."""
    digests = tuple(sorted(lot.documents.filter(published_at__isnull=False).values_list("sha256", flat=True)))
    texts = tuple(lot.clarifications.order_by("id").values_list("text", flat=True))
    return _tender_sets(digests, texts)


def bid_document_profile_save(*, bid: Bid, extracted: list[doctext.Extracted]) -> BidDocumentProfile:
    """Store the profile of a bid just decrypted (called inside bid_decrypt's transaction; no text is kept)."""
    tender_shingles, tender_tokens = tender_sets(bid.lot)
    authors: dict[str, str] = {}
    for item in extracted:
        for key, value in item.authors.items():
            authors.setdefault(key, value)
    signature, own_count, unusual = textprint.fingerprint([e.text for e in extracted], tender_shingles, tender_tokens)
    profile, _ = BidDocumentProfile.objects.update_or_create(bid=bid, defaults={
        "signature": [f"{v:016x}" for v in signature],
        "own_shingles": own_count,
        "unusual": sorted(f"{t:016x}" for t in unusual),
        "authors": authors,
        "files": [{"index": i, "kind": e.kind, "status": e.status} for i, e in enumerate(extracted)],
        "created_at": clock.now(),
    })
    return profile
