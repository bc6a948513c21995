"""Text fingerprints for comparing documents without keeping them (Django-free): character shingles, clause tokens
and a bottom-k MinHash sketch, all hashed with fixed constants so the same text gives the same fingerprint on every
machine and run. Used by tendering (bid document profiles at the opening, the tender documents' own text);
compared by ``ggzy.supervision.screens.documents`` (docs/screens.md, "Bid documents").

Chinese has no spaces: a shingle is a run of ``SHINGLE_CHARS`` characters of the text after NFKC, lower case and
removal of whitespace and punctuation (character n-grams). Changing any constant here changes every fingerprint:
bump the ``documents.*`` indicators' versions.
"""

from __future__ import annotations

import hashlib
import heapq
import random
import re
import unicodedata
from collections.abc import Iterable

SHINGLE_CHARS = 5  # five characters ≈ two to three Chinese words: long enough to be specific, short for paraphrase
SKETCH_SIZE = 128  # k of the bottom-k sketch (= supervision.screens.documents.PERMUTATIONS)
MIN_TOKEN_CHARS = 4  # shorter tokens ("第一章", "100") are too common to mean anything
MAX_TEXT_CHARS = 2_000_000  # a document's text beyond this is not read (memory bound)
MAX_UNUSUAL = 50_000  # unusual tokens kept per bid (the smallest hashes: a consistent sample, so shared ones match)

_PRIME = (1 << 61) - 1
_SEED = 20140  # fixed: the hash family must never change without bumping the indicators' versions
_rng = random.Random(_SEED)
_A = _rng.randrange(1, _PRIME)
_B = _rng.randrange(0, _PRIME)


_SPACE_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_CLAUSE_SPLIT = re.compile(r"[\s,.;:!?，。；：！？、（）()\[\]【】《》<>\"'“”‘’]+", re.UNICODE)


def _h64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, whitespace and punctuation removed."""
    return _SPACE_PUNCT.sub("", unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]).lower())


def shingles(text: str, size: int = SHINGLE_CHARS) -> set[int]:
    """The hashed character n-grams of the normalised text (a text shorter than ``size`` is one shingle)."""
    flat = normalise(text)
    if not flat:
        return set()
    if len(flat) <= size:
        return {_h64(flat)}
    return {_h64(flat[i : i + size]) for i in range(len(flat) - size + 1)}


def tokens(text: str) -> set[int]:
    """Hashed clause/word tokens of at least ``MIN_TOKEN_CHARS`` characters (NFKC, lower case)."""
    norm = unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]).lower()
    return {_h64(t) for t in _CLAUSE_SPLIT.split(norm) if len(t) >= MIN_TOKEN_CHARS}


def minhash(shingle_set: Iterable[int]) -> tuple[int, ...]:
    """The bottom-k MinHash sketch (Broder 1997; Cohen & Kaplan 2007): the ``SKETCH_SIZE`` smallest values of
    the shingles under one fixed mixing hash ``(a·x + b) mod p``, ascending. One hash per shingle (O(n log k)), so
    a long document signs in a fraction of a second; a set smaller than k is kept whole (the estimate is exact)."""
    return tuple(heapq.nsmallest(SKETCH_SIZE, {(_A * x + _B) % _PRIME for x in shingle_set}))




def fingerprint(texts: Iterable[str], tender_shingles: set[int] | frozenset[int],
                tender_tokens: set[int] | frozenset[int]) -> tuple[tuple[int, ...], int, frozenset[int]]:
    """A bidder's documents → (sketch of its own shingles, how many own shingles, its unusual tokens): the tender
    documents' shingles and tokens are removed first; at most ``MAX_UNUSUAL`` tokens are kept (bounded storage)."""
    own: set[int] = set()
    unusual: set[int] = set()
    for text in texts:
        own |= shingles(text)
        unusual |= tokens(text)
    own -= tender_shingles
    unusual -= tender_tokens
    return minhash(own), len(own), frozenset(heapq.nsmallest(MAX_UNUSUAL, unusual))
