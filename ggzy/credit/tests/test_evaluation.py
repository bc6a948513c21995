"""Credit evaluation: the score recomputes from the records in force and the model in force; repeats weigh more;
bands give the grade; no region or ownership enters; the monthly snapshot and the expiry job are idempotent."""

import datetime as dt
from decimal import Decimal

import pytest

from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.core.models import AuditEntry
from ggzy.credit import evaluation, publication, services
from ggzy.credit.models import CreditRecord, ScoreModel, ScoreSnapshot

pytestmark = pytest.mark.django_db

JINAN = credit_code_make("91370100MA0000011")
GUANGZHOU = credit_code_make("91440101MA0000012")  # another province, no local history


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC))


def _record(kind, *, code=JINAN, title="违法行为", decided=dt.date(2026, 5, 1), until=dt.date(2027, 4, 30), **over):
    data = {"actor": None, "subject_kind": "entity", "subject_key": code, "subject_name": "济南某建设有限公司",
            "source": "supervision", "kind": kind, "title": title, "authority": "济南市住房和城乡建设局",
            "decided_on": decided, "valid_until": until}
    data.update(over)
    return services.record_create(**data)


def test_no_records_scores_the_base_whatever_the_region():
    model = ScoreModel.objects.get(code="SD-CREDIT")  # the seeded model
    result = evaluation.score_compute("entity", GUANGZHOU)
    assert result["score"] == model.base == 80 and result["grade"] == "B" and result["lines"] == []
    # a local firm with no records scores exactly the same: nothing but records enters the score
    assert evaluation.score_compute("entity", JINAN)["score"] == result["score"]


def test_score_is_base_plus_rewards_minus_deductions_with_repeats_weighted():
    _record("violation", title="第一次违规")
    _record("violation", title="第二次违规", decided=dt.date(2026, 5, 20))
    _record("reward", title="守信激励")
    result = evaluation.score_compute("entity", JINAN)
    values = [(line["title"], line["points"], line["weight"], line["value"]) for line in result["lines"]]
    assert values == [("第一次违规", -10, "1.00", -10), ("守信激励", 5, "1", 5), ("第二次违规", -10, "1.50", -15)]
    assert result["score"] == 80 - 10 + 5 - 15 == 60 and result["grade"] == "C"


def test_serious_breach_drops_the_grade_and_an_expired_record_no_longer_counts():
    _record("serious_breach", until=dt.date(2026, 6, 30), restrictions=[{"behaviour": "signup"}])
    assert evaluation.score_compute("entity", JINAN)["grade"] == "D"
    clock.freeze(dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC))
    assert evaluation.score_compute("entity", JINAN)["score"] == 80


def test_a_newer_model_applies_from_its_effective_date():
    _record("violation")
    old = ScoreModel.objects.get(code="SD-CREDIT")
    ScoreModel.objects.create(code="SD-CREDIT", name="新模型", effective_from=dt.date(2026, 7, 1), base=70,
                              ceiling=100, points={"violation": -20}, repeat_step=Decimal("1"), bands=old.bands)
    assert evaluation.score_compute("entity", JINAN)["score"] == 70
    assert evaluation.score_compute("entity", JINAN, at=dt.date(2026, 7, 2))["score"] == 50


def test_score_never_leaves_zero_to_ceiling():
    for i in range(4):
        _record("serious_breach", title=f"严重失信{i}", decided=dt.date(2026, 5, 1 + i))
    assert evaluation.score_compute("entity", JINAN)["score"] == 0


def test_monthly_snapshot_is_idempotent_and_keeps_the_breakdown():
    _record("violation")
    assert evaluation.snapshot_month() == 1
    assert evaluation.snapshot_month() == 1
    snap = ScoreSnapshot.objects.get()
    assert snap.month == dt.date(2026, 6, 1) and snap.score == 70 and snap.breakdown["lines"][0]["value"] == -10


def test_expiry_job_takes_records_out_of_scores_and_publication_once():
    record = _record("violation", decided=dt.date(2025, 3, 1), until=dt.date(2026, 6, 1))
    # publication: a general violation is public at least 3 and at most 12 months after the decision (seeded rule)
    assert publication.publication_end(record) == dt.date(2026, 3, 1)
    assert not publication.is_public(record) and publication.public_records() == []
    first = publication.expire_due()
    assert first == {"expired": 1, "unpublished": 1}
    assert publication.expire_due() == {"expired": 0, "unpublished": 0}  # idempotent
    record.refresh_from_db()
    assert record.expired_at is not None and record.unpublished_at is not None
    assert AuditEntry.objects.filter(action="credit.record_expire", object_id=str(record.pk)).count() == 1
    assert evaluation.score_compute("entity", JINAN)["score"] == 80


def test_publication_period_bounds():
    short = _record("violation", decided=dt.date(2026, 5, 1), until=dt.date(2026, 5, 10), title="短")
    assert publication.publication_end(short) == dt.date(2026, 8, 1)  # at least 3 months, though valid 10 days
    assert publication.is_public(short)
    long = _record("serious_breach", decided=dt.date(2026, 5, 1), until=None, title="长")
    assert publication.publication_end(long) == dt.date(2029, 5, 1)  # at most 3 years
    internal = _record("violation", title="内部", publication="internal")
    assert not publication.is_public(internal)
    assert {r.title for r in publication.public_records()} == {"短", "长"}
    assert CreditRecord.objects.count() == 3
