"""Browser: a bidder signs in with an ECDSA certificate whose private key is in a file (WebCrypto, no upload), or
with an SM2 one (SM2/SM3 computed in the page by pki/sm2.js)."""

import os

import pytest
from playwright.sync_api import expect

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.registry.models import MarketEntityAccount
from ggzy.registry.tests.factories import MarketEntityFactory

ECDSA_FIRM = "青岛海晟招标代理有限公司/sign"
SM2_FIRM = "山东鲁建工程集团有限公司/sign"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bidder_logs_in_with_certificate_and_key_files(live_server, frozen_clock, make_user, trust_store, browser,
                                                       tmp_path):
    # given a firm's ECDSA signing certificate and key in files, and a bidder account linked to the firm
    issued = trust_store.users[ECDSA_FIRM]
    entity = MarketEntityFactory(credit_code=issued.credit_code, name="青岛海晟招标代理有限公司")
    user = make_user(Role.BIDDER, username="haisheng")
    MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
    cert_file, key_file = tmp_path / "sign.pem", tmp_path / "sign.key"
    cert_file.write_bytes(issued.pem)
    key_file.write_bytes(issued.private_key_pem())
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    # when the user opens the certificate login page, picks both files and submits
    page.goto(f"{live_server.url}/accounts/login/certificate/")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    assert "SM2" in page.inner_text(".cert-sm2-note")
    page.set_input_files("#cert-file", str(cert_file))
    page.set_input_files("#key-file", str(key_file))
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path="var/screenshots/certificate_login.png", full_page=True)
    page.click("#cert-login-submit")
    page.wait_for_url(f"{live_server.url}/")
    # then the bidder is signed in
    page.goto(f"{live_server.url}/accounts/me/")
    assert "haisheng" in page.inner_text("main")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bidder_logs_in_with_an_sm2_certificate_in_the_browser(live_server, frozen_clock, make_user, trust_store,
                                                               browser, tmp_path):
    # given a firm's SM2 signing certificate and its key file (SEC 1, as `ggzy pki demo` writes), a linked bidder,
    # and another SM2 key file
    issued = trust_store.users[SM2_FIRM]
    entity = MarketEntityFactory(credit_code=issued.credit_code, name="山东鲁建工程集团有限公司")
    user = make_user(Role.BIDDER, username="lujian")
    MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
    cert_file, key_file, other_key = tmp_path / "sign.pem", tmp_path / "sign.key", tmp_path / "other.key"
    cert_file.write_bytes(issued.pem)
    key_file.write_bytes(issued.private_key_pem())
    other_key.write_bytes(trust_store.users["王建国/sign"].private_key_pem())
    assert key_file.read_text().startswith("-----BEGIN EC PRIVATE KEY-----")
    page = browser.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/certificate/")
    # when the user first picks the other SM2 key
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#cert-file", str(cert_file))
    page.set_input_files("#key-file", str(other_key))
    page.click("#cert-login-submit")
    # then the page refuses before anything is sent (SM2 computed in the page, checked against the certificate)
    expect(page.locator("#cert-client-error")).to_contain_text("私钥文件与证书文件不匹配")
    assert "/accounts/login/certificate/" in page.url
    # when it picks the certificate's own key
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#key-file", str(key_file))
    page.click("#cert-login-submit")
    page.wait_for_url(f"{live_server.url}/")
    # then the page's SM2 signature over the challenge signs the bidder in
    page.goto(f"{live_server.url}/accounts/me/")
    assert "lujian" in page.inner_text("main")
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("person", ["李海燕", "王建国"], ids=["ecdsa", "sm2"])
def test_expert_binds_a_person_certificate_in_the_page_then_signs_in_with_it(live_server, frozen_clock, make_user,
                                                                          trust_store, browser, tmp_path, person):
    # given an expert with a password, and a person certificate (ECDSA or SM2) whose key is in a file
    issued = trust_store.users[f"{person}/sign"]
    make_user(Role.EXPERT, username="expert-li", display_name=person)
    cert_file, key_file = tmp_path / "sign.pem", tmp_path / "sign.key"
    cert_file.write_bytes(issued.pem)
    key_file.write_bytes(issued.private_key_pem())
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    # before the binding, the certificate signs in as nobody
    page.goto(f"{live_server.url}/accounts/login/certificate/")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#cert-file", str(cert_file))
    page.set_input_files("#key-file", str(key_file))
    page.click("#cert-login-submit")
    expect(page.locator("#cert-refusal")).to_contain_text("尚未绑定")
    # when the expert signs in with the password and binds the certificate on 我的证书 (the page signs a challenge)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "expert-li")
    page.fill("input[name=password]", "pass-1234-ok")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/pki/my-certificates/")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#cert-file", str(cert_file))
    page.set_input_files("#key-file", str(key_file))
    page.click("#cert-login-submit")
    expect(page.locator("#my-certificates")).to_contain_text("本人签名验证")
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path=f"var/screenshots/my_certificates-{issued.algorithm}.png", full_page=True)
    # then, signed out, the certificate signs in as the expert
    if page.locator(".nav-toggle").is_visible():  # below 1300 px the menu is folded behind its button
        page.locator(".nav-toggle").click()
    page.locator("header form button", has_text="退出").click()
    page.goto(f"{live_server.url}/accounts/login/certificate/")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#cert-file", str(cert_file))
    page.set_input_files("#key-file", str(key_file))
    page.click("#cert-login-submit")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/me/")
    assert "expert-li" in page.inner_text("main")
    context.close()
