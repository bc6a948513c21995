"""Opening-key custodians: the key made at publication, the staff pages and API, ``ggzy-bid share`` and the unlock."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.pki import der, sm, sm2x509
from ggzy.pki.models import Algorithm
from ggzy.pki.testpki import build_test_pki, demo_pki_register
from ggzy.tendering import bidclient, services
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import Bid, Custodian, CustodianShare, LotOpeningKey
from ggzy.tendering.services import client_sealed, custody, opening
from ggzy.tendering.services.bidding import IncomingFile

from .conftest import bond_arrive, lot_ready

pytestmark = pytest.mark.django_db
ALGORITHMS = [Algorithm.SM2, Algorithm.SM2, Algorithm.ECDSA, Algorithm.ECDSA]
PRICES = ["7800000.00", "7650000.50", "7990000.00", "7700000.00"]


@pytest.fixture
def built(world, tmp_path):
    entities = [(e.name, e.credit_code, a) for e, a in zip(world.bidder_entities, ALGORITHMS, strict=True)]
    pki = build_test_pki(tmp_path / "pki", now=clock.now(), entities=entities, persons=[])
    demo_pki_register(directory=pki.directory)
    return pki


@pytest.fixture
def pki(world, built):
    """The test PKI with its 5 custodians registered at Jinan's center."""
    for issued in built.custodians:
        custody.custodian_register(actor=world.staff, center=world.center, name=issued.label.split("-", 1)[1],
                                   organisation="交易中心", public_key_pem=issued.pem.decode())
    return built


def _pem(pki, i: int) -> str:
    return pki.custodians[i].pem.decode()


def _key_file(pki, i: int, tmp_path) -> str:
    path = tmp_path / f"custodian-{i}.key"
    path.write_bytes(pki.custodians[i].private_key_pem())
    return str(path)


def _submit(world, pki, lot, i):
    enc = pki.users[f"{world.bidder_entities[i].name}/encrypt"]
    key = custody.lot_opening_key_ensure(actor=world.bidders[i], lot=lot)
    manifest, sealed = bidclient.seal_bid(
        lot_id=lot.pk, certificate=enc.certificate, custodian_key=bytes(key.public_key),
        price_sheet={"total_price": PRICES[i], "duration_days": 300}, files=[("技术标.pdf", b"PLAN")],
        fingerprint={"mac": f"00:11:22:33:44:{i:02d}"})
    b = base64.b64decode
    return client_sealed.bid_submit_sealed(
        actor=world.bidders[i], lot=lot, files=[IncomingFile("sealed-0.bin", [s]) for s in sealed],
        price_sheet_sealed=b(manifest["price_sheet_sealed"]), fingerprint_sealed=b(manifest["fingerprint_sealed"]),
        names_sealed=[b(n) for n in manifest["names_sealed"]], plaintext_hashes=manifest["plaintext_hashes"],
        wrap_to_bidder=b(manifest["wrap_to_bidder"]), bidder_certificate_pem=manifest["bidder_certificate_pem"],
        wrap_to_custodians=b(manifest["wrap_to_custodians"]), algorithm=manifest["algorithm"],
        custodian_key_id=manifest["custodian_key_id"])


def _signed_up_lot(world):
    lot = lot_ready(world)
    for i, user in enumerate(world.bidders):
        services.signup_create(actor=user, lot=lot)
        bond_arrive(world, lot, i)
    return lot


def _opened_with_platform_failure(world, pki):
    """Three client-sealed bids; the lot opens; bid 0's decryption failed for a cause not the bidder's; the window
    closes (the other two, not decrypted by their bidders, are 视为撤销)."""
    lot = _signed_up_lot(world)
    for i in range(3):
        _submit(world, pki, lot, i)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[0])
    client_sealed.bid_decryption_failure_record(actor=world.staff, bid=bid, reason="解密时段平台服务中断")
    clock.advance(dt.timedelta(minutes=lot.decryption_window_minutes + 1))
    client_sealed.opening_window_close(actor=world.staff, lot=lot)
    return lot, bid


