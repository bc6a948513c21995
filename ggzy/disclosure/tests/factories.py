import datetime as dt

from ggzy.core import clock
from ggzy.disclosure.models import NoticeType
from ggzy.disclosure.services import notice_publish
from ggzy.registry.models import Region


def notice_make(*, actor, center, title="历下区第一实验小学教学楼建设工程施工招标公告", body="项目概况：教学楼。",
                category_code="01", notice_type=NoticeType.TENDER, region=None, **extra):
    region = region or Region.objects.filter(parent=center.region).first() or center.region
    extra.setdefault("deadline", clock.now() + dt.timedelta(days=25))
    return notice_publish(actor=actor, center=center, region=region, notice_type=notice_type,
                          category_code=category_code, title=title, body=body, **extra)
