"""基本账户: the apply form, the edit page and the API set the flag; an entity has at most one basic account."""

import json

import pytest

from ggzy.registry import services
from ggzy.registry.models import EntityBankAccount, MarketEntity

from .conftest import stored
from .factories import BankAccountFactory, entity_data
from .test_views_entities import APPLY, _apply_post, _errors

pytestmark = pytest.mark.django_db
SECOND = {"bank_accounts-1-bank_name": "齐鲁银行泰安分行", "bank_accounts-1-account_name": "山东岱青建设工程有限公司",
          "bank_accounts-1-account_number": "86611234567890", "bank_accounts-TOTAL_FORMS": "2"}


def test_apply_page_offers_the_checkbox_ticked(client, frozen_clock):
    page = client.get(APPLY).content.decode()
    assert 'type="checkbox" name="bank_accounts-0-is_basic"' in page and "checked" in page
    client.cookies["django_language"] = "en"
    assert "Basic account" in client.get(APPLY).content.decode()


def test_apply_with_one_basic_and_one_general_account(client, frozen_clock, centers):
    response = client.post(APPLY, _apply_post(**SECOND, **{"bank_accounts-0-is_basic": "on"}))
    assert response.status_code == 302, _errors(response)
    flags = dict(EntityBankAccount.objects.values_list("account_number", "is_basic"))
    assert flags == {"15500101040012345": True, "86611234567890": False}


def test_apply_with_two_basic_accounts_names_the_second_and_saves_nothing(client, frozen_clock, centers):
    before = stored()
    response = client.post(APPLY, _apply_post(**SECOND, **{"bank_accounts-0-is_basic": "on",
                                                           "bank_accounts-1-is_basic": "on"}))
    assert response.status_code == 200
    assert "基本账户：只能有一个基本账户：请只勾选一个“基本账户”" in _errors(response)
    assert stored() == before and not MarketEntity.objects.exists()


def test_an_empty_extra_row_with_its_box_unticked_is_still_empty(client, frozen_clock, centers):
    response = client.post(APPLY, _apply_post(**{"bank_accounts-0-is_basic": "on", "bank_accounts-TOTAL_FORMS": "2"}))
    assert response.status_code == 302, _errors(response)
    assert EntityBankAccount.objects.count() == 1


def test_edit_page_refuses_a_second_basic_account_and_adds_a_general_one(client, people, jinan_entity):
    BankAccountFactory(entity=jinan_entity, account_number="6222000011112222", is_basic=True)
    client.force_login(people["owner"])
    url = f"/registry/entities/{jinan_entity.credit_code}/bank_accounts/add/"
    row = {"bank_accounts-bank_name": "齐鲁银行", "bank_accounts-account_name": jinan_entity.name,
           "bank_accounts-account_number": "86611234567890"}
    refused = client.post(url, {**row, "bank_accounts-is_basic": "on"})
    assert refused.status_code == 400 and "本主体已登记基本账户" in refused.content.decode()
    assert jinan_entity.bank_accounts.count() == 1
    assert client.post(url, row).status_code == 302
    assert not jinan_entity.bank_accounts.get(account_number="86611234567890").is_basic
    page = client.get(f"/registry/entities/{jinan_entity.credit_code}/").content.decode()
    assert page.count('<span class="tag">基本账户</span>') == 1


def test_service_without_the_flag_makes_the_first_account_basic_only(people, jinan_entity):
    first = services.bank_account_add(actor=people["owner"], entity=jinan_entity, data={
        "bank_name": "齐鲁银行", "account_name": jinan_entity.name, "account_number": "86611234567890"})
    second = services.bank_account_add(actor=people["owner"], entity=jinan_entity, data={
        "bank_name": "齐鲁银行", "account_name": jinan_entity.name, "account_number": "86611234567891"})
    assert (first.is_basic, second.is_basic) == (True, False)


URL = "/api/v1/registry/entities"


def _two_accounts(first, second):
    data = entity_data()
    account = data["bank_accounts"][0]
    data["bank_accounts"] = [{**account, "is_basic": first},
                             {**account, "account_number": "86611234567890", "is_basic": second}]
    return data


def test_api_sets_and_shows_the_flag(client, frozen_clock, centers):
    response = client.post(URL, json.dumps(_two_accounts(False, True), default=str), content_type="application/json")
    assert response.status_code == 201, response.content
    assert [a["is_basic"] for a in response.json()["bank_accounts"]] == [False, True]


def test_api_refuses_two_basic_accounts_naming_the_field(client, frozen_clock, centers):
    before = stored()
    response = client.post(URL, json.dumps(_two_accounts(True, True), default=str), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"bank_accounts.1.is_basic": ["只能有一个基本账户：请只勾选一个“基本账户”"]}
    assert stored() == before
