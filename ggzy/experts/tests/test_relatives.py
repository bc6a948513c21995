"""Declared relatives: the expert declares them on /experts/me/relatives/, staff see and keep them; the employer is
matched to a registered entity by credit code or name; the ID number is checked and stored encrypted; the pool
import reads relative columns with row errors; the draw avoids the employer of what is stored here."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection

from ggzy.accounts.roles import Role
from ggzy.experts import drawing, selectors, services
from ggzy.experts.models import DrawRequest, ExpertRelative
from ggzy.experts.selectors_draw import draw_candidates
from ggzy.registry.personal_id import id_number_make
from ggzy.registry.tests.factories import MarketEntityFactory

from .factories import ExpertFactory, classification

pytestmark = pytest.mark.django_db
ME = "/experts/me/relatives/"
RELATIVE_ID = id_number_make("37010219750505005")


@pytest.fixture
def expert_user(make_user, frozen_clock):
    user = make_user(Role.EXPERT)
    return ExpertFactory(user=user, classifications=["A0101"]), user


def test_anonymous_and_wrong_roles_cannot_reach_relatives(client, make_user, centers, expert_user):
    # given
    expert, _ = expert_user
    staff_url = f"/experts/pool/{expert.pk}/relatives/"
    form = {"name": "李四", "relation": "配偶", "employer_name": "某公司"}
    # when
    anonymous = client.post(ME, form)
    client.force_login(make_user(Role.BIDDER))
    bidder_me, bidder_staff = client.post(ME, form), client.post(staff_url, form)
    client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    supervisor = client.get(staff_url)
    client.force_login(expert.user)
    expert_on_staff_url = client.get(staff_url)
    # then
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert {bidder_me.status_code, bidder_staff.status_code, supervisor.status_code} == {403}
    assert expert_on_staff_url.status_code == 403
    assert not ExpertRelative.objects.exists()


def test_the_expert_declares_by_credit_code_and_by_name_and_the_id_number_is_encrypted(client, expert_user):
    # given
    expert, user = expert_user
    entity = MarketEntityFactory(name="济南城建工程有限公司")
    client.force_login(user)
    # when
    by_code = client.post(ME, {"name": "李四", "relation": "配偶", "credit_code": entity.credit_code.lower(),
                               "id_number": RELATIVE_ID})
    by_name = client.post(ME, {"name": "王五", "relation": "子女", "employer_name": "济南城建工程有限公司"})
    unmatched = client.post(ME, {"name": "赵六", "relation": "父母", "employer_name": "未登记的公司"})
    page = client.get(ME).content.decode()
    # then
    assert by_code.status_code == by_name.status_code == unmatched.status_code == 302
    rows = {r.name: r for r in ExpertRelative.objects.filter(expert=expert)}
    assert rows["李四"].entity == entity and rows["王五"].entity == entity and rows["赵六"].entity is None
    assert rows["李四"].id_number == RELATIVE_ID
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM experts_expertrelative WHERE name = %s", ["李四"])
        stored = cursor.fetchone()[0]
    assert RELATIVE_ID not in stored
    assert RELATIVE_ID not in page and "未匹配，无法回避" in page


@pytest.mark.parametrize("form,field_message", [
    ({"name": "李四", "relation": "配偶", "credit_code": "91370100MA3C4X5Y6Z"}, "统一社会信用代码"),
    ({"name": "李四", "relation": "配偶", "credit_code": "913701007060000000"}, "统一社会信用代码"),
    ({"name": "李四", "relation": "邻居", "employer_name": "某公司"}, "请选择关系"),
    ({"name": "", "relation": "配偶", "employer_name": "某公司"}, "请填写近亲属姓名"),
    ({"name": "李四", "relation": "配偶"}, "请填写工作单位名称或统一社会信用代码"),
    ({"name": "李四", "relation": "配偶", "employer_name": "某公司", "id_number": "370102197505050000"}, "身份证"),
])
def test_a_bad_relative_is_refused_naming_the_problem_and_nothing_is_stored(client, expert_user, form, field_message):
    # given
    _expert, user = expert_user
    client.force_login(user)
    # when
    response = client.post(ME, form)
    # then
    assert response.status_code == 400 and field_message in response.content.decode()
    assert not ExpertRelative.objects.exists()


def test_staff_see_and_remove_a_relative_and_another_expert_cannot(client, make_user, centers, expert_user):
    # given
    expert, user = expert_user
    relative = services.relative_declare(actor=user, expert=expert, name="李四", relation="配偶",
                                         employer_name="某公司", id_number=RELATIVE_ID)
    other = ExpertFactory(user=make_user(Role.EXPERT))
    # when / then: another expert's removal changes nothing
    with pytest.raises(services.relatives.NotAllowed):
        services.relative_remove(actor=other.user, relative=relative)
    assert ExpertRelative.objects.count() == 1
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    page = client.get(f"/experts/pool/{expert.pk}/relatives/").content.decode()
    assert "李四" in page and RELATIVE_ID not in page
    removed = client.post(f"/experts/pool/{expert.pk}/relatives/", {"action": "remove", "relative": relative.pk})
    assert removed.status_code == 302 and not ExpertRelative.objects.exists()


def test_the_draw_avoids_the_employer_of_a_relative_declared_on_the_page(client, expert_user):
    # given
    expert, user = expert_user
    bidder, elsewhere = MarketEntityFactory(), MarketEntityFactory()
    client.force_login(user)
    client.post(ME, {"name": "李四", "relation": "配偶", "credit_code": bidder.credit_code})
    request = DrawRequest(needs=[["A01", 1]], tenderer_entity=None)
    # when
    candidates = draw_candidates(request)
    _eligible, avoided = drawing.avoid(candidates, drawing.Rules(classifications=frozenset({"A01"}),
                                                                 bidder_entity_ids=frozenset({bidder.pk})))
    _eligible, quiet = drawing.avoid(candidates, drawing.Rules(classifications=frozenset({"A01"}),
                                                               bidder_entity_ids=frozenset({elsewhere.pk})))
    # then
    mine = next(c for c in candidates if c.expert_id == expert.pk)
    assert mine.relative_entity_ids == frozenset({bidder.pk})
    assert avoided.get(expert.pk) == drawing.R_RELATIVE
    assert expert.pk not in quiet


def test_the_pool_import_reads_relative_columns_with_row_errors(make_user, centers, frozen_clock):
    # given
    classification("A08")
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    entity = MarketEntityFactory(name="青岛海川建设有限公司")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号码", "职称", "从业年限", "所在地区", "评标专业",
                     "近亲属姓名", "近亲属关系", "近亲属单位信用代码", "近亲属工作单位"])
    writer.writerow(["王建国", id_number_make("37010219700101001"), "高级工程师", 20, "济南市", "A08",
                     "李四；王五", "配偶；子女", entity.credit_code + "；", "；某设计院"])
    writer.writerow(["张三", id_number_make("37020219720202002"), "高级工程师", 20, "青岛市", "A08",
                     "赵六", "邻居", "", "某公司"])
    # when
    done = services.pool_import_run(services.pool_import_create(
        actor=staff, source="济南市专家库", file_name="p.csv", content=out.getvalue().encode()).pk)
    # then
    assert (done.added, done.rejected) == (1, 1)
    relatives = {r.name: r for r in ExpertRelative.objects.all()}
    assert relatives["李四"].entity == entity and relatives["王五"].entity is None
    assert relatives["王五"].entity_name == "某设计院"
    issue = done.issues.get()
    assert issue.row_number == 3 and "第1名近亲属" in issue.message and "请选择关系" in issue.message
    assert selectors.expert_get(relatives["李四"].expert_id).name == "王建国"


def test_the_relatives_page_in_english_shows_no_chinese_ui_text(client, expert_user):
    from tests.test_english_mode import _chinese_left, _data_strings

    # given
    expert, user = expert_user
    services.relative_declare(actor=user, expert=expert, name="李四", relation="配偶", employer_name="某设计院")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    # when
    page = client.get(ME).content.decode()
    refused = client.post(ME, {"name": "王五", "relation": "邻居"}).content.decode()
    # then
    data = [*_data_strings(), "李四", "王五", "某设计院", expert.name]
    assert not _chinese_left(page, data) and not _chinese_left(refused, data)
    assert "Spouse" in page and "Choose the relation" in refused


def test_the_same_relative_twice_is_refused_and_stored_once(client, expert_user):
    # given
    _expert, user = expert_user
    client.force_login(user)
    form = {"name": "李四", "relation": "配偶", "employer_name": "某设计院"}
    # when
    first, again = client.post(ME, form), client.post(ME, form)
    # then
    assert first.status_code == 302
    assert again.status_code == 400 and "已申报过该近亲属" in again.content.decode()
    assert ExpertRelative.objects.count() == 1
