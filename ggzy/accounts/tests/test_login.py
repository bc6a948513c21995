import datetime as dt

import pyotp
import pytest

from ggzy.accounts.models import LoginAttempt
from ggzy.accounts.roles import Role


@pytest.mark.django_db
def test_bidder_logs_in_with_password_only(client, make_user):
    make_user(Role.BIDDER, username="firm1")
    response = client.post("/accounts/login/", {"username": "firm1", "password": "pass-1234-ok"})
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


@pytest.mark.django_db
def test_staff_needs_a_totp_code(client, make_user, centers, frozen_clock):
    # given a staff user
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"], username="staff1")
    # when the password is right
    response = client.post("/accounts/login/", {"username": "staff1", "password": "pass-1234-ok"})
    # then the second step is asked and the user is not yet signed in
    assert response.status_code == 302 and response.url.endswith("/accounts/login/totp/")
    assert client.get("/accounts/me/").status_code == 302
    # when a wrong code is given it is refused
    bad = client.post("/accounts/login/totp/", {"code": "000000"})
    assert "动态口令错误" in bad.content.decode()
    # when the right code is given the user is signed in
    code = pyotp.TOTP(staff.totp_secret).at(frozen_clock.now())
    ok = client.post("/accounts/login/totp/", {"code": code})
    assert ok.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


@pytest.mark.django_db
def test_a_totp_code_works_only_once(client, make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"], username="staff2")
    code = pyotp.TOTP(staff.totp_secret).at(frozen_clock.now())
    client.post("/accounts/login/", {"username": "staff2", "password": "pass-1234-ok"})
    client.post("/accounts/login/totp/", {"code": code})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "staff2", "password": "pass-1234-ok"})
    again = client.post("/accounts/login/totp/", {"code": code})
    assert "已使用" in again.content.decode()


@pytest.mark.django_db
def test_login_is_throttled_after_five_failures(client, make_user, frozen_clock):
    make_user(Role.BIDDER, username="firm2")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "firm2", "password": "wrong-password"})
    # the right password is now refused too
    response = client.post("/accounts/login/", {"username": "firm2", "password": "pass-1234-ok"})
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/accounts/me/").status_code == 302
    # after the window it works again
    frozen_clock.advance(dt.timedelta(minutes=16))
    response = client.post("/accounts/login/", {"username": "firm2", "password": "pass-1234-ok"})
    assert response.status_code == 302
    assert LoginAttempt.objects.filter(username="firm2", succeeded=False).count() == 5


@pytest.mark.django_db
def test_api_login_requires_totp_for_staff(client, make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["qingdao"], username="qd")
    no_code = client.post("/api/v1/accounts/login", {"username": "qd", "password": "pass-1234-ok"},
                          content_type="application/json")
    assert no_code.status_code == 400 and "totp" in no_code.json()["errors"]
    code = pyotp.TOTP(staff.totp_secret).at(frozen_clock.now())
    ok = client.post("/api/v1/accounts/login", {"username": "qd", "password": "pass-1234-ok", "totp": code},
                     content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["center"] == "青岛市公共资源交易中心"
    assert client.get("/api/v1/accounts/me").json()["role"] == "center_staff"


@pytest.mark.django_db
def test_anonymous_api_me_is_401(client):
    assert client.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_admin_login_goes_through_the_platform_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_staff_without_center_is_refused(db):
    from ggzy.accounts.services import user_create
    from ggzy.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        user_create(actor=None, username="x", password="pass-1234-ok", role=Role.CENTER_STAFF)
    assert "center" in err.value.errors
