"""Sharing (issue 18 item 5): the batch export and the query in the national data format (行政处罚 / 守信激励 CSV,
no personal data, spreadsheet-safe), and the firm's own credit report as a platform-signed PDF that verifies offline
and refuses a tampered or foreign-signed file."""

import csv
import datetime as dt
import io
import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.credit import services
from ggzy.credit.forms import person_key
from ggzy.credit.report import CreditReportInvalid, credit_report_verify
from ggzy.pki import services as pki_services
from ggzy.registry.models import MarketEntityAccount
from ggzy.registry.tests.factories import MarketEntityFactory

pytestmark = pytest.mark.django_db

CODE = credit_code_make("91370100MA0000041")


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC))


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


def _record(**over):
    data = {"subject_kind": "entity", "subject_key": CODE, "subject_name": "济南某建设有限公司", "source": "supervision",
            "kind": "violation", "title": "=HYPERLINK(\"x\") 提供虚假材料", "authority": "某市发展和改革委员会",
            "decision_no": "济发改罚〔2026〕3号", "decided_on": dt.date(2026, 6, 1), "publication": "public",
            "facts": "投标文件中业绩证明系伪造", "restrictions": [{"behaviour": "bid", "ends_on": "2026-12-01"}]}
    data.update(over)
    return services.record_create(actor=None, **data)


def _rows(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_national_penalty_export_has_the_standard_columns_and_no_personal_data(client, staff):
    record = _record()
    _record(subject_kind="person", subject_key=person_key("370102199001011234"), subject_name="张三",
            title="违规", restrictions=[])
    _record(kind="reward", title="守信激励", restrictions=[])
    client.force_login(staff)
    rows = _rows(client.get("/api/v1/credit/export/national?dataset=xzcf"))
    assert rows[0][:3] == ["CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM"] and rows[1][:3] == ["行政相对人名称", "行政相对人类别",
                                                                                     "统一社会信用代码"]
    assert len(rows) == 3  # header, names, the one firm's violation: no person, no reward
    row = dict(zip(rows[0], rows[2], strict=True))
    assert row["CF_XDR_SHXYM"] == CODE and row["CF_XDR_LB"] == "法人及非法人组织"
    assert row["CF_WSH"] == "济发改罚〔2026〕3号" and row["CF_JDRQ"] == "2026/06/01"
    assert row["CF_XXBH"] == f"{record.record_no}-v1" and "投标" in row["CF_NR"]
    assert row["CF_WFXW"].startswith("'=")  # a formula is neutralised
    assert row["CF_FR_ZJHM"] == "" and "张三" not in "".join(sum(rows, []))
    rewards = _rows(client.get("/api/v1/credit/export/national?dataset=sxjl"))
    assert rewards[0][0] == "JL_ZTMC" and len(rewards) == 3 and rewards[2][3] == "守信激励"


def test_national_export_refuses_an_unknown_dataset_and_non_staff(client, staff, make_user):
    client.force_login(staff)
    bad = client.get("/api/v1/credit/export/national?dataset=xx")
    assert bad.status_code == 400 and "dataset" in bad.json()["errors"]
    client.force_login(make_user(Role.BIDDER))
    assert client.get("/api/v1/credit/export/national").status_code == 403


def test_query_in_national_format_shows_only_public_records(client):
    _record()
    _record(publication="internal", title="内部记录")
    data = client.get(f"/api/v1/credit/entities/{CODE}?format=national").json()
    assert [r["dataset"] for r in data["national"]] == ["xzcf"]
    assert data["national"][0]["CF_XDR_SHXYM"] == CODE
    assert client.get(f"/api/v1/credit/entities/{CODE}").json()["national"] is None
    assert client.get(f"/api/v1/credit/entities/{CODE}?format=xml").status_code == 400


@pytest.fixture
def firm_user(make_user):
    entity = MarketEntityFactory(name="济南某建设有限公司", credit_code=CODE)
    user = make_user(Role.BIDDER)
    MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
    return user


def test_the_firm_downloads_its_own_signed_credit_report_that_verifies_offline(client, firm_user):
    record = _record(publication="internal")  # its own report shows its internal records too
    _record(subject_key=credit_code_make("91370100MA0000050"), subject_name="另一公司", title="他人记录")
    client.force_login(firm_user)
    for url in ("/credit/my/report.pdf", "/api/v1/credit/my/report.pdf"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
    pdf = response.content
    check = credit_report_verify(pdf, trust_pems=[pki_services.platform_trust_root()])
    report = check.report
    assert check.trusted and report["subject"]["credit_code"] == CODE
    assert [r["record_no"] for r in report["records"]] == [record.record_no]
    assert report["score"]["score"] == 70 and report["score"]["lines"][0]["value"] == -10
    assert report["records"][0]["restrictions"][0]["behaviour"] == "bid"
    # a changed byte breaks the signature; bytes appended after signing are refused; not a PDF: refused
    tampered = pdf.replace(b"/Subject", b"/Subjekt", 1)
    with pytest.raises(CreditReportInvalid, match="签章"):
        credit_report_verify(tampered, trust_pems=[pki_services.platform_trust_root()])
    with pytest.raises(CreditReportInvalid):
        credit_report_verify(pdf + b"\n%%appended", trust_pems=[pki_services.platform_trust_root()])
    with pytest.raises(CreditReportInvalid, match="无法读取PDF"):
        credit_report_verify(b"%PDF-1.4 not really")
    assert json.dumps(report, ensure_ascii=False).count("另一公司") == 0


def test_only_firm_users_get_a_report(client, staff, make_user):
    client.force_login(staff)
    assert client.get("/credit/my/report.pdf").status_code == 403
    client.force_login(make_user(Role.BIDDER))  # no entity linked
    assert client.get("/api/v1/credit/my/report.pdf").status_code == 404
    client.logout()
    assert client.get("/api/v1/credit/my/report.pdf").status_code in (401, 403)
