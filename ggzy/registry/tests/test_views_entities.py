"""Pages: the one-form application, the public list and detail, and the edit page."""

import re

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.registry.models import MarketEntity

from .conftest import ALL_PEOPLE, MAY_UPDATE, stored
from .factories import (
    BankAccountFactory,
    MarketEntityFactory,
    QualificationFactory,
    new_credit_code,
    new_id_number,
)

APPLY = "/registry/apply/"


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _apply_post(**overrides) -> dict:
    """What the apply page posts: the entity, one row of each list, and a first login."""
    post = {
        "credit_code": new_credit_code(), "name": "山东岱青建设工程有限公司", "entity_type": "enterprise",
        "legal_representative": "岳青山", "region": "370902", "registered_address": "泰安市泰山区岱宗大街1号",
        "contact_name": "孟雪", "contact_phone": "0538-8201234", "registered_capital": "30000000",
        "account-username": "daiqing", "account-password": "Dai-qing-2026", "account-role": "bidder",
        "bank_accounts-0-bank_name": "中国农业银行泰安分行", "bank_accounts-0-account_name": "山东岱青建设工程有限公司",
        "bank_accounts-0-account_number": "15500101040012345",
        "qualifications-0-qualification_type": "建筑工程施工总承包", "qualifications-0-level": "二级",
        "qualifications-0-certificate_number": "D237098765", "qualifications-0-valid_from": "2024-01-01",
        "qualifications-0-valid_until": "2028-12-31",
        "key_persons-0-name": "岳峰", "key_persons-0-role": "项目经理", "key_persons-0-id_number": new_id_number(5),
    }
    for prefix in ("bank_accounts", "qualifications", "key_persons"):
        post[f"{prefix}-TOTAL_FORMS"] = "1"
        post[f"{prefix}-INITIAL_FORMS"] = "0"
    post.update(overrides)
    return post


def _errors(response) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", "".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>',
                                                            response.content.decode(), re.S)))


@pytest.mark.django_db
def test_apply_page_shows_every_section_with_one_row(client, frozen_clock):
    page = client.get(APPLY).content.decode()
    for text in ("基本信息", "基本账户", "资质证书", "主要人员", "登录账户（可选）", "添加一行", 'name="key_persons-0-id_number"',
                 'hx-get="/registry/apply/check-credit-code/"'):
        assert text in page


@pytest.mark.django_db
def test_anonymous_application_registers_and_signs_in(client, frozen_clock, centers):
    # when an anonymous visitor submits the one form
    post = _apply_post()
    response = client.post(APPLY, post)
    # then the entity is registered in Tai'an, the visitor is signed in as its first user, and sees the success page
    entity = MarketEntity.objects.get(credit_code=post["credit_code"])
    assert response.status_code == 302 and response.url == f"/registry/apply/done/{entity.credit_code}/"
    assert entity.center.code == "370900" and entity.key_persons.count() == 1
    done = client.get(response.url).content.decode()
    assert "登记成功" in done and "修改信息" in done
    assert client.get("/accounts/me/").status_code == 200


@pytest.mark.django_db
def test_application_refused_by_the_service_shows_the_reason_and_saves_nothing(client, frozen_clock, centers):
    post = _apply_post()
    post["credit_code"] = post["credit_code"][:17] + ("0" if post["credit_code"][17] != "0" else "1")
    before = stored()
    response = client.post(APPLY, post)
    assert response.status_code == 200
    assert "统一社会信用代码：统一社会信用代码校验位错误" in _errors(response)
    assert stored() == before


@pytest.mark.django_db
def test_bad_id_number_in_second_row_is_shown_in_that_row(client, frozen_clock, centers):
    post = _apply_post(**{"key_persons-TOTAL_FORMS": "2", "key_persons-1-name": "钱进", "key_persons-1-role": "安全员",
                          "key_persons-1-id_number": "370102198503150010"})
    response = client.post(APPLY, post)
    html = response.content.decode()
    row_two = html[html.index('name="key_persons-1-name"'):]
    assert "身份证号码校验位错误" in row_two[:row_two.index("</fieldset>")]
    assert not MarketEntity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("owner", 403), ("expert", 403), ("supervisor", 403),
                                             ("jinan_staff", 200), ("admin", 200)])
def test_apply_page_permissions(client, people, who, status):
    response = _as(client, people[who]).get(APPLY)
    assert response.status_code == status
    if status == 200:
        assert "代为登记" in response.content.decode()


