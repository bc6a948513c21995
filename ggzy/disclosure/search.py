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

import math
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
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


# --- a search's results at scale (PostgreSQL) ---------------------------------------------------------------------

WALK_STEPS = (60, 600)  # how many of the newest notices are tested one by one, step by step, before the index
COUNT_WALK_MAX = 2500  # a count walks on among the newest notices when cap + 1 matches are expected within these
SAMPLE_ROWS = 800  # rows a count samples to tell "more than the cap" for words found in many notices
SAMPLE_MIN_MATCHES = 30
POSTING_SMALL = 30_000  # an index entry held by fewer notices than this is read in full for an exact count
NARROWING_SHARE = 0.10  # grams held by at most this share of notices are all asked of the index (at most four)
STATS_TTL_SECONDS = 600
_stats: dict = {"at": -STATS_TTL_SECONDS, "freqs": {}, "floor": 0.0, "rows": 0.0}


def _table_stats() -> tuple[dict[str, float], float, float]:
    """(gram → share of notices holding it, the share below which grams are not listed, notices in the table) from
    PostgreSQL's own statistics of the search column (``pg_stats.most_common_elems`` and ``reltuples``, refreshed by
    ANALYZE and autovacuum); read at most every ten minutes per process. Empty on SQLite."""
    now = time.monotonic()
    if now - _stats["at"] >= STATS_TTL_SECONDS:
        freqs: dict[str, float] = {}
        floor, rows = 0.0, 0.0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                               "WHERE tablename = 'disclosure_notice' AND attname = 'search_doc' LIMIT 1")
                row = cursor.fetchone()
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'disclosure_notice'")
                rows = max(0.0, float(cursor.fetchone()[0]))
            if row and row[0] and row[1]:
                elems, shares = row
                freqs = dict(zip(elems, shares[:len(elems)], strict=False))
                floor = float(shares[len(elems)])  # the array goes on with the lowest and highest share, then nulls
        _stats.update(at=now, freqs=freqs, floor=floor, rows=rows)
    return _stats["freqs"], _stats["floor"], _stats["rows"]


def _rarest(terms: list[Term]) -> list[tuple[str, float]]:
    """The rarest gram of each word by the statistics, with its share (a gram not listed: below the floor)."""
    freqs, floor, _rows = _table_stats()
    rarest = {}
    for term in terms:
        gram = min(term.grams, key=lambda g: freqs.get(g, 0.0))
        rarest[gram] = freqs.get(gram, floor)
    return list(rarest.items())


def _narrowing(terms: list[Term]) -> list[str]:
    """The grams the index is asked for: the rarest of each word, and with them any other gram held by few notices
    (up to four in all) — several short posting lists narrow the notices to test more than one does."""
    freqs, floor, _rows = _table_stats()
    grams = [gram for gram, _ in _rarest(terms)]
    few = sorted({g for t in terms for g in t.grams if freqs.get(g, floor) <= NARROWING_SHARE} - set(grams),
                 key=lambda g: freqs.get(g, 0.0))
    return (grams + few)[:max(4, len(grams))]


def _index_condition(terms: list[Term]) -> RawSQL:
    """What the index is asked (``_narrowing``); the whole words are then tested on each notice it gives."""
    query = " & ".join("'" + gram + "'" for gram in _narrowing(terms))  # grams are Han characters, digits, a-z
    return RawSQL("disclosure_notice.search_doc @@ %s::tsquery", [query], output_field=BooleanField())


def _exact_condition(terms: list[Term]) -> RawSQL:
    """Every word, tested on a notice's own entry (wrapped so that PostgreSQL never takes it to the index)."""
    return RawSQL("COALESCE(disclosure_notice.search_doc @@ %s::tsquery, false)", [_tsquery(terms)],
                  output_field=BooleanField())


