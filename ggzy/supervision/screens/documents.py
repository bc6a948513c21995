"""Bid documents that are abnormally alike (实施条例 第四十条：不同投标人的投标文件异常一致), without Django.

Three findings per lot, each over every pair of bidders whose documents could be read:

* **similarity** — the estimated Jaccard resemblance of the two documents' shingle sets (Broder 1997, "On the
  resemblance and containment of documents"), after the lot's own tender documents' shingles are removed, so two
  bids that copy only the boilerplate the tender documents asked for stay quiet. Chinese has no spaces: a shingle is
  a run of ``SHINGLE_CHARS`` characters of the text with whitespace and punctuation removed (character n-grams).
  The resemblance is estimated by a bottom-k MinHash sketch (the ``PERMUTATIONS`` smallest values under one mixing
  hash ``(a·x + b) mod p``, constants from a fixed seed over blake2b shingle hashes), so the same documents give the
  same signature on every machine and every run.
* **shared errors** — unusual strings two bidders both wrote: tokens (clauses between punctuation, Latin/number
  words) that appear in none of the tender documents and in no other bid of the lot. A typo or an odd phrase copied
  from one bid into another is the classic trace (OECD 2009, "identical … spelling or grammatical errors").
* **same author** — the author fields of the files' metadata (docx ``dc:creator``, ``cp:lastModifiedBy``, app.xml
  ``Company``; pdf ``/Author``) identical across bidders, ignoring empty and generic values ("Administrator" …).
  The software fields (pdf ``/Creator``, ``/Producer``) are kept as context but never fire alone.

Thresholds are a-priori conventions stated here, not fitted to any data.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

SHINGLE_CHARS = 5  # = ggzy.core.textprint.SHINGLE_CHARS (evidence only; the profiles are made there)
PERMUTATIONS = 128  # = ggzy.core.textprint.SKETCH_SIZE: standard error of the estimate ≈ √(J(1−J)/k) ≤ 0.045
SIMILARITY_THRESHOLD = 0.5  # more than half of what the two bidders wrote themselves is the same text
SIMILARITY_RED = 0.8  # near-duplicate documents
MIN_SHINGLES = 50  # fewer own shingles than this (after removing the tender documents) is too little to compare
SHARED_ERRORS_THRESHOLD = 3  # three distinct unusual strings in common, found nowhere else in the lot

GENERIC_AUTHORS = frozenset(
    {
        "", "admin", "administrator", "user", "users", "owner", "author", "default", "guest", "microsoft",
        "microsoft office user", "microsoft office 用户", "微软用户", "微软中国", "用户", "作者", "管理员",
        "unknown", "wps", "china", "中国", "lenovo", "dell", "hp", "thinkpad", "pc", "sky123.org", "deepinxp",
        "ylmf", "番茄花园", "雨林木风", "微软", "walkinnet", "www.sj63.com", "mycomputer", "windows 用户",
        "windows user",
    }
)
AUTHOR_FIELDS = ("author", "last_modified_by", "company")  # fields that name a person or firm; they may fire
SOFTWARE_FIELDS = ("creator", "producer")  # the software that made the file: context only

def jaccard_estimate(left: Sequence[int], right: Sequence[int], k: int = PERMUTATIONS) -> float | None:
    """Jaccard estimate from two bottom-k sketches: of the k smallest values of their union, the share present in
    both (None when either is empty)."""
    if not left or not right:
        return None
    a, b = set(left), set(right)
    k = min(k, len(a | b))
    union_k = heapq.nsmallest(k, a | b)
    return sum(1 for x in union_k if x in a and x in b) / k


@dataclass(frozen=True)
class DocumentProfile:
    """What one bidder's decrypted documents leave for comparison (never the text itself)."""

    bidder: str  # market entity id as str
    signature: tuple[int, ...]  # MinHash of the own shingles (tender documents' shingles removed)
    own_shingles: int  # how many shingles were left after the removal
    unusual: frozenset[int]  # hashed tokens not in the tender documents
    authors: Mapping[str, str] = field(default_factory=dict)  # field → value, see AUTHOR_FIELDS/SOFTWARE_FIELDS


