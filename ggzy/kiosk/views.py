"""Self-service terminal (自助服务终端) mode: the portal's notices on a touch screen in a public hall.

No login, no links out of ``/kiosk/``, no free text: the visitor touches category and stage tiles, pages with
buttons, and types a search on an on-screen keyboard of common characters and digits (each key is a link that
appends to the query, so no system keyboard ever opens). After ``GGZY_KIOSK_IDLE_SECONDS`` without a touch the
terminal goes back home (``kiosk/kiosk.js``). Reads only through the disclosure selectors (the notice list is the
portal's, search and masking included).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ggzy.core.permissions import PUBLIC, requires
from ggzy.disclosure import selectors
from ggzy.disclosure.categories import portal_categories
from ggzy.disclosure.forms import NoticeFilterForm
from ggzy.disclosure.views import notice_page

PAGE_SIZE = 8
QUERY_MAX = 20
# Keys of the on-screen keyboard: words and characters frequent in notice titles, then digits.
KEY_WORDS = ["工程", "施工", "采购", "监理", "设计", "服务", "设备", "学校", "医院", "道路", "改造", "建设", "物业",
             "土地", "出让", "挂牌", "矿业", "股权", "租赁", "排污", "医用", "耗材", "招标", "结果"]
KEY_CHARS = list("市区县镇村省城乡路桥河水电气热管网楼房园校院局站所中心公司项目标段期号地块东西南北新老")
KEY_DIGITS = list("0123456789")
STAGES = [("announcement", _("招标/采购/出让公告")), ("change", _("变更公告")), ("publicity", _("候选人/成交公示")),
          ("result", _("结果/合同公告")), ("ended", _("终止/流标"))]


def _context(**extra) -> dict:
    return {"idle_seconds": settings.GGZY_KIOSK_IDLE_SECONDS, **extra}


@requires(PUBLIC)
def home_view(request):
    categories = portal_categories()
    counts = selectors.notice_counts_by_category()
    return render(request, "kiosk/home.html", _context(
        categories=[(code, name, counts.get(code, 0)) for code, name in categories.items()], stages=STAGES))


@requires(PUBLIC)
def notice_list_view(request):
    form = NoticeFilterForm(request.GET or None)
    page = notice_page(request, form, page_size=PAGE_SIZE)
    query = {k: v for k, v in request.GET.items() if k in ("q", "category", "stage") and v}
    here = urlencode({**query, **({"page": page.number} if page.number > 1 else {})})
    filters = form.cleaned_data if form.is_valid() else {}
    return render(request, "kiosk/notice_list.html", _context(
        page=page, query=urlencode(query), here=here, q=filters.get("q", ""), errors=form.errors if form.is_bound else {},
        category_name=portal_categories().get(filters.get("category", ""), ""),
        stage_name=dict(STAGES).get(filters.get("stage", ""), "")))


@requires(PUBLIC)
def notice_detail_view(request, notice_id: int):
    notice = selectors.notice_get_public(notice_id=notice_id)
    if notice is None:
        raise Http404("公告不存在")
    # back to the list the visitor came from (only its own filters are carried, never anything else)
    back = QueryDict(request.GET.get("back", ""))
    kept = {k: back[k] for k in ("q", "category", "stage", "page") if back.get(k)}
    return render(request, "kiosk/notice_detail.html", _context(notice=notice, back=urlencode(kept)))


@requires(PUBLIC)
def search_view(request):
    q = request.GET.get("q", "")[:QUERY_MAX]

    def typed(key: str) -> str:
        return "?" + urlencode({"q": (q + key)[:QUERY_MAX]})

    return render(request, "kiosk/search.html", _context(
        q=q, words=[(w, typed(w)) for w in KEY_WORDS], chars=[(c, typed(c)) for c in KEY_CHARS],
        digits=[(d, typed(d)) for d in KEY_DIGITS],
        backspace="?" + urlencode({"q": q[:-1]}) if q else "", space=typed(" ") if q and not q.endswith(" ") else "",
        results=urlencode({"q": q}) if q.strip() else ""))
