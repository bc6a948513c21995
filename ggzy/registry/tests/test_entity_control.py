"""Control relationships (控制关系): who may record or end one, what is refused (in Chinese, naming the field, nothing
stored), the person's ID number kept only as a keyed hash, and the facts the lot indicators read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.registry.models import EntityControl
from ggzy.registry.selectors_control import control_facts, entity_controls_for_user
from ggzy.registry.services_control import entity_control_end, entity_control_record, person_hash

from .conftest import ALL_PEOPLE, STAFF_OVER
from .factories import MarketEntityFactory, new_id_number


def _share(controller, **over):
    return {"controller_credit_code": controller.credit_code, "kind": "shareholding", "share_percent": "60",
            "valid_from": "2025-01-01", **over}


@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_who_may_record_a_control_relationship(people, jinan_entity, who):
    # given a parent firm and one person of the permission matrix
    parent = MarketEntityFactory()
    audit_before = AuditEntry.objects.count()
    # when the person records that the parent controls the Jinan entity
    try:
        control = entity_control_record(actor=people[who] or AnonymousUser(), controlled=jinan_entity,
                                        data=_share(parent))
    except NotAllowed:
        control = None
    # then staff over the entity record (source staff), its own user declares, everyone else changes nothing
    if who in STAFF_OVER:
        assert control is not None and control.source == "staff"
    elif who == "owner":
        assert control is not None and control.source == "declared"
    else:
        assert control is None and EntityControl.objects.count() == 0
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(("over", "field", "text"), [
    ({"share_percent": "101"}, "share_percent", "持股比例超出允许范围"),
    ({"share_percent": "-1"}, "share_percent", "持股比例不能为负数"),
    ({"share_percent": "1e2"}, "share_percent", "科学计数法"),
    ({"share_percent": "NaN"}, "share_percent", "科学计数法"),
    ({"share_percent": "40"}, "share_percent", "不构成控股关系"),
    ({"share_percent": ""}, "share_percent", "请填写持股比例"),
    ({"kind": "friendship"}, "kind", "控制关系类型无效"),
    ({"valid_from": "2025-13-01"}, "valid_from", "起始日期格式不正确"),
    ({"valid_until": "2024-01-01"}, "valid_until", "终止日期不能早于起始日期"),
    ({"controller_credit_code": "91370102MA0000000X"}, "controller_credit_code", "未在本平台登记"),
], ids=["over-100", "negative", "exponent", "nan", "below-50", "missing-share", "kind", "bad-date", "until-before",
        "unknown-controller"])
def test_bad_input_is_refused_in_chinese_naming_the_field_and_nothing_is_stored(people, jinan_entity, over, field,
                                                                                 text):
    # given
    parent = MarketEntityFactory()
    audit_before = AuditEntry.objects.count()
    # when
    with pytest.raises(DomainError) as caught:
        entity_control_record(actor=people["jinan_staff"], controlled=jinan_entity, data=_share(parent, **over))
    # then
    assert any(text in m for m in caught.value.errors[field]), caught.value.errors
    assert EntityControl.objects.count() == 0 and AuditEntry.objects.count() == audit_before


def test_an_entity_cannot_control_itself_and_a_controller_is_one_party(people, jinan_entity):
    with pytest.raises(DomainError) as itself:
        entity_control_record(actor=people["jinan_staff"], controlled=jinan_entity, data=_share(jinan_entity))
    assert "本身" in itself.value.errors["controller_credit_code"][0]
    with pytest.raises(DomainError) as both:
        entity_control_record(actor=people["jinan_staff"], controlled=jinan_entity,
                              data=_share(MarketEntityFactory(), controller_person_name="王五"))
    assert "只能是一个单位或一个自然人" in both.value.errors["controller_credit_code"][0]
    assert EntityControl.objects.count() == 0


def test_a_person_controller_is_stored_as_a_keyed_hash_never_the_number(people, jinan_entity):
    # given an actual controller who is a private person
    number = new_id_number(7)
    # when staff record it
    control = entity_control_record(actor=people["jinan_staff"], controlled=jinan_entity, data={
        "controller_person_name": "王五", "controller_person_id_number": number.lower(), "kind": "actual_controller",
        "valid_from": "2025-01-01", "source": "business_registration"})
    # then neither the row nor the audit trail holds the number; the hash matches the same number however typed
    assert control.controller_person_hash == person_hash(number) and control.controller_person_id_tail == number[-4:]
    assert control.source == "business_registration"
    assert number not in str(EntityControl.objects.filter(pk=control.pk).values().get())
    assert not AuditEntry.objects.filter(after__icontains=number[:14]).exists()
    assert "controller_person_hash" not in AuditEntry.objects.filter(action="entity.control_record").get().after


def test_a_bad_id_number_is_refused(people, jinan_entity):
    with pytest.raises(DomainError) as caught:
        entity_control_record(actor=people["jinan_staff"], controlled=jinan_entity, data={
            "controller_person_name": "王五", "controller_person_id_number": "370102198503150010",
            "kind": "actual_controller", "valid_from": "2025-01-01"})
    assert "控制方身份证号" in caught.value.errors["controller_person_id_number"][0]


def test_ending_keeps_the_past_and_the_facts_follow_the_opening_day(people, jinan_entity):
    # given a parent that controlled the Jinan entity from 2025 and a sibling controlled by the same person
    parent, sibling = MarketEntityFactory(), MarketEntityFactory()
    control = entity_control_record(actor=people["owner"], controlled=jinan_entity, data=_share(parent))
    number = new_id_number(8)
    for firm in (jinan_entity, sibling):
        entity_control_record(actor=people["admin"], controlled=firm, data={
            "controller_person_name": "赵六", "controller_person_id_number": number, "kind": "actual_controller",
            "valid_from": "2025-01-01"})
    # when the declared relationship is ended by the entity itself on 2025-06-30
    entity_control_end(actor=people["owner"], control_id=control.pk, valid_until="2025-06-30")
    ids = [jinan_entity.pk, parent.pk, sibling.pk]
    before, after = (control_facts(entity_ids=ids, on_date=dt.date(2025, 6, 30)),
                     control_facts(entity_ids=ids, on_date=dt.date(2025, 7, 1)))
    # then on the last day the parent still controls; the day after it does not; the person controls both throughout
    assert before[parent.pk]["controls"] == [str(jinan_entity.pk)] and after[parent.pk]["controls"] == []
    person_key = f"person:{person_hash(number)}"
    assert [c["key"] for c in after[jinan_entity.pk]["controllers"]] == [person_key]
    assert [c["key"] for c in after[sibling.pk]["controllers"]] == [person_key]
    with pytest.raises(DomainError, match="已终止"):
        entity_control_end(actor=people["owner"], control_id=control.pk, valid_until="2025-07-01")


def test_only_staff_end_what_staff_recorded_and_the_public_sees_nothing(people, jinan_entity):
    # given a relationship recorded by staff
    control = entity_control_record(actor=people["jinan_staff"], controlled=jinan_entity,
                                     data=_share(MarketEntityFactory()))
    # when the entity's own user tries to end it
    with pytest.raises(NotAllowed):
        entity_control_end(actor=people["owner"], control_id=control.pk, valid_until="2025-07-01")
    # then it still runs; the public and another entity see none, the supervisor and the owner see it
    assert EntityControl.objects.get().valid_until is None
    for who, count in [("anonymous", 0), ("other_entity_user", 0), ("qingdao_staff", 0), ("supervisor", 1),
                       ("owner", 1)]:
        assert entity_controls_for_user(user=people[who], entity=jinan_entity).count() == count, who