@dataclass(frozen=True)
class PairFinding:
    """One pair of bidders, one finding: the measured value and the facts a supervisor can check."""

    kind: str  # "similarity" | "shared_errors" | "same_author"
    bidders: tuple[str, str]  # sorted
    value: float
    red: bool
    data: Mapping[str, object]


def _pairs(profiles: Sequence[DocumentProfile]) -> Iterable[tuple[DocumentProfile, DocumentProfile]]:
    return combinations(sorted(profiles, key=lambda p: p.bidder), 2)


def similar_pairs(profiles: Sequence[DocumentProfile]) -> list[PairFinding]:
    """Pairs whose own text (tender documents removed) has estimated resemblance ≥ ``SIMILARITY_THRESHOLD``."""
    found = []
    for left, right in _pairs(profiles):
        if min(left.own_shingles, right.own_shingles) < MIN_SHINGLES:
            continue
        j = jaccard_estimate(left.signature, right.signature)
        if j is not None and j >= SIMILARITY_THRESHOLD:
            found.append(PairFinding("similarity", (left.bidder, right.bidder), j, j >= SIMILARITY_RED, {
                "jaccard_estimate": round(j, 4), "threshold": SIMILARITY_THRESHOLD, "red_from": SIMILARITY_RED,
                "shingle_chars": SHINGLE_CHARS, "permutations": PERMUTATIONS,
                "own_shingles": [left.own_shingles, right.own_shingles],
            }))
    return found


def shared_errors(profiles: Sequence[DocumentProfile]) -> list[PairFinding]:
    """Pairs sharing ≥ ``SHARED_ERRORS_THRESHOLD`` unusual tokens that no other bid of the lot contains."""
    seen: dict[int, int] = {}
    for p in profiles:
        for t in p.unusual:
            seen[t] = seen.get(t, 0) + 1
    found = []
    for left, right in _pairs(profiles):
        common = sorted(t for t in left.unusual & right.unusual if seen[t] == 2)
        if len(common) >= SHARED_ERRORS_THRESHOLD:
            found.append(PairFinding("shared_errors", (left.bidder, right.bidder), float(len(common)),
                                     len(common) >= 3 * SHARED_ERRORS_THRESHOLD, {
                                         "shared_unusual_tokens": len(common), "threshold": SHARED_ERRORS_THRESHOLD,
                                         "token_hashes": [f"{t:016x}" for t in common[:20]],
                                     }))
    return found


def _author_key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def same_author(profiles: Sequence[DocumentProfile]) -> list[PairFinding]:
    """Pairs whose documents name the same author/last editor/company (generic values ignored)."""
    found = []
    for left, right in _pairs(profiles):
        same = {}
        for name in AUTHOR_FIELDS:
            a, b = _author_key(left.authors.get(name, "")), _author_key(right.authors.get(name, ""))
            if a and a == b and a not in GENERIC_AUTHORS:
                same[name] = left.authors[name].strip()
        # the same person as author of one and last editor of the other counts too
        people_l = {_author_key(left.authors.get(n, "")) for n in ("author", "last_modified_by")} - GENERIC_AUTHORS
        people_r = {_author_key(right.authors.get(n, "")) for n in ("author", "last_modified_by")} - GENERIC_AUTHORS
        crossed = sorted(people_l & people_r)
        if same or crossed:
            context = {n: [left.authors.get(n, ""), right.authors.get(n, "")] for n in SOFTWARE_FIELDS
                       if left.authors.get(n) or right.authors.get(n)}
            found.append(PairFinding("same_author", (left.bidder, right.bidder), 1.0, True,
                                     {"same_fields": same, "same_people": crossed, "software": context}))
    return found