def _decrypted_shares(client, pki, lot, positions, tmp_path) -> list[str]:
    """Each custodian downloads its share file from the lot page and decrypts it with ``ggzy-bid share``."""
    shares = {s.custodian.name: s for s in CustodianShare.objects.filter(opening_key__lot=lot).select_related("custodian")}
    texts = []
    for i in positions:
        share = shares[pki.custodians[i].label.split("-", 1)[1]]
        response = client.get(f"/tendering/lots/{lot.pk}/custody/shares/{share.custodian_id}/")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        path = tmp_path / f"share-{i}.json"
        path.write_bytes(response.content)
        texts.append(bidclient.share(share_file=str(path), key=_key_file(pki, i, tmp_path)))
    return texts


# --- the key at publication -------------------------------------------------------------------------------------


def test_publication_makes_the_key_when_the_center_has_custodians(world, pki):
    # given 5 active custodians at Jinan's center
    # when a lot is published
    lot = lot_ready(world)
    # then its opening key exists, k=3 of 5, one share encrypted to each custodian, made by the publishing staff
    key = LotOpeningKey.objects.get(lot=lot)
    assert (key.threshold, key.shares.count()) == (3, 5)
    assert set(key.shares.values_list("custodian__active", flat=True)) == {True}
    entry = AuditEntry.objects.get(action="lot.opening_key_create", object_id=str(key.pk))
    assert entry.actor_id == world.staff.pk
    # and a bidder asking for the sealing key gets that same key, not a new one
    assert custody.lot_opening_key_ensure(actor=world.bidders[0], lot=lot).pk == key.pk
    assert LotOpeningKey.objects.count() == 1


def test_publication_without_enough_custodians_publishes_without_a_key(world, built):
    # given only 1 custodian
    custody.custodian_register(actor=world.staff, center=world.center, name="甲", organisation="交易中心",
                               public_key_pem=_pem(built, 0))
    # when a lot is published
    lot = lot_ready(world)
    # then it is published, with no key, and client-sealed bidding is refused with the clear message
    assert lot.state == "published" and not LotOpeningKey.objects.filter(lot=lot).exists()
    with pytest.raises(Conflict, match="不足2名"):
        custody.lot_opening_key_ensure(actor=world.bidders[0], lot=lot)
    # when a second custodian is registered later, the key is made on first need (lots published before)
    custody.custodian_register(actor=world.staff, center=world.center, name="乙", organisation="公证处",
                               public_key_pem=_pem(built, 1))
    key = custody.lot_opening_key_ensure(actor=world.bidders[0], lot=lot)
    assert (key.threshold, key.shares.count()) == (2, 2)


# --- custodian management ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("bidder", 403), ("tenderer", 403), ("staff", 200)])
def test_custodian_page_is_for_staff_only(client, world, pki, who, status):
    user = {"anonymous": None, "bidder": world.bidders[0], "tenderer": world.tenderer, "staff": world.staff}[who]
    if user is not None:
        client.force_login(user)
    response = client.get("/tendering/custodians/")
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "省公共资源交易中心" in text and "公证处" in text
        assert custody.custodian_key_fingerprint(_pem(pki, 0)) in text


def test_custodian_page_shows_another_centers_staff_only_their_own(client, world, pki, django_assert_max_num_queries):
    client.force_login(world.other_staff)
    with django_assert_max_num_queries(10):
        text = client.get("/tendering/custodians/").content.decode()
    assert "省财政厅" not in text and "尚未登记保管人" in text
    # naming Jinan's center does not help a city center's staff
    assert "省财政厅" not in client.get("/tendering/custodians/?center=370100").content.decode()


