"""Entity lists sort by pinyin: 阿里 < 北京 < 重庆 < 中国 (code-point order would put 中 before 北 and 重 last)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client

from ggzy.registry import selectors, services, services_review
from ggzy.registry.models import EntityNameChange, MarketEntity
from ggzy.registry.pinyin import name_sort_key

from .factories import entity_data, new_credit_code

NAMES = ["中国测试建设有限公司", "重庆测试建设有限公司", "北京测试建设有限公司", "阿里测试科技有限公司"]
PINYIN_ORDER = ["阿里测试科技有限公司", "北京测试建设有限公司", "重庆测试建设有限公司", "中国测试建设有限公司"]


def test_the_key_is_pinyin_with_tones_and_keeps_latin_text():
    assert name_sort_key("重庆") == "chong2 qing4"
    assert name_sort_key("阿里") == "a1 li3"
    assert name_sort_key("ABC 建设") == "abc jian4 she4"
    assert sorted(["中国", "重庆", "北京", "阿里"], key=name_sort_key) == ["阿里", "北京", "重庆", "中国"]
    assert sorted(["中国", "重庆", "北京", "阿里"]) != ["阿里", "北京", "重庆", "中国"]  # code points do not


def _register(name: str) -> MarketEntity:
    return services.entity_register(actor=None, data=entity_data(
        name=name, credit_code=new_credit_code(),
        bank_accounts=[{"bank_name": "中国建设银行济南分行", "account_name": name,
                        "account_number": f"370016188010501{len(name_sort_key(name)):05d}"}]))


@pytest.mark.django_db
def test_registered_entities_list_in_pinyin_order_on_the_page_and_in_the_selector(frozen_clock):
    for name in NAMES:
        _register(name)
    assert [e.name for e in MarketEntity.objects.filter(name__in=NAMES)] == PINYIN_ORDER
    assert [e.name for e in selectors.entity_list_visible(user=None).filter(name__in=NAMES)] == PINYIN_ORDER
    html = Client().get("/registry/entities/").content.decode()
    positions = [html.index(name) for name in PINYIN_ORDER]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_a_rename_moves_the_entity_to_its_new_place(frozen_clock, make_user):
    from ggzy.accounts.roles import Role

    entities = {name: _register(name) for name in NAMES}
    target = entities["中国测试建设有限公司"]
    staff = make_user(Role.CENTER_STAFF, center=target.center, username="jn_staff")  # renames directly
    services.entity_update(actor=staff, entity=target, data={"name": "安徽测试建设有限公司"})
    target.refresh_from_db()
    assert target.name == "安徽测试建设有限公司" and target.name_sort == name_sort_key("安徽测试建设有限公司")
    ordered = [e.name for e in MarketEntity.objects.filter(pk__in=[e.pk for e in entities.values()])]
    assert ordered == ["阿里测试科技有限公司", "安徽测试建设有限公司", "北京测试建设有限公司", "重庆测试建设有限公司"]


@pytest.mark.django_db
def test_an_approved_name_change_updates_the_key(frozen_clock, make_user):
    from ggzy.accounts.roles import Role

    target = _register("中国测试建设有限公司")
    staff = make_user(Role.CENTER_STAFF, center=target.center, username="jn_staff")
    change = EntityNameChange.objects.create(entity=target, old_name=target.name, new_name="北京测试建设有限公司",
                                             requested_at=target.created_at)
    services_review.name_change_approve(actor=staff, change=change)
    target.refresh_from_db()
    assert target.name_sort == name_sort_key("北京测试建设有限公司")


@pytest.mark.django_db
def test_the_migration_backfills_existing_rows(frozen_clock):
    entity = _register("北京测试建设有限公司")
    MarketEntity.objects.filter(pk=entity.pk).update(name_sort="")
    migration = importlib.import_module("ggzy.registry.migrations.0005_entity_name_sort")
    migration.backfill(django_apps, None)
    entity.refresh_from_db()
    assert entity.name_sort == "bei3 jing1 ce4 shi4 jian4 she4 you3 xian4 gong1 si1"
