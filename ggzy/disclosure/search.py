"""Chinese full-text search over published notices (ADR 0016).

Text is cut into character n-grams in Python, the same way on both databases: every Han character is a unigram and
every two adjacent Han characters a bigram (at the position of the first); runs of Latin letters and digits are
words (lower-cased, NFKC-normalised so full-width ＡＢ１ is ab1). A query of one Han character asks for the unigram,
two or more ask for the chain of their bigrams in order (a phrase), so "教学楼" finds exactly the text containing
"教学楼". Several words in the query (split on spaces) must all be found.

- PostgreSQL: a ``tsvector`` column ``disclosure_notice.search_doc`` (not a Django field: the migration adds it by
  vendor) with a GIN index; the query is a ``tsquery`` with the ``<->`` phrase operator.
- SQLite: the FTS5 table ``disclosure_notice_fts`` (rowid = notice id) with two columns: ``bi`` (bigrams and words
  in text order, queried as a phrase) and ``uni`` (unigrams).

The index holds only what the public may read: the services that publish a notice write its entry
(``index_notice``) and the withdrawal removes it (``unindex_notice``); nothing else writes it (no signals). A notice
is published text, so no sealed value can be found; bidders' names first enter the index with the opening record or
result notice that publishes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RUN = re.compile(rf"[{HAN}]+|[0-9a-z]+")
MAX_POSITIONS_PER_LEXEME = 256  # PostgreSQL keeps at most 256 positions of one lexeme
MAX_QUERY_WORDS = 8
SNIPPET_CHARS = 120


@dataclass(frozen=True)
class Term:
    """One word of a query: the n-grams it must match (a phrase of bigrams, or one unigram/word)."""

    text: str
    grams: tuple[str, ...]
    column: str  # "bi" (phrase of bigrams or a word) or "uni" (one Han character)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _runs(text: str) -> Iterable[str]:
    return TOKEN_RUN.findall(normalize(text))


def _is_han(run: str) -> bool:
    return run[0] >= "\u3400"


def document_grams(text: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(bigram/word stream, unigram stream) as (gram, position) in text order; runs are one position apart."""
    bi: list[tuple[str, int]] = []
    uni: list[tuple[str, int]] = []
    pos = 1
    for run in _runs(text):
        if _is_han(run):
            for i, char in enumerate(run):
                uni.append((char, pos + i))
                if i + 1 < len(run):
                    bi.append((run[i:i + 2], pos + i))
            pos += len(run) + 1
        else:
            bi.append((run, pos))
            pos += 2
    return bi, uni


def query_terms(q: str) -> list[Term]:
    """The words of a query as n-gram terms (empty when nothing searchable is in it)."""
    terms: list[Term] = []
    for word in (q or "").split()[:MAX_QUERY_WORDS]:
        for run in _runs(word):
            if _is_han(run) and len(run) == 1:
                terms.append(Term(run, (run,), "uni"))
            elif _is_han(run):
                terms.append(Term(run, tuple(run[i:i + 2] for i in range(len(run) - 1)), "bi"))
            else:
                terms.append(Term(run, (run,), "bi"))
    return terms


def notice_text(notice) -> str:
    """What is searched: title, body, the publishing center and the project's place (bodies name the parties)."""
    parts = [notice.title, notice.body, notice.project_code, notice.center.name, notice.region.name]
    return "\n".join(p for p in parts if p)


# --- the index, written only by the disclosure services ---------------------------------------------------------

def _tsvector(text: str) -> str:
    """The ``tsvector`` literal of ``text``: each gram with its positions (PostgreSQL clamps positions above 16383
    and drops duplicates itself; at most 256 positions of a gram are kept)."""
    positions: dict[str, list[int]] = defaultdict(list)
    pos = 1
    for run in _runs(text):
        if _is_han(run):
            for i, char in enumerate(run):
                positions[char].append(pos + i)
            for i in range(len(run) - 1):
                positions[run[i:i + 2]].append(pos + i)
            pos += len(run) + 1
        else:
            positions[run].append(pos)
            pos += 2
    return " ".join([f"'{gram}':{','.join(map(str, p[:MAX_POSITIONS_PER_LEXEME]))}" for gram, p in positions.items()])


def index_notice(notice) -> None:
    """Write (or rewrite) a published notice's search entry; called inside the publishing transaction."""
    text = notice_text(notice)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE disclosure_notice SET search_doc = %s::tsvector WHERE id = %s",
                           [_tsvector(text), notice.pk])
        else:
            bi, uni = document_grams(text)
            cursor.execute("DELETE FROM disclosure_notice_fts WHERE rowid = %s", [notice.pk])
            cursor.execute("INSERT INTO disclosure_notice_fts (rowid, bi, uni) VALUES (%s, %s, %s)",
                           [notice.pk, " ".join(g for g, _ in bi), " ".join(g for g, _ in uni)])


def unindex_notice(notice_id: int) -> None:
    """Take a notice out of search (withdrawn)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE disclosure_notice SET search_doc = NULL WHERE id = %s", [notice_id])
        else:
            cursor.execute("DELETE FROM disclosure_notice_fts WHERE rowid = %s", [notice_id])


# --- the query ---------------------------------------------------------------------------------------------------

def _tsquery(terms: list[Term]) -> str:
    return " & ".join("(" + " <-> ".join(f"'{g}'" for g in t.grams) + ")" for t in terms)


def _fts5_query(terms: list[Term]) -> str:
    return " AND ".join(f'{t.column} : "{" ".join(t.grams)}"' for t in terms)


def filter_matching(qs: QuerySet, q: str) -> QuerySet:
    """``qs`` (of notices) narrowed to those whose text contains every word of ``q``."""
    terms = query_terms(q)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        match = RawSQL("disclosure_notice.search_doc @@ %s::tsquery", [_tsquery(terms)], output_field=BooleanField())
        return qs.filter(match)
    ids = RawSQL("SELECT rowid FROM disclosure_notice_fts WHERE disclosure_notice_fts MATCH %s", [_fts5_query(terms)])
    return qs.filter(id__in=ids)


# --- highlighting -------------------------------------------------------------------------------------------------

def _spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where the query's words occur in ``text`` (case- and width-insensitive), merged."""
    folded = "".join(normalize(ch)[:1] or ch for ch in text)  # one char per char, so offsets stay valid
    spans = []
    for term in terms:
        for match in re.finditer(re.escape(term.text), folded):
            spans.append((match.start(), match.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, q: str) -> SafeString:
    """``text`` escaped, with the query's words in ``<mark>``; nothing of the text is ever taken as HTML."""
    terms = query_terms(q)
    out: list[str] = []
    last = 0
    for start, end in _spans(text, terms):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece of the text went through escape()


def snippet(text: str, q: str, width: int = SNIPPET_CHARS) -> SafeString:
    """A window of ``text`` around the first match, highlighted (the start of the text when nothing matches)."""
    spans = _spans(text, query_terms(q))
    start = max(0, spans[0][0] - width // 3) if spans else 0
    piece = text[start:start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(escape(prefix) + highlight(piece, q) + escape(suffix))  # noqa: S308 — escaped above
