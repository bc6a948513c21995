"""qualification_check_valid: what tendering asks when a bid is made."""

import datetime as dt

import pytest

from ggzy.core.errors import DomainError
from ggzy.registry import services

from .factories import QualificationFactory

ON = dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_valid_qualification_is_returned(jinan_entity):
    held = QualificationFactory(entity=jinan_entity, valid_from=dt.date(2024, 1, 1), valid_until=ON)
    assert services.qualification_check_valid(entity=jinan_entity, qualification_type="建筑工程施工总承包",
                                              on_date=ON) == held


@pytest.mark.django_db
@pytest.mark.parametrize(("valid_from", "valid_until", "message"), [
    pytest.param(dt.date(2021, 1, 1), dt.date(2026, 3, 1), "资质已过期：“建筑工程施工总承包”有效期至2026-03-01",
                 id="expired-yesterday"),
    pytest.param(dt.date(2026, 3, 3), dt.date(2031, 1, 1), "资质尚未生效：“建筑工程施工总承包”自2026-03-03起有效",
                 id="not-yet-valid"),
])
def test_out_of_period_qualification_is_refused(jinan_entity, valid_from, valid_until, message):
    QualificationFactory(entity=jinan_entity, valid_from=valid_from, valid_until=valid_until)
    with pytest.raises(DomainError) as refused:
        services.qualification_check_valid(entity=jinan_entity, qualification_type="建筑工程施工总承包", on_date=ON)
    assert refused.value.errors == {"qualification": [message]}


@pytest.mark.django_db
def test_a_renewed_certificate_counts_even_if_an_old_one_expired(jinan_entity):
    QualificationFactory(entity=jinan_entity, valid_from=dt.date(2016, 1, 1), valid_until=dt.date(2020, 12, 31))
    renewed = QualificationFactory(entity=jinan_entity, valid_from=dt.date(2021, 1, 1),
                                   valid_until=dt.date(2026, 12, 31))
    assert services.qualification_check_valid(entity=jinan_entity, qualification_type="建筑工程施工总承包",
                                              on_date=ON) == renewed


@pytest.mark.django_db
def test_missing_type_or_level_is_refused(jinan_entity):
    QualificationFactory(entity=jinan_entity, level="二级")
    with pytest.raises(DomainError) as missing:
        services.qualification_check_valid(entity=jinan_entity, qualification_type="公路工程施工总承包", on_date=ON)
    assert missing.value.errors == {"qualification": ["未取得“公路工程施工总承包”资质"]}
    with pytest.raises(DomainError) as wrong_level:
        services.qualification_check_valid(entity=jinan_entity, qualification_type="建筑工程施工总承包",
                                           level="一级", on_date=ON)
    assert wrong_level.value.errors == {"qualification": ["未取得“建筑工程施工总承包 一级”资质"]}


@pytest.mark.django_db
def test_suspended_entity_is_refused(jinan_entity):
    QualificationFactory(entity=jinan_entity)
    jinan_entity.status = "suspended"
    jinan_entity.save()
    with pytest.raises(DomainError) as refused:
        services.qualification_check_valid(entity=jinan_entity, qualification_type="建筑工程施工总承包", on_date=ON)
    assert "已暂停" in refused.value.message
