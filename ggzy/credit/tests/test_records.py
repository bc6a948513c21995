"""Credit records: created with their restrictions, corrected as new versions, checked by behaviour and date."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.core.errors import Conflict, DomainError
from ggzy.core.models import AuditEntry
from ggzy.credit import selectors, services
from ggzy.credit.models import CreditRecord

pytestmark = pytest.mark.django_db

CODE = credit_code_make("91370100MA0000001")
OTHER = credit_code_make("91370100MA0000002")


def _breach(**over):
    data = {"actor": None, "subject_kind": "entity", "subject_key": CODE, "subject_name": "济南某建设有限公司",
                "source": "supervision", "kind": "serious_breach", "title": "串通投标", "facts": "与他人串通投标",
                "authority": "济南市住房和城乡建设局", "decision_no": "济建罚〔2026〕12号",
                "decided_on": dt.date(2026, 3, 1), "valid_from": dt.date(2026, 3, 1), "valid_until": dt.date(2027, 2, 28),
                "restrictions": [{"behaviour": "bid"}, {"behaviour": "signup", "ends_on": dt.date(2026, 9, 1)}]}
    data.update(over)
    return services.record_create(**data)


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))


def test_create_numbers_the_record_audits_it_and_stores_restrictions():
    record = _breach()
    assert record.record_no == f"XY2026-{record.pk:06d}" and record.version == 1 and record.is_current
    assert {r.behaviour for r in record.restrictions.all()} == {"bid", "signup"}
    bid = record.restrictions.get(behaviour="bid")
    assert bid.starts_on == dt.date(2026, 3, 1) and bid.ends_on == dt.date(2027, 2, 28)  # capped at the record's end
    entry = AuditEntry.objects.get(pk=record.ledger_source_id)
    assert entry.action == "credit.record_create" and entry.object_id == str(record.pk)


def test_restriction_in_force_by_behaviour_and_date():
    _breach()
    assert selectors.restriction_in_force("entity", CODE, "bid") is not None
    assert selectors.restriction_in_force("entity", CODE, "award") is None
    assert selectors.restriction_in_force("entity", OTHER, "bid") is None
    assert selectors.restriction_in_force("entity", CODE, "signup", at=dt.date(2026, 9, 2)) is None
    assert selectors.restriction_in_force("entity", CODE, "bid", at=dt.date(2027, 3, 1)) is None
    assert selectors.restriction_in_force("entity", CODE, "bid", at=dt.date(2026, 2, 28)) is None
    reason = selectors.restriction_reason(selectors.restriction_in_force("entity", CODE, "bid"))
    assert "串通投标" in reason and "2027-02-28" in reason
    assert set(selectors.subjects_restricted("entity", [CODE, OTHER], "bid")) == {CODE}


def test_correction_is_a_new_version_and_the_old_one_stays():
    record = _breach()
    new = services.record_correct(actor=None, record=record, reason="复议变更期限", valid_until=dt.date(2026, 5, 31))
    assert new.record_no == record.record_no and new.version == 2 and new.supersedes_id == record.pk
    record.refresh_from_db()
    assert not record.is_current and record.title == "串通投标"
    assert [r.version for r in selectors.record_history(record.record_no)] == [1, 2]
    assert selectors.restriction_in_force("entity", CODE, "bid") is None  # the corrected record ended yesterday
    with pytest.raises(Conflict):
        services.record_correct(actor=None, record=record, reason="再改旧版本", title="x")


@pytest.mark.parametrize(("over", "field"), [
    ({"subject_key": "123"}, "subject_key"),
    ({"subject_kind": "person", "subject_key": "370102199001011234"}, "subject_key"),
    ({"kind": "fine"}, "kind"),
    ({"source": ""}, "source"),
    ({"title": "  "}, "title"),
    ({"decided_on": "2026-13-01"}, "decided_on"),
    ({"decided_on": "1e400"}, "decided_on"),
    ({"valid_until": dt.date(2026, 1, 1)}, "valid_until"),
    ({"restrictions": [{"behaviour": "fly"}]}, "restrictions"),
    ({"restrictions": [{"behaviour": "bid", "starts_on": "2025-01-01"}]}, "restrictions"),
    ({"kind": "reward"}, "restrictions"),
    ({"decided_on": dt.date(2026, 7, 1), "valid_from": dt.date(2026, 7, 1)}, "decided_on"),
])
def test_bad_input_names_the_field_and_changes_nothing(over, field):
    with pytest.raises(DomainError) as err:
        _breach(**over)
    assert field in err.value.errors
    assert not CreditRecord.objects.exists()


def test_one_current_record_per_source_reference():
    _breach(source_ref="referral:7")
    with pytest.raises(Conflict):
        _breach(source_ref="referral:7")
    assert CreditRecord.objects.count() == 1


def test_an_aware_time_counts_on_the_platforms_day():
    _breach(restrictions=[{"behaviour": "bid", "ends_on": dt.date(2026, 6, 1)}])
    # 2026-06-01 17:00 UTC is already 2 June in Jinan: the ban that ended on 1 June no longer applies
    assert selectors.restriction_in_force("entity", CODE, "bid", at=dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC))
    assert selectors.restriction_in_force("entity", CODE, "bid",
                                          at=dt.datetime(2026, 6, 1, 17, tzinfo=dt.UTC)) is None
