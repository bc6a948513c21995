"""Add one expert by hand: staff only; the import's checks field by field; a known ID number is refused with the
existing record's number, never a second record; English mode shows no Chinese UI text."""

import pytest

from ggzy.experts.models import Expert

from .factories import ExpertFactory, classification, new_expert_id_number

pytestmark = pytest.mark.django_db
URL = "/experts/pool/new/"


@pytest.fixture
def staff(make_user, centers):
    return make_user("center_staff", center=centers["jinan"])


def _form(**changes):
    classification("A08", "工程建设")
    classification("A0801", "房屋建筑")
    form = {"name": "王建国", "id_number": new_expert_id_number(), "phone": "13912345678", "title": "高级工程师",
            "title_level": "senior_deputy", "years_in_field": "12", "employer_name": "山东省建筑设计研究院有限公司",
            "region": "370100", "classifications": ["A08", "A0801"]}
    form.update(changes)
    return form


def test_anonymous_bidder_and_supervisor_cannot_add_an_expert(client, make_user, centers):
    # given
    form = _form()
    # when
    anonymous = client.post(URL, form)
    client.force_login(make_user("bidder"))
    bidder = client.post(URL, form)
    client.force_login(make_user("supervisor", center=centers["jinan"]))
    supervisor = client.post(URL, form)
    # then
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert bidder.status_code == 403 and supervisor.status_code == 403
    assert not Expert.objects.exists()


def test_staff_add_an_expert_with_classifications(client, staff, frozen_clock):
    # given
    client.force_login(staff)
    form = _form()
    # when
    response = client.post(URL, form)
    # then
    expert = Expert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/experts/pool/{expert.pk}/"
    assert (expert.name, expert.title_level, expert.years_in_field, expert.region.code, expert.source) == (
        "王建国", "senior_deputy", 12, "370100", "手工登记")
    assert expert.id_number == form["id_number"]
    assert sorted(expert.classifications.values_list("classification_id", flat=True)) == ["A08", "A0801"]


@pytest.mark.parametrize("field,value,message", [
    ("id_number", "370102197003150011", "身份证"),
    ("years_in_field", "1e400", "从业年限应为0至99的整数"),
    ("years_in_field", "2", "不符合入库条件"),
    ("region", "999999", "所在地区无效"),
    ("phone", "12345", "手机号码应为11位数字"),
    ("name", "", "姓名不能为空"),
    ("name", "王" * 65, "姓名不能超过64个字"),
    ("classifications", [], "请至少选择一个评标专业"),
    ("classifications", ["Z99"], "专业分类代码不存在"),
])
def test_a_bad_field_is_refused_naming_it_and_nothing_is_added(client, staff, frozen_clock, field, value, message):
    # given
    client.force_login(staff)
    # when
    response = client.post(URL, _form(**{field: value}))
    # then
    assert response.status_code == 400 and message in response.content.decode()
    assert not Expert.objects.exists()


def test_a_known_id_number_is_refused_with_the_existing_record(client, staff, frozen_clock):
    # given
    existing = ExpertFactory()
    client.force_login(staff)
    # when
    response = client.post(URL, _form(id_number=existing.id_number, name="另一个名字"))
    # then
    assert response.status_code == 400
    assert f"专家编号 {existing.pk}" in response.content.decode()
    assert Expert.objects.count() == 1


def test_the_add_page_in_english_shows_no_chinese_ui_text(client, staff, frozen_clock):
    from tests.test_english_mode import _chinese_left, _data_strings

    # given
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    _form()
    # when
    empty = client.get(URL).content.decode()
    refused = client.post(URL, _form(phone="1", classifications=[])).content.decode()
    # then
    data = [*_data_strings(), "工程建设", "房屋建筑", "王建国", "山东省建筑设计研究院有限公司", "高级工程师"]
    assert not _chinese_left(empty, data) and not _chinese_left(refused, data)
    assert "Choose at least one classification" in refused


def test_without_a_level_the_level_comes_from_the_title(client, staff, frozen_clock):
    # given
    client.force_login(staff)
    # when
    response = client.post(URL, _form(title_level="", title="教授级高级工程师"))
    # then
    assert response.status_code == 302
    assert Expert.objects.get().title_level == "senior_full"
