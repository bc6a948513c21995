"""The entity page's control relationships: hidden from the public, recorded and ended by staff on the page."""

from __future__ import annotations

from ggzy.registry.models import EntityControl

from .factories import MarketEntityFactory


def _page(client, user, entity):
    if user is not None:
        client.force_login(user)
    return client.get(f"/registry/entities/{entity.credit_code}/")


def test_the_public_sees_no_control_section(client, people, jinan_entity):
    EntityControl.objects.create(controlled=jinan_entity, controller_person_name="王五", controller_person_hash="x" * 64,
                                 controller_person_id_tail="1234", kind="actual_controller", source="staff",
                                 valid_from="2025-01-01", recorded_at="2025-01-01T00:00:00Z")
    body = _page(client, None, jinan_entity).content.decode()
    assert 'id="controls"' not in body and "王五" not in body


def test_staff_record_and_end_on_the_page(client, people, jinan_entity):
    # given staff of the entity's center on its page
    parent = MarketEntityFactory()
    assert 'id="control-add"' in _page(client, people["jinan_staff"], jinan_entity).content.decode()
    # when they record a 60% shareholding, then a bad one
    url = f"/registry/entities/{jinan_entity.credit_code}/controls/add/"
    ok = client.post(url, {"controller_credit_code": parent.credit_code, "kind": "shareholding", "share_percent": "60",
                           "source": "business_registration", "valid_from": "2025-01-01"}, follow=True)
    bad = client.post(url, {"controller_credit_code": parent.credit_code, "kind": "shareholding",
                            "share_percent": "1e400", "valid_from": "2025-01-01"}, follow=True)
    # then the first is listed, the second refused in Chinese and not stored
    control = EntityControl.objects.get()
    assert control.source == "business_registration" and parent.name in ok.content.decode()
    assert "持股比例" in bad.content.decode() and EntityControl.objects.count() == 1
    # when staff end it
    client.post(f"/registry/entities/{jinan_entity.credit_code}/controls/{control.pk}/end/",
                {"valid_until": "2025-06-30"})
    # then
    control.refresh_from_db()
    assert str(control.valid_until) == "2025-06-30"


def test_another_entity_user_cannot_post(client, people, jinan_entity):
    client.force_login(people["other_entity_user"])
    response = client.post(f"/registry/entities/{jinan_entity.credit_code}/controls/add/",
                           {"controller_credit_code": MarketEntityFactory().credit_code, "kind": "management",
                            "valid_from": "2025-01-01"})
    assert response.status_code == 403 and EntityControl.objects.count() == 0
