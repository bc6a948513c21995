"""/api/v1/registry: the one-form registration (一表申请) and the public registry of market entities."""


from django.core.paginator import Paginator
from ninja import Router, Status

from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires

from . import selectors, services
from .masking import Audience, entity_brief, entity_view
from .policies import audience_for
from .schemas import (
    EntityListItemPublicOut,
    EntityOut,
    EntityPageOut,
    EntityPublicOut,
    EntityRegisterIn,
    EntityUpdateIn,
    EntityVersionOut,
)

router = Router()
MAX_PAGE_SIZE = 100


def _detail(entity, audience: Audience) -> EntityOut | EntityPublicOut:
    view = {"audience": str(audience), **entity_view(entity, audience)}
    return EntityPublicOut(**view) if audience == Audience.PUBLIC else EntityOut(**view)


@router.post("/entities", response={201: EntityOut}, summary="一表申请：注册市场主体（匿名自助或工作人员代办）")
@requires(PUBLIC)
def entity_register_api(request, payload: EntityRegisterIn):
    entity = services.entity_register(actor=request.user, data=payload.model_dump())
    entity = selectors.entity_get(credit_code=entity.credit_code)
    audience = audience_for(request.user, entity)
    # The registrant sees back what it submitted (personal IDs masked) even before signing in.
    return Status(201, _detail(entity, Audience.OWNER if audience == Audience.PUBLIC else audience))


@router.get("/entities", response=EntityPageOut, summary="市场主体名录（公开，可按名称/信用代码检索）")
@requires(PUBLIC)
def entity_list_api(request, q: str = "", city: str = "", entity_type: str = "", page: int = 1,
                    page_size: int = 20):
    qs = selectors.entity_list_visible(user=request.user, q=q, city=city, entity_type=entity_type)
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    current = Paginator(qs, size).get_page(page)
    items = [EntityListItemPublicOut(**entity_brief(entity)) for entity in current.object_list]
    return EntityPageOut(count=current.paginator.count, page=current.number, page_size=size, items=items)


@router.get("/entities/{credit_code}", response=EntityOut | EntityPublicOut,
            summary="市场主体详情（公开部分脱敏；主体用户与工作人员可见全部）")
@requires(PUBLIC)
def entity_detail_api(request, credit_code: str):
    entity, audience = selectors.entity_get_for_user(user=request.user, credit_code=credit_code)
    return _detail(entity, audience)


@router.patch("/entities/{credit_code}", response=EntityOut, summary="修改市场主体信息（生成新版本）")
@requires(AUTHENTICATED)
def entity_update_api(request, credit_code: str, payload: EntityUpdateIn):
    entity = selectors.entity_get(credit_code=credit_code)
    data = payload.model_dump(exclude_unset=True)
    expected_version = data.pop("version", None)
    services.entity_update(actor=request.user, entity=entity, data=data, expected_version=expected_version)
    entity, audience = selectors.entity_get_for_user(user=request.user, credit_code=credit_code)
    return _detail(entity, audience)


@router.get("/entities/{credit_code}/versions", response=list[EntityVersionOut], summary="市场主体变更记录")
@requires(AUTHENTICATED)
def entity_versions_api(request, credit_code: str):
    entity = selectors.entity_get(credit_code=credit_code)
    return [EntityVersionOut(version=v.version, action=v.action, action_label=v.get_action_display(),
                             changed_at=v.changed_at, changed_by=v.changed_by.get_username() if v.changed_by else None,
                             changes=v.changes)
            for v in selectors.entity_versions_for_user(user=request.user, entity=entity)]
