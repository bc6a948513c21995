"""Small query pieces shared by apps' selectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q


def any_moment_within(columns: Iterable[str], since: dt.datetime | None, until: dt.datetime | None) -> Q:
    """Rows where at least one of ``columns`` (moments, lookups allowed) falls in [since, until); an empty column
    never does. Both ends given as None: every row."""
    if since is None and until is None:
        return Q()
    window = Q(pk__in=[])
    for column in columns:
        part = Q()
        if since is not None:
            part &= Q(**{f"{column}__gte": since})
        if until is not None:
            part &= Q(**{f"{column}__lt": until})
        window |= part
    return window
