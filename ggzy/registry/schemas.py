"""API shapes of the market-entity registry. ``*PublicOut`` is what anyone sees (built through masking.py)."""


import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema

from ggzy.core.money import CapitalMoney


class BankAccountIn(Schema):
    bank_name: str | None = None
    account_name: str | None = None
    account_number: str | None = None
    is_basic: bool | None = None  # 基本账户, at most one per entity; omitted: basic if the entity has none yet


class QualificationIn(Schema):
    qualification_type: str | None = None
    level: str | None = None
    certificate_number: str | None = None
    issuer: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class KeyPersonIn(Schema):
    name: str | None = None
    role: str | None = None
    id_number: str | None = None
    phone: str | None = None
    certificate_number: str | None = None


class AccountIn(Schema):
    """The entity's first login (anonymous self-registration, or staff registering on its behalf)."""

    username: str | None = None
    password: str | None = None
    role: str | None = None


class EntityRegisterIn(Schema):
    credit_code: str | None = None
    name: str | None = None
    entity_type: str | None = None
    legal_representative: str | None = None
    registered_address: str | None = None
    business_address: str | None = None
    region: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    email: str | None = None
    registered_capital: CapitalMoney | None = None
    established_on: dt.date | None = None
    bank_accounts: list[BankAccountIn] = []
    qualifications: list[QualificationIn] = []
    key_persons: list[KeyPersonIn] = []
    account: AccountIn | None = None


class EntityUpdateIn(Schema):
    """Only the fields sent are changed. ``version``: the version you read (refused if someone changed it since)."""

    version: int | None = None
    name: str | None = None
    entity_type: str | None = None
    legal_representative: str | None = None
    registered_address: str | None = None
    business_address: str | None = None
    region: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    email: str | None = None
    registered_capital: CapitalMoney | None = None
    established_on: dt.date | None = None
    status: str | None = None


class QualificationOut(Schema):
    id: int
    qualification_type: str
    level: str
    certificate_number: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date
    validity: str


class KeyPersonPublicOut(Schema):
    id: int
    name: str
    role: str
    certificate_number: str


class KeyPersonOut(KeyPersonPublicOut):
    id_number: str
    phone: str


class BankAccountOut(Schema):
    id: int
    bank_name: str
    account_name: str
    account_number: str
    is_basic: bool


class EntityPublicOut(Schema):
    audience: str
    credit_code: str
    name: str
    entity_type: str
    entity_type_label: str
    legal_representative: str
    registered_address: str
    business_address: str
    region_code: str
    region_name: str
    city_code: str
    city_name: str
    center_name: str
    contact_name: str
    contact_phone: str
    email: str
    registered_capital: Decimal | None
    established_on: dt.date | None
    status: str
    status_label: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    is_verified: bool
    verification_label: str
    verified_at: dt.datetime | None
    qualifications: list[QualificationOut]
    key_persons: list[KeyPersonPublicOut]


class EntityOut(EntityPublicOut):
    """The full record, for the entity's own users and its staff (personal ID numbers still masked)."""

    # The full row type replaces the public one (pydantic validates each schema's list on its own).
    key_persons: list[KeyPersonOut]  # type: ignore[assignment]
    bank_accounts: list[BankAccountOut]
    pending_name: str | None = None


class EntityListItemPublicOut(Schema):
    credit_code: str
    name: str
    entity_type: str
    entity_type_label: str
    region_name: str
    city_name: str
    status: str
    status_label: str


class EntityPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[EntityListItemPublicOut]


class EntityNameChangeOut(Schema):
    id: int
    old_name: str
    new_name: str
    state: str
    state_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str


class EntityReviewIn(Schema):
    reason: str = ""


class EntityVersionOut(Schema):
    version: int
    action: str
    action_label: str
    changed_at: dt.datetime
    changed_by: str | None
    changes: dict[str, Any]


class EntityControlIn(Schema):
    """控制关系: the controller is an entity (credit code) or a person (name + ID number, stored only as a hash)."""

    controller_credit_code: str | None = None
    controller_person_name: str | None = None
    controller_person_id_number: str | None = None
    kind: str | None = None  # shareholding / actual_controller / management
    share_percent: str | int | float | None = None  # 0–100, two decimals; ≥ 50 for shareholding
    source: str | None = None  # staff only: staff / business_registration (an entity's users always declare)
    valid_from: str | None = None  # YYYY-MM-DD
    valid_until: str | None = None


class EntityControlEndIn(Schema):
    valid_until: str | None = None


class EntityControlOut(Schema):
    id: int
    controlled: str  # credit code
    controlled_name: str
    controller_type: str  # entity / person
    controller_credit_code: str | None
    controller_name: str
    controller_person_id_tail: str | None  # the last four characters of the person's ID number
    kind: str
    kind_label: str
    share_percent: Decimal | None
    source: str
    source_label: str
    valid_from: dt.date
    valid_until: dt.date | None
