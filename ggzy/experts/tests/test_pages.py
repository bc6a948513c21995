"""Pages per role: nothing public; staff see masked ID numbers; supervisors see pool health only; the expert sees
and edits their own record; the import page polls its progress; English mode shows no Chinese UI text."""

import pytest

from ggzy.experts.models import ExpertChangeRequest, PoolConflict
from ggzy.experts.services import pool_import_create, pool_import_run

from .factories import ExpertFactory
from .test_import_messy import MESSY, xlsx

pytestmark = pytest.mark.django_db
STAFF_PAGES = ["/experts/", "/experts/imports/", "/experts/conflicts/", "/experts/changes/"]


@pytest.fixture
def staff(make_user, centers):
    return make_user("center_staff", center=centers["jinan"])


def test_no_page_is_public_and_bidders_are_refused(client, make_user):
    expert = ExpertFactory()
    for url in [*STAFF_PAGES, f"/experts/pool/{expert.pk}/", "/experts/me/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    client.force_login(make_user("bidder"))
    for url in [*STAFF_PAGES, f"/experts/pool/{expert.pk}/", "/experts/me/"]:
        assert client.get(url).status_code == 403, url


def test_supervisor_sees_health_only(client, make_user, centers):
    client.force_login(make_user("supervisor", center=centers["jinan"]))
    assert client.get("/experts/").status_code == 200
    assert client.get("/experts/imports/").status_code == 403


def test_staff_expert_page_masks_the_id_number(client, staff, frozen_clock):
    expert = ExpertFactory(classifications=["A08"])
    client.force_login(staff)
    html = client.get(f"/experts/pool/{expert.pk}/").content.decode()
    assert (
        expert.id_number not in html and expert.id_number[:4] + "**********" + expert.id_number[-4:] in html
    )
    response = client.post(
        f"/experts/pool/{expert.pk}/",
        {
            "action": "rating",
            "subject_code": "L-9",
            "attendance": 5,
            "punctuality": 5,
            "quality": 9,
            "conduct": 5,
        },
    )
    assert "评审质量评分应为1至5的整数" in response.content.decode()
    response = client.post(
        f"/experts/pool/{expert.pk}/",
        {
            "action": "rating",
            "subject_code": "L-9",
            "attendance": 5,
            "punctuality": 5,
            "quality": 4,
            "conduct": 5,
        },
    )
    assert response.status_code == 302 and expert.ratings.count() == 1


def test_upload_runs_the_import_and_the_page_reports_rows_and_conflicts(
    client, staff, frozen_clock, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/experts/imports/",
            {"source": "济南市专家库", "file": SimpleUploadedFile("pool.xlsx", xlsx(MESSY))},
        )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "身份证号码校验位错误" in detail and "与第2行重复，未重复导入" in detail
    assert "青岛港集团" in detail and "青岛海湾建设" in detail  # side by side
    assert 'hx-trigger="every 1s"' not in detail  # finished: polling stops
    assert all(row[1] not in detail for row in MESSY)  # no ID number in the report
    progress = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-progress"' in progress and "<h1" not in progress
    conflict = PoolConflict.objects.get(field="employer_name")
    client.post(f"/experts/conflicts/{conflict.pk}/resolve/", {"take": "incoming"})
    conflict.refresh_from_db()
    assert conflict.status == "replaced"


def test_a_running_import_page_polls(client, staff, frozen_clock):
    pool_import = pool_import_create(actor=staff, source="x", file_name="a.csv", content=b"x")
    client.force_login(staff)
    assert 'hx-trigger="every 1s"' in client.get(f"/experts/imports/{pool_import.pk}/").content.decode()
    pool_import_run(pool_import.pk)


def test_expert_page_edits_and_staff_review(client, make_user, staff, frozen_clock):
    user = make_user("expert")
    expert = ExpertFactory(user=user, employer_name="甲公司", phone="13900000000")
    client.force_login(user)
    html = client.get("/experts/me/").content.decode()
    assert expert.id_number not in html
    client.post(
        "/experts/me/",
        {
            "phone": "13900000009",
            "available": "on",
            "employer_name": "乙公司",
            "title": expert.title,
            "title_level": expert.title_level,
        },
    )
    expert.refresh_from_db()
    assert expert.phone == "13900000009" and expert.employer_name == "甲公司"
    change = ExpertChangeRequest.objects.get()
    client.force_login(staff)
    assert "乙公司" in client.get("/experts/changes/").content.decode()
    client.post(f"/experts/changes/{change.pk}/decide/", {"decision": "approve"})
    expert.refresh_from_db()
    assert expert.employer_name == "乙公司"


def test_new_pages_in_english_show_no_chinese_ui_text(client, staff, make_user, frozen_clock):
    from tests.test_english_mode import _chinese_left, _data_strings

    user = make_user("expert")
    expert = ExpertFactory(user=user, classifications=["A08"])
    pool_import = pool_import_run(
        pool_import_create(actor=staff, source="济南市专家库", file_name="p.xlsx", content=xlsx(MESSY)).pk
    )
    data = _data_strings()
    client.cookies["django_language"] = "en"
    problems = []
    client.force_login(staff)
    for url in [*STAFF_PAGES, f"/experts/pool/{expert.pk}/", f"/experts/imports/{pool_import.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        problems += [(url, *p) for p in _chinese_left(response.content.decode(), data)]
    client.force_login(user)
    problems += [
        ("/experts/me/", *p) for p in _chinese_left(client.get("/experts/me/").content.decode(), data)
    ]
    assert not problems, problems
