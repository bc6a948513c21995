"""Importing this module registers every lot indicator of this package."""

from . import collusion, fraud, price  # noqa: F401

__all__ = ["collusion", "fraud", "price"]
