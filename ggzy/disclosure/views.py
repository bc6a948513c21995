"""The public portal: home by city and category, notice list with search, notice page; staff publishing."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import PUBLIC, requires, roles

from . import selectors, services, services_import
from .categories import portal_categories
from .forms import NoticeFilterForm, NoticeImportForm, NoticePublishForm
from .models import NoticeType

PAGE_SIZE = 20
DEADLINE_TYPES = (NoticeType.TENDER, NoticeType.PREQUALIFICATION, NoticeType.PROCUREMENT, NoticeType.CHANGE,
                  NoticeType.LISTING)
LINK_LABELS = {"lot": gettext_lazy("查看标段"), "signup": gettext_lazy("投标报名"),
               "tender_notice": gettext_lazy("原招标公告"), "hall": gettext_lazy("进入竞价大厅"),
               "listing_notice": gettext_lazy("原出让（转让）公告")}


def notice_links(notice) -> list[dict]:
    """The links the publishing domain attached, each named on the page (only local paths are followed)."""
    return [{"kind": link["kind"], "url": link["url"], "label": LINK_LABELS[link["kind"]]}
            for link in notice.links or [] if link.get("kind") in LINK_LABELS and _is_local(str(link.get("url", "")))]


def _is_local(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


@requires(PUBLIC)
def home_view(request):
    city = request.GET.get("city", "")
    category = request.GET.get("category", "")
    centers = selectors.centers_for_portal()
    if city and city not in {c.code for c in centers}:
        city = ""
    categories = portal_categories()
    if category not in categories:
        category = ""
    latest = list(selectors.notice_list_public(city=city, category=category)[:15])
    counts = selectors.notice_counts_by_category(city=city)
    by_category = [(code, name, counts.get(code, 0)) for code, name in categories.items()]
    top = max([n for _, _, n in by_category] + [1])
    city_counts = selectors.notice_counts_by_center()
    city_top = max([n for _, n in city_counts] + [1])
    return render(request, "disclosure/pages/home.html", {
        "centers": centers, "city": city, "category": category, "latest": latest,
        "by_category": [(c, n, k, round(100 * k / top)) for c, n, k in by_category],
        "city_counts": [(c, k, round(100 * k / city_top)) for c, k in city_counts],
        "city_name": next((c.region.name for c in centers if c.code == city), gettext("全省")),
        "categories": categories,
    })


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` matches (a search for a common word at a million notices stops counting there;
    the page says "more than")."""

    COUNT_CAP = 1000

    @cached_property
    def count(self) -> int:
        return self.object_list.count_upto(self.COUNT_CAP)  # type: ignore[attr-defined]  # NoticeResults

    @property
    def capped(self) -> bool:
        return self.count > self.COUNT_CAP


def notice_page(request, form, page_size: int = PAGE_SIZE):
    """The page of notices a filter form asks for, with the search words marked in titles and body windows."""
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.notice_search_public(**{k: v for k, v in filters.items() if v})
    page = CappedPaginator(qs, page_size).get_page(request.GET.get("page"))  # type: ignore[arg-type]  # sliced, counted
    q = filters.get("q", "")
    highlights = selectors.notice_highlights(page.object_list, q) if q else {}
    for notice in page.object_list:
        title_html, snippet_html = highlights.get(notice.pk, ("", ""))
        notice.title_html = title_html  # type: ignore[attr-defined]  # shown by the list templates
        notice.snippet_html = snippet_html  # type: ignore[attr-defined]
    return page


@requires(PUBLIC)
def notice_list_view(request):
    form = NoticeFilterForm(request.GET or None)
    page = notice_page(request, form)
    context = {"form": form, "page": page, "query": request.GET.copy()}
    context["query"].pop("page", None)
    template = "disclosure/partials/notice_results.html" if request.headers.get("HX-Request") else \
        "disclosure/pages/notice_list.html"
    return render(request, template, context)


@requires(PUBLIC)
def notice_detail_view(request, notice_id: int):
    notice = selectors.notice_get_public(notice_id=notice_id)
    if notice is None:
        raise Http404("公告不存在")
    origin = selectors.notice_origin_of(notice)
    return render(request, "disclosure/pages/notice_detail.html", {
        "notice": notice, "links": notice_links(notice), "origin": origin,
        "origin_amount": selectors.notice_origin_amount(origin) if origin else "",
        # Only a notice that invites bids or offers has a deadline; a result or failure notice has none to show.
        "has_deadline": notice.notice_type in DEADLINE_TYPES})


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def notice_manage_view(request):
    page = Paginator(selectors.notice_list_visible(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disclosure/pages/notice_manage.html", {"page": page})


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def notice_publish_view(request):
    center = request.user.center
    form = NoticePublishForm(request.POST or None, center=center)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_publish(actor=request.user, center=center, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("disclosure:notice_detail", notice_id=notice.pk)
    return render(request, "disclosure/pages/notice_publish.html", {"form": form, "center": center})


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def notice_withdraw_view(request, notice_id: int):
    notice = selectors.notice_list_visible(user=request.user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404("公告不存在")
    error = None
    if request.method == "POST":
        try:
            services.notice_withdraw(actor=request.user, notice=notice, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("disclosure:notice_detail", notice_id=notice.pk)
    return render(request, "disclosure/pages/notice_withdraw.html", {"notice": notice, "error": error})


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def notice_import_view(request):
    """Import notices and results from another system's OCDS file; the report lists every release's outcome."""
    center = request.user.center
    form = NoticeImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            if center is None:
                raise DomainError("账号未关联交易中心，无法导入公告", field="center")
            importer = (services_import.notices_import_national if form.cleaned_data["source_format"] == "national"
                        else services_import.notices_import_ocds)
            report = importer(actor=request.user, center=center, data=form.cleaned_data["file"].read(),
                              source_system=form.cleaned_data["source_system"])
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(request, "disclosure/pages/notice_import.html", {"form": form, "center": center, "report": report})