class NoticeResults:
    """Published notices matching a search, newest first: sliced for a page, counted up to a cap (ADR 0016).

    On PostgreSQL a page is found among the newest notices the filters leave, tested one by one in growing steps
    (``WALK_STEPS``) — a word found in many notices fills a page within the first few dozen; when the steps hold too
    few matches, the index gives the notices holding the rarest gram of each word, which are tested and ordered
    (only bitmap scans of the index: never a walk of every notice). The count is exact up to ``cap + 1``, except that
    "more than the cap" may be told from a random sample of the table (``SAMPLE_ROWS``) when the sample holds at least
    ``SAMPLE_MIN_MATCHES`` matches and they stand for ten times the cap. On SQLite (FTS5) and without search words it
    is the plain query."""

    ordered = True  # newest first (Paginator checks)

    def __init__(self, qs: QuerySet, q: str, *, unfiltered: bool = False) -> None:
        self.qs = qs.order_by("-published_at", "-id")
        self.unfiltered = unfiltered  # every published notice but the search words (the statistics then tell)
        self.q = q
        self.terms = query_terms(q)
        self.at_scale = bool(self.terms) and connection.vendor == "postgresql"
        self._window: list[int] = []  # ids of the newest notices tested so far
        self._matching: list[int] = []  # those that match, in order
        self._window_is_all = False  # the window holds every notice the filters leave

    def _plain(self) -> QuerySet:
        return filter_matching(self.qs, self.q)

    def _walk(self, wanted: int) -> None:
        """Test the newest notices step by step until ``wanted`` matches are found or the steps end."""
        for step in WALK_STEPS:
            if len(self._matching) >= wanted or self._window_is_all:
                return
            self._extend(step)

    def _extend(self, size: int) -> None:
        """Test the newest ``size`` notices (those not tested yet)."""
        if size <= len(self._window) or self._window_is_all:
            return
        window = list(self.qs.values_list("id", flat=True)[:size])
        new = window[len(self._window):]
        found = set(self.qs.model.objects.filter(pk__in=new).filter(_exact_condition(self.terms))
                    .values_list("id", flat=True))
        self._matching += [i for i in new if i in found]
        self._window = window
        self._window_is_all = len(window) < size

    @staticmethod
    @contextmanager
    def _bitmap_scans_only() -> Iterator[Any]:
        """A cursor whose queries read tables only through bitmap scans (here: of the search index), so that
        PostgreSQL never walks every notice for a word it misjudges; set back before the transaction goes on."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            yield cursor
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
            cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")

    def _ids(self, start: int, stop: int) -> list[int]:
        self._walk(stop)
        if len(self._matching) >= stop or self._window_is_all:
            return self._matching[start:stop]
        sql, params = self.qs.filter(_index_condition(self.terms)).filter(_exact_condition(self.terms)) \
            .order_by().values_list("id", "published_at").query.sql_with_params()
        with self._bitmap_scans_only() as cursor:
            cursor.execute(f"WITH found AS MATERIALIZED ({sql}) SELECT id FROM found "  # noqa: S608 — Django's SQL
                           "ORDER BY published_at DESC, id DESC LIMIT %s OFFSET %s", [*params, stop - start, start])
            return [row[0] for row in cursor.fetchall()]

    def __getitem__(self, key: slice) -> list:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("NoticeResults takes a slice")
        start, stop = key.start or 0, key.stop
        if stop is None or not self.at_scale:
            return list(self._plain()[key])
        ids = self._ids(start, stop)
        found = {n.pk: n for n in self.qs.filter(pk__in=ids)}
        return [found[i] for i in ids if i in found]

    def count_upto(self, cap: int) -> int:
        """How many notices match, counting no further than ``cap + 1``."""
        if not self.at_scale:
            return self._plain().order_by()[:cap + 1].count()
        self._walk(min(cap + 1, 20))
        if len(self._matching) > cap or self._window_is_all:
            return min(len(self._matching), cap + 1)
        if self._matching:  # dense among the newest: walk on to cap + 1 matches when that is a short walk
            rows_needed = math.ceil((cap + 1) * len(self._window) / len(self._matching) * 1.2)
            if rows_needed <= COUNT_WALK_MAX:
                self._extend(rows_needed)
                if len(self._matching) > cap or self._window_is_all:
                    return min(len(self._matching), cap + 1)
        _freqs, _floor, rows = _table_stats()
        share = min(share for _, share in _rarest(self.terms))
        if self.unfiltered and all(len(t.grams) == 1 for t in self.terms) and len(self.terms) == 1 \
                and share * rows > 10 * cap:  # one gram: its share of the table is what ANALYZE measured
            return cap + 1
        if self.unfiltered and share * rows > POSTING_SMALL and self._sampled_over(cap, rows):
            return cap + 1  # (with filters too few sampled notices would pass them for the sample to tell)
        sql, params = self.qs.filter(_index_condition(self.terms)).filter(_exact_condition(self.terms)) \
            .order_by().values_list("id")[:cap + 1].query.sql_with_params()
        with self._bitmap_scans_only() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS found", params)  # noqa: S608 — Django's SQL
            return cursor.fetchone()[0]

    def _sampled_over(self, cap: int, rows: float) -> bool:
        """Whether a random sample of the table's pages shows more than ten times ``cap`` matches (and at least
        ``SAMPLE_MIN_MATCHES`` of them, so that a handful of notices on a few sampled pages never counts)."""
        percent = min(100.0, 100.0 * SAMPLE_ROWS / max(rows, 1.0))
        sql, params = self.qs.filter(_exact_condition(self.terms)).order_by().values_list("id") \
            .query.sql_with_params()
        table = '"disclosure_notice"'
        if sql.count(f"FROM {table}") != 1:
            return False
        sql = sql.replace(f"FROM {table}", f"FROM {table} TABLESAMPLE SYSTEM ({percent:.4f})", 1)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS sampled", params)  # noqa: S608 — Django's SQL
            matches = cursor.fetchone()[0]
        return matches >= SAMPLE_MIN_MATCHES and matches * 100.0 / percent > 10 * cap


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
