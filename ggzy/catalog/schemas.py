"""API schemas of the catalog app. Everything here is public reference data (``*PublicOut``)."""

import datetime as dt
from decimal import Decimal

from ninja import Schema


class ConsultationPublicOut(Schema):
    title: str
    period_from: dt.date
    period_to: dt.date
    opinions_summary: str
    result: str
    published_at: dt.datetime | None


class CatalogEntryPublicOut(Schema):
    code: str
    name: str
    parent_code: str
    must_trade: bool
    legal_basis: str
    source: str
    effective_from: dt.date
    center_code: str
    consultations: list[ConsultationPublicOut]


class RulePublicOut(Schema):
    id: int
    title: str
    document_number: str
    issuer: str
    level: str
    level_label: str
    category: str
    category_label: str
    status: str
    status_label: str
    effective_from: dt.date | None
    repealed_on: dt.date | None
    amended_by_id: int | None
    summary: str

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_category_label(obj) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class TemplateStepPublicOut(Schema):
    order: int
    code: str
    name: str
    role: str
    description: str


class TemplatePeriodPublicOut(Schema):
    key: str
    label: str
    value: Decimal
    unit: str
    legal_basis: str
    is_verified: bool


class TemplateVersionPublicOut(Schema):
    number: int
    effective_from: dt.date
    created_at: dt.datetime
    note: str
    steps: list[TemplateStepPublicOut]
    periods: list[TemplatePeriodPublicOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_periods(obj) -> list:
        return list(obj.periods.all())


class TemplateSummaryPublicOut(Schema):
    id: int
    category_code: str
    method: str
    method_label: str
    name: str
    current_version: int | None
    current_effective_from: dt.date | None
    upcoming_effective_from: dt.date | None
    version_count: int


class TemplateDetailPublicOut(Schema):
    id: int
    category_code: str
    method: str
    name: str
    versions: list[TemplateVersionPublicOut]

    @staticmethod
    def resolve_versions(obj) -> list:
        return list(obj.versions.all())


class CalendarDayPublicOut(Schema):
    date: dt.date
    kind: str
    name: str


class CalendarYearPublicOut(Schema):
    year: int
    is_official: bool
    source: str
    days: list[CalendarDayPublicOut]


class WorkingDaysAddPublicOut(Schema):
    start: dt.date
    n: int
    date: dt.date
    is_estimated: bool
    years_without_schedule: list[int]
