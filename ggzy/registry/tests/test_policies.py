"""The permission matrix of a market entity, person by person."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ggzy.registry import policies, selectors
from ggzy.registry.masking import Audience

from .conftest import ALL_PEOPLE, MAY_UPDATE, STAFF_OVER


def _user(people, who):
    return people[who] or AnonymousUser()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_permission_matrix(people, jinan_entity, who):
    # given one person and the Jinan entity
    user = _user(people, who)
    # then each decision matches the matrix
    assert policies.can_update(user, jinan_entity) is (who in MAY_UPDATE)
    assert policies.can_view_versions(user, jinan_entity) is (who in MAY_UPDATE)
    assert policies.can_view_full(user, jinan_entity) is (who in MAY_UPDATE)
    assert policies.can_change_status(user, jinan_entity) is (who in STAFF_OVER)
    expected = Audience.STAFF if who in STAFF_OVER else Audience.OWNER if who == "owner" else Audience.PUBLIC
    assert policies.audience_for(user, jinan_entity) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "may"), [
    ("anonymous", True), ("jinan_staff", True), ("qingdao_staff", True), ("provincial_staff", True),
    ("admin", True), ("owner", False), ("bidder_without_entity", False), ("expert", False), ("supervisor", False),
])
def test_who_may_register(people, who, may):
    assert policies.can_register(_user(people, who)) is may


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "center", "may"), [
    ("jinan_staff", "jinan", True), ("jinan_staff", "qingdao", False), ("provincial_staff", "qingdao", True),
    ("admin", "qingdao", True), ("anonymous", "qingdao", True),
])
def test_staff_register_only_in_their_area(people, centers, who, center, may):
    assert policies.can_register_at(_user(people, who), centers[center].pk) is may


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "count"), [
    ("anonymous", 0), ("expert", 0), ("owner", 1), ("jinan_staff", 2), ("qingdao_staff", 0),
    ("provincial_staff", 2), ("admin", 2),
])
def test_manageable_entities_are_scoped(people, who, count):
    # given two Jinan entities (the owner's and another), when each person asks what they may manage
    assert selectors.entity_list_manageable(user=_user(people, who)).count() == count


@pytest.mark.django_db
def test_entity_of_user_is_the_linked_entity(people, jinan_entity):
    assert selectors.entity_of_user(user=people["owner"]) == jinan_entity
    assert selectors.entity_of_user(user=people["bidder_without_entity"]) is None
    assert selectors.entity_of_user(user=AnonymousUser()) is None
