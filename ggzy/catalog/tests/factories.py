"""Factories of the catalog app (seeded reference data comes from the migration; these add test records)."""

import datetime as dt

import factory

from ggzy.catalog.models import (
    CityCatalogExtension,
    Consultation,
    ProcessTemplate,
    Rule,
    TemplatePeriod,
    TemplateStep,
    TemplateVersion,
)
from ggzy.core import clock


class ProcessTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessTemplate

    category_code = "07"
    method = factory.Iterator(["open_tender", "inquiry", "competitive_negotiation"])
    name = factory.Sequence(lambda n: f"测试流程{n}")


class TemplateVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateVersion

    template = factory.SubFactory(ProcessTemplateFactory)
    number = 1
    effective_from = dt.date(2020, 1, 1)
    created_at = factory.LazyFunction(clock.now)
    note = "测试版本"


class TemplateStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateStep

    version = factory.SubFactory(TemplateVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"step_{n}")
    name = factory.Sequence(lambda n: f"环节{n}")
    role = "center_staff"


class TemplatePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplatePeriod

    version = factory.SubFactory(TemplateVersionFactory)
    key = factory.Sequence(lambda n: f"period_{n}")
    label = factory.Sequence(lambda n: f"期限{n}")
    value = 10
    unit = "calendar_days"
    legal_basis = "测试依据"


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule

    title = factory.Sequence(lambda n: f"测试规则{n}")
    document_number = factory.Sequence(lambda n: f"测试〔2026〕{n}号")
    issuer = "测试机关"
    level = "city"
    category = "platform"
    status = "in_force"


class CityCatalogExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityCatalogExtension

    code = "61"
    name = "排污权"
    parent_code = "06"
    effective_from = dt.date(2021, 7, 1)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    title = factory.Sequence(lambda n: f"征求意见{n}")
    period_from = dt.date(2021, 4, 1)
    period_to = dt.date(2021, 4, 30)
    opinions_summary = "意见汇总"
    result = "采纳"
    published_at = factory.LazyFunction(lambda: clock.now() - dt.timedelta(days=1))