def test_register_a_custodian_by_pasting_or_uploading(client, world, built):
    client.force_login(world.staff)
    # when a certificate is pasted
    response = client.post("/tendering/custodians/", {"name": "张三", "organisation": "省财政厅",
                                                      "public_key_pem": _pem(built, 0)})
    assert response.status_code == 302
    # and a SubjectPublicKeyInfo is uploaded
    point = sm2x509.sm2_public_key_of(built.custodians[1].certificate)
    pem = _spki_pem(point)
    response = client.post("/tendering/custodians/", {
        "name": "李四", "organisation": "公证处", "public_key_file": SimpleUploadedFile("k.pem", pem.encode())})
    assert response.status_code == 302
    # then both are registered and active, with an audit entry each
    rows = list(Custodian.objects.filter(center=world.center).values_list("name", "organisation", "active"))
    assert rows == [("张三", "省财政厅", True), ("李四", "公证处", True)]
    assert AuditEntry.objects.filter(action="custodian.register").count() == 2


def _spki_pem(point: bytes) -> str:
    body = der.sequence(der.sequence(der.oid("1.2.840.10045.2.1"), der.oid(sm.SM2_CURVE_OID)), der.bit_string(point))
    text = base64.b64encode(body).decode()
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(text[i:i + 64] for i in range(0, len(text), 64)) + \
        "\n-----END PUBLIC KEY-----\n"


@pytest.mark.parametrize("case,data,field,message", [
    ("no name", {"name": "", "organisation": "公证处", "public_key_pem": "CERT"}, "name", "请填写保管人姓名"),
    ("no organisation", {"name": "王五", "organisation": " ", "public_key_pem": "CERT"}, "organisation",
     "请填写保管人所在单位"),
    ("no key", {"name": "王五", "organisation": "公证处", "public_key_pem": ""}, "public_key_pem", "请粘贴或上传"),
    ("garbage key", {"name": "王五", "organisation": "公证处", "public_key_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n"
                     "-----END CERTIFICATE-----"}, "public_key_pem", "保管人公钥无法识别"),
    ("ECDSA certificate", {"name": "王五", "organisation": "公证处", "public_key_pem": "ECDSA"}, "public_key_pem",
     "保管人公钥无法识别"),
    ("already registered", {"name": "王五", "organisation": "公证处", "public_key_pem": "DUPLICATE"}, "public_key_pem",
     "已登记为本中心的保管人"),
])
def test_bad_registration_shows_the_error_next_to_the_field_and_changes_nothing(client, world, pki, case, data,
                                                                                field, message):
    # given the 5 registered custodians
    client.force_login(world.staff)
    placeholders = {"CERT": _pem(pki, 0), "DUPLICATE": _pem(pki, 2),
                    "ECDSA": pki.users[f"{world.bidder_entities[2].name}/encrypt"].pem.decode()}
    data = {**data, "public_key_pem": placeholders.get(data["public_key_pem"], data["public_key_pem"])}
    before = (Custodian.objects.count(), AuditEntry.objects.count())
    # when the form is posted
    response = client.post("/tendering/custodians/", data)
    # then 400, the Chinese message beside the field, nothing written
    assert response.status_code == 400
    text = response.content.decode()
    assert f'data-field="{field}"' in text and message in text
    assert (Custodian.objects.count(), AuditEntry.objects.count()) == before


