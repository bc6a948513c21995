"""Versioned updates of an entity and of its lists; personal data only as markers in the history."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.registry import services
from ggzy.registry.models import EntityVersion, Region

from .conftest import ALL_PEOPLE, MAY_UPDATE, stored
from .factories import BankAccountFactory, QualificationFactory, new_id_number


@pytest.mark.django_db
def test_update_bumps_version_and_records_who_when_what(people, jinan_entity, frozen_clock):
    # given the entity at version 1, an hour later
    old_name = jinan_entity.name
    frozen_clock.advance(dt.timedelta(hours=1))
    # when its center's staff change the name and the legal representative (staff need no review)
    entity = services.entity_update(actor=people["jinan_staff"], entity=jinan_entity,
                                    data={"name": "山东新名建设有限公司", "legal_representative": "钱多多"},
                                    expected_version=1)
    # then version 2 records who, when and what, and the audit entry is written
    assert entity.version == 2 and entity.name == "山东新名建设有限公司"
    version = EntityVersion.objects.get(entity=entity, version=2)
    assert version.changed_by == people["jinan_staff"] and version.changed_at == frozen_clock.now()
    assert version.changes == {"name": [old_name, "山东新名建设有限公司"], "legal_representative": ["张伟", "钱多多"]}
    assert AuditEntry.objects.filter(action="entity.update", object_id=str(entity.pk)).count() == 1


@pytest.mark.django_db
def test_phone_change_is_recorded_only_as_a_marker(people, jinan_entity):
    # when the contact phone changes
    services.entity_update(actor=people["owner"], entity=jinan_entity, data={"contact_phone": "13911112222"})
    # then the history and the audit trail say “已修改” and hold neither number
    version = EntityVersion.objects.get(entity=jinan_entity, version=2)
    assert version.changes == {"contact_phone": "已修改"}
    audit = str(list(AuditEntry.objects.values("before", "after")))
    assert "13911112222" not in audit and "13800001234" not in audit


@pytest.mark.django_db
def test_region_change_moves_the_home_center(people, jinan_entity, centers):
    entity = services.entity_update(actor=people["owner"], entity=jinan_entity, data={"region": "370202"})
    assert entity.center == centers["qingdao"]
    assert EntityVersion.objects.get(version=2, entity=entity).changes == {
        "region": ["历下区（370102）", "市南区（370202）"]}


@pytest.mark.django_db
def test_city_staff_may_not_move_an_entity_out_of_their_area(people, jinan_entity):
    before = stored()
    with pytest.raises(NotAllowed):
        services.entity_update(actor=people["jinan_staff"], entity=jinan_entity, data={"region": "370202"})
    assert stored() == before


@pytest.mark.django_db
def test_nothing_changed_writes_no_version(people, jinan_entity):
    before = stored()
    services.entity_update(actor=people["owner"], entity=jinan_entity, data={"name": jinan_entity.name})
    assert stored() == before


@pytest.mark.django_db
def test_stale_version_is_refused(people, jinan_entity):
    services.entity_update(actor=people["jinan_staff"], entity=jinan_entity, data={"contact_name": "周"})
    before = stored()
    with pytest.raises(Conflict) as refused:
        services.entity_update(actor=people["owner"], entity=jinan_entity, data={"name": "迟到的修改有限公司"},
                               expected_version=1)
    assert refused.value.errors == {"version": ["该主体信息已被他人修改，请刷新后重试"]}
    assert stored() == before


@pytest.mark.django_db
def test_credit_code_cannot_change(people, jinan_entity):
    before = stored()
    with pytest.raises(DomainError) as refused:
        services.entity_update(actor=people["owner"], entity=jinan_entity,
                               data={"credit_code": "91350100M000100Y43"})
    assert refused.value.errors == {"credit_code": ["统一社会信用代码不可修改"]}
    assert stored() == before


@pytest.mark.django_db
def test_only_staff_change_the_status(people, jinan_entity):
    before = stored()
    with pytest.raises(NotAllowed) as refused:
        services.entity_update(actor=people["owner"], entity=jinan_entity, data={"status": "suspended"})
    assert refused.value.errors == {"status": ["仅交易中心工作人员可变更主体状态"]}
    assert stored() == before
    entity = services.entity_update(actor=people["jinan_staff"], entity=jinan_entity, data={"status": "suspended"})
    assert entity.status == "suspended"


@pytest.mark.django_db
@pytest.mark.parametrize("who", [w for w in ALL_PEOPLE if w not in MAY_UPDATE])
def test_others_may_not_update_and_nothing_changes(people, jinan_entity, who):
    actor = people[who] or AnonymousUser()
    before = stored()
    with pytest.raises(NotAllowed):
        services.entity_update(actor=actor, entity=jinan_entity, data={"name": "被篡改的名称"})
    with pytest.raises(NotAllowed):
        services.qualification_add(actor=actor, entity=jinan_entity, data={})
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(MAY_UPDATE))
def test_owner_and_staff_may_update(people, jinan_entity, who):
    entity = services.entity_update(actor=people[who], entity=jinan_entity, data={"email": "new@example.com"})
    assert entity.email == "new@example.com" and entity.version == 2


@pytest.mark.django_db
def test_qualification_add_and_remove_are_versioned(people, jinan_entity):
    # when a qualification is added and then removed
    added = services.qualification_add(actor=people["owner"], entity=jinan_entity, data={
        "qualification_type": "钢结构工程专业承包", "level": "二级", "certificate_number": "D237000001",
        "issuer": "济南市住房和城乡建设局", "valid_from": "2025-01-01", "valid_until": "2029-12-31"})
    services.qualification_remove(actor=people["jinan_staff"], entity=jinan_entity, qualification_id=added.pk)
    # then two versions record them, each by its actor
    v2, v3 = EntityVersion.objects.filter(entity=jinan_entity, version__gte=2).order_by("version")
    assert (v2.action, v2.changed_by, v2.changes["qualifications"][0]) == ("qualification_add", people["owner"], None)
    assert v2.changes["qualifications"][1]["certificate_number"] == "D237000001"
    assert (v3.action, v3.changed_by, v3.changes["qualifications"][1]) == (
        "qualification_remove", people["jinan_staff"], None)
    assert not jinan_entity.qualifications.exists()
    jinan_entity.refresh_from_db()
    assert jinan_entity.version == 3


@pytest.mark.django_db
def test_qualification_with_reversed_period_is_refused(people, jinan_entity):
    before = stored()
    with pytest.raises(DomainError) as refused:
        services.qualification_add(actor=people["owner"], entity=jinan_entity, data={
            "qualification_type": "建筑工程施工总承包", "certificate_number": "D1", "valid_from": "2026-05-01",
            "valid_until": "2026-04-30"})
    assert refused.value.errors == {"valid_until": ["资质有效期截止日期不能早于起始日期"]}
    assert stored() == before


@pytest.mark.django_db
def test_key_person_add_records_personal_data_only_as_markers(people, jinan_entity):
    id_number = new_id_number(42)
    services.key_person_add(actor=people["owner"], entity=jinan_entity, data={
        "name": "钱学敏", "role": "技术负责人", "id_number": id_number, "phone": "13577778888"})
    version = EntityVersion.objects.get(entity=jinan_entity, version=2)
    assert version.changes["key_persons"][1] == {"name": "钱学敏", "role": "技术负责人", "id_number": "已修改",
                                                 "phone": "已修改", "certificate_number": ""}
    everything = str(version.changes) + str(list(AuditEntry.objects.values("before", "after")))
    assert id_number not in everything and "13577778888" not in everything


@pytest.mark.django_db
def test_key_person_with_bad_id_is_refused(people, jinan_entity):
    before = stored()
    with pytest.raises(DomainError) as refused:
        services.key_person_add(actor=people["owner"], entity=jinan_entity, data={
            "name": "钱学敏", "role": "技术负责人", "id_number": "370102198503150010"})
    assert refused.value.errors == {"id_number": ["身份证号码校验位错误"]}
    assert stored() == before


@pytest.mark.django_db
def test_bank_account_number_is_unique_per_entity(people, jinan_entity):
    BankAccountFactory(entity=jinan_entity, account_number="6222000011112222")
    before = stored()
    with pytest.raises(DomainError) as refused:
        services.bank_account_add(actor=people["owner"], entity=jinan_entity, data={
            "bank_name": "齐鲁银行", "account_name": jinan_entity.name, "account_number": "6222 0000 1111 2222"})
    assert refused.value.errors == {"account_number": ["该银行账号已登记"]}
    assert stored() == before


@pytest.mark.django_db
def test_removing_another_entitys_row_is_refused(people, jinan_entity):
    foreign = QualificationFactory()
    before = stored()
    with pytest.raises(DomainError):
        services.qualification_remove(actor=people["owner"], entity=jinan_entity, qualification_id=foreign.pk)
    assert stored() == before


@pytest.mark.django_db
def test_account_link_by_staff_and_refusals(people, jinan_entity, make_user):
    # given a bidder with no entity yet
    bidder = people["bidder_without_entity"]
    # when Qingdao staff try to link it, then refused
    with pytest.raises(NotAllowed):
        services.entity_account_link(actor=people["qingdao_staff"], entity=jinan_entity, user=bidder)
    # when Jinan staff link it, then it acts for the entity, twice is harmless
    services.entity_account_link(actor=people["jinan_staff"], entity=jinan_entity, user=bidder)
    services.entity_account_link(actor=people["jinan_staff"], entity=jinan_entity, user=bidder)
    assert jinan_entity.accounts.filter(user=bidder).count() == 1
    # and an expert or a user of another entity cannot be linked
    with pytest.raises(DomainError):
        services.entity_account_link(actor=None, entity=jinan_entity, user=people["expert"])
    with pytest.raises(DomainError):
        services.entity_account_link(actor=None, entity=jinan_entity, user=people["other_entity_user"])


def test_region_lookup_only_takes_cities_and_counties(db):
    from ggzy.registry.entity_input import region_lookup

    errors = {}
    assert region_lookup("370102", errors).name == "历下区"
    assert region_lookup(Region.objects.get(code="370000"), errors) is None
    assert errors == {"region": "所在地区无效（请选择市或县区）"}
