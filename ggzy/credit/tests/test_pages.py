"""Credit pages: staff list, search, read, create (Chinese field errors, nothing kept), correct (a new version),
import with a report; the public page shows public records within their period and no personal data."""

import datetime as dt

import pytest
from django.urls import reverse

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.credit import services
from ggzy.credit.forms import person_key
from ggzy.credit.models import CreditImport, CreditRecord

pytestmark = pytest.mark.django_db

CODE = credit_code_make("91370100MA0000021")


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC))


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


def _form(**over):
    data = {"subject_kind": "entity", "subject_key": CODE, "subject_name": "济南某建设有限公司", "source": "supervision",
            "kind": "serious_breach", "title": "串通投标", "facts": "", "authority": "济南市住房和城乡建设局",
            "decision_no": "济建罚〔2026〕3号", "decided_on": "2026-06-01", "valid_from": "", "valid_until": "2027-05-31",
            "publication": "public", "behaviours": ["signup", "bid"], "restriction_ends_on": ""}
    data.update(over)
    return data


def test_only_staff_and_supervisors_reach_the_staff_pages(client, make_user, centers):
    url = reverse("credit:records")
    assert client.get(url).status_code == 302
    client.force_login(make_user(Role.BIDDER))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    assert client.get(url).status_code == 200


def test_create_by_hand_then_read_search_and_correct(client, staff):
    client.force_login(staff)
    response = client.post(reverse("credit:record_new"), _form())
    record = CreditRecord.objects.get()
    assert response.status_code == 302 and response.url == reverse("credit:record", args=[record.record_no])
    assert {r.behaviour for r in record.restrictions.all()} == {"signup", "bid"}
    page = client.get(response.url).content.decode()
    assert "串通投标" in page and "限制措施" in page and "v1" in page
    assert record.record_no in client.get(reverse("credit:records"), {"q": "济南某"}).content.decode()
    assert record.record_no not in client.get(reverse("credit:records"), {"q": "青岛"}).content.decode()
    # the subject's page shows the grade and its breakdown
    subject = client.get(reverse("credit:subject", args=["entity", CODE])).content.decode()
    assert 'id="grade">D<' in subject and record.record_no in subject
    # correct: a new version, the old one kept
    url = reverse("credit:record_correct", args=[record.record_no])
    assert client.post(url, _form(reason="", title="串通投标（更正）")).status_code == 200  # the reason is required
    assert CreditRecord.objects.count() == 1
    response = client.post(url, _form(reason="复议决定变更", title="串通投标（更正）"))
    assert response.status_code == 302
    assert list(CreditRecord.objects.order_by("version").values_list("version", "is_current")) == [(1, False), (2, True)]
    page = client.get(reverse("credit:record", args=[record.record_no])).content.decode()
    assert "复议决定变更" in page and "v2" in page


@pytest.mark.parametrize(("over", "message"), [
    ({"subject_key": "123"}, "统一社会信用代码"),
    ({"title": ""}, "请填写事由"),
    ({"decided_on": "1e400"}, "决定日期格式不正确"),
    ({"valid_until": "2026-01-01"}, "有效期止不能早于有效期起"),
    ({"kind": "reward"}, "不能设置限制措施"),
    ({"subject_kind": "person", "subject_key": "37010219900101"}, "身份证号码应为18位"),
])
def test_bad_input_shows_a_chinese_error_on_the_field_and_keeps_nothing(client, staff, over, message):
    client.force_login(staff)
    response = client.post(reverse("credit:record_new"), _form(**over))
    assert response.status_code == 200
    assert message in response.content.decode() and 'class="errorlist"' in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_public_page_shows_public_records_in_their_period_and_no_personal_data(client):
    today = clock.today()
    common = {"actor": None, "source": "supervision", "authority": "济南市住房和城乡建设局", "decided_on": today}
    services.record_create(subject_kind="entity", subject_key=CODE, subject_name="济南某建设有限公司",
                           kind="violation", title="公开的处罚", **common)
    services.record_create(subject_kind="entity", subject_key=CODE, subject_name="济南某建设有限公司",
                           kind="violation", title="内部的记录", publication="internal", **common)
    key = person_key("370102199001011234")
    services.record_create(subject_kind="person", subject_key=key, subject_name="张三丰", kind="violation",
                           title="项目经理违规", **common)
    services.record_create(subject_kind="entity", subject_key=CODE, subject_name="济南某建设有限公司", kind="violation",
                           title="早已期满的处罚", **{**common, "decided_on": dt.date(2024, 1, 1),
                                                     "valid_until": dt.date(2024, 6, 30)})
    page = client.get(reverse("credit:public")).content.decode()
    assert "公开的处罚" in page and CODE in page
    assert "内部的记录" not in page and "早已期满的处罚" not in page
    assert "项目经理违规" in page and "张**" in page and "张三丰" not in page and key not in page
    assert "1234" not in page.replace(CODE, "")
    assert "公开的处罚" not in client.get(reverse("credit:public"), {"q": "青岛"}).content.decode()
    assert client.get(reverse("credit:public"), {"q": "x" * 5000}).status_code == 200


def test_import_page_reports_rejected_rows_and_keeps_nothing(client, staff):
    client.force_login(staff)
    csv = ("统一社会信用代码,主体名称,来源,类型,事由,认定机关,决定日期,有效期止,限制行为\n"
           f"{CODE},济南某建设有限公司,行政监督部门处理决定,严重失信主体名单,串通投标,济南市住建局,2026-06-01,2027-05-31,报名、投标\n"
           "123,坏代码公司,supervision,violation,违规,济南市住建局,2026-13-01,,\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(reverse("credit:import"), {"national_list": "", "file": SimpleUploadedFile("list.csv", csv)})
    text = page.content.decode()
    assert page.status_code == 200 and "文件未导入" in text
    report = CreditImport.objects.get()
    assert report.added == 0 and {(r["row"], r["column"]) for r in report.rejected} == {(3, "统一社会信用代码")}
    assert not CreditRecord.objects.exists()
