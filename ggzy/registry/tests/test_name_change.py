"""A change of name goes to the center's review: stored as pending, approved or refused by the entity's staff."""

import pytest

from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.registry import services, services_review
from ggzy.registry.models import EntityNameChange, EntityVersion

from .conftest import ALL_PEOPLE, STAFF_OVER, stored

NEW_NAME = "山东泰山新名建设有限公司"
URL = "/api/v1/registry/entities"


def _request(people, entity) -> EntityNameChange:
    services.entity_update(actor=people["owner"], entity=entity, data={"name": NEW_NAME})
    return EntityNameChange.objects.get(entity=entity)


@pytest.mark.django_db
def test_owner_name_change_is_pending_until_approved(people, jinan_entity, frozen_clock):
    # given the entity's name
    old_name = jinan_entity.name
    # when its own user asks for a new name along with another change
    services.entity_update(actor=people["owner"], entity=jinan_entity,
                           data={"name": NEW_NAME, "contact_name": "周敏"})
    # then the other change is saved, the name is not: it waits for review
    jinan_entity.refresh_from_db()
    assert jinan_entity.name == old_name and jinan_entity.contact_name == "周敏"
    change = EntityNameChange.objects.get(entity=jinan_entity)
    assert (change.old_name, change.new_name, change.state, change.requested_by) == (
        old_name, NEW_NAME, "pending", people["owner"])
    assert AuditEntry.objects.filter(action="entity.name_change_request").count() == 1
    assert "name" not in EntityVersion.objects.get(entity=jinan_entity, version=2).changes
    # when Jinan's staff approve it
    services_review.name_change_approve(actor=people["jinan_staff"], change=change)
    # then the entity takes the new name, in a new version
    jinan_entity.refresh_from_db()
    change.refresh_from_db()
    assert jinan_entity.name == NEW_NAME and jinan_entity.version == 3
    assert (change.state, change.decided_by) == ("approved", people["jinan_staff"])
    version = EntityVersion.objects.get(entity=jinan_entity, version=3)
    assert version.action == "name_change" and version.changes == {"name": [old_name, NEW_NAME]}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_only_staff_over_the_entity_decide(people, jinan_entity, who):
    change = _request(people, jinan_entity)
    before, old_name = stored(), jinan_entity.name
    if who in STAFF_OVER:
        services_review.name_change_approve(actor=people[who], change=change)
        jinan_entity.refresh_from_db()
        assert jinan_entity.name == NEW_NAME
        return
    for decide in (lambda: services_review.name_change_approve(actor=people[who], change=change),
                   lambda: services_review.name_change_refuse(actor=people[who], change=change, reason="不符")):
        with pytest.raises(NotAllowed):
            decide()
    jinan_entity.refresh_from_db()
    change.refresh_from_db()
    assert stored() == before and jinan_entity.name == old_name and change.state == "pending"


@pytest.mark.django_db
def test_refusal_needs_a_reason_and_keeps_the_name(people, jinan_entity):
    change = _request(people, jinan_entity)
    old_name, before = jinan_entity.name, stored()
    with pytest.raises(DomainError) as refused:
        services_review.name_change_refuse(actor=people["jinan_staff"], change=change, reason="  ")
    assert refused.value.message == "请填写不予通过的理由" and stored() == before
    services_review.name_change_refuse(actor=people["jinan_staff"], change=change, reason="与营业执照不一致")
    change.refresh_from_db()
    jinan_entity.refresh_from_db()
    assert (change.state, change.reason, jinan_entity.name) == ("refused", "与营业执照不一致", old_name)
    with pytest.raises(Conflict):
        services_review.name_change_approve(actor=people["jinan_staff"], change=change)


@pytest.mark.django_db
def test_one_pending_request_at_a_time(people, jinan_entity):
    _request(people, jinan_entity)
    services.entity_update(actor=people["owner"], entity=jinan_entity, data={"name": NEW_NAME})  # same: no-op
    before = stored()
    with pytest.raises(Conflict) as refused:
        services.entity_update(actor=people["owner"], entity=jinan_entity,
                               data={"name": "另一个名称有限公司", "contact_name": "周敏"})
    assert "已有待审核的名称变更" in refused.value.message
    assert stored() == before and EntityNameChange.objects.count() == 1


@pytest.mark.django_db
def test_name_change_through_the_api(client, people, jinan_entity):
    # the owner's PATCH leaves the name and shows the pending one
    client.force_login(people["owner"])
    body = client.patch(f"{URL}/{jinan_entity.credit_code}", {"name": NEW_NAME},
                        content_type="application/json").json()
    assert body["name"] == jinan_entity.name and body["pending_name"] == NEW_NAME
    change_id = client.get(f"{URL}/{jinan_entity.credit_code}/name-changes").json()[0]["id"]
    # the owner cannot approve it, Qingdao's staff neither
    approve = f"{URL}/{jinan_entity.credit_code}/name-changes/{change_id}/approve"
    assert client.post(approve).status_code == 403
    client.force_login(people["qingdao_staff"])
    assert client.post(approve).status_code == 403
    # Jinan's staff do
    client.force_login(people["jinan_staff"])
    response = client.post(approve)
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert client.get(f"{URL}/{jinan_entity.credit_code}").json()["name"] == NEW_NAME


@pytest.mark.django_db
def test_name_change_on_the_pages(client, people, jinan_entity):
    url = f"/registry/entities/{jinan_entity.credit_code}/"
    change = _request(people, jinan_entity)
    client.force_login(people["owner"])
    own = client.get(url).content.decode()
    assert NEW_NAME in own and "待交易中心审核，通过后生效" in own
    assert client.post(f"{url}name-changes/{change.pk}/approve/").status_code == 403
    client.force_login(people["jinan_staff"])
    assert client.post(f"{url}name-changes/{change.pk}/refuse/", {"reason": "名称与执照不符"}).status_code == 302
    change.refresh_from_db()
    assert change.state == "refused" and "名称与执照不符" in client.get(url).content.decode()
