"""近亲属申报 — an expert's declared relatives, whose employers the draw avoids (``selectors_draw.draw_candidates``
reads ``ExpertRelative.entity``). The employer is given by unified social credit code (must be a registered market
entity) or by name (linked when exactly one registered entity has that name; otherwise kept as text only, and the
page says the draw cannot use it). The optional ID number is checked (GB 11643) and kept encrypted."""

from __future__ import annotations

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.credit_code import credit_code_normalize, credit_code_validate
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.roles import Role
from ggzy.registry.models import MarketEntity

from ..identity import id_number_normalize, id_number_validate
from ..models import Expert, ExpertRelative

RELATIONS = ("配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女", "其他近亲属")


def _may_edit(actor, expert: Expert) -> None:
    if actor is None:
        raise NotAllowed("请先登录", field="__all__")
    if actor.role in (Role.CENTER_STAFF, Role.ADMIN):
        return
    if actor.role == Role.EXPERT and expert.user_id == actor.pk:
        return
    raise NotAllowed("只有专家本人或交易中心可以维护近亲属信息", field="__all__")


def relative_employer(*, credit_code: str = "", name: str = "",
                      field: str = "employer") -> tuple[MarketEntity | None, str]:
    """(entity, name) of a relative's employer from a credit code or a name; DomainError naming ``field``."""
    code, name = credit_code_normalize(credit_code), (name or "").strip()
    if len(name) > 200:
        raise DomainError("工作单位不能超过200个字", field=field)
    if code:
        credit_code_validate(code, field=field)
        entity = MarketEntity.objects.filter(credit_code=code).first()
        if entity is None:
            raise DomainError("该统一社会信用代码不是已登记的市场主体", field=field)
        return entity, entity.name
    if not name:
        raise DomainError("请填写工作单位名称或统一社会信用代码", field=field)
    matches = list(MarketEntity.objects.filter(name=name)[:2])
    return (matches[0] if len(matches) == 1 else None), name


def relative_clean(*, name: str, relation: str, credit_code: str = "", employer_name: str = "",
                   id_number: str = "", field_prefix: str = "") -> dict:
    """The checked fields of one relative (shared by the page and the pool import)."""
    name, relation = (name or "").strip(), (relation or "").strip()
    if not name or len(name) > 64:
        raise DomainError("请填写近亲属姓名（不超过64个字）", field=f"{field_prefix}name")
    if relation not in RELATIONS:
        raise DomainError("请选择关系（配偶、父母、子女等近亲属）", field=f"{field_prefix}relation")
    entity, entity_name = relative_employer(credit_code=credit_code, name=employer_name,
                                            field=f"{field_prefix}employer")
    number = id_number_normalize(id_number or "")
    if number:
        id_number_validate(number, field=f"{field_prefix}id_number", today=clock.today())
    return {"name": name, "relation": relation, "entity": entity, "entity_name": entity_name, "id_number": number}


def relative_declare(*, actor, expert: Expert, name: str, relation: str, credit_code: str = "",
                     employer_name: str = "", id_number: str = "") -> ExpertRelative:
    _may_edit(actor, expert)
    values = relative_clean(name=name, relation=relation, credit_code=credit_code,
                            employer_name=employer_name, id_number=id_number)
    with transaction.atomic():
        if expert.relatives.filter(name=values["name"], relation=values["relation"]).exists():
            raise DomainError("已申报过该近亲属（姓名与关系相同）", field="name")
        relative = ExpertRelative.objects.create(expert=expert, declared_at=clock.now(), **values)
        audit_record(actor=actor, action="experts.relative.create", obj=relative,
                     after={"expert": expert.pk, "relation": relative.relation,
                            "entity": relative.entity_id, "id_number": "***" if values["id_number"] else ""})
    return relative


def relative_remove(*, actor, relative: ExpertRelative) -> None:
    _may_edit(actor, relative.expert)
    with transaction.atomic():
        audit_record(actor=actor, action="experts.relative.delete", obj=relative,
                     before={"expert": relative.expert_id, "relation": relative.relation})
        relative.delete()


# --- the pool import's relative columns (documented in docs/expert-draw.md) --------------------------------------
# several relatives in one row: the cells hold values separated by “;” / “；”, matched by position
RELATIVE_COLUMNS: dict[str, tuple[str, ...]] = {
    "relative_name": ("近亲属姓名", "relative_name"),
    "relative_relation": ("近亲属关系", "relative_relation"),
    "relative_credit_code": ("近亲属单位信用代码", "relative_credit_code"),
    "relative_employer": ("近亲属工作单位", "relative_employer"),
}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.replace("；", ";").split(";")] if cell.strip() else []


def relatives_parse(get) -> tuple[list[dict], list[tuple[str, str]]]:
    """The relatives of one import row (``get(column_key) -> cell``): (checked values, problems by column label)."""
    cells = {key: _split(get(key)) for key in RELATIVE_COLUMNS}
    count = max((len(v) for v in cells.values()), default=0)
    found: list[dict] = []
    problems: list[tuple[str, str]] = []
    label = RELATIVE_COLUMNS["relative_name"][0]
    for i in range(count):
        def cell(key: str, i: int = i) -> str:
            values = cells[key]
            return values[i] if i < len(values) else ""

        try:
            found.append(relative_clean(name=cell("relative_name"), relation=cell("relative_relation"),
                                        credit_code=cell("relative_credit_code"),
                                        employer_name=cell("relative_employer")))
        except DomainError as exc:
            problems.append((label, f"第{i + 1}名近亲属：{exc.message}"))
    return found, problems


def relatives_store_missing(expert: Expert, relatives: list[dict]) -> int:
    """Add the imported relatives the expert has not declared yet (same name and relation); returns how many."""
    held = set(expert.relatives.values_list("name", "relation"))
    new = [r for r in relatives if (r["name"], r["relation"]) not in held]
    ExpertRelative.objects.bulk_create([ExpertRelative(expert=expert, declared_at=clock.now(), **r) for r in new])
    return len(new)
