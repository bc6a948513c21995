"""In Chromium: fill the one-form application, submit it, then find the entity through the public search."""

import re

import pytest

from ggzy.registry.credit_code import credit_code_make
from ggzy.registry.models import Center, Region
from ggzy.registry.personal_id import id_number_make
from ggzy.registry.regions_data import regions_load

SCREENSHOT_APPLY = "/tmp/registry-apply.png"
SCREENSHOT_LIST = "/tmp/registry-list.png"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_apply_in_the_browser_then_find_the_entity_in_public_search(page, live_server):
    from playwright.sync_api import expect

    code = credit_code_make("91370902MA3TQ7K5R")
    name = "泰安岱青浏览器测试建设有限公司"
    # given Shandong's regions (an earlier transactional test may have flushed the migration's data) and the page
    regions_load(Region, Center)
    page.goto(f"{live_server.url}/registry/apply/")
    expect(page.locator("h1")).to_have_text("主体注册（一表申请）")
    page.screenshot(path=SCREENSHOT_APPLY, full_page=True)
    # when a wrong check character is typed and the field is left, then htmx says so beside it
    page.fill("#id_credit_code", code[:17] + ("0" if code[17] != "0" else "1"))
    page.locator("#id_name").focus()
    expect(page.locator("#entity-section .check-bad")).to_have_text("统一社会信用代码校验位错误")
    # when the right code is typed, then it is accepted
    page.fill("#id_credit_code", code)
    page.locator("#id_name").focus()
    expect(page.locator("#entity-section .check-ok")).to_be_visible()
    # when the whole form is filled, with a second key person added by “添加一行”
    page.fill("#id_name", name)
    page.select_option("#id_entity_type", "enterprise")
    page.fill("#id_legal_representative", "岳青山")
    page.fill("#id_registered_capital", "30000000")
    page.select_option("#id_region", "370902")
    page.fill("#id_registered_address", "山东省泰安市泰山区岱宗大街1号")
    page.fill("#id_contact_name", "孟雪")
    page.fill("#id_contact_phone", "0538-8201234")
    page.fill("#id_bank_accounts-0-bank_name", "中国农业银行泰安分行")
    page.fill("#id_bank_accounts-0-account_name", name)
    page.fill("#id_bank_accounts-0-account_number", "15500101040012345")
    page.fill("#id_qualifications-0-qualification_type", "建筑工程施工总承包")
    page.fill("#id_qualifications-0-level", "二级")
    page.fill("#id_qualifications-0-certificate_number", "D237098765")
    page.fill("#id_qualifications-0-valid_from", "2024-01-01")
    page.fill("#id_qualifications-0-valid_until", "2028-12-31")
    page.fill("#id_key_persons-0-name", "岳峰")
    page.fill("#id_key_persons-0-role", "项目经理")
    page.fill("#id_key_persons-0-id_number", id_number_make("37090219800101123"))
    page.locator("#key_persons-section .add-row").click()
    expect(page.locator("#id_key_persons-1-name")).to_be_visible()
    expect(page.locator("#id_key_persons-TOTAL_FORMS")).to_have_value("2")
    page.fill("#id_key_persons-1-name", "孙立")
    page.fill("#id_key_persons-1-role", "技术负责人")
    page.fill("#id_key_persons-1-id_number", id_number_make("37090219850505234"))
    page.fill("#id_account-username", "daiqing_browser")
    page.fill("#id_account-password", "Dai-qing-2026")
    page.click("#apply-submit")
    # then the success page shows the code, and the applicant is signed in
    expect(page).to_have_url(re.compile(r"/registry/apply/done/"))
    expect(page.locator("h1")).to_have_text("登记成功")
    expect(page.locator("main")).to_contain_text(code)
    # when anyone searches the public list as they type
    page.goto(f"{live_server.url}/registry/entities/")
    page.locator("#id_q").press_sequentially("岱青浏览器", delay=30)
    # then the entity is found, and its detail page shows both key persons without their ID numbers
    results = page.locator("#entity-results")
    expect(results).to_contain_text(name)
    expect(results).to_contain_text("共 1 个市场主体")
    page.screenshot(path=SCREENSHOT_LIST, full_page=True)
    results.get_by_role("link", name=name).click()
    expect(page.locator("#key-persons")).to_contain_text("孙立")
    expect(page.locator("main")).not_to_contain_text("370902198001011")
    page.screenshot(path="/tmp/registry-detail.png", full_page=True)
