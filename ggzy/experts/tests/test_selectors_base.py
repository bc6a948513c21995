"""The two early selectors other apps use: experts by classification (with sub-classes) and the expert of a user."""

import datetime as dt

import pytest
from django.db import connection

from ggzy.experts import selectors
from ggzy.experts.models import Expert

from .factories import ExpertFactory

pytestmark = pytest.mark.django_db


def test_experts_with_classification_includes_subclasses_and_only_drawable(frozen_clock):
    # given experts in A0101 (below A01), in B01, a suspended one and one unavailable until tomorrow
    civil = ExpertFactory(classifications=["A0101"])
    ExpertFactory(classifications=["B01"])
    ExpertFactory(classifications=["A0101"], status="suspended")
    ExpertFactory(classifications=["A01"], unavailable_until=frozen_clock.today() + dt.timedelta(days=1))
    back = ExpertFactory(
        classifications=["A01"], unavailable_until=frozen_clock.today() - dt.timedelta(days=1)
    )
    # when experts of A01 are asked for
    found = list(selectors.experts_with_classification(["A01"]))
    # then the sub-class holder and the one available again are found, nobody else
    assert found == [civil, back]
    assert selectors.experts_with_classification(["A01"], only_drawable=False).count() == 4


def test_id_number_is_encrypted_at_rest_and_matched_by_digest():
    expert = ExpertFactory()
    with connection.cursor() as cursor:  # the column as the database holds it
        cursor.execute("SELECT id_number FROM experts_expert WHERE id = %s", [expert.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:") and expert.id_number not in stored
    assert Expert.objects.get(pk=expert.pk).id_number == expert.id_number
    assert len(expert.id_number_digest) == 64 and expert.id_number not in expert.id_number_digest


def test_expert_for_user(make_user):
    user = make_user("expert")
    expert = ExpertFactory(user=user)
    assert selectors.expert_for_user(user) == expert
    assert selectors.expert_for_user(make_user("expert")) is None
