"""Search results at scale (``search.NoticeResults``, ADR 0016): whichever way a page is found — among the newest
notices tested one by one, or through the index's rarest grams — and however the count is told, the answer is the
plain query's: the same notices in the same order, the count exact up to the cap."""

import datetime as dt
import itertools

import pytest
from django.db import connection

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.disclosure import search, selectors
from ggzy.disclosure.models import NoticeType

from .factories import notice_make

pytestmark = pytest.mark.django_db

WORDS = ["教学楼", "采购", "道路改造", "污水处理厂", "医用设备", "花岗岩矿"]
QUERIES = ["楼", "采购", "教学楼", "道路 改造", "污水处理厂", "采购 矿", "医用设备 采购", "量子计算机", "教学楼建设"]


@pytest.fixture
def many(make_user, centers, frozen_clock):
    """48 notices a minute apart in two cities, each naming one to three of the words (some never together)."""
    staff = {city: make_user(Role.CENTER_STAFF, center=centers[city]) for city in ("jinan", "qingdao")}
    for i in range(48):
        city = "jinan" if i % 3 else "qingdao"
        words = [WORDS[i % 6]] + ([WORDS[(i * 5) % 6]] if i % 4 == 0 else []) + (["教学楼建设"] if i % 7 == 0 else [])
        category = "02" if "采购" in words or "医用设备" in words else "01"
        notice_make(actor=staff[city], center=centers[city], title=f"第{i}号{''.join(words)}项目公告",
                    body="、".join(words) + "。", category_code=category,
                    notice_type=NoticeType.PROCUREMENT if category == "02" else NoticeType.TENDER)
        clock.advance(dt.timedelta(minutes=1))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE disclosure_notice")
    search._stats["at"] = -search.STATS_TTL_SECONDS * 2  # read the statistics of this table


def _expected(q: str, **filters) -> list[int]:
    return list(selectors.notice_list_public(q=q, **filters).order_by("-published_at", "-id")
                .values_list("id", flat=True))


@pytest.mark.parametrize("steps", [(60, 600), (2, 4), (1,)])
def test_pages_and_counts_are_the_plain_querys(many, monkeypatch, steps):
    monkeypatch.setattr(search, "WALK_STEPS", steps)
    monkeypatch.setattr(search, "COUNT_WALK_MAX", 6)
    for q, filters in itertools.product(QUERIES, [{}, {"city": "370100"}, {"category": "02"}]):
        expected = _expected(q, **filters)
        for start, stop in [(0, 3), (3, 6), (6, 20), (0, 100)]:
            results = selectors.notice_search_public(q=q, **filters)
            assert [n.pk for n in results[start:stop]] == expected[start:stop], (q, filters, start, stop)
        for cap in (1, 2, 5, 100):
            results = selectors.notice_search_public(q=q, **filters)
            assert results.count_upto(cap) == min(len(expected), cap + 1), (q, filters, cap)


def test_a_page_then_the_count_of_the_same_results(many, monkeypatch):
    monkeypatch.setattr(search, "WALK_STEPS", (2, 4))
    expected = _expected("采购")
    results = selectors.notice_search_public(q="采购")
    assert [n.pk for n in results[0:3]] == expected[:3]
    assert results.count_upto(3) == min(len(expected), 4)
    assert [n.pk for n in results[3:6]] == expected[3:6]


def test_words_that_never_meet_find_nothing_and_never_walk_every_notice(many, monkeypatch):
    monkeypatch.setattr(search, "WALK_STEPS", (3,))
    results = selectors.notice_search_public(q="污水处理厂 花岗岩矿")
    assert results[0:20] == [] and results.count_upto(1000) == 0
    assert len(results._window) <= 3  # the walk stopped at its step; the index answered the rest
    if connection.vendor == "postgresql":  # the index-only settings ended with those queries (the test's transaction
        with connection.cursor() as cursor:  # goes on, as a request's would)
            cursor.execute("SHOW enable_indexscan")
            assert cursor.fetchone()[0] == "on"


def test_the_sample_tells_more_than_the_cap_only_from_enough_matches(many, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the sample of the table is PostgreSQL's (TABLESAMPLE); SQLite counts with FTS5")
    monkeypatch.setattr(search, "SAMPLE_ROWS", 10**9)  # every page of this small table: the sample is the truth
    total = len(_expected("采购"))
    results = selectors.notice_search_public(q="采购")
    rows = 1000.0
    monkeypatch.setattr(search, "SAMPLE_MIN_MATCHES", 1)
    assert results._sampled_over(total // 10 - 1, rows)  # total matches stand for more than ten times the cap
    assert not results._sampled_over(total // 10 + 1, rows)  # not ten times: no claim, counted exactly instead
    monkeypatch.setattr(search, "SAMPLE_MIN_MATCHES", total + 1)
    assert not results._sampled_over(0, rows)  # too few matches in the sample to tell anything
    # and the count the page shows, told from the sample or counted, is the same
    monkeypatch.setattr(search, "WALK_STEPS", (1,))
    monkeypatch.setattr(search, "COUNT_WALK_MAX", 0)
    monkeypatch.setattr(search, "POSTING_SMALL", 0)
    for minimum in (1, total + 1):
        monkeypatch.setattr(search, "SAMPLE_MIN_MATCHES", minimum)
        assert selectors.notice_search_public(q="采购").count_upto(2) == 3


def test_a_slice_is_required():
    with pytest.raises(TypeError):
        search.NoticeResults(selectors.notice_list_public(), "采购")[3]  # type: ignore[index]