@pytest.mark.django_db
def test_signed_in_bidder_post_is_refused_and_changes_nothing(client, people):
    before = stored()
    assert _as(client, people["owner"]).post(APPLY, _apply_post()).status_code == 403
    assert stored() == before


@pytest.mark.django_db
def test_qingdao_staff_cannot_register_a_taian_entity(client, people):
    before = stored()
    response = _as(client, people["qingdao_staff"]).post(APPLY, _apply_post())
    assert "只能为本交易中心服务区域内的主体代为登记" in response.content.decode()
    assert stored() == before


@pytest.mark.django_db
def test_add_row_returns_next_row_and_new_total(client, db):
    response = client.get("/registry/apply/rows/key_persons/", {"key_persons-TOTAL_FORMS": "2"})
    html = response.content.decode()
    assert 'name="key_persons-2-id_number"' in html and "第 3 行" in html
    assert 'name="key_persons-TOTAL_FORMS" value="3"' in html and 'hx-swap-oob="true"' in html
    assert client.get("/registry/apply/rows/nothing/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "text"), [
    ("91350100M000100Y43", "代码格式与校验位正确，尚未注册"),
    ("91350100M000100Y44", "统一社会信用代码校验位错误"),
    ("9135", "统一社会信用代码应为18位（当前为4位）"),
])
def test_credit_code_is_checked_on_blur(client, db, code, text):
    assert text in client.get("/registry/apply/check-credit-code/", {"credit_code": code}).content.decode()


@pytest.mark.django_db
def test_credit_code_check_says_already_registered(client, jinan_entity):
    response = client.get("/registry/apply/check-credit-code/", {"credit_code": jinan_entity.credit_code})
    assert "该统一社会信用代码已注册" in response.content.decode()