def test_deactivate_and_reactivate_keep_existing_shares(client, world, pki):
    # given a lot published with all 5 custodians
    lot = lot_ready(world)
    custodian = Custodian.objects.get(name="公证处")
    shares_before = list(CustodianShare.objects.filter(custodian=custodian).values_list("pk", "share_sealed"))
    client.force_login(world.staff)
    # when staff deactivate one (htmx swaps the row)
    response = client.post(f"/tendering/custodians/{custodian.pk}/active/", {"active": "0"}, HTTP_HX_REQUEST="true")
    # then the row says 已离任, the existing share is untouched and the next lot's key leaves them out
    assert response.status_code == 200 and "已离任" in response.content.decode()
    custodian.refresh_from_db()
    assert custodian.active is False
    assert list(CustodianShare.objects.filter(custodian=custodian).values_list("pk", "share_sealed")) == shares_before
    assert LotOpeningKey.objects.get(lot=lot).shares.count() == 5
    second = lot_ready(world)
    assert LotOpeningKey.objects.get(lot=second).shares.count() == 4
    assert not CustodianShare.objects.filter(opening_key__lot=second, custodian=custodian).exists()
    # deactivating twice is refused and writes nothing
    count = AuditEntry.objects.filter(action__startswith="custodian.").count()
    with pytest.raises(Conflict):
        custody.custodian_deactivate(actor=world.staff, custodian=custodian)
    assert AuditEntry.objects.filter(action__startswith="custodian.").count() == count
    # when reactivated (plain form post), they are back in office
    assert client.post(f"/tendering/custodians/{custodian.pk}/active/", {"active": "1"}).status_code == 302
    custodian.refresh_from_db()
    assert custodian.active is True
    assert list(AuditEntry.objects.filter(object_id=str(custodian.pk), action__in=[
        "custodian.deactivate", "custodian.reactivate"]).values_list("action", flat=True).order_by("id")) == [
        "custodian.deactivate", "custodian.reactivate"]


def test_another_centers_staff_may_not_touch_a_custodian(client, world, pki):
    custodian = Custodian.objects.first()
    with pytest.raises(NotAllowed):
        custody.custodian_deactivate(actor=world.other_staff, custodian=custodian)
    with pytest.raises(NotAllowed):
        custody.custodian_register(actor=world.bidders[0], center=world.center, name="x", organisation="y",
                                   public_key_pem=_pem(pki, 0))
    client.force_login(world.other_staff)
    assert client.post(f"/tendering/custodians/{custodian.pk}/active/", {"active": "0"}).status_code == 404
    custodian.refresh_from_db()
    assert custodian.active is True
    assert not AuditEntry.objects.filter(action="custodian.deactivate").exists()


# --- the lot's custody page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("bidder", 403), ("tenderer", 403),
                                        ("other_staff", 404), ("staff", 200)])
def test_lot_custody_page_is_for_the_lots_center_only(client, world, pki, who, status):
    lot = _signed_up_lot(world)
    user = {"anonymous": None, "bidder": world.bidders[0], "tenderer": world.tenderer, "staff": world.staff,
            "other_staff": world.other_staff}[who]
    if user is not None:
        client.force_login(user)
    assert client.get(f"/tendering/lots/{lot.pk}/custody/").status_code == status
    share = CustodianShare.objects.filter(opening_key__lot=lot).first()
    download = client.get(f"/tendering/lots/{lot.pk}/custody/shares/{share.custodian_id}/")
    assert download.status_code == status
    if status != 200:
        assert b"share_sealed" not in download.content


def test_lot_custody_page_shows_no_bid_or_bidder_before_the_opening(client, world, pki,
                                                                    django_assert_max_num_queries):
    # given three client-sealed bids on a published lot
    lot = _signed_up_lot(world)
    for i in range(3):
        _submit(world, pki, lot, i)
    client.force_login(world.staff)
    # when staff open the custody page before the opening
    with django_assert_max_num_queries(15):
        text = client.get(f"/tendering/lots/{lot.pk}/custody/").content.decode()
    # then the key and its 5 shares are shown, and nothing about bids or bidders
    key = LotOpeningKey.objects.get(lot=lot)
    assert key.key_id in text and "任 3 份（共 5 份）" in text and text.count("data-share=") == 5
    assert "custody-bids" not in text and "data-bid=" not in text
    assert not any(e.name in text for e in world.bidder_entities)
    # and the lot page links to it for staff, the workspace links to the custodians
    assert f"/tendering/lots/{lot.pk}/custody/" in client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert "/tendering/custodians/" in client.get("/tendering/").content.decode()


