"""Factories for expert-pool tests (other helpers may use them: ``ExpertFactory(classifications=["A01"])``)."""

from __future__ import annotations

import itertools

import factory
from factory.django import DjangoModelFactory

from ggzy.core import clock
from ggzy.experts.identity import birth_date_of, id_number_digest
from ggzy.experts.models import Classification, Expert, ExpertClassification
from ggzy.registry.models import Region
from ggzy.registry.personal_id import id_number_make

_serials = itertools.count(1)


def new_expert_id_number(region: str = "370102", born: str = "19700315") -> str:
    serial = next(_serials)
    return (
        id_number_make(f"{region}{born}{serial % 1000:03d}")
        if serial < 1000
        else id_number_make(f"{region}{int(born[:4]) - serial // 1000:04d}{born[4:]}{serial % 1000:03d}")
    )


def classification(code: str, name: str = "") -> Classification:
    """The classification ``code``, created with its parents when the reference table is not loaded."""
    found = Classification.objects.filter(code=code).first()
    if found:
        return found
    parent = classification(code[:-2]) if len(code) > 1 else None
    return Classification.objects.create(
        code=code, name=name or f"分类{code}", parent=parent, level=1 if parent is None else parent.level + 1
    )


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = Expert
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"专家{n:04d}")
    id_number = factory.LazyFunction(new_expert_id_number)
    id_number_digest = factory.LazyAttribute(lambda o: id_number_digest(o.id_number))
    birth_date = factory.LazyAttribute(lambda o: birth_date_of(o.id_number))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    title = "高级工程师"
    title_level = "senior_deputy"
    years_in_field = 15
    employer_name = "山东省建筑设计研究院有限公司"
    region = factory.LazyFunction(lambda: Region.objects.get(code="370100"))
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)

    @factory.post_generation
    def classifications(self, create, extracted, **kwargs):
        for code in extracted or ():
            ExpertClassification.objects.create(expert=self, classification=classification(code))
