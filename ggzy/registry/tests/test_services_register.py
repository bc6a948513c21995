"""一表申请: registering an entity with its lists and first login, and every refusal leaving nothing behind."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.registry import services
from ggzy.registry.models import EntityVersion, MarketEntity

from .conftest import stored
from .factories import MarketEntityFactory, entity_data, new_id_number

ACCOUNT = {"username": "quancheng", "password": "Quan-cheng-2026", "role": Role.BIDDER}


@pytest.mark.django_db
def test_anonymous_registers_entity_with_lists_and_first_login(frozen_clock, centers):
    # given a complete one-form application with a login
    data = entity_data(account=ACCOUNT)
    # when an anonymous visitor submits it
    entity = services.entity_register(actor=AnonymousUser(), data=data)
    # then the entity, its lists, its first version, its login and the audit entry exist
    assert entity.center == centers["jinan"] and entity.version == 1 and entity.status == "active"
    assert entity.registered_capital == 50_000_000
    assert (entity.bank_accounts.count(), entity.qualifications.count(), entity.key_persons.count()) == (1, 1, 1)
    version = EntityVersion.objects.get(entity=entity)
    assert (version.version, version.action, version.changed_by) == (1, "register", None)
    user = User.objects.get(username="quancheng")
    assert user.role == Role.BIDDER and user.entity_account.entity == entity
    assert AuditEntry.objects.filter(action="entity.register", object_id=str(entity.pk)).count() == 1


@pytest.mark.django_db
def test_county_entity_belongs_to_its_city_center(frozen_clock, centers):
    entity = services.entity_register(actor=None, data=entity_data(region="370211"))  # 青岛黄岛区
    assert entity.center == centers["qingdao"]


@pytest.mark.django_db
def test_credit_code_is_taken_in_capitals_without_spaces(frozen_clock, centers):
    data = entity_data()
    code = data["credit_code"]
    entity = services.entity_register(actor=None, data={**data, "credit_code": f"  {code.lower()} "})
    assert entity.credit_code == code


def _duplicate_code(data):
    data["credit_code"] = MarketEntityFactory().credit_code


def _bad_check(data):
    code = data["credit_code"]
    data["credit_code"] = code[:17] + ("0" if code[17] != "0" else "1")


def _missing_name(data):
    data["name"] = "  "


def _bad_id(data):
    good = data["key_persons"][0]["id_number"]
    data["key_persons"][0]["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")


def _reversed_period(data):
    data["qualifications"][0].update(valid_from="2027-01-01", valid_until="2026-01-01")


def _duplicate_username(data):
    User.objects.create_user(username="quancheng", password="x-Long-enough-1")
    data["account"] = ACCOUNT


def _duplicate_account_number(data):
    data["bank_accounts"].append(dict(data["bank_accounts"][0]))


def _bad_phone(data):
    data["contact_phone"] = "12345"


def _bad_region(data):
    data["region"] = "370000"  # the province itself: an entity sits in a city or county


def _future_established(data):
    data["established_on"] = "2030-01-01"


@pytest.mark.django_db
@pytest.mark.parametrize(("spoil", "field", "message"), [
    pytest.param(_duplicate_code, "credit_code", "该统一社会信用代码已注册", id="duplicate-credit-code"),
    pytest.param(_bad_check, "credit_code", "统一社会信用代码校验位错误", id="bad-check-character"),
    pytest.param(_missing_name, "name", "此项为必填项", id="missing-required-field"),
    pytest.param(_bad_id, "key_persons.0.id_number", "身份证号码校验位错误", id="bad-id-number"),
    pytest.param(_reversed_period, "qualifications.0.valid_until", "资质有效期截止日期不能早于起始日期",
                 id="qualification-until-before-from"),
    pytest.param(_duplicate_username, "account.username", "该用户名已被使用", id="duplicate-username"),
    pytest.param(_duplicate_account_number, "bank_accounts.1.account_number", "银行账号重复",
                 id="duplicate-bank-account"),
    pytest.param(_bad_phone, "contact_phone", "电话号码格式不正确（手机号11位，或区号-座机号）", id="bad-phone"),
    pytest.param(_bad_region, "region", "所在地区无效（请选择市或县区）", id="province-as-region"),
    pytest.param(_future_established, "established_on", "成立日期不能晚于今天", id="established-in-future"),
])
def test_refusals_name_the_field_and_save_nothing(frozen_clock, centers, spoil, field, message):
    # given an application spoilt in one way
    data = entity_data()
    spoil(data)
    before = stored()
    # when it is submitted
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=None, data=data)
    # then the message is in Chinese under the field, and nothing was saved or audited
    assert refused.value.errors[field] == [message]
    assert stored() == before


@pytest.mark.django_db
def test_all_problems_are_reported_at_once_and_headline_names_the_field(frozen_clock, centers):
    data = entity_data(name="", legal_representative="")
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=None, data=data)
    assert set(refused.value.errors) == {"name", "legal_representative"}
    assert str(refused.value) == "主体名称：此项为必填项"


@pytest.mark.django_db
def test_key_person_rows_are_reported_by_row(frozen_clock, centers):
    data = entity_data()
    data["key_persons"].append({"name": "钱进", "role": "技术负责人", "id_number": "37010219850315"})
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=None, data=data)
    assert refused.value.errors == {"key_persons.1.id_number": ["身份证号码应为18位（当前为14位）"]}
    assert "主要人员第2行·身份证号码" in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BIDDER, Role.TENDERER, Role.AGENCY, Role.EXPERT, Role.SUPERVISOR])
def test_signed_in_non_staff_may_not_register(frozen_clock, centers, make_user, role):
    # given a signed-in user who is not staff
    user = make_user(role, center=centers["jinan"] if role == Role.SUPERVISOR else None)
    before = stored()
    # when they try to register an entity, then it is refused and nothing changes
    with pytest.raises(NotAllowed):
        services.entity_register(actor=user, data=entity_data())
    assert stored() == before


@pytest.mark.django_db
def test_staff_register_on_behalf_only_in_their_area(frozen_clock, centers, make_user):
    # given Jinan staff
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    before = stored()
    # when they register a Qingdao entity, then it is refused and nothing changes
    with pytest.raises(NotAllowed) as refused:
        services.entity_register(actor=staff, data=entity_data(region="370202"))
    assert refused.value.errors == {"region": ["只能为本交易中心服务区域内的主体代为登记"]}
    assert stored() == before
    # when they register a Jinan entity, then it is recorded as theirs
    entity = services.entity_register(actor=staff, data=entity_data(account=ACCOUNT))
    assert entity.versions.get().changed_by == staff
    assert AuditEntry.objects.get(action="entity.register").actor == staff


@pytest.mark.django_db
def test_provincial_staff_register_anywhere(frozen_clock, centers, make_user):
    staff = make_user(Role.CENTER_STAFF, center=centers["province"])
    entity = services.entity_register(actor=staff, data=entity_data(region="371702"))
    assert entity.center.code == "371700"


@pytest.mark.django_db
def test_account_role_must_act_for_an_entity(frozen_clock, centers):
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=None, data=entity_data(account={**ACCOUNT, "role": Role.CENTER_STAFF}))
    assert "account.role" in refused.value.errors
    assert not MarketEntity.objects.exists()


@pytest.mark.django_db
def test_weak_password_is_refused(frozen_clock, centers):
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=None, data=entity_data(account={**ACCOUNT, "password": "12345678"}))
    assert "account.password" in refused.value.errors
    assert not User.objects.exists()


@pytest.mark.django_db
def test_lists_may_be_empty(frozen_clock, centers):
    entity = services.entity_register(actor=None, data=entity_data(bank_accounts=[], qualifications=[],
                                                                  key_persons=[]))
    assert entity.pk and not entity.key_persons.exists()


@pytest.mark.django_db
def test_audit_and_version_of_registration_hold_no_personal_data(frozen_clock, centers):
    data = entity_data(key_persons=[{"name": "赵磊", "role": "项目经理", "id_number": new_id_number(9),
                                     "phone": "13698765432"}])
    entity = services.entity_register(actor=None, data=data)
    texts = str(list(AuditEntry.objects.values("before", "after"))) + str(entity.versions.get().changes)
    assert data["key_persons"][0]["id_number"] not in texts
    assert "13698765432" not in texts and data["contact_phone"] not in texts


@pytest.mark.django_db
def test_list_that_is_not_a_list_of_rows_is_refused(frozen_clock, centers):
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=None, data=entity_data(bank_accounts=["6222000011112222"]))
    assert refused.value.errors == {"bank_accounts": ["格式不正确（应为对象列表）"]}
    assert not MarketEntity.objects.exists()
