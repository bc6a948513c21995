"""Ledger pages: the public checkpoint list and entry page, and the supervisors' trace page."""

import pytest
from django.db import transaction

from ggzy.accounts.roles import Role
from ggzy.core.audit import audit_record
from ggzy.core.models import AuditEntry
from ggzy.ledger.localwitness import ledger_demo_witnesses
from ggzy.ledger.models import LogEntry

from .factories import append_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(frozen_clock):
    append_entries(12)
    ledger_demo_witnesses(actor=None)
    append_entries(3)
    ledger_demo_witnesses(actor=None)


def test_ledger_home_lists_checkpoints_with_cosignatures(client, log, django_assert_max_num_queries):
    # when anyone opens the ledger page
    with django_assert_max_num_queries(6):
        response = client.get("/ledger/")
    # then the latest size, the checkpoints and the witnesses who cosigned them are shown
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="tree-size">17<' in html and "山东省发展和改革委员会" in html
    assert html.count('class="tag ok"') == 4


def test_entry_page_shows_the_proof_but_not_the_actor(client, log, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/ledger/entries/5/")
    html = response.content.decode()
    assert response.status_code == 200 and "test.thing" in html and "包含证明" in html
    assert "user" not in html.split("<main")[1]  # actor labels stay off public pages
    assert bytes(LogEntry.objects.get(index=5).leaf_hash).hex() in html
    assert client.get("/ledger/entries/999/").status_code == 404


@pytest.fixture
def traced(frozen_clock, centers):
    with transaction.atomic():
        audit_record(actor=None, action="thing.create", object_type="test.thing", object_id="7",
                     center_id=centers["jinan"].pk, after={"status": "draft", "title": "济南项目"})
    with transaction.atomic():
        audit_record(actor=None, action="thing.publish", object_type="test.thing", object_id="7",
                     center_id=centers["jinan"].pk, before={"status": "draft"}, after={"status": "published"})


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", 302), ("bidder", 403), ("other-center-supervisor", "none"), ("supervisor", "rows"),
    ("center-staff", "rows"), ("provincial-staff", "rows"), ("admin", "rows"),
])
def test_trace_page_is_for_supervision_in_scope(client, traced, make_user, centers, who, expected,
                                                 django_assert_max_num_queries):
    makers = {
        "bidder": lambda: make_user(Role.BIDDER),
        "other-center-supervisor": lambda: make_user(Role.SUPERVISOR, center=centers["qingdao"]),
        "supervisor": lambda: make_user(Role.SUPERVISOR, center=centers["jinan"]),
        "center-staff": lambda: make_user(Role.CENTER_STAFF, center=centers["jinan"]),
        "provincial-staff": lambda: make_user(Role.CENTER_STAFF, center=centers["province"]),
        "admin": lambda: make_user(Role.ADMIN),
    }
    if who in makers:
        client.force_login(makers[who]())
    audits, entries = AuditEntry.objects.count(), LogEntry.objects.count()
    # when the object's history is asked for
    with django_assert_max_num_queries(12):
        response = client.get("/ledger/trace/", {"object": "test.thing:7"})
    # then only supervision roles of the object's center (or the province) see it
    if isinstance(expected, int):
        assert response.status_code == expected
    else:
        html = response.content.decode()
        assert response.status_code == 200
        assert ("thing.publish" in html) is (expected == "rows")
        if expected == "rows":
            assert html.index("thing.create") < html.index("thing.publish") and "济南项目" in html
            assert "与存证一致" in html
    # and reading wrote nothing
    assert (AuditEntry.objects.count(), LogEntry.objects.count()) == (audits, entries)


def test_trace_flags_an_audit_row_changed_after_the_fact(client, traced, make_user, centers):
    # given the audit table (which has no append-only guard) edited afterwards
    AuditEntry.objects.filter(action="thing.publish").update(after={"status": "withdrawn"})
    client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    # then the trace page shows the values no longer match the ledger's hashes
    html = client.get("/ledger/trace/", {"object": "test.thing:7"}).content.decode()
    assert "审计记录被改动" in html


def test_trace_page_explains_a_malformed_object(client, make_user, centers):
    client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    html = client.get("/ledger/trace/", {"object": "no-colon"}).content.decode()
    assert "类型:标识" in html and 'id="trace-results"' not in html
