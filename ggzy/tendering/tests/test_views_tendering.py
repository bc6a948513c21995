"""Tendering pages: who may see and act, and denied actions change nothing."""

import pytest

from ggzy.core.models import AuditEntry
from ggzy.tendering.models import BidBond, Lot, SignUp

from .conftest import lot_ready

pytestmark = pytest.mark.django_db


def test_public_lot_page_and_list(client, world, django_assert_max_num_queries):
    lot = lot_ready(world)
    with django_assert_max_num_queries(12):
        page = client.get(f"/tendering/lots/{lot.pk}/")
    assert page.status_code == 200 and lot.name in page.content.decode()
    with django_assert_max_num_queries(5):
        assert lot.code in client.get("/tendering/lots/").content.decode()


def test_draft_lot_is_hidden_from_the_public(client, world):
    lot = lot_ready(world)
    draft = Lot.objects.create(project=lot.project, code=lot.code + "7", tender_code=lot.tender_code, name="草稿",
                               estimated_price=1)
    assert client.get(f"/tendering/lots/{draft.pk}/").status_code == 404
    client.force_login(world.tenderer)
    assert client.get(f"/tendering/lots/{draft.pk}/").status_code == 200


def test_workspace_needs_login(client):
    assert client.get("/tendering/").status_code == 302


@pytest.mark.parametrize("who", ["bidder", "staff", "tenderer", "expert"])
def test_workspace_for_each_role(client, world, who):
    lot = lot_ready(world)
    user = {"bidder": world.bidders[0], "staff": world.staff, "tenderer": world.tenderer,
            "expert": world.experts[0]}[who]
    client.force_login(user)
    page = client.get("/tendering/")
    assert page.status_code == 200
    if who in ("bidder", "staff", "tenderer"):
        assert lot.project.title in page.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "tenderer", "other_center_staff"])
def test_denied_actions_change_nothing(client, world, who):
    lot = lot_ready(world)
    user = {"anonymous": None, "tenderer": world.tenderer, "other_center_staff": world.other_staff}[who]
    if user:
        client.force_login(user)
    before = AuditEntry.objects.count()
    response = client.post(f"/tendering/lots/{lot.pk}/act/signup/")
    assert response.status_code in (302, 403)
    if who == "anonymous":
        assert "/accounts/login/" in response.url
    assert SignUp.objects.count() == 0 and AuditEntry.objects.count() == before


def test_bidder_signs_up_through_the_page(client, world):
    lot = lot_ready(world)
    client.force_login(world.bidders[0])
    response = client.post(f"/tendering/lots/{lot.pk}/act/signup/", follow=True)
    assert "报名成功" in response.content.decode()
    assert SignUp.objects.count() == 1


def test_an_error_is_shown_in_chinese_and_changes_nothing(client, world):
    lot = lot_ready(world)
    client.force_login(world.bidders[0])
    client.post(f"/tendering/lots/{lot.pk}/act/signup/")
    response = client.post(f"/tendering/lots/{lot.pk}/act/guarantee/", {"guarantee_number": "BH-0001"}, follow=True)
    assert "保函编号 BH-0001 未找到" in response.content.decode()
    assert BidBond.objects.get().guarantee_id is None


def test_unknown_action_is_404(client, world):
    lot = lot_ready(world)
    client.force_login(world.staff)
    assert client.post(f"/tendering/lots/{lot.pk}/act/nope/").status_code == 404


def test_project_register_page(client, world):
    client.force_login(world.tenderer)
    assert client.get("/tendering/projects/new/").status_code == 200
    response = client.post("/tendering/projects/new/", {"title": "", "method": "works_open_tender",
                                                        "center": "370100", "region": "370112",
                                                        "estimated_price": "100", "lot_name": "一标段"}, follow=True)
    assert "项目名称不能为空" in response.content.decode()
    client.force_login(world.bidders[0])
    assert client.get("/tendering/projects/new/").status_code == 403


def test_committee_form_takes_each_experts_seat(client, world):
    import datetime as dt

    from ggzy.core import clock
    from ggzy.tendering.models import CommitteeMember
    from ggzy.tendering.services import opening

    from .test_services_flow import PRICES, _bid

    # given a lot in evaluation
    lot = lot_ready(world)
    for i, price in enumerate(PRICES):
        _bid(world, lot, i, price)
    clock.advance(dt.timedelta(days=22))
    opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    opening.opening_close(actor=world.staff, lot=lot)
    # when the center picks five experts, marking two as economic experts
    experts = world.experts[:5]
    data = {"experts": [e.username for e in experts], "reason": "技术复杂，随机抽取的专家难以胜任",
            f"seat_{experts[3].username}": "expert_economic", f"seat_{experts[4].username}": "expert_economic"}
    client.force_login(world.staff)
    client.post(f"/tendering/lots/{lot.pk}/act/committee/", data)
    # then the seats are as chosen and the first chosen chairs
    seats = dict(CommitteeMember.objects.filter(lot=lot).values_list("user__username", "seat"))
    assert list(seats.values()).count("expert_economic") == 2
    assert seats[experts[0].username] == "expert_technical"
    assert CommitteeMember.objects.get(lot=lot, is_chair=True).user == experts[0]
