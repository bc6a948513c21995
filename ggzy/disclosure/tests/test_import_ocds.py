"""Importing notices and results from other systems' OCDS (issue 17 item 3), on the real samples in
../shared/testdata/ocds: every release becomes a notice with its origin, re-import is idempotent, a bad release is
reported and leaves nothing, the fields the platform models come back in the export as the source wrote them."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.core.testing import shared_data_path
from ggzy.disclosure.models import Notice, NoticeOrigin, NoticeType
from ggzy.disclosure.selectors import notice_list_public, notice_ocds_release
from ggzy.disclosure.services_import import DUPLICATE, IMPORTED, REFUSED, notices_import_ocds
from ggzy.publication.models import Publication

pytestmark = pytest.mark.django_db

ARMENIA = "Armeps 亚美尼亚电子采购系统"
MOLDOVA = "MTender 摩尔多瓦"


def armenia_bytes() -> bytes:
    return shared_data_path("ocds", "armeps_am_2018", "release_package_6.json").read_bytes()


def armenia_releases() -> list[dict]:
    return json.loads(armenia_bytes())["releases"]


def moldova_files() -> list[Path]:
    return sorted(shared_data_path("ocds", "moldova_mtender_2017", "records").glob("*.json"))


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


def _import(staff, centers, data: bytes, source=ARMENIA):
    return notices_import_ocds(actor=staff, center=centers["jinan"], data=data, source_system=source)


def _has_named_supplier(release: dict) -> bool:
    return any(s.get("name") for a in release.get("awards") or [] for s in a.get("suppliers") or [])


# --- the real samples -----------------------------------------------------------------------------------------------

def test_armenia_release_package_imports_every_release_with_its_origin(staff, centers, frozen_clock):
    # given the Armeps release package
    releases = armenia_releases()
    # when it is imported
    report = _import(staff, centers, armenia_bytes())
    # then every release is a notice, its origin names the system, the ocid and the release id
    assert (report.imported, report.duplicates, report.refused) == (len(releases), 0, 0)
    assert Notice.objects.count() == len(releases) == NoticeOrigin.objects.count()
    assert set(NoticeOrigin.objects.values_list("source_id", flat=True)) == {f"{r['ocid']}/{r['id']}" for r in releases}
    assert set(NoticeOrigin.objects.values_list("source_system", flat=True)) == {ARMENIA}
    # planning releases are procurement intentions, cancelled tenders termination notices, awards result notices
    by_type = {t: Notice.objects.filter(notice_type=t).count() for t in NoticeType.values}
    assert by_type[NoticeType.INTENTION] == sum(1 for r in releases if "tender" not in r and "planning" in r["tag"])
    assert by_type[NoticeType.TERMINATION] == sum(1 for r in releases if (r.get("tender") or {}).get("status") == "cancelled")
    assert by_type[NoticeType.RESULT] == sum(1 for r in releases if (r.get("tender") or {}).get("status") not in (
        "cancelled", "unsuccessful") and _has_named_supplier(r))
    # works go to 工程建设, everything else to 政府采购
    works = sum(1 for r in releases if (r.get("tender") or {}).get("mainProcurementCategory") == "works")
    assert Notice.objects.filter(category_code="01").count() == works
    # AMD amounts never become a budget in yuan
    assert not Notice.objects.filter(budget__isnull=False).exists()


def test_moldova_records_import_as_their_compiled_release(staff, centers, frozen_clock):
    # given the 51 MTender records, one file each (a record without a package around it)
    files = moldova_files()
    assert files
    # when each is imported
    reports = [_import(staff, centers, path.read_bytes(), source=MOLDOVA) for path in files]
    # then each gives one notice named by its compiled release's ocid and id
    assert [(r.imported, r.refused) for r in reports] == [(1, 0)] * len(files)
    compiled = [json.loads(path.read_bytes())["compiledRelease"] for path in files]
    assert sorted(NoticeOrigin.objects.values_list("source_id", flat=True)) == sorted(
        f"{c['ocid']}/{c['id']}" for c in compiled)
    with_award = sum(1 for c in compiled if _has_named_supplier(c))
    assert Notice.objects.filter(notice_type=NoticeType.RESULT).count() == with_award


def test_record_package_and_json_lines_are_read_like_the_single_files(staff, centers, frozen_clock):
    # given the same data as a record package and as JSON Lines of releases (built here from the samples)
    records = [json.loads(path.read_bytes()) for path in moldova_files()]
    package = json.dumps({"version": "1.1", "records": records}).encode()
    lines = "\n".join(json.dumps(r) for r in armenia_releases()[:10]).encode()
    # when both are imported
    by_package = _import(staff, centers, package, source=MOLDOVA)
    by_lines = _import(staff, centers, lines)
    # then every record and every line is a notice
    assert (by_package.imported, by_lines.imported) == (len(records), 10)
    assert [row.index for row in by_lines.rows] == list(range(1, 11))


@pytest.mark.parametrize("dataset", ["armenia", "moldova"])
def test_export_gives_back_the_fields_the_platform_models(staff, centers, frozen_clock, dataset):
    # given every sample release imported
    if dataset == "armenia":
        sources = armenia_releases()
        _import(staff, centers, armenia_bytes())
    else:
        sources = [json.loads(path.read_bytes())["compiledRelease"] for path in moldova_files()]
        for path in moldova_files():
            _import(staff, centers, path.read_bytes(), source=MOLDOVA)
    # when each notice is exported as an OCDS release
    exported = {}
    for origin in NoticeOrigin.objects.select_related("notice"):
        release = notice_ocds_release(notice=origin.notice)
        exported[(release["ocid"], release["id"])] = release
    # then the modelled fields are the source's, value for value
    assert len(exported) == len(sources)
    for source in sources:
        release = exported[(source["ocid"], source["id"])]
        assert _modelled(release) == _modelled(source), source["ocid"]
        assert release["importedFrom"]["sourceSystem"] in (ARMENIA, MOLDOVA)


def _modelled(release: dict) -> dict:
    tender = release.get("tender") or {}
    return {
        "ocid": release["ocid"], "id": release["id"], "date": release["date"],
        "title": tender.get("title"), "value": tender.get("value"), "tenderPeriod": tender.get("tenderPeriod") and {
            k: v for k, v in tender["tenderPeriod"].items() if k in ("startDate", "endDate", "durationInDays")},
        "status": tender.get("status"), "buyer": (release.get("buyer") or {}).get("name"),
        # Armeps tender releases carry ``planning`` as a list (outside the schema): not modelled, not compared
        "budget": (release["planning"].get("budget") or {}).get("amount")
        if isinstance(release.get("planning"), dict) else None,
        "awards": [(a.get("id"), a.get("date"), a.get("value"), [s.get("name") for s in a.get("suppliers") or []])
                   for a in release.get("awards") or []],
    }


def test_modelled_fields_are_not_trivially_empty():
    # the round trip above compares real values: the samples do carry titles, AMD values, periods and suppliers
    releases = armenia_releases()
    assert sum(1 for r in releases if (r.get("tender") or {}).get("value", {}).get("currency") == "AMD") > 0
    assert sum(1 for r in releases if (r.get("tender") or {}).get("tenderPeriod")) > 0
    assert sum(1 for r in releases if _has_named_supplier(r)) > 0


# --- idempotence, bad records -------------------------------------------------------------------------------------

def test_reimporting_the_same_file_skips_every_release_as_a_duplicate(staff, centers, frozen_clock):
    # given the package imported once
    first = _import(staff, centers, armenia_bytes())
    notices = Notice.objects.count()
    # when it is imported again
    again = _import(staff, centers, armenia_bytes())
    # then nothing new is stored and each row points at the earlier notice
    assert again.imported == 0 and again.duplicates == len(first.rows)
    assert Notice.objects.count() == notices
    assert [row.notice_id for row in again.rows] == [row.notice_id for row in first.rows]


def test_a_newer_release_of_the_same_process_is_a_new_notice(staff, centers, frozen_clock):
    # given a tender release imported
    tender = _release(ocid="ocds-test-1", release_id="r1", tag=["tender"])
    _import(staff, centers, json.dumps({"releases": [tender]}).encode())
    # when the award release of the same ocid arrives
    award = _release(ocid="ocds-test-1", release_id="r2", tag=["award"], awards=[
        {"id": "a1", "date": "2026-02-01T00:00:00Z", "value": {"amount": 900, "currency": "CNY"},
         "suppliers": [{"id": "s1", "name": "济南某建设有限公司"}]}])
    report = _import(staff, centers, json.dumps({"releases": [award]}).encode())
    # then it is a second notice (a result notice) of the same process
    assert report.imported == 1
    assert list(NoticeOrigin.objects.filter(ocid="ocds-test-1").order_by("source_id")
                .values_list("notice__notice_type", flat=True)) == [NoticeType.PROCUREMENT, NoticeType.RESULT]


def _release(*, ocid="ocds-test-1", release_id="r1", tag=("tender",), value=None, **extra) -> dict:
    release = {"ocid": ocid, "id": release_id, "date": "2026-01-05T10:00:00+08:00", "tag": list(tag),
               "buyer": {"id": "b1", "name": "某国有企业集团"},
               "tender": {"id": "t1", "title": f"{ocid} 办公设备采购", "status": "active",
                          "mainProcurementCategory": "goods", "value": value or {"amount": 1200.5, "currency": "CNY"},
                          "tenderPeriod": {"startDate": "2026-01-05T10:00:00+08:00",
                                           "endDate": "2026-01-26T09:30:00+08:00"}}}
    release.update(extra)
    return release


HOSTILE = {
    "nan": ('"amount": 1200.5', '"amount": NaN', "tender.value.amount"),
    "infinity": ('"amount": 1200.5', '"amount": -Infinity', "tender.value.amount"),
    "1e400": ('"amount": 1200.5', '"amount": 1e400', "tender.value.amount"),
    "exponent": ('"amount": 1200.5', '"amount": 1.2005e3', "tender.value.amount"),
    "exponent text": ('"amount": 1200.5', '"amount": "1.2e3"', "tender.value.amount"),
    "huge": ('"amount": 1200.5', '"amount": ' + "9" * 5000, "tender.value.amount"),
    "over the column": ('"amount": 1200.5', '"amount": 100000000000000', "tender.value.amount"),
    "negative": ('"amount": 1200.5', '"amount": -1', "tender.value.amount"),
    "three decimals in CNY": ('"amount": 1200.5', '"amount": 1200.555', "tender.value.amount"),
    "nan elsewhere": ('"id": "t1"', '"id": "t1", "numberOfTenderers": NaN', "tender.numberOfTenderers"),
    "no ocid": ('"ocid": "ocds-bad"', '"ocid": ""', "ocid"),
    "bad date": ('"date": "2026-01-05T10:00:00+08:00"', '"date": "yesterday"', "date"),
    "title not text": ('"title": "ocds-bad', '"title": ["x"], "x": "', "tender.title"),
    "NUL in text": ('"name": "某国有企业集团"', '"name": "某\\u0000集团"', "buyer.name"),
    "lone surrogate": ('"name": "某国有企业集团"', '"name": "某\\ud800集团"', "buyer.name"),
    "lone surrogate in the ocid": ('"ocid": "ocds-bad"', '"ocid": "ocds-bad\\udc00"', "ocid"),
    "date beyond the years": ('"date": "2026-01-05T10:00:00+08:00"', '"date": "9999-12-31T23:59:59-12:00"', "date"),
    "release not an object": (None, '["ocds-bad", "办公设备采购"]', "release"),
    "value not an object": ('"value": {"amount": 1200.5, "currency": "CNY"}', '"value": [1200.5]', "tender.value"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_one_bad_release_is_reported_and_leaves_nothing(staff, centers, frozen_clock, case):
    # given three good releases and one bad one in between
    old, new, field = HOSTILE[case]
    good = [json.dumps(_release(ocid=f"ocds-good-{i}", release_id="1")) for i in range(3)]
    bad = json.dumps(_release(ocid="ocds-bad", release_id="1"), ensure_ascii=False)
    if old is None:
        bad = new
    else:
        assert old in bad
        bad = bad.replace(old, new, 1)
    data = ("{\"releases\": [" + ", ".join([good[0], bad, good[1], good[2]]) + "]}").encode()
    # when the package is imported
    report = _import(staff, centers, data)
    # then the bad one is refused by its position with the field named in Chinese, the good ones are kept
    assert [row.outcome for row in report.rows] == [IMPORTED, REFUSED, IMPORTED, IMPORTED]
    refused = report.rows[1]
    assert refused.index == 2 and refused.field == field and field in refused.reason
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.reason)
    assert Notice.objects.count() == 3 and NoticeOrigin.objects.count() == 3
    assert not NoticeOrigin.objects.filter(ocid="ocds-bad").exists()
    assert not Notice.objects.filter(title__contains="ocds-bad").exists()
    assert AuditEntry.objects.filter(action="notice.import").count() == 3


def test_a_release_refused_by_the_notice_rules_is_rolled_back_whole(staff, centers, frozen_clock, monkeypatch):
    # given the origin cannot be written after the notice was (a failure inside the release's transaction)
    from ggzy.disclosure import services_import

    real_create = NoticeOrigin.objects.create

    def failing_create(**kwargs):
        if kwargs["ocid"] == "ocds-second":
            from ggzy.core.errors import DomainError
            raise DomainError("模拟失败", field="source_id")
        return real_create(**kwargs)

    monkeypatch.setattr(services_import.NoticeOrigin.objects, "create", failing_create)
    data = json.dumps({"releases": [_release(ocid="ocds-first"), _release(ocid="ocds-second")]}).encode()
    # when imported
    report = _import(staff, centers, data)
    # then the second notice, its search entry, audit and publication are gone with it
    assert [row.outcome for row in report.rows] == [IMPORTED, REFUSED]
    assert list(Notice.objects.values_list("title", flat=True)) == ["ocds-first 办公设备采购"]
    assert Publication.objects.filter(object_type="notice").count() == 1
    assert notice_list_public(q="second").count() == 0 and notice_list_public(q="first").count() == 1


def test_cny_amount_is_the_budget_other_currencies_stay_in_the_origin(staff, centers, frozen_clock):
    # given one release in CNY and one in AMD
    data = json.dumps({"releases": [_release(ocid="ocds-cny"), _release(
        ocid="ocds-amd", value={"amount": 16000.0, "currency": "AMD"})]}).encode()
    # when imported
    _import(staff, centers, data)
    # then only the CNY amount is a budget; the AMD one is in the body as it was written
    cny = Notice.objects.get(origin__ocid="ocds-cny")
    amd = Notice.objects.get(origin__ocid="ocds-amd")
    assert str(cny.budget) == "1200.50" and amd.budget is None
    assert "金额：16000 AMD" in amd.body and "本公告导入自" in amd.body


@pytest.mark.parametrize(("data", "field"), [
    (b"{\"releases\": [", "file"), (b"\xff\xfe", "file"), (b"", "file"), (b"[1, 2", "file"),
    (b"{\"releases\": 5}", "releases"), (b"{\"hello\": 1}", "file")])
def test_a_file_that_cannot_be_read_changes_nothing(staff, centers, data, field):
    from ggzy.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        _import(staff, centers, data)
    assert field in refused.value.errors and Notice.objects.count() == 0


def test_only_center_staff_may_import(make_user, centers):
    from ggzy.core.errors import NotAllowed

    for user in (make_user(Role.BIDDER), make_user(Role.CENTER_STAFF, center=centers["qingdao"])):
        with pytest.raises(NotAllowed):
            _import(user, centers, json.dumps({"releases": [_release()]}).encode())
    assert Notice.objects.count() == 0


def test_imported_bids_stay_out_of_the_notices(staff, centers, frozen_clock):
    # given the Armeps releases that carry bids (prices and bidders the platform would keep sealed)
    releases = [r for r in armenia_releases() if r.get("bids")]
    assert releases
    _import(staff, centers, armenia_bytes())
    # then no bid price and no bidder who was not awarded appears in a notice, its origin or the search index
    awarded = {s.get("name") for r in releases for a in r.get("awards") or [] for s in a.get("suppliers") or []}
    stored = " ".join(Notice.objects.values_list("body", flat=True)) + json.dumps(
        list(NoticeOrigin.objects.values_list("data", flat=True)), ensure_ascii=False)
    bidders = {t.get("name") for r in releases for b in r["bids"].get("details") or []
               for t in b.get("tenderers") or []} - awarded - {None, ""}
    assert bidders, "the sample has bidders who were not awarded"
    for name in bidders:
        assert name not in stored
    assert "bids" not in stored and all("bids" not in (o or {}) for o in NoticeOrigin.objects.values_list(
        "data", flat=True))


# --- API, pages, command --------------------------------------------------------------------------------------------

def test_api_answers_the_report_for_a_file_and_for_a_json_body(client, staff, frozen_clock):
    client.force_login(staff)
    upload = io.BytesIO(json.dumps({"releases": [_release(ocid="ocds-api-1")]}).encode())
    upload.name = "releases.json"
    response = client.post(f"/api/v1/disclosure/imports?source_system={ARMENIA}", {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["imported"], body["rows"][0]["outcome"], body["rows"][0]["source_id"]) == (1, IMPORTED,
                                                                                            "ocds-api-1/r1")
    again = client.post(f"/api/v1/disclosure/imports?source_system={ARMENIA}",
                        json.dumps({"releases": [_release(ocid="ocds-api-1"), {"ocid": "x"}]}),
                        content_type="application/json").json()
    assert [r["outcome"] for r in again["rows"]] == [DUPLICATE, REFUSED] and again["rows"][1]["field"] == "id"


def test_api_malformed_json_is_400_naming_the_field(client, staff):
    client.force_login(staff)
    response = client.post(f"/api/v1/disclosure/imports?source_system={ARMENIA}", b"{\"releases\": [1,",
                            content_type="application/json")
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert "JSON" in response.json()["detail"]
    missing = client.post("/api/v1/disclosure/imports", b"{}", content_type="application/json")
    assert missing.status_code == 400 and "source_system" in missing.json()["errors"]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("bidder", 403), ("supervisor", 403)])
def test_api_refuses_who_is_not_staff_and_changes_nothing(client, make_user, centers, who, status):
    if who == "bidder":
        client.force_login(make_user(Role.BIDDER))
    elif who == "supervisor":
        client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    response = client.post(f"/api/v1/disclosure/imports?source_system={ARMENIA}",
                           json.dumps({"releases": [_release()]}), content_type="application/json")
    assert response.status_code == status
    assert Notice.objects.count() == 0 and not AuditEntry.objects.filter(action="notice.import").exists()


def test_api_refuses_staff_of_another_center_and_changes_nothing(client, make_user, centers):
    # given Qingdao staff naming the Jinan center
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["qingdao"]))
    response = client.post(f"/api/v1/disclosure/imports?source_system={ARMENIA}&center=370100",
                           json.dumps({"releases": [_release()]}), content_type="application/json")
    # then it is refused and nothing is stored
    assert response.status_code == 403
    assert Notice.objects.count() == 0 and not AuditEntry.objects.filter(action="notice.import").exists()


def test_staff_page_uploads_and_shows_the_report(client, staff, frozen_clock):
    client.force_login(staff)
    assert client.get("/notices/import/").status_code == 200
    upload = io.BytesIO(json.dumps({"releases": [_release(ocid="ocds-page"), {"ocid": "ocds-broken"},
                                                 {"ocid": "ocds-\udc00", "id": "1", "date": "x"}]}).encode())
    upload.name = "r.json"
    response = client.post("/notices/import/", {"source_system": "某集团阳光采购平台", "file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-report"' in page
    assert page.count("import-imported") == 1 and page.count("import-refused") == 2
    assert "ocds-page/r1" in page and "缺少发布编号" in page


def test_pages_speak_english(client, staff, frozen_clock):
    client.force_login(staff)
    _import(staff, {"jinan": staff.center}, json.dumps({"releases": [_release(ocid="ocds-en")]}).encode())
    notice = Notice.objects.get(origin__ocid="ocds-en")
    assert "Import notices from other systems" in client.get("/notices/import/?lang=en").content.decode()
    detail = client.get(f"/notices/{notice.pk}/?lang=en").content.decode()
    assert f"Source: {ARMENIA}" in detail and "Source ID" in detail


def test_page_refuses_other_roles(client, make_user):
    client.force_login(make_user(Role.BIDDER))
    assert client.get("/notices/import/").status_code == 403


def test_portal_list_and_detail_show_the_origin(client, staff, frozen_clock, django_assert_max_num_queries):
    # given an imported notice in AMD and one of the platform's own
    from .factories import notice_make

    notice_make(actor=staff, center=staff.center)
    _import(staff, {"jinan": staff.center}, json.dumps({"releases": [_release(
        ocid="ocds-shown", value={"amount": 16000.0, "currency": "AMD"})]}).encode())
    notice = Notice.objects.get(origin__ocid="ocds-shown")
    # when the list and the detail are read
    with django_assert_max_num_queries(8):
        listing = client.get("/notices/").content.decode()
    detail = client.get(f"/notices/{notice.pk}/").content.decode()
    # then both name the source system and the source id; the amount keeps its currency
    assert listing.count("来源：" + ARMENIA) == 1 and "ocds-shown/r1" in listing
    assert "来源：" + ARMENIA in detail and "ocds-shown/r1" in detail and "金额 16000 AMD" in detail
    # and the imported notice is found by the portal search like any other
    assert notice_list_public(q="办公设备").filter(pk=notice.pk).exists()


def test_management_command_imports_and_reports(centers, frozen_clock, tmp_path):
    path = tmp_path / "releases.json"
    path.write_text(json.dumps({"releases": [_release(ocid="ocds-cli"), {"ocid": "ocds-cli-bad"}]}))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_notices", str(path), "--center", "370100", "--source", ARMENIA, stdout=out, stderr=err)
    assert "已导入 1 条" in out.getvalue() and "拒绝 1 条" in out.getvalue() and "id" in err.getvalue()
    assert NoticeOrigin.objects.get().notice.center.code == "370100"
    with pytest.raises(CommandError):
        call_command("import_notices", str(path), "--center", "999999", "--source", ARMENIA)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_import_page_and_origin_fit_a_phone(page, live_server, centers):
    from ggzy.accounts.services import user_create
    from tests.test_phone_layout import OUTSIDE, PHONE, _sign_in

    # given an imported notice with a long system name and a long ocid, and a staff user
    staff = user_create(actor=None, username="import_staff", password="pass-1234-ok", role=Role.CENTER_STAFF,
                        center=centers["jinan"])
    system = "某省国有资本投资运营集团有限公司阳光采购与招标投标电子交易平台（第二版）"
    ocid = "ocds-abcdef-" + "1234567890" * 8
    release = _release(ocid=ocid, value={"amount": 1234567890.12, "currency": "AMD"})
    notices_import_ocds(actor=staff, center=centers["jinan"], data=json.dumps({"releases": [release]}).encode(),
                        source_system=system)
    notice = Notice.objects.get(origin__ocid=ocid)
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, "import_staff")
    wide = []
    for url in ("/notices/", f"/notices/{notice.pk}/", "/notices/import/"):
        for lang in ("", "?lang=en"):
            page.goto(live_server.url + url + lang)
            if url == "/notices/import/" and not lang:
                # the report table after an upload with a refused row and a long reason
                page.fill("input[name=source_system]", system)
                page.set_input_files("input[name=file]", files=[{
                    "name": "r.json", "mimeType": "application/json",
                    "buffer": json.dumps({"releases": [release, {"ocid": ocid + "-x"}]}).encode()}])
                page.click("form button[type=submit]")
                assert page.locator("#import-report").is_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            outside = page.evaluate(OUTSIDE)
            if width > PHONE["width"] or outside:
                wide.append((url + lang, width, outside))
    assert not wide, f"pages wider than 390 px: {wide}"
