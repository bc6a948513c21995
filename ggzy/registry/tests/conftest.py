"""Fixtures of the registry tests: the people of the permission matrix, and a snapshot of what is stored."""

import pytest

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.registry.models import (
    EntityBankAccount,
    EntityVersion,
    KeyPerson,
    MarketEntity,
    MarketEntityAccount,
    Qualification,
)

from .factories import KeyPersonFactory, MarketEntityFactory, link


def stored() -> dict:
    """Counts of everything a registry service may write, plus the entities' versions."""
    return {
        "entities": MarketEntity.objects.count(), "banks": EntityBankAccount.objects.count(),
        "qualifications": Qualification.objects.count(), "persons": KeyPerson.objects.count(),
        "versions": EntityVersion.objects.count(), "links": MarketEntityAccount.objects.count(),
        "users": User.objects.count(), "audit": AuditEntry.objects.count(),
        "entity_rows": list(MarketEntity.objects.order_by("pk").values_list(
            "name", "contact_phone", "status", "version")),
    }


@pytest.fixture
def jinan_entity(db, frozen_clock):
    """An entity registered in Jinan (历下区), with one key person."""
    entity = MarketEntityFactory()
    KeyPersonFactory(entity=entity)
    return entity


@pytest.fixture
def people(db, make_user, centers, jinan_entity):
    """One user per row of the permission matrix, for ``jinan_entity``."""
    owner = make_user(Role.BIDDER, username="owner")
    link(owner, jinan_entity)
    other_owner = make_user(Role.BIDDER, username="other_owner")
    link(other_owner, MarketEntityFactory())
    return {
        "anonymous": None,
        "owner": owner,
        "other_entity_user": other_owner,
        "bidder_without_entity": make_user(Role.BIDDER, username="lone_bidder"),
        "expert": make_user(Role.EXPERT, username="expert"),
        "supervisor": make_user(Role.SUPERVISOR, center=centers["jinan"], username="supervisor"),
        "jinan_staff": make_user(Role.CENTER_STAFF, center=centers["jinan"], username="jinan_staff"),
        "qingdao_staff": make_user(Role.CENTER_STAFF, center=centers["qingdao"], username="qingdao_staff"),
        "provincial_staff": make_user(Role.CENTER_STAFF, center=centers["province"], username="sheng_staff"),
        "admin": make_user(Role.ADMIN, username="root"),
    }


# Who may change (and see in full) the Jinan entity.
MAY_UPDATE = {"owner", "jinan_staff", "provincial_staff", "admin"}
STAFF_OVER = {"jinan_staff", "provincial_staff", "admin"}
ALL_PEOPLE = ["anonymous", "owner", "other_entity_user", "bidder_without_entity", "expert", "supervisor",
              "jinan_staff", "qingdao_staff", "provincial_staff", "admin"]
