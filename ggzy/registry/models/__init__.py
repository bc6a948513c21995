"""Registry models: regions and trading centers, market entities (一表申请) and their parts."""

from .entities import (
    EntityBankAccount,
    EntityVersion,
    KeyPerson,
    MarketEntity,
    MarketEntityAccount,
    Qualification,
)
from .regions import Center, Region

__all__ = [
    "Center",
    "EntityBankAccount",
    "EntityVersion",
    "KeyPerson",
    "MarketEntity",
    "MarketEntityAccount",
    "Qualification",
    "Region",
]
