"""ID numbers of experts: validated (GB 11643, ``registry.personal_id``), matched by a keyed digest, masked."""

from __future__ import annotations

import datetime as dt

from ggzy.core.secrets import keyed_digest
from ggzy.registry.masking import id_number_mask
from ggzy.registry.personal_id import id_number_normalize, id_number_validate

DIGEST_CONTEXT = "experts_expert.id_number"

__all__ = ["birth_date_of", "id_number_digest", "id_number_mask", "id_number_normalize", "id_number_validate"]


def id_number_digest(number: str) -> str:
    """The matching key of a (normalised, valid) ID number: the same person in two pools has the same digest."""
    return keyed_digest(id_number_normalize(number), context=DIGEST_CONTEXT)


def birth_date_of(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
