"""居民身份证号码 — the 18-character citizen identity number (GB 11643-1999) of a key person.

Layout: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit sequence, check character computed
with ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11; remainder → "10X98765432").
Personal data are never public (DOMAIN.md, Information disclosure): see ``masking.py``.
"""

from __future__ import annotations

import datetime as dt

from ggzy.core.errors import DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def id_number_normalize(raw: object) -> str:
    return str(raw or "").strip().upper()


def id_number_check_character(prefix17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(prefix17, WEIGHTS, strict=True)) % 11]


def id_number_validate(number: str, *, field: str = "id_number", today: dt.date | None = None) -> str:
    """Return ``number`` when it has 18 characters, a real birth date and the right check character."""
    if len(number) != 18:
        raise DomainError(f"身份证号码应为18位（当前为{len(number)}位）", field=field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise DomainError("身份证号码格式不正确（前17位应为数字，末位为数字或X）", field=field)
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError("身份证号码中的出生日期无效", field=field) from None
    if born.year < 1900 or (today is not None and born > today):
        raise DomainError("身份证号码中的出生日期无效", field=field)
    if id_number_check_character(number[:17]) != number[17]:
        raise DomainError("身份证号码校验位错误", field=field)
    return number


def id_number_make(prefix17: str) -> str:
    """Append the check character to 17 digits (demo data and tests)."""
    if len(prefix17) != 17 or not prefix17.isdigit():
        raise ValueError("id_number_make needs 17 digits")
    return prefix17 + id_number_check_character(prefix17)
