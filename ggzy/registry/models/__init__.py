"""Registry models: regions and trading centers, market entities (一表申请) and their parts."""

from .control import EntityControl
from .entities import (
    EntityBankAccount,
    EntityVersion,
    KeyPerson,
    MarketEntity,
    MarketEntityAccount,
    Qualification,
)
from .regions import Center, Region
from .review import EntityNameChange, EntityRegistration

__all__ = [
    "Center",
    "EntityBankAccount",
    "EntityControl",
    "EntityNameChange",
    "EntityRegistration",
    "EntityVersion",
    "KeyPerson",
    "MarketEntity",
    "MarketEntityAccount",
    "Qualification",
    "Region",
]
