"""Factories and ready-made one-form inputs for the registry tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from factory.django import DjangoModelFactory

from ggzy.core import clock
from ggzy.registry.credit_code import credit_code_make
from ggzy.registry.entity_input import region_center
from ggzy.registry.models import (
    EntityBankAccount,
    KeyPerson,
    MarketEntity,
    MarketEntityAccount,
    Qualification,
    Region,
)
from ggzy.registry.personal_id import id_number_make
from ggzy.registry.pinyin import name_sort_key

_codes = itertools.count(1)


def new_credit_code(region: str = "370102") -> str:
    """A fresh valid credit code (enterprise registered by market regulation in ``region``)."""
    return credit_code_make(f"91{region}MA{next(_codes):07d}")


def new_id_number(serial: int = 1, region: str = "370102", born: str = "19850315") -> str:
    return id_number_make(f"{region}{born}{serial % 1000:03d}")


class MarketEntityFactory(DjangoModelFactory):
    class Meta:
        model = MarketEntity

    credit_code = factory.LazyFunction(new_credit_code)
    name = factory.Sequence(lambda n: f"山东测试建设工程有限公司{n:03d}")
    name_sort = factory.LazyAttribute(lambda o: name_sort_key(o.name))  # as the services set it
    entity_type = "enterprise"
    legal_representative = "张伟"
    registered_address = "济南市历下区经十路100号"
    region = factory.LazyFunction(lambda: Region.objects.get(code="370102"))
    center = factory.LazyAttribute(lambda o: region_center(o.region))
    contact_name = "李娜"
    contact_phone = "13800001234"
    email = "bid@example.com"
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)
    # Verified (主体核验) unless a test says otherwise: MarketEntityFactory(verified_at=None, verification_method="")
    verified_at = factory.LazyFunction(clock.now)
    verification_method = "review"


class BankAccountFactory(DjangoModelFactory):
    class Meta:
        model = EntityBankAccount

    entity = factory.SubFactory(MarketEntityFactory)
    bank_name = "中国工商银行济南历下支行"
    account_name = factory.LazyAttribute(lambda o: o.entity.name)
    account_number = factory.Sequence(lambda n: f"16020012090{n:08d}")


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = Qualification

    entity = factory.SubFactory(MarketEntityFactory)
    qualification_type = "建筑工程施工总承包"
    level = "一级"
    certificate_number = factory.Sequence(lambda n: f"D137{n:06d}")
    issuer = "山东省住房和城乡建设厅"
    valid_from = dt.date(2024, 1, 1)
    valid_until = dt.date(2028, 12, 31)


class KeyPersonFactory(DjangoModelFactory):
    class Meta:
        model = KeyPerson

    entity = factory.SubFactory(MarketEntityFactory)
    name = "王强"
    role = "项目经理"
    id_number = factory.Sequence(lambda n: new_id_number(n))
    phone = "13900005678"
    certificate_number = factory.Sequence(lambda n: f"鲁137{n:07d}")


def unverified(**overrides: Any) -> MarketEntity:
    """A self-registered entity that has not been verified yet."""
    return MarketEntityFactory(verified_at=None, verification_method="", **overrides)


def link(user, entity) -> MarketEntityAccount:
    """Make ``user`` one of ``entity``'s own users."""
    return MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())


def entity_data(**overrides: Any) -> dict[str, Any]:
    """A complete, valid one-form application (as the API or the page hands it to the service)."""
    data: dict[str, Any] = {
        "credit_code": new_credit_code(),
        "name": "山东泉城建设工程有限公司",
        "entity_type": "enterprise",
        "legal_representative": "刘建国",
        "registered_address": "济南市历下区解放路66号",
        "business_address": "",
        "region": "370102",
        "contact_name": "孙丽",
        "contact_phone": "13812345678",
        "email": "contact@example.com",
        "registered_capital": "50000000",
        "established_on": "2008-05-20",
        "bank_accounts": [{"bank_name": "中国建设银行济南分行", "account_name": "山东泉城建设工程有限公司",
                           "account_number": "37001618801050123456"}],
        "qualifications": [{"qualification_type": "建筑工程施工总承包", "level": "二级",
                            "certificate_number": "D237012345", "issuer": "山东省住房和城乡建设厅",
                            "valid_from": "2023-01-01", "valid_until": "2027-12-31"}],
        "key_persons": [{"name": "赵磊", "role": "项目经理", "id_number": new_id_number(7),
                         "phone": "13698765432", "certificate_number": "鲁1372012000123"}],
        "account": None,
    }
    data.update(overrides)
    return data