def test_lot_that_failed_for_too_few_bids_stays_sealed_on_the_custody_page(client, world, pki):
    # given two client-sealed bids: at the deadline the lot fails without opening (fewer than 3)
    lot = _signed_up_lot(world)
    for i in range(2):
        _submit(world, pki, lot, i)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    assert lot.state == "failed"
    client.force_login(world.staff)
    # then the custody page shows the key but no bid
    text = client.get(f"/tendering/lots/{lot.pk}/custody/").content.decode()
    assert "opening-key" in text and "data-bid=" not in text and "custody-bids" not in text


def test_download_share_decrypt_and_unlock(client, world, pki, tmp_path):
    # given an opened lot whose bid 0 failed to decrypt for a cause not the bidder's
    lot, bid = _opened_with_platform_failure(world, pki)
    client.force_login(world.staff)
    page = client.get(f"/tendering/lots/{lot.pk}/custody/").content.decode()
    assert "custodian-unlock" in page and world.bidder_entities[0].name in page
    # when three custodians download their share files and decrypt them offline with ggzy-bid share
    shares = _decrypted_shares(client, pki, lot, [0, 2, 4], tmp_path)
    assert all(s.startswith("ggzy-share-1:") for s in shares)
    assert AuditEntry.objects.filter(action="custodian.share_export").count() == 3
    # and staff paste them into the unlock form
    response = client.post(f"/tendering/lots/{lot.pk}/custody/unlock/", {"share": shares})
    # then the bid is opened by the custodians with its price, and the result shows it
    assert response.status_code == 200
    bid.refresh_from_db()
    assert (bid.state, bid.opened_by, str(bid.price)) == (BidState.OPENED, "custodians", PRICES[0])
    text = response.content.decode()
    assert 'data-result="opened"' in text and "¥7,800,000.00" in text
    assert AuditEntry.objects.filter(action="opening.custodian_unlock").count() == 1


def test_unlock_with_too_few_or_a_tampered_share_is_refused(client, world, pki, tmp_path):
    lot, bid = _opened_with_platform_failure(world, pki)
    client.force_login(world.staff)
    shares = _decrypted_shares(client, pki, lot, [0, 1, 3], tmp_path)
    # when only k-1 shares are pasted
    response = client.post(f"/tendering/lots/{lot.pk}/custody/unlock/", {"share": shares[:2] + [""]})
    # then refused, the bid still waits, nothing recorded
    assert response.status_code == 400 and "不足" in response.content.decode()
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED
    # when one share is tampered
    tampered = shares[:2] + [shares[2][:-2] + ("00" if not shares[2].endswith("00") else "11")]
    response = client.post(f"/tendering/lots/{lot.pk}/custody/unlock/", {"share": tampered})
    # then the error names that share and its custodian
    text = response.content.decode()
    assert response.status_code == 400 and 'id="shares-error"' in text
    assert "第4号" in text and pki.custodians[3].label.split("-", 1)[1] in text
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED
    assert not AuditEntry.objects.filter(action="opening.custodian_unlock").exists()


def test_record_failure_from_the_custody_page(client, world, pki):
    lot = _signed_up_lot(world)
    for i in range(3):
        _submit(world, pki, lot, i)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[1])
    client.force_login(world.staff)
    # an empty reason is refused beside the field
    response = client.post(f"/tendering/lots/{lot.pk}/custody/failure/", {"bid": bid.pk, "reason": ""})
    assert response.status_code == 400 and "请说明非投标人原因" in response.content.decode()
    bid.refresh_from_db()
    assert bid.failure_cause == ""
    # a reason records it
    response = client.post(f"/tendering/lots/{lot.pk}/custody/failure/", {"bid": bid.pk, "reason": "平台中断"})
    assert response.status_code == 302
    bid.refresh_from_db()
    assert (bid.failure_cause, bid.failure_reason) == ("platform", "平台中断")


# --- ggzy-bid share ---------------------------------------------------------------------------------------------


