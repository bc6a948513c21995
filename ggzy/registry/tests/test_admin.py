"""The admin: entity lists scoped, ID numbers masked, changes versioned through the service."""

import pytest

from ggzy.accounts.roles import Role
from ggzy.registry.models import EntityVersion

from .factories import KeyPersonFactory


@pytest.mark.django_db
def test_admin_lists_entities_and_key_persons_with_masked_ids(client, make_user, jinan_entity,
                                                             django_assert_max_num_queries):
    # given an administrator and an entity with a key person
    client.force_login(make_user(Role.ADMIN))
    person = jinan_entity.key_persons.get()
    # when the lists and the entity's page are opened
    with django_assert_max_num_queries(12):
        entities = client.get("/admin/registry/marketentity/")
    persons = client.get("/admin/registry/keyperson/").content.decode()
    change = client.get(f"/admin/registry/marketentity/{jinan_entity.pk}/change/").content.decode()
    # then the entity is listed, and the ID number appears only masked
    assert entities.status_code == 200 and jinan_entity.name in entities.content.decode()
    masked = person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert masked in persons and person.id_number not in persons
    assert masked in change and person.id_number not in change


@pytest.mark.django_db
def test_admin_change_goes_through_the_service_and_is_versioned(client, make_user, jinan_entity):
    admin_user = make_user(Role.ADMIN)
    client.force_login(admin_user)
    url = f"/admin/registry/marketentity/{jinan_entity.pk}/change/"
    form = {"name": "后台修改有限公司", "entity_type": "enterprise", "legal_representative": "张伟",
            "registered_capital": "", "established_on": "", "status": "suspended", "region": jinan_entity.region_id,
            "registered_address": jinan_entity.registered_address, "business_address": "",
            "contact_name": "李娜", "contact_phone": "13800001234", "email": "bid@example.com"}
    for prefix in ("qualifications", "key_persons", "bank_accounts", "accounts", "versions"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = EntityVersion.objects.get(entity=jinan_entity, version=2)
    assert version.changed_by == admin_user and set(version.changes) == {"name", "status"}


@pytest.mark.django_db
def test_admin_refuses_a_bad_phone_without_saving(client, make_user, jinan_entity):
    client.force_login(make_user(Role.ADMIN))
    url = f"/admin/registry/marketentity/{jinan_entity.pk}/change/"
    form = {"name": jinan_entity.name, "entity_type": "enterprise", "legal_representative": "张伟",
            "status": "active", "region": jinan_entity.region_id, "registered_address": "济南",
            "contact_name": "李娜", "contact_phone": "12", "email": ""}
    for prefix in ("qualifications", "key_persons", "bank_accounts", "accounts", "versions"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, form)
    assert response.status_code == 200 and "电话号码格式不正确" in response.content.decode()
    assert not EntityVersion.objects.filter(entity=jinan_entity, version=2).exists()


@pytest.mark.django_db
def test_staff_of_another_center_see_no_entities_in_admin(client, make_user, centers, jinan_entity):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from ggzy.registry.admin import MarketEntityAdmin

    request = RequestFactory().get("/admin/")
    request.user = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    assert MarketEntityAdmin(jinan_entity.__class__, site).get_queryset(request).count() == 0
    request.user = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    KeyPersonFactory()
    assert MarketEntityAdmin(jinan_entity.__class__, site).get_queryset(request).count() == 2