@pytest.mark.django_db
def test_list_searches_and_answers_htmx_with_the_results_only(client, frozen_clock, centers,
                                                             django_assert_max_num_queries):
    # given 22 entities, one of them in Qingdao
    for _ in range(21):
        MarketEntityFactory()
    MarketEntityFactory(name="青岛海韵工程有限公司", region_id=_region_pk("370212"), center=centers["qingdao"])
    # when the list is opened, then a page of 20 in a bounded number of queries
    with django_assert_max_num_queries(5):
        page = client.get("/registry/entities/").content.decode()
    assert "共 22 个市场主体" in page and "第 1 / 2 页" in page
    # when htmx asks while typing, then only the results come back, filtered
    partial = client.get("/registry/entities/", {"q": "海韵"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "青岛海韵工程有限公司" in partial and "共 1 个" in partial
    assert "共 1 个" in client.get("/registry/entities/", {"city": "370200"}).content.decode()


def _region_pk(code):
    from ggzy.registry.models import Region

    return Region.objects.get(code=code).pk


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_detail_page_masks_for_the_public_and_shows_versions_to_owner_and_staff(
        client, people, jinan_entity, who, django_assert_max_num_queries):
    # given an entity with a bank account and a qualification
    BankAccountFactory(entity=jinan_entity, account_number="6222020200112233445")
    QualificationFactory(entity=jinan_entity)
    person = jinan_entity.key_persons.get()
    # when each person opens the detail page
    _as(client, people[who])
    with django_assert_max_num_queries(15):  # + the control relationships staff see (one query)
        html = client.get(f"/registry/entities/{jinan_entity.credit_code}/").content.decode()
    # then nobody sees the full ID number; only owner and staff see account, phone, versions and the edit link
    assert person.id_number not in html and "建筑工程施工总承包" in html
    private = who in MAY_UPDATE
    assert ("6222020200112233445" in html) is private
    assert (person.phone in html) is private
    assert ("变更记录" in html) is private
    assert ("修改信息" in html) is private
    assert ("138****1234" in html) is not private


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_edit_page_permission_matrix(client, people, jinan_entity, who):
    # when each person opens the edit page and posts a change
    url = f"/registry/entities/{jinan_entity.credit_code}/edit/"
    _as(client, people[who])
    before = stored()
    shown = client.get(url)
    posted = client.post(url, {"name": "被修改的名称有限公司", "entity_type": "enterprise", "legal_representative": "张伟",
                               "region": "370102", "registered_address": "济南", "contact_name": "李娜",
                               "contact_phone": "13800001234", "version": "1", "status": "active"})
    # then anonymous goes to login, the unrelated get 403 and nothing changes; owner and staff save version 2
    if who == "anonymous":
        assert shown.status_code == 302 and "/accounts/login/" in shown.url
        assert stored() == before
    elif who not in MAY_UPDATE:
        assert (shown.status_code, posted.status_code) == (403, 403)
        assert stored() == before
        assert not AuditEntry.objects.filter(action="entity.update").exists()
    elif who == "owner":  # the entity's own user: the other fields are saved, the new name waits for review
        assert shown.status_code == 200 and posted.status_code == 302
        old_name = jinan_entity.name
        jinan_entity.refresh_from_db()
        assert (jinan_entity.name, jinan_entity.version) == (old_name, 2)
        assert jinan_entity.name_changes.get().new_name == "被修改的名称有限公司"
    else:
        assert shown.status_code == 200 and posted.status_code == 302
        jinan_entity.refresh_from_db()
        assert (jinan_entity.name, jinan_entity.version) == ("被修改的名称有限公司", 2)


@pytest.mark.django_db
def test_edit_with_stale_version_is_refused_on_the_page(client, people, jinan_entity):
    client.force_login(people["owner"])
    jinan_entity.version = 5
    jinan_entity.save()
    response = client.post(f"/registry/entities/{jinan_entity.credit_code}/edit/", {
        "name": "新名称有限公司", "entity_type": "enterprise", "legal_representative": "张伟", "region": "370102",
        "registered_address": "济南", "contact_name": "李娜", "contact_phone": "13800001234", "version": "4"})
    assert response.status_code == 400 and "该主体信息已被他人修改，请刷新后重试" in response.content.decode()


@pytest.mark.django_db
def test_owner_does_not_see_the_status_field_staff_do(client, people, jinan_entity):
    url = f"/registry/entities/{jinan_entity.credit_code}/edit/"
    assert 'name="status"' not in _as(client, people["owner"]).get(url).content.decode()
    assert 'name="status"' in _as(client, people["jinan_staff"]).get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_entity_user", "qingdao_staff", "expert"])
def test_others_cannot_add_or_remove_rows(client, people, jinan_entity, who):
    qualification = QualificationFactory(entity=jinan_entity)
    _as(client, people[who])
    before = stored()
    base = f"/registry/entities/{jinan_entity.credit_code}"
    assert client.post(f"{base}/qualifications/add/", {"qualifications-qualification_type": "x"}).status_code == 403
    assert client.post(f"{base}/qualifications/{qualification.pk}/remove/").status_code == 403
    assert stored() == before


@pytest.mark.django_db
def test_owner_adds_and_removes_rows_on_the_edit_page(client, people, jinan_entity):
    client.force_login(people["owner"])
    base = f"/registry/entities/{jinan_entity.credit_code}"
    # when a key person with a bad ID is added, then the page says why and nothing is saved
    bad = client.post(f"{base}/key_persons/add/", {"key_persons-name": "钱进", "key_persons-role": "安全员",
                                                   "key_persons-id_number": "370102198503150010"})
    assert bad.status_code == 400 and "身份证号码校验位错误" in bad.content.decode()
    assert jinan_entity.key_persons.count() == 1
    # when a bank account is added and the first key person removed, then both are versioned
    added = client.post(f"{base}/bank_accounts/add/", {"bank_accounts-bank_name": "齐鲁银行",
                                                       "bank_accounts-account_name": jinan_entity.name,
                                                       "bank_accounts-account_number": "86611234567890"})
    assert added.status_code == 302
    person = jinan_entity.key_persons.get()
    assert client.post(f"{base}/key_persons/{person.pk}/remove/").status_code == 302
    jinan_entity.refresh_from_db()
    assert jinan_entity.version == 3 and not jinan_entity.key_persons.exists()
    assert client.post(f"{base}/nothing/add/").status_code == 404


@pytest.mark.django_db
def test_mine_goes_to_own_entity(client, people, jinan_entity):
    response = _as(client, people["owner"]).get("/registry/entities/mine/")
    assert response.url == f"/registry/entities/{jinan_entity.credit_code}/"
    client.force_login(people["expert"])
    assert client.get("/registry/entities/mine/").url == "/registry/entities/"


@pytest.mark.django_db
def test_unknown_entity_pages_are_404(client, people):
    client.force_login(people["admin"])
    assert client.get("/registry/entities/91350100M000100Y43/").status_code == 404
    assert client.get("/registry/entities/91350100M000100Y43/edit/").status_code == 404


@pytest.mark.django_db
def test_staff_role_is_a_real_role():
    assert Role.CENTER_STAFF in Role.values
