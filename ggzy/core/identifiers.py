"""统一交易标识码 — the unified transaction identifier, issued once and never reused.

Layout (documented in docs/adr/0003-transaction-code.md):
  project      = region code (6 digits, GB/T 2260) + year (4) + category code (2) + serial (6)  → 18 chars
  tender/part  = parent + 3-digit serial                                                      → 21 chars
  lot/section  = tender code + 3-digit serial                                                 → 24 chars
Serials come from ``CodeSequence`` rows that are only incremented inside a row lock, and every code is
inserted into ``IssuedCode`` (unique), so two requests can never receive the same code even on SQLite
(whose IMMEDIATE transactions serialise writers).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F

from . import clock
from .errors import DomainError
from .models import CodeSequence, IssuedCode

PROJECT_RE = re.compile(r"^\d{6}\d{4}[0-9A-Z]{2}\d{6}$")
CHILD_WIDTH = 3
MAX_CHILD = 10**CHILD_WIDTH - 1


def _next_serial(prefix: str) -> int:
    seq, _ = CodeSequence.objects.select_for_update().get_or_create(prefix=prefix)
    CodeSequence.objects.filter(pk=seq.pk).update(last_value=F("last_value") + 1)
    seq.refresh_from_db(fields=["last_value"])
    return seq.last_value


def project_code_issue(*, region_code: str, category_code: str, year: int | None = None) -> str:
    """Issue a new project code for a project in ``region_code`` under catalog ``category_code``."""
    if not re.fullmatch(r"\d{6}", region_code or ""):
        raise DomainError("行政区划代码必须为6位数字", field="region_code")
    if not re.fullmatch(r"[0-9A-Z]{2}", category_code or ""):
        raise DomainError("交易类别代码必须为2位数字或大写字母", field="category_code")
    year = year or clock.today().year
    prefix = f"{region_code}{year:04d}{category_code}"
    with transaction.atomic():
        serial = _next_serial(prefix)
        if serial > 999_999:
            raise DomainError("本年度该类别项目编号已用尽", field="category_code")
        code = f"{prefix}{serial:06d}"
        IssuedCode.objects.create(code=code, level="project", issued_at=clock.now())
    return code


def child_code_issue(*, parent_code: str, level: str) -> str:
    """Issue the next +3-digit child code (tender project under a project, lot under a tender project)."""
    with transaction.atomic():
        try:
            parent = IssuedCode.objects.get(code=parent_code)
        except IssuedCode.DoesNotExist:
            raise DomainError("上级统一交易标识码不存在", field="parent_code") from None
        serial = _next_serial(parent_code)
        if serial > MAX_CHILD:
            raise DomainError("下级编号已用尽（最多999个）", field="parent_code")
        code = f"{parent_code}{serial:0{CHILD_WIDTH}d}"
        IssuedCode.objects.create(code=code, parent=parent, level=level, issued_at=clock.now())
    return code
