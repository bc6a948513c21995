"""Public pages: the catalog in force, the rules list, the process templates and the holiday calendar."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires

from . import selectors
from .choices import GENERAL_CATEGORY_CODE
from .forms import CatalogFilterForm, RuleFilterForm

# The calendar's column heads, Monday first.
WEEKDAYS = [pgettext_lazy("weekday", "一"), pgettext_lazy("weekday", "二"), pgettext_lazy("weekday", "三"),
            pgettext_lazy("weekday", "四"), pgettext_lazy("weekday", "五"), pgettext_lazy("weekday", "六"),
            pgettext_lazy("weekday", "日")]


@requires(PUBLIC)
def catalog_view(request):
    centers = list(selectors.city_centers().select_related("region"))
    form = CatalogFilterForm(request.GET or None, centers=centers)
    data = form.cleaned_data if form.is_valid() else {}
    on_date = data.get("on") or clock.today()
    center = next((c for c in centers if c.code == data.get("city")), None)
    entries = selectors.catalog_in_force(on_date, center)
    return render(request, "catalog/pages/catalog.html", {
        "form": form, "entries": entries, "center": center, "on_date": on_date,
        "version": selectors.catalog_version_in_force(on_date),
        "consulted": [e for e in entries if e.consultations],
    })


@requires(PUBLIC)
def rules_view(request):
    form = RuleFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rules = selectors.rule_list_public(status=data.get("status", ""), level=data.get("level", ""),
                                       category=data.get("category", ""))
    return render(request, "catalog/pages/rules.html", {"form": form, "rules": rules})


def _category_names() -> dict[str, str]:
    """Category names for the templates' codes: the provincial catalog's, then the cities' own extensions (排污权,
    碳排放权 have templates but join city by city)."""
    names = {code: gettext("%(name)s（市级扩展）") % {"name": name}
             for code, name in selectors.city_extension_names().items()}
    names |= {e.code: e.name for e in selectors.catalog_in_force()}
    names[GENERAL_CATEGORY_CODE] = gettext("通用")
    return names


@requires(PUBLIC)
def processes_view(request):
    return render(request, "catalog/pages/processes.html", {
        "summaries": selectors.process_template_list_public(), "category_names": _category_names()})


@requires(PUBLIC)
def process_detail_view(request, template_id: int):
    try:
        template = selectors.process_template_get_public(template_id)
    except DomainError:
        raise Http404("流程模板不存在") from None
    versions = list(template.versions.all())
    today = clock.today()
    wanted = request.GET.get("version", "")
    selected = next((v for v in versions if str(v.number) == wanted), None)
    if selected is None:
        selected = next((v for v in versions if v.effective_from <= today), versions[-1] if versions else None)
    return render(request, "catalog/pages/process_detail.html", {
        "template": template, "versions": versions, "selected": selected, "today": today,
        "category_name": _category_names().get(template.category_code, template.category_code),
    })


@requires(PUBLIC)
def calendar_today_view(request):
    """This year's calendar; the query string (``?lang=en``) goes along."""
    target = reverse("catalog:calendar", kwargs={"year": clock.today().year})
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{target}?{query}" if query else target)


@requires(PUBLIC)
def calendar_view(request, year: int):
    try:
        data = selectors.calendar_year_public(year)
    except DomainError:
        raise Http404("年份超出范围") from None
    return render(request, "catalog/pages/calendar.html", {
        "cal": data, "known_years": selectors.holiday_years_known(), "weekdays": WEEKDAYS,
        "previous_year": year - 1, "next_year": year + 1})
