"""/api/v1/registry: the one-form registration (一表申请) and the public registry of market entities."""


from typing import Annotated

from django.core.paginator import Paginator
from ninja import Path, Query, Router, Status

from ggzy.accounts.client_address import client_address
from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers
from ggzy.core.errors import NotFound
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires

from . import selectors, selectors_control, services, services_control, services_review
from .masking import Audience, entity_brief, entity_view
from .models import EntityControl, EntityNameChange
from .policies import audience_for
from .schemas import (
    EntityControlEndIn,
    EntityControlIn,
    EntityControlOut,
    EntityListItemPublicOut,
    EntityNameChangeOut,
    EntityOut,
    EntityPageOut,
    EntityPublicOut,
    EntityRegisterIn,
    EntityReviewIn,
    EntityUpdateIn,
    EntityVersionOut,
)

router = Router()
MAX_PAGE_SIZE = 100
# 统一社会信用代码: 18 characters (GB 32100-2015); anything else names no entity
CreditCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{18}$")]


def _detail(entity, audience: Audience) -> EntityOut | EntityPublicOut:
    view = {"audience": str(audience), **entity_view(entity, audience)}
    if audience == Audience.PUBLIC:
        return EntityPublicOut(**view)
    pending = selectors.name_change_pending(entity=entity)
    return EntityOut(**view, pending_name=pending.new_name if pending else None)


@router.post("/entities", response=answers(EntityOut, 400, 403, 409, 429, status=201),
             summary="一表申请：注册市场主体（匿名自助或工作人员代办）")
@requires(PUBLIC)
def entity_register_api(request, payload: EntityRegisterIn):
    entity = services.entity_register(actor=request.user, data=payload.model_dump(),
                                      address=client_address(request))
    entity = selectors.entity_get(credit_code=entity.credit_code)
    audience = audience_for(request.user, entity)
    # The registrant sees back what it submitted (personal IDs masked) even before signing in.
    return Status(201, _detail(entity, Audience.OWNER if audience == Audience.PUBLIC else audience))


@router.get("/entities", response=answers(EntityPageOut, 400), summary="市场主体名录（公开，可按名称/信用代码检索）")
@requires(PUBLIC)
def entity_list_api(request, q: str = Query("", max_length=100), city: str = Query("", max_length=6),
                    entity_type: str = Query("", max_length=32), page: int = Query(1, ge=1, le=1_000_000),
                    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE)):
    qs = selectors.entity_list_visible(user=request.user, q=q, city=city, entity_type=entity_type)
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    current = Paginator(qs, size).get_page(page)
    items = [EntityListItemPublicOut(**entity_brief(entity)) for entity in current.object_list]
    return EntityPageOut(count=current.paginator.count, page=current.number, page_size=size, items=items)


@router.get("/entities/{credit_code}", response=answers(EntityOut | EntityPublicOut, 400, 404),
            summary="市场主体详情（公开部分脱敏；主体用户与工作人员可见全部）")
@requires(PUBLIC)
def entity_detail_api(request, credit_code: CreditCode):
    entity, audience = selectors.entity_get_for_user(user=request.user, credit_code=credit_code)
    return _detail(entity, audience)


@router.patch("/entities/{credit_code}", response=answers(EntityOut, *ACTION), summary="修改市场主体信息（生成新版本）")
@requires(AUTHENTICATED)
def entity_update_api(request, credit_code: CreditCode, payload: EntityUpdateIn):
    entity = selectors.entity_get(credit_code=credit_code)
    data = payload.model_dump(exclude_unset=True)
    expected_version = data.pop("version", None)
    services.entity_update(actor=request.user, entity=entity, data=data, expected_version=expected_version)
    entity, audience = selectors.entity_get_for_user(user=request.user, credit_code=credit_code)
    return _detail(entity, audience)


@router.get("/entities/{credit_code}/versions", response=answers(list[EntityVersionOut], *LOOKUP),
            summary="市场主体变更记录")
@requires(AUTHENTICATED)
def entity_versions_api(request, credit_code: CreditCode):
    entity = selectors.entity_get(credit_code=credit_code)
    return [EntityVersionOut(version=v.version, action=v.action, action_label=v.get_action_display(),
                             changed_at=v.changed_at, changed_by=v.changed_by.get_username() if v.changed_by else None,
                             changes=v.changes)
            for v in selectors.entity_versions_for_user(user=request.user, entity=entity)]


def _name_change_out(change: EntityNameChange) -> EntityNameChangeOut:
    return EntityNameChangeOut(id=change.pk, old_name=change.old_name, new_name=change.new_name, state=change.state,
                               state_label=change.get_state_display(), requested_at=change.requested_at,
                               decided_at=change.decided_at, reason=change.reason)


