"""Tender documents: list with kinds and versions, downloads for signed-up bidders only (verified, logged, sealed),
clarifications told to each downloader, superseded versions pointed out."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.accounts.models import Notification
from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.models import AuditEntry
from ggzy.tendering import sealing, selectors_documents, services
from ggzy.tendering.models import DocumentDownload, SignUp, TenderDocument

from .conftest import lot_ready

pytestmark = pytest.mark.django_db
V1 = b"%PDF-1.7 tender documents"  # what lot_ready uploads


def _download(user, lot, document):
    stream = services.document_download(actor=user, lot=lot, document_id=document.pk)
    return b"".join(stream.chunks)


def _amend(world, lot, *, actor=None, text="第三章技术要求修改，详见修改后的招标文件。", content=b"%PDF-1.7 v2"):
    v1 = lot.documents.get(version=1, kind="tender")
    v2 = services.lot_document_add(actor=actor or world.tenderer, lot=lot, name="招标文件（修改）.pdf",
                                   content=content, kind="amendment", supersedes_id=v1.pk)
    clarification = services.lot_clarify(actor=actor or world.tenderer, lot=lot, text=text)
    v2.refresh_from_db()
    return v1, v2, clarification


# --- service: upload, versions ----------------------------------------------------------------------------------
def test_published_lot_lists_its_document_with_hash_and_publication_time(world):
    # given / when
    lot = lot_ready(world)
    # then
    (row,) = selectors_documents.document_rows(user=None, lot=lot)
    assert row.document.sha256 == hashlib.sha256(V1).hexdigest() and row.document.size == len(V1)
    assert row.is_current and row.document.version == 1 and row.kind_label == "招标文件"
    assert row.document.published_at == lot.documents_issued_at and not row.can_download


@pytest.mark.parametrize(("name", "content", "kind", "field"), [
    pytest.param("setup.exe", b"MZ", "tender", "file", id="executable"),
    pytest.param("a.pdf", b"", "tender", "file", id="empty"),
    pytest.param(" ", b"x", "tender", "name", id="no-name"),
    pytest.param("a.pdf", b"x", "memo", "kind", id="unknown-kind"),
])
def test_bad_upload_names_the_field_and_changes_nothing(world, name, content, kind, field):
    lot = lot_ready(world)
    before = TenderDocument.objects.count()
    with pytest.raises(DomainError) as caught:
        services.lot_document_add(actor=world.tenderer, lot=lot, name=name, content=content, kind=kind)
    assert field in caught.value.errors and TenderDocument.objects.count() == before


def test_bidder_cannot_upload(world):
    lot = lot_ready(world)
    with pytest.raises(NotAllowed):
        services.lot_document_add(actor=world.bidders[0], lot=lot, name="x.pdf", content=b"x")


def test_amendment_supersedes_and_keeps_the_old_version(world):
    lot = lot_ready(world)
    # given: an amendment uploaded after publication is not published until the clarification
    v1 = lot.documents.get()
    v2 = services.lot_document_add(actor=world.staff, lot=lot, name="招标文件（修改）.pdf", content=b"%PDF v2",
                                   kind="amendment", supersedes_id=v1.pk)
    assert v2.version == 2 and v2.published_at is None
    public = selectors_documents.document_rows(user=None, lot=lot)
    assert [r.document.pk for r in public] == [v1.pk] and public[0].is_current
    # when
    clarification = services.lot_clarify(actor=world.tenderer, lot=lot, text="修改第三章")
    # then
    rows = {r.document.version: r for r in selectors_documents.document_rows(user=None, lot=lot)}
    assert not rows[1].is_current and rows[1].superseded_by_version == 2 and rows[2].is_current
    assert rows[2].document.published_at == clarification.published_at
    assert list(clarification.documents.all()) == [rows[2].document]
    # a version already superseded cannot be superseded again
    with pytest.raises(Conflict) as caught:
        services.lot_document_add(actor=world.tenderer, lot=lot, name="v3.pdf", content=b"v3", supersedes_id=v1.pk)
    assert "supersedes" in caught.value.errors


# --- service: download permission, hash, sealed log -----------------------------------------------------------
def test_download_refused_before_sign_up_with_a_chinese_reason(world, client):
    lot = lot_ready(world)
    document = lot.documents.get()
    with pytest.raises(NotAllowed) as caught:
        services.document_download(actor=world.bidders[0], lot=lot, document_id=document.pk)
    assert "报名" in caught.value.message
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed) as caught:
        services.document_download(actor=AnonymousUser(), lot=lot, document_id=document.pk)
    assert "登录" in caught.value.message
    with pytest.raises(NotAllowed):
        services.document_download(actor=world.tenderer, lot=lot, document_id=document.pk)
    assert not DocumentDownload.objects.exists()


def test_signed_up_bidder_downloads_verified_bytes_and_the_log_is_sealed(world):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    document = lot.documents.get()
    # when
    assert _download(world.bidders[0], lot, document) == V1
    _download(world.bidders[0], lot, document)
    # then: every download logged, with tags and ciphertext only
    rows = list(DocumentDownload.objects.all())
    assert len(rows) == 2 and all(r.bidder_id is None for r in rows)
    entity = world.bidder_entities[0]
    assert {r.bidder_tag for r in rows} == {sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)}
    assert all(sealing.unseal_small(lot, bytes(r.bidder_sealed)) == {"entity_id": entity.pk,
                                                                     "user_id": world.bidders[0].pk} for r in rows)
    assert not any(f.is_relation and f.related_model.__name__ in ("User", "MarketEntity") and f.name != "bidder"
                   for f in DocumentDownload._meta.get_fields())
    audit = AuditEntry.objects.filter(action="lot.document_download")
    assert audit.count() == 2 and all(a.actor_id is None and a.actor_label == "投标人（密封）" for a in audit)
    assert SignUp.objects.get().documents_downloaded_at == clock.now()
    # the bidder sees its own history; another bidder sees none
    assert len(selectors_documents.my_downloads(user=world.bidders[0], lot=lot)) == 2
    assert selectors_documents.my_downloads(user=world.bidders[1], lot=lot) == []


def test_a_tampered_file_is_refused_and_not_logged(world, settings):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    document = lot.documents.get()
    path = file_store._path(document.sha256)
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.7 tampered")
    with pytest.raises(Conflict) as caught:
        services.document_download(actor=world.bidders[0], lot=lot, document_id=document.pk)
    assert "SHA-256" in caught.value.message and not DocumentDownload.objects.exists()


def test_unpublished_document_cannot_be_downloaded(world):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    pending = services.lot_document_add(actor=world.tenderer, lot=lot, name="答疑.pdf", content=b"%PDF q", kind="answer")
    with pytest.raises(NotFound):
        services.document_download(actor=world.bidders[0], lot=lot, document_id=pending.pk)


# --- clarifications told to downloaders only -------------------------------------------------------------------
def test_clarification_notifies_downloaders_only_and_names_the_current_version(world):
    lot = lot_ready(world)
    for i in (0, 1):
        services.signup_create(actor=world.bidders[i], lot=lot)
    _download(world.bidders[0], lot, lot.documents.get())  # bidder 1 signed up but did not download
    # when: 5 days before the deadline (less than 15 days) an amendment is published
    clock.freeze(lot.bid_deadline - dt.timedelta(days=5))
    v1, v2, clarification = _amend(world, lot)
    # then
    (message,) = Notification.objects.all()
    assert message.user == world.bidders[0]
    assert "顺延至" in message.body and "v2" in message.body and "旧版本已不再有效" in message.body
    assert message.link.endswith(f"#clarification-{clarification.pk}")
    assert clarification.new_deadline > clarification.old_deadline
    # the bidder is told which version is current, on the lot page's selectors
    assert selectors_documents.my_outdated_versions(user=world.bidders[0], lot=lot) == [(v1, v2)]
    assert selectors_documents.my_unread_clarifications(user=world.bidders[0], lot=lot) == [clarification]
    assert selectors_documents.my_unread_clarifications(user=world.bidders[1], lot=lot) == []
    # downloading the current version clears the outdated notice
    _download(world.bidders[0], lot, v2)
    assert selectors_documents.my_outdated_versions(user=world.bidders[0], lot=lot) == []


def test_clarification_without_move_says_the_deadline_stands(world):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    _download(world.bidders[0], lot, lot.documents.get())
    services.lot_clarify(actor=world.tenderer, lot=lot, text="答疑：图纸以第二版为准")
    (message,) = Notification.objects.all()
    assert "投标截止时间不变" in message.body and "顺延" not in message.body


# --- API ---------------------------------------------------------------------------------------------------------
def test_api_list_download_and_history(client, world, django_assert_max_num_queries):
    lot = lot_ready(world)
    api = f"/api/v1/tendering/lots/{lot.pk}"
    document = lot.documents.get()
    _amend(world, lot)
    # anonymous: the list with hashes, no download link; the content refused with a Chinese reason
    with django_assert_max_num_queries(4):
        listed = client.get(f"{api}/documents").json()
    assert [(d["version"], d["is_current"]) for d in listed] == [(1, False), (2, True)]
    assert listed[0]["sha256"] == document.sha256 and listed[0]["download_url"] is None
    refused = client.get(f"{api}/tender-documents/{document.pk}/content")
    assert refused.status_code == 403 and "报名" in refused.json()["detail"]
    # signed up: download allowed, hash header matches the bytes
    client.force_login(world.bidders[0])
    assert client.get(f"{api}/tender-documents/{document.pk}/content").status_code == 403
    services.signup_create(actor=world.bidders[0], lot=lot)
    url = client.get(f"{api}/documents").json()[0]["download_url"]
    response = client.get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and hashlib.sha256(body).hexdigest() == response["X-Content-SHA256"]
    history = client.get(f"{api}/tender-documents/downloads").json()
    assert len(history) == 1 and history[0]["version"] == 1 and history[0]["current_version"] == 2


def test_api_upload_with_kind_and_version_and_clarify_shows_no_count(client, world):
    lot = lot_ready(world)
    api = f"/api/v1/tendering/lots/{lot.pk}"
    v1 = lot.documents.get()
    services.signup_create(actor=world.bidders[0], lot=lot)
    _download(world.bidders[0], lot, v1)
    client.force_login(world.tenderer)
    created = client.post(f"{api}/documents", {"file": SimpleUploadedFile("修改.pdf", b"%PDF v2"),
                                               "kind": "amendment", "supersedes": str(v1.pk)})
    assert created.status_code == 201 and created.json()["version"] == 2
    bad = client.post(f"{api}/documents", {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
    answer = client.post(f"{api}/clarifications", {"text": "修改第三章"}, content_type="application/json")
    assert answer.status_code == 200
    assert "notified" not in answer.content.decode() and set(answer.json()) == {"id", "old_deadline", "new_deadline",
                                                                               "documents"}


# --- pages: sealed for owner and staff; the bidder's view ------------------------------------------------------
def _normalized(text: str) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


@pytest.mark.parametrize("who", ["staff", "tenderer"])
def test_owner_and_staff_see_the_same_pages_whether_or_not_anybody_downloaded(client, world, who):
    # given: what owner/staff see before anybody signed up or downloaded
    lot = lot_ready(world)
    user = {"staff": world.staff, "tenderer": world.tenderer}[who]
    client.force_login(user)
    urls = [f"/tendering/lots/{lot.pk}/", f"/api/v1/tendering/lots/{lot.pk}/documents",
            f"/api/v1/tendering/lots/{lot.pk}"]
    before = [_normalized(client.get(url).content.decode()) for url in urls]
    # when three bidders sign up and download
    for i in (0, 1, 2):
        services.signup_create(actor=world.bidders[i], lot=lot)
        _download(world.bidders[i], lot, lot.documents.get())
        _download(world.bidders[i], lot, lot.documents.get())
    # then: byte for byte the same (no name, count or time of a download)
    after = [_normalized(client.get(url).content.decode()) for url in urls]
    assert after == before
    assert "此处不显示下载人或下载次数" in after[0]
    assert client.get(f"/api/v1/tendering/lots/{lot.pk}/tender-documents/downloads").status_code == 403


def test_bidder_page_before_and_after_sign_up_and_after_an_amendment(client, world):
    lot = lot_ready(world)
    document = lot.documents.get()
    client.force_login(world.bidders[0])
    before = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert document.sha256 in before and f"/documents/{document.pk}/download/" not in before
    refused = client.get(f"/tendering/lots/{lot.pk}/documents/{document.pk}/download/", follow=True)
    assert "请先报名" in refused.content.decode() and not DocumentDownload.objects.exists()
    services.signup_create(actor=world.bidders[0], lot=lot)
    response = client.get(f"/tendering/lots/{lot.pk}/documents/{document.pk}/download/")
    assert b"".join(response.streaming_content) == V1
    _v1, _v2, clarification = _amend(world, lot)
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert 'id="unread-clarifications"' in page and "已被 v2 取代" in page and 'id="my-downloads"' in page
    client.post(f"/tendering/lots/{lot.pk}/act/clarifications_read/")
    assert 'id="unread-clarifications"' not in client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert Notification.objects.get().read_at is not None


@pytest.mark.parametrize("who", ["bidder", "tenderer"])
def test_documents_section_in_english_has_no_chinese_outside_data(client, world, who):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    _download(world.bidders[0], lot, lot.documents.get())
    _amend(world, lot, text="Chapter 3 changed.")
    client.force_login(world.bidders[0] if who == "bidder" else world.tenderer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    section = page[page.index('id="documents"'):]
    section = section[:section.index("</section>")]
    for data in TenderDocument.objects.values_list("name", flat=True):  # file names are data
        section = section.replace(data, "")
    assert re.findall(r"[\u4e00-\u9fff]+", section) == []
    assert "Tender documents" in section and "current version" in section


def test_download_log_is_unsealed_at_the_opening_like_the_sign_ups(world):
    from ggzy.tendering.services import bidding, opening

    from .conftest import sign_up

    # given three bidders who downloaded and bid
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1, 2])
    for i in (0, 1, 2):
        _download(world.bidders[i], lot, lot.documents.get())
        bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": f"76{i}0000.00"},
                           files=[bidding.IncomingFile("技术标.pdf", [b"proposal"])])
    assert not DocumentDownload.objects.filter(bidder__isnull=False).exists()
    # when the lot opens
    clock.advance(dt.timedelta(days=21, minutes=1))
    opening.lot_open(actor=world.staff, lot=lot)
    # then each download names its bidder
    assert set(DocumentDownload.objects.values_list("bidder_id", flat=True)) == {e.pk for e in world.bidder_entities[:3]}


def test_demo_published_lot_has_an_amendment_and_its_downloader_was_told(db):
    from django.core.management import call_command

    from ggzy.accounts.models import User
    from ggzy.tendering.models import Lot

    call_command("demo_load")
    lot = Lot.objects.get(state="published", project__title__startswith="济阳区黄河生态廊道")  # the open lot (not the live one)
    rows = selectors_documents.document_rows(user=None, lot=lot)
    assert [(r.document.version, r.is_current) for r in rows if r.document.kind in ("tender", "amendment")] == [
        (1, False), (2, True)]
    assert any(r.document.kind == "attachment" for r in rows)
    bidder = User.objects.get(username="toubiao")
    assert selectors_documents.my_outdated_versions(user=bidder, lot=lot)
    assert selectors_documents.my_unread_clarifications(user=bidder, lot=lot)


# --- the bidder's workspace marks unread clarifications per lot --------------------------------------------------
def _workspace_lots(client) -> str:
    page = client.get("/tendering/").content.decode()
    start = page.index("我报名的标段")
    return page[start:page.index("</section>", start)]


def _lots_with_unread(world, n: int):
    lots = []
    for _ in range(n):
        lot = lot_ready(world)
        for i in (0, 1):
            services.signup_create(actor=world.bidders[i], lot=lot)
        _download(world.bidders[0], lot, lot.documents.get())  # bidder 1 signed up but did not download
        _amend(world, lot)
        lots.append(lot)
    return lots


def test_workspace_shows_the_bidders_own_unread_clarifications_per_lot(client, world):
    # given two lots the bidder downloaded; the first has a second clarification, the second's is read
    first, second = _lots_with_unread(world, 2)
    services.lot_clarify(actor=world.tenderer, lot=first, text="答疑：图纸以第二版为准")
    client.force_login(world.bidders[0])
    client.post(f"/tendering/lots/{second.pk}/act/clarifications_read/")
    # when / then: only the first lot is marked, with its count, linking to its documents section
    section = _workspace_lots(client)
    assert section.count('class="tag warn unread-clarifications"') == 1
    assert f'href="/tendering/lots/{first.pk}/#documents">有 2 条未读澄清/修改</a>' in section
    # a bidder that signed up but never downloaded was told nothing and sees no marker
    client.force_login(world.bidders[1])
    assert "unread-clarifications" not in _workspace_lots(client)
    # in English the marker is translated
    client.force_login(world.bidders[0])
    client.cookies["django_language"] = "en"
    page = client.get("/tendering/").content.decode()
    assert "2 unread clarifications/amendments" in page and "未读澄清" not in page


def test_workspace_unread_marker_queries_do_not_grow_with_the_lots(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _lots_with_unread(world, 1)
    client.force_login(world.bidders[0])
    client.get("/tendering/")  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        client.get("/tendering/")
    _lots_with_unread(world, 3)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/tendering/").content.decode()
    assert page.count('class="tag warn unread-clarifications"') == 4
    assert len(four.captured_queries) == len(one.captured_queries)