def test_ggzy_bid_share_command_and_its_refusals(client, world, pki, tmp_path, capsys):
    lot = lot_ready(world)
    share = CustodianShare.objects.filter(opening_key__lot=lot, index=2).select_related("custodian").get()
    client.force_login(world.staff)
    path = tmp_path / "share.json"
    path.write_bytes(client.get(f"/tendering/lots/{lot.pk}/custody/shares/{share.custodian_id}/").content)
    position = next(i for i, c in enumerate(pki.custodians) if c.label.endswith(share.custodian.name))
    # when the right custodian runs the command, writing to a file
    out = tmp_path / "share.txt"
    assert bidclient.main(["share", "--share-file", str(path), "--key", _key_file(pki, position, tmp_path),
                           "--out", str(out)]) == 0
    # then the file holds the share the stored commitment accepts
    text = out.read_text().strip()
    expected = sm.sm2_decrypt(pki.custodians[position].private_key, bytes(share.share_sealed)).decode()
    assert text == expected and ":2:" in text
    # another custodian's key is refused by name
    other = (position + 1) % 5
    assert bidclient.main(["share", "--share-file", str(path), "--key", _key_file(pki, other, tmp_path)]) == 1
    assert "不符" in capsys.readouterr().err
    # a damaged file is refused
    data = json.loads(path.read_text())
    data["share_sealed"] = base64.b64encode(b"\x04" + b"\x00" * 120).decode()
    path.write_text(json.dumps(data))
    with pytest.raises(bidclient.ClientError):
        bidclient.share_file_decrypt(path.read_bytes(), pki.custodians[position].private_key_pem())
    with pytest.raises(bidclient.ClientError, match="不是开标密钥分片文件"):
        bidclient.share_file_decrypt(b"{}", pki.custodians[position].private_key_pem())


# --- API --------------------------------------------------------------------------------------------------------


def test_api_custodians_list_register_deactivate(client, world, built):
    client.force_login(world.staff)
    # register
    response = client.post("/api/v1/tendering/custodians", {"name": "赵六", "organisation": "省财政厅",
                                                             "public_key_pem": _pem(built, 0)},
                           content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["active"], body["center"]) == ("赵六", True, "370100")
    # bad input: 400 naming the field, nothing written
    bad = client.post("/api/v1/tendering/custodians", {"name": "", "organisation": "x", "public_key_pem": "nope"},
                      content_type="application/json")
    assert bad.status_code == 400 and "name" in bad.json()["errors"]
    assert Custodian.objects.count() == 1
    # list and deactivate
    listed = client.get("/api/v1/tendering/custodians").json()
    assert [c["name"] for c in listed] == ["赵六"] and listed[0]["share_count"] == 0
    response = client.post(f"/api/v1/tendering/custodians/{body['id']}/deactivate")
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.post(f"/api/v1/tendering/custodians/{body['id']}/deactivate").status_code == 409
    assert client.post(f"/api/v1/tendering/custodians/{body['id']}/reactivate").json()["active"] is True


@pytest.mark.parametrize("who,status", [("bidder", 403), ("other_staff", 404)])
def test_api_custodians_refused_to_others(client, world, pki, who, status):
    custodian = Custodian.objects.first()
    client.force_login(world.bidders[0] if who == "bidder" else world.other_staff)
    assert client.post(f"/api/v1/tendering/custodians/{custodian.pk}/deactivate").status_code == status
    custodian.refresh_from_db()
    assert custodian.active is True
    listed = client.get("/api/v1/tendering/custodians")
    assert listed.status_code == 403 if who == "bidder" else listed.json() == []