@router.post("/entities/{credit_code}/verify", response=answers(EntityOut, *ACTION),
             summary="核验市场主体（注册地交易中心或省级交易中心工作人员）")
@requires(AUTHENTICATED)
def entity_verify_api(request, credit_code: CreditCode):
    entity = selectors.entity_get(credit_code=credit_code)
    services_review.entity_verify(actor=request.user, entity=entity)
    entity, audience = selectors.entity_get_for_user(user=request.user, credit_code=credit_code)
    return _detail(entity, audience)


@router.get("/entities/{credit_code}/name-changes", response=answers(list[EntityNameChangeOut], *LOOKUP),
            summary="名称变更申请（主体用户与其交易中心工作人员）")
@requires(AUTHENTICATED)
def name_change_list_api(request, credit_code: CreditCode):
    entity = selectors.entity_get(credit_code=credit_code)
    return [_name_change_out(c) for c in selectors.name_changes_for_user(user=request.user, entity=entity)]


def _name_change(credit_code: str, change_id: int) -> EntityNameChange:
    entity = selectors.entity_get(credit_code=credit_code)
    change = EntityNameChange.objects.filter(entity=entity, pk=change_id).select_related("entity").first()
    if change is None:
        raise NotFound("名称变更申请不存在", field="change_id")
    return change


@router.post("/entities/{credit_code}/name-changes/{change_id}/approve",
             response=answers(EntityNameChangeOut, *ACTION),
             summary="通过名称变更（交易中心工作人员）")
@requires(AUTHENTICATED)
def name_change_approve_api(request, credit_code: CreditCode, change_id: ObjectId):
    change = services_review.name_change_approve(actor=request.user, change=_name_change(credit_code, change_id))
    return _name_change_out(change)


@router.post("/entities/{credit_code}/name-changes/{change_id}/refuse",
             response=answers(EntityNameChangeOut, *ACTION),
             summary="不予通过名称变更（交易中心工作人员，须说明理由）")
@requires(AUTHENTICATED)
def name_change_refuse_api(request, credit_code: CreditCode, change_id: ObjectId, payload: EntityReviewIn):
    change = services_review.name_change_refuse(actor=request.user, change=_name_change(credit_code, change_id),
                                                reason=payload.reason)
    return _name_change_out(change)


def control_out(control: EntityControl) -> EntityControlOut:
    by_entity = control.controller_entity
    return EntityControlOut(
        id=control.pk, controlled=control.controlled.credit_code, controlled_name=control.controlled.name,
        controller_type="entity" if by_entity else "person",
        controller_credit_code=by_entity.credit_code if by_entity else None,
        controller_name=by_entity.name if by_entity else control.controller_person_name,
        controller_person_id_tail=None if by_entity else control.controller_person_id_tail, kind=control.kind,
        kind_label=str(control.get_kind_display()), share_percent=control.share_percent, source=control.source,
        source_label=str(control.get_source_display()), valid_from=control.valid_from, valid_until=control.valid_until)


@router.get("/entities/{credit_code}/controls", response=answers(list[EntityControlOut], *LOOKUP),
            summary="控制关系（主体用户、其交易中心工作人员与监管人员）")
@requires(AUTHENTICATED)
def entity_control_list_api(request, credit_code: CreditCode):
    entity = selectors.entity_get(credit_code=credit_code)
    if not selectors_control.can_view_controls(request.user, entity):
        raise NotFound("市场主体不存在", field="credit_code")
    return [control_out(c) for c in selectors_control.entity_controls_for_user(user=request.user, entity=entity)]


@router.post("/entities/{credit_code}/controls", response=answers(EntityControlOut, *ACTION, status=201),
             summary="登记控制关系（工作人员录入或主体自行申报）")
@requires(AUTHENTICATED)
def entity_control_record_api(request, credit_code: CreditCode, payload: EntityControlIn):
    entity = selectors.entity_get(credit_code=credit_code)
    control = services_control.entity_control_record(actor=request.user, controlled=entity,
                                                     data=payload.model_dump())
    return Status(201, control_out(control))


@router.post("/controls/{control_id}/end", response=answers(EntityControlOut, *ACTION),
             summary="终止控制关系（保留历史）")
@requires(AUTHENTICATED)
def entity_control_end_api(request, control_id: ObjectId, payload: EntityControlEndIn):
    control = services_control.entity_control_end(actor=request.user, control_id=control_id,
                                                  valid_until=payload.valid_until)
    return control_out(control)
