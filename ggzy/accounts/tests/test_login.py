"""Password sign-in: one step with the TOTP code for staff, each code once, and one answer for every refusal."""

import datetime as dt
import re

import pyotp
import pytest

from ggzy.accounts.models import LoginAttempt
from ggzy.accounts.roles import Role
from ggzy.accounts.services import LOGIN_REFUSED, login_authenticate
from ggzy.core.errors import DomainError


@pytest.mark.django_db
def test_bidder_logs_in_with_password_only(client, make_user):
    make_user(Role.BIDDER, username="firm1")
    response = client.post("/accounts/login/", {"username": "firm1", "password": "pass-1234-ok"})
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


def _code(user, clock_module) -> str:
    return pyotp.TOTP(user.totp_secret).at(clock_module.now())


@pytest.mark.django_db
def test_staff_signs_in_with_password_and_totp_code_in_one_step(client, make_user, centers, frozen_clock):
    # given a staff user
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"], username="staff1")
    # when the password and the current code are posted together
    response = client.post("/accounts/login/", {"username": "staff1", "password": "pass-1234-ok",
                                                "code": _code(staff, frozen_clock), "next": "/accounts/me/"})
    # then the user is signed in at once
    assert response.status_code == 302 and response.url == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    assert LoginAttempt.objects.filter(username="staff1", succeeded=True).count() == 1


@pytest.mark.django_db
def test_a_totp_code_works_only_once(client, make_user, centers, frozen_clock):
    # given a staff user who has signed in with a code
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"], username="staff2")
    form = {"username": "staff2", "password": "pass-1234-ok", "code": _code(staff, frozen_clock)}
    assert client.post("/accounts/login/", form).status_code == 302
    client.post("/accounts/logout/")
    # when the same code is given again, within its 30 seconds
    frozen_clock.advance(dt.timedelta(seconds=5))
    again = client.post("/accounts/login/", form)
    # then it is refused and nobody is signed in
    assert again.status_code == 200 and LOGIN_REFUSED in again.content.decode()
    assert client.get("/accounts/me/").status_code == 302
    # and the next step's code works
    frozen_clock.advance(dt.timedelta(seconds=30))
    assert client.post("/accounts/login/", {**form, "code": _code(staff, frozen_clock)}).status_code == 302


def test_a_totp_code_is_accepted_once_by_the_service(make_user, centers, frozen_clock):
    # given a staff user and the current code
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    code = _code(staff, frozen_clock)
    login = {"request": None, "username": staff.username, "password": "pass-1234-ok", "totp": code,
             "address": "198.51.100.7"}
    # when it is used, then used again
    assert login_authenticate(**login).pk == staff.pk
    with pytest.raises(DomainError) as second:
        login_authenticate(**login)
    # then the second use is refused like a wrong password, and the user remembers the step
    assert second.value.message == LOGIN_REFUSED
    staff.refresh_from_db()
    assert staff.totp_last_step == pyotp.TOTP(staff.totp_secret).timecode(frozen_clock.now())


def _normalised(response) -> str:
    """The page without what differs at every render: CSRF tokens (masked afresh) and script nonces."""
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": |nonce=)"[^"]+"', r"\1", response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "000000", "used"], ids=["no-code", "wrong-code", "used-code"])
def test_right_password_without_the_right_code_reads_like_a_wrong_password(client, make_user, centers,
                                                                            frozen_clock, code):
    # given a staff user (and, for one case, a code already used)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"], username="staff3")
    if code == "used":
        code = _code(staff, frozen_clock)
        login_authenticate(request=None, username="staff3", password="pass-1234-ok", totp=code, address=None)
    client.get("/accounts/login/")  # the CSRF cookie, so that neither answer below is the one that sets it
    # when the right password is posted with that code, and a wrong password with the same code
    right = client.post("/accounts/login/", {"username": "staff3", "password": "pass-1234-ok", "code": code})
    wrong = client.post("/accounts/login/", {"username": "staff3", "password": "wrong-pass-99", "code": code})
    # then both answers are the same page, status and message, and neither signs in or leaves a pending step
    assert right.status_code == wrong.status_code == 200
    assert LOGIN_REFUSED in right.content.decode()
    assert _normalised(right) == _normalised(wrong)
    assert sorted(right.cookies) == sorted(wrong.cookies)
    assert client.get("/accounts/me/").status_code == 302
    assert dict(client.session) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("code", [None, "000000"], ids=["no-code", "wrong-code"])
def test_api_right_password_without_the_right_code_reads_like_a_wrong_password(client, make_user, centers,
                                                                                frozen_clock, code):
    # given a staff user
    make_user(Role.CENTER_STAFF, center=centers["qingdao"], username="qd1")
    body = {"username": "qd1", "totp": code}
    # when the right and a wrong password are posted without the right code
    right = client.post("/api/v1/accounts/login", {**body, "password": "pass-1234-ok"},
                        content_type="application/json")
    wrong = client.post("/api/v1/accounts/login", {**body, "password": "wrong-pass-99"},
                        content_type="application/json")
    # then both answers are identical
    assert right.status_code == wrong.status_code == 400
    assert right.json() == wrong.json() == {"detail": LOGIN_REFUSED, "errors": {"__all__": [LOGIN_REFUSED]}}
    assert client.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_api_login_with_totp_for_staff(client, make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["qingdao"], username="qd")
    ok = client.post("/api/v1/accounts/login",
                     {"username": "qd", "password": "pass-1234-ok", "totp": _code(staff, frozen_clock)},
                     content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["center"] == "青岛市公共资源交易中心"
    assert client.get("/api/v1/accounts/me").json()["role"] == "center_staff"


@pytest.mark.django_db
def test_a_bidder_is_not_asked_for_a_code(client, make_user):
    make_user(Role.BIDDER, username="firm3")
    response = client.post("/api/v1/accounts/login", {"username": "firm3", "password": "pass-1234-ok"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["username"] == "firm3"


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