def test_api_share_download(client, world, pki, tmp_path):
    lot = lot_ready(world)
    share = CustodianShare.objects.filter(opening_key__lot=lot, index=1).select_related("custodian").get()
    client.force_login(world.other_staff)
    assert client.get(f"/api/v1/tendering/lots/{lot.pk}/custodian-shares/{share.custodian_id}").status_code == 404
    client.force_login(world.bidders[0])
    assert client.get(f"/api/v1/tendering/lots/{lot.pk}/custodian-shares/{share.custodian_id}").status_code == 403
    client.force_login(world.staff)
    response = client.get(f"/api/v1/tendering/lots/{lot.pk}/custodian-shares/{share.custodian_id}")
    assert response.status_code == 200
    data = response.json()
    assert (data["format"], data["index"], data["threshold"]) == ("ggzy-custodian-share-1", 1, 3)
    position = next(i for i, c in enumerate(pki.custodians) if c.label.endswith(share.custodian.name))
    text = bidclient.share_file_decrypt(response.content, pki.custodians[position].private_key_pem())
    assert text.split(":")[3] == "1"


def test_unlock_service_refuses_shares_before_any_recorded_failure(world, pki):
    lot = _signed_up_lot(world)
    for i in range(3):
        _submit(world, pki, lot, i)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    with pytest.raises(DomainError, match="不得使用保管人密钥"):
        client_sealed.opening_custodian_unlock(actor=world.staff, lot=lot, shares=["x"])


# --- browser ----------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_staff_register_deactivate_and_unlock(live_server, world, built, browser, tmp_path):
    from .test_browser_tendering import Actor

    # given 4 custodians registered and an opened lot whose bid 0 failed for a cause not the bidder's
    for issued in built.custodians[:4]:
        custody.custodian_register(actor=world.staff, center=world.center, name=issued.label.split("-", 1)[1],
                                   organisation="交易中心", public_key_pem=issued.pem.decode())
    lot, bid = _opened_with_platform_failure(world, built)
    staff = Actor(browser, live_server, world.staff)
    page = staff.page
    # when staff reach the custodian page from the workspace and paste a bad key
    page.goto(f"{live_server.url}/tendering/")
    page.click("#custodians-link")
    page.fill("#id_name", "公证员王五")
    page.fill("#id_organisation", "济南市公证处")
    page.fill("#id_public_key_pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
    page.click("#custodian-register-button")
    # then the error is beside the key field and nothing was registered
    assert "保管人公钥无法识别" in page.inner_text("ul.errorlist[data-field=public_key_pem]")
    assert Custodian.objects.count() == 4
    page.screenshot(path=str(tmp_path / "custodians-error.png"), full_page=True)
    # when the fifth custodian's certificate is pasted
    page.fill("#id_public_key_pem", built.custodians[4].pem.decode())
    page.click("#custodian-register-button")
    page.wait_for_selector("li.msg-success")
    assert Custodian.objects.filter(name="公证员王五", active=True).exists()
    # and one custodian is deactivated in place (htmx)
    first = Custodian.objects.order_by("id").first()
    page.click(f"#custodian-{first.pk} button")
    page.wait_for_selector(f"#custodian-{first.pk} .tag.bad")
    first.refresh_from_db()
    assert first.active is False
    page.screenshot(path=str(tmp_path / "custodians.png"), full_page=True)
    # when staff go to the lot's custody page from the lot page and paste 3 decrypted shares
    client_shares = []
    for share in CustodianShare.objects.filter(opening_key__lot=lot).select_related("custodian")[:3]:
        i = next(n for n, c in enumerate(built.custodians) if c.label.endswith(share.custodian.name))
        client_shares.append(sm.sm2_decrypt(built.custodians[i].private_key, bytes(share.share_sealed)).decode())
    staff.lot(lot.pk)
    page.click("#lot-custody-link")
    for n, text in enumerate(client_shares, start=1):
        page.fill(f"#share-{n}", text)
    page.click("#unlock-button")
    page.wait_for_selector("#unlock-results")
    # then the bid is open by the custodians' path
    assert page.locator("#unlock-results [data-result=opened]").count() == 1
    bid.refresh_from_db()
    assert (bid.state, bid.opened_by) == (BidState.OPENED, "custodians")
    page.screenshot(path=str(tmp_path / "custody-lot.png"), full_page=True)
    print("screenshots:", tmp_path)
    staff.context.close()
