"""Firms file credit repair requests themselves (issue 18 item 4): the firm's page lists its records and which may
be repaired, the form checks the conditions (Chinese errors, nothing stored on bad input), only its own records,
staff review on their page, the outcome shows to the firm, every step audited; English mode shows the stored
conditions in English."""

import datetime as dt

import pytest
from django.test import Client

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.core.errors import NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.credit import publication, repair, services
from ggzy.credit.models import RepairRequest, RepairState
from ggzy.registry.models import MarketEntityAccount
from ggzy.registry.tests.factories import MarketEntityFactory

pytestmark = pytest.mark.django_db

CODE = credit_code_make("91370100MA0000061")
OTHER = credit_code_make("91370100MA0000070")


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC))


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


@pytest.fixture
def firm(make_user):
    entity = MarketEntityFactory(name="济南某建设有限公司", credit_code=CODE)
    user = make_user(Role.BIDDER)
    MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
    return user


def _violation(code=CODE, name="济南某建设有限公司", title="未按规定签订合同"):
    return services.record_create(actor=None, subject_kind="entity", subject_key=code, subject_name=name,
                                  source="supervision", kind="violation", title=title,
                                  authority="济南市住房和城乡建设局", decided_on=dt.date(2026, 2, 1),
                                  valid_until=dt.date(2027, 2, 1))


def test_the_firm_files_a_repair_staff_approve_and_the_firm_sees_the_outcome(client, firm, staff):
    record = _violation()
    _violation(code=OTHER, name="另一公司", title="他人记录")
    client.force_login(firm)
    page = client.get("/credit/my/").content.decode()
    assert record.record_no in page and "他人记录" not in page and f"/credit/my/repair/{record.record_no}/" in page
    # bad input: a Chinese error on the field, nothing stored
    bad = client.post(f"/credit/my/repair/{record.record_no}/", {"statement": "  "})
    assert bad.status_code == 200 and "请填写申请说明与信用承诺" in bad.content.decode()
    assert not RepairRequest.objects.exists()
    done = client.post(f"/credit/my/repair/{record.record_no}/",
                       {"statement": "已整改，承诺守信", "corrected": "on", "obligations_fulfilled": "on",
                        "committed": "on"})
    assert done.status_code == 302
    request = RepairRequest.objects.get()
    assert request.applicant_name == "济南某建设有限公司" and request.submitted_by == firm
    assert all(c["met"] for c in request.conditions)
    assert AuditEntry.objects.filter(action="credit.repair_submit").get().after["by_subject"] is True
    # a second request waits for the first: no link, the form says why
    assert f"/credit/my/repair/{record.record_no}/" not in client.get("/credit/my/").content.decode()
    # staff review it on their page
    client.force_login(staff)
    assert "已整改" not in client.get("/credit/repairs/").content.decode()  # the list shows names, not statements
    assert client.get(f"/credit/repairs/{request.pk}/review/").status_code == 200
    empty = client.post(f"/credit/repairs/{request.pk}/review/", {"decision": "approve", "review_note": ""})
    assert "请填写审核意见" in empty.content.decode()
    ok = client.post(f"/credit/repairs/{request.pk}/review/", {"decision": "approve", "review_note": "准予修复"})
    assert ok.status_code == 302
    record.refresh_from_db()
    assert not publication.is_public(record)
    assert RepairRequest.objects.get().state == RepairState.APPROVED
    client.force_login(firm)
    page = client.get("/credit/my/").content.decode()
    assert "准予修复" in page


def test_a_firm_cannot_file_for_another_firms_record(client, firm, staff):
    other = _violation(code=OTHER, name="另一公司")
    with pytest.raises(NotAllowed, match="本单位"):
        repair.repair_submit(actor=firm, record=other, applicant_name="冒名", statement="x", committed=True)
    client.force_login(firm)
    assert client.get(f"/credit/my/repair/{other.record_no}/").status_code == 404
    assert client.post(f"/credit/my/repair/{other.record_no}/", {"statement": "x"}).status_code == 404
    assert not RepairRequest.objects.exists()
    assert client.get("/credit/repairs/").status_code == 403
    client.force_login(staff)
    assert client.get("/credit/my/").status_code == 403


def test_unmet_conditions_are_shown_and_approval_refused_in_english_too(firm, staff):
    record = _violation()
    request = repair.repair_submit(actor=firm, record=record, applicant_name="", statement="已整改")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(staff)
    page = client.get(f"/credit/repairs/{request.pk}/review/").content.decode()
    assert "Breach corrected" in page and "失信行为已纠正" not in page
    refused = client.post(f"/credit/repairs/{request.pk}/review/", {"decision": "approve", "review_note": "同意"})
    assert refused.status_code == 200
    assert RepairRequest.objects.get().state == RepairState.SUBMITTED


def test_the_firms_credit_and_repair_pages_show_no_chinese_in_english(client, firm, staff):
    from tests.test_english_mode import _data_strings, chinese_runs

    record = _violation()
    services.record_create(actor=None, subject_kind="entity", subject_key=CODE, subject_name="济南某建设有限公司",
                           source="tax", kind="serious_breach", national_list="tax_violation", title="重大税收违法",
                           authority="某税务局", decided_on=dt.date(2026, 5, 1), valid_until=dt.date(2027, 5, 1))
    request = repair.repair_submit(actor=firm, record=record, applicant_name="", statement="已整改，承诺守信",
                                   corrected=True, committed=True)
    client.cookies["django_language"] = "en"
    client.force_login(firm)
    for url in ("/credit/my/", f"/credit/my/repair/{record.record_no}/"):
        html = client.get(url).content.decode()
        assert chinese_runs(html, _data_strings()) == [], url
    client.force_login(staff)
    for url in ("/credit/repairs/", f"/credit/repairs/{request.pk}/review/", f"/credit/records/{record.record_no}/"):
        html = client.get(url).content.decode()
        assert chinese_runs(html, _data_strings()) == [], url
