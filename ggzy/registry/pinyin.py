"""Entity names sort as Chinese readers look them up: by pinyin (阿里 < 北京 < 重庆 < 中国), not by code point.

``name_sort_key`` is stored on ``MarketEntity.name_sort`` by the services that register or rename an entity (and
backfilled by migration), so every list and select orders by a plain indexed column on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

NAME_SORT_MAX = 600


def name_sort_key(name: str) -> str:
    """``北京建工`` → ``bei3 jing1 jian4 gong1``; Latin letters and digits are kept (lower case) where they stand."""
    syllables = lazy_pinyin((name or "").strip(), style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(s.strip().lower() for s in syllables if s.strip())[:NAME_SORT_MAX]
