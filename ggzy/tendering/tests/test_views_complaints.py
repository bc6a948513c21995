"""The challenges and complaints pages: who may open them, a refused form changes nothing, sealed names stay
hidden, and the supervisor's list marks what is overdue (a bounded number of queries)."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.models import AuditEntry
from ggzy.tendering.models import Challenge
from ggzy.tendering.services import complaints

from .conftest import lot_ready, sign_up

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("expert", 403), ("supervisor", 403)])
def test_lot_challenges_page_refuses_other_roles(client, world, make_user, centers, who, status):
    lot = lot_ready(world)
    user = {"anonymous": None, "expert": world.experts[0],
            "supervisor": make_user(Role.SUPERVISOR, center=centers["jinan"])}[who]
    if user:
        client.force_login(user)
    assert client.get(f"/tendering/lots/{lot.pk}/challenges/").status_code == status


def test_late_objection_on_the_page_shows_the_error_and_changes_nothing(client, world):
    lot = lot_ready(world)
    clock.freeze(lot.bid_deadline - dt.timedelta(days=9))
    client.force_login(world.bidders[0])
    before = AuditEntry.objects.count()
    response = client.post(f"/tendering/lots/{lot.pk}/challenges/", {
        "action": "challenge_file", "subject": "documents", "facts": "工期不一致", "requests": "请澄清"})
    assert response.status_code == 400 and "期限已过" in response.content.decode()
    assert Challenge.objects.count() == 0 and AuditEntry.objects.count() == before


def test_tenderer_page_hides_a_sealed_complainant_in_both_languages(client, world):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    client.force_login(world.bidders[0])
    assert client.post(f"/tendering/lots/{lot.pk}/challenges/", {
        "action": "challenge_file", "subject": "documents", "facts": "工期不一致", "requests": "请澄清"}
    ).status_code == 302
    client.force_login(world.tenderer)
    zh = client.get(f"/tendering/lots/{lot.pk}/challenges/").content.decode()
    assert "身份保密（开标前提出）" in zh and world.bidder_entities[0].name not in zh
    client.cookies["django_language"] = "en"
    en = client.get(f"/tendering/lots/{lot.pk}/challenges/").content.decode()
    assert "Withheld (filed before the opening)" in en and "Objections received" in en


def test_supervisor_list_marks_overdue_and_other_center_gets_404(client, world, make_user, centers,
                                                                 django_assert_max_num_queries):
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1])
    filed = [complaints.complaint_file(actor=world.bidders[i], lot=lot, subject="other", facts="限定本地业绩",
                                       requests="请责令修改", known_on=clock.today()) for i in (0, 1)]
    jinan = make_user(Role.SUPERVISOR, center=centers["jinan"])
    client.force_login(jinan)
    clock.freeze(filed[0].acceptance_due + dt.timedelta(hours=1))
    with django_assert_max_num_queries(12):
        page = client.get("/tendering/complaints/").content.decode()
    assert page.count('data-complaint="') == 2 and "已逾期" in page
    client.force_login(make_user(Role.SUPERVISOR, center=centers["qingdao"]))
    assert client.get(f"/tendering/complaints/{filed[0].pk}/").status_code == 404
    assert 'data-complaint="' not in client.get("/tendering/complaints/").content.decode()
