import pytest
from django.core.management import call_command
from tests.test_phone_layout import PHONE, _sign_in

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_debug(page, live_server):
    from ggzy.tendering.models import Project
    call_command("demo_load", stdout=open("/dev/null", "w"))
    for user in ("jinan_staff", "jianguan"):
        _sign_in(page, live_server, user)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(live_server.url + "/tendering/")
        page.screenshot(path=f"/tmp/ws-{user}.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + "/tendering/?lang=en")
        page.screenshot(path=f"/tmp/ws-{user}-phone.png")
    _sign_in(page, live_server, "jinan_staff")
    page.set_viewport_size({"width": 1366, "height": 900})
    p = Project.objects.get(state="submitted")
    page.goto(live_server.url + f"/tendering/projects/{p.pk}/")
    page.screenshot(path="/tmp/accept.png", full_page=True)
