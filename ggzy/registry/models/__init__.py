"""Registry models: regions and trading centers (here), market entities (entities.py)."""

from .regions import Center, Region

__all__ = ["Center", "Region"]
