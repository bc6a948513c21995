"""统一社会信用代码 — the 18-character unified social credit code of a market entity (GB 32100-2015).

Layout: position 1 registration authority (登记管理部门), 2 entity type (机构类别), 3–8 region code of the
registering authority (GB/T 2260), 9–17 organisation code (主体标识码, GB 11714), 18 check character.
The check character is computed over the first 17 characters in a 31-character alphabet that leaves out
I, O, S, V and Z (GB 32100-2015 §4.3 and Annex A).

Kept in core (a pure check with no models) so that pki can read the code a certificate subject carries without
importing the registry; ``ggzy.registry.credit_code`` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ggzy.core.errors import DomainError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
MODULUS = 31

__all__ = ["ALPHABET", "LENGTH", "MODULUS", "VALUES", "WEIGHTS", "CreditCodeParts", "credit_code_check_character",
           "credit_code_make", "credit_code_normalize", "credit_code_parts", "credit_code_validate",
           "organisation_code_make"]

# The organisation code (positions 9–17) has its own check digit (GB 11714-1997); used only to make demo codes.
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class CreditCodeParts:
    """The four parts of a valid code."""

    registration_authority: str
    entity_type: str
    region_code: str
    organisation_code: str


def credit_code_normalize(raw: object) -> str:
    """What a person typed, without surrounding spaces, in capitals (codes are printed in capitals)."""
    return str(raw or "").strip().upper()


def credit_code_check_character(prefix17: str) -> str:
    """The check character for the first 17 characters: 31 − (Σ value×weight mod 31), with 31 written as 0."""
    total = sum(VALUES[char] * weight for char, weight in zip(prefix17, WEIGHTS, strict=True))
    return ALPHABET[(MODULUS - total % MODULUS) % MODULUS]


def credit_code_validate(code: str, *, field: str = "credit_code") -> str:
    """Return ``code`` when it is a well-formed code with the right check character; otherwise DomainError."""
    if len(code) != LENGTH:
        raise DomainError(f"统一社会信用代码应为18位（当前为{len(code)}位）", field=field)
    for position, char in enumerate(code, start=1):
        if char not in VALUES:
            raise DomainError(f"统一社会信用代码第{position}位含非法字符“{char}”", field=field)
    if credit_code_check_character(code[:17]) != code[17]:
        raise DomainError("统一社会信用代码校验位错误", field=field)
    return code


def credit_code_parts(code: str) -> CreditCodeParts:
    """Split a valid code into its parts."""
    credit_code_validate(code)
    return CreditCodeParts(code[0], code[1], code[2:8], code[8:17])


def organisation_code_make(body8: str) -> str:
    """An organisation code (8 characters + GB 11714 check character), for demo data and tests."""
    total = sum(_ORG_ALPHABET.index(char) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code_make(prefix17: str) -> str:
    """Append the check character to 17 valid characters (demo data and tests)."""
    prefix17 = credit_code_normalize(prefix17)
    if len(prefix17) != 17 or any(char not in VALUES for char in prefix17):
        raise ValueError("credit_code_make needs 17 characters from the GB 32100 alphabet")
    return prefix17 + credit_code_check_character(prefix17)
