"""What each audience sees of a market entity: the entity rows of the one masking table (``ggzy.core.masking``),
applied by every outward view.

Personal data (ID numbers, phones) are never public (DOMAIN.md, Information disclosure); bank accounts are
needed only by the entity itself and the center that handles its bid bonds. A field that is not in the table
is shown to everyone; a field in the table is shown only to the audiences listed, in the form given.
The public API schema and the public detail page are both built from ``entity_view``, so they cannot differ.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_noop

from ggzy.core import clock
from ggzy.core import masking as table

EXPIRY_WARNING_DAYS = 30


class Audience(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not, who is neither the entity nor its staff
    OWNER = "owner"  # the entity's own users
    STAFF = "staff"  # staff of its home center, provincial staff, administrators


full = table.full
phone_mask = table.phone_mask
id_number_mask = table.id_number_mask


def account_number_mask(value: str) -> str:
    return "****" + value[-4:] if value else ""


PUBLIC, OWNER, STAFF = Audience.PUBLIC, Audience.OWNER, Audience.STAFF

# field → {audience: how that audience sees it}, read from the one table (``ggzy.core.masking``): the rows of an
# entity, its bank accounts and its key persons. Audiences not listed do not see the field at all.
_KINDS = ("entity.", "bank_account.", "key_person.")
MASKING: dict[str, dict[Audience, Callable[[Any], Any]]] = {
    key: {Audience(audience): shown for audience, shown in row.shown.items()}
    for key, row in table.TABLE.items() if key.startswith(_KINDS)
}


def field_visible(key: str, audience: Audience) -> bool:
    rule = MASKING.get(key)
    return rule is None or audience in rule


def masked(kind: str, values: dict[str, Any], audience: Audience) -> dict[str, Any]:
    """``values`` of one ``kind`` of record as ``audience`` may see them: hidden keys dropped, others masked."""
    shown: dict[str, Any] = {}
    for name, value in values.items():
        rule = MASKING.get(f"{kind}.{name}")
        if rule is None:
            shown[name] = value
        elif audience in rule:
            shown[name] = rule[audience](value)
    return shown


def qualification_validity(valid_from: dt.date, valid_until: dt.date, today: dt.date) -> str:
    """有效 / 即将到期 / 已过期 / 未生效 (in Chinese, as the API states it; pages translate it)."""
    if valid_until < today:
        return gettext_noop("已过期")
    if valid_from > today:
        return gettext_noop("未生效")
    if (valid_until - today).days <= EXPIRY_WARNING_DAYS:
        return gettext_noop("即将到期")
    return gettext_noop("有效")


def entity_view(entity, audience: Audience) -> dict[str, Any]:
    """The entity as ``audience`` sees it (needs region__parent, center and the three lists prefetched)."""
    today = clock.today()
    region = entity.region
    city = region if region.level == "city" else region.parent
    values: dict[str, Any] = {
        "credit_code": entity.credit_code, "name": entity.name, "entity_type": entity.entity_type,
        "entity_type_label": entity.get_entity_type_display(),
        "legal_representative": entity.legal_representative, "registered_address": entity.registered_address,
        "business_address": entity.business_address, "region_code": region.code, "region_name": region.name,
        "city_code": city.code, "city_name": city.name, "center_name": entity.center.name,
        "contact_name": entity.contact_name, "contact_phone": entity.contact_phone, "email": entity.email,
        "registered_capital": entity.registered_capital, "established_on": entity.established_on,
        "status": entity.status, "status_label": entity.get_status_display(), "created_at": entity.created_at,
        "updated_at": entity.updated_at, "version": entity.version,
        "is_verified": entity.is_verified,
        "verification_label": entity.get_verification_method_display() if entity.is_verified else "未核验",
        "verified_at": entity.verified_at,
        "qualifications": [
            masked("qualification", {
                "id": q.pk, "qualification_type": q.qualification_type, "level": q.level,
                "certificate_number": q.certificate_number, "issuer": q.issuer, "valid_from": q.valid_from,
                "valid_until": q.valid_until,
                "validity": qualification_validity(q.valid_from, q.valid_until, today)}, audience)
            for q in entity.qualifications.all()
        ],
        "key_persons": [
            masked("key_person", {"id": p.pk, "name": p.name, "role": p.role, "id_number": p.id_number,
                                  "phone": p.phone, "certificate_number": p.certificate_number}, audience)
            for p in entity.key_persons.all()
        ],
        "bank_accounts": [
            masked("bank_account", {"id": a.pk, "bank_name": a.bank_name, "account_name": a.account_name,
                                    "account_number": a.account_number, "is_basic": a.is_basic}, audience)
            for a in entity.bank_accounts.all()
        ],
    }
    return masked("entity", values, audience)


def entity_brief(entity) -> dict[str, Any]:
    """One line of the public list (needs region__parent selected); nothing in it is masked."""
    region = entity.region
    city = region if region.level == "city" else region.parent
    return {"credit_code": entity.credit_code, "name": entity.name, "entity_type": entity.entity_type,
            "entity_type_label": entity.get_entity_type_display(), "region_name": region.name,
            "city_name": city.name, "status": entity.status, "status_label": entity.get_status_display()}


_OFFICE_PHONE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|[48]00-?\d{3}-?\d{4})$")


def office_phone_public(value: str) -> str:
    """An organisation's office phone as a public notice may print it: a landline (0531-86901234) or a 400/800
    service number in full; anything else — a mobile is a person's phone — is not published (returns "")."""
    value = (value or "").strip().replace(" ", "")
    return value if _OFFICE_PHONE.match(value) else ""
