"""Names per stage, on every page and endpoint of the draw: the expert sees their own at notification, the center
sees a name once that expert signed in, the public once the result is final."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from ggzy.accounts.roles import Role
from ggzy.experts import services
from ggzy.ledger.services import checkpoint_issue

from .factories import ExpertFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def drawn(frozen_clock, centers, make_user):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    witness = make_user(Role.SUPERVISOR, center=centers["jinan"])
    experts = [ExpertFactory(classifications=["A0101"], user=make_user(Role.EXPERT)) for _ in range(5)]
    request = services.draw_request_create(
        actor=staff,
        subject_code="JN-VIS-01",
        subject_title="可见性测试",
        tenderer_entity_id=None,
        needs=[("A01", 2)],
        scheduled_at=frozen_clock.now() + dt.timedelta(days=1),
        witness=witness,
    )
    checkpoint_issue()
    services.draw_run(actor=staff, request=request)
    rows = list(request.drawn.select_related("expert__user").order_by("order"))
    return {"staff": staff, "experts": experts, "request": request, "rows": rows}


def _names(experts) -> list[str]:
    return [e.name for e in experts]


def test_names_hidden_from_public_and_center_before_sign_in(drawn):
    r = drawn["request"]
    anon = Client()
    assert anon.get(f"/experts/draws/{r.pk}/published.json").status_code == 404
    assert anon.get(f"/experts/draws/{r.pk}/public/").status_code == 404
    assert anon.get(f"/experts/draws/{r.pk}/").status_code in (302, 401, 403)
    page = _client(drawn["staff"]).get(f"/experts/draws/{r.pk}/").content.decode()
    assert drawn["rows"][0].pseudonym[:12] in page
    for name in _names(drawn["experts"]):
        assert name not in page
    listing = _client(drawn["staff"]).get("/experts/draws/").content.decode()
    assert all(name not in listing for name in _names(drawn["experts"]))


def test_expert_sees_own_invitation_only(drawn):
    row, other = drawn["rows"]
    page = _client(row.expert.user).get("/experts/invitations/").content.decode()
    assert row.expert.name in page and "JN-VIS-01" in page and row.pseudonym in page
    assert other.expert.name not in page and other.pseudonym not in page
    undrawn = next(e for e in drawn["experts"] if e.pk not in {row.expert_id, other.expert_id})
    page = _client(undrawn.user).get("/experts/invitations/").content.decode()
    assert "JN-VIS-01" not in page
    # and may not answer someone else's invitation
    assert (
        _client(undrawn.user).post(f"/experts/invitations/{row.pk}/answer/", {"accept": "1"}).status_code
        == 404
    )


def test_center_sees_the_name_at_sign_in_and_public_when_final(drawn):
    r = drawn["request"]
    row, other = drawn["rows"]
    for d in drawn["rows"]:
        assert (
            _client(d.expert.user).post(f"/experts/invitations/{d.pk}/answer/", {"accept": "1"}).status_code
            == 302
        )
    staff = _client(drawn["staff"])
    wrong = staff.post(
        f"/experts/draws/{r.pk}/", {"action": "sign_in", "drawn": row.pk, "id_number": other.expert.id_number}
    )
    assert wrong.status_code == 400 and row.expert.name not in wrong.content.decode()
    ok = staff.post(
        f"/experts/draws/{r.pk}/",
        {"action": "sign_in", "drawn": row.pk, "id_number": row.expert.id_number},
        HTTP_HX_REQUEST="true",
    )
    text = ok.content.decode()
    assert ok.status_code == 200 and row.expert.name in text and other.expert.name not in text
    assert Client().get(f"/experts/draws/{r.pk}/published.json").status_code == 404
    services.draw_publish(r)
    doc = Client().get(f"/experts/draws/{r.pk}/published.json").json()
    assert set(doc["names"].values()) == {row.expert.name, other.expert.name}
    public = Client().get(f"/experts/draws/{r.pk}/public/").content.decode()
    assert row.expert.name in public and other.expert.name in public
    for e in drawn["experts"]:
        assert e.id_number not in public and e.phone not in public


def test_draw_pages_in_english_have_no_chinese_outside_data(drawn):
    from tests.test_english_mode import _data_strings, chinese_runs

    r = drawn["request"]
    row = drawn["rows"][0]
    services.draw_answer(actor=row.expert.user, drawn=row, accept=True)
    pages = [
        (drawn["staff"], "/experts/draws/"),
        (drawn["staff"], f"/experts/draws/{r.pk}/"),
        (row.expert.user, "/experts/invitations/"),
    ]
    staff = _client(drawn["staff"])
    staff.cookies["django_language"] = "en"
    bad = staff.post(
        f"/experts/draws/{r.pk}/",
        {"action": "sign_in", "drawn": row.pk, "id_number": "123"},
        HTTP_HX_REQUEST="true",
    )
    services.draw_publish(r)
    pages.append((None, f"/experts/draws/{r.pk}/public/"))
    data = _data_strings()
    left = {}
    for user, url in pages:
        client = _client(user) if user else Client()
        client.cookies["django_language"] = "en"
        response = client.get(url)
        assert response.status_code == 200, url
        runs = chinese_runs(response.content.decode(), data)
        if runs:
            left[url] = runs
    assert bad.status_code == 400 and "The ID number is malformed" in bad.content.decode()
    assert not left, left
