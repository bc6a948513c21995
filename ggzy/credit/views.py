"""Credit pages: staff and supervisors list, search, read, create, correct and import records and see a subject's
score; the public page lists public records within their publication period, without personal data."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.core.roles import Role

from . import evaluation, imports, publication, repair, report, selectors, services
from .forms import CorrectForm, ImportForm, RecordForm, RepairForm, RepairReviewForm
from .masking import record_public_view
from .models import CreditImport, CreditRecord, Kind, RepairRequest, RepairState, Source, SubjectKind

CREDIT_STAFF = roles(Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN)
FIRM = roles(Role.BIDDER, Role.TENDERER, Role.AGENCY)
PAGE_MAX = 200


@requires(CREDIT_STAFF)
def record_list_view(request):
    q = (request.GET.get("q") or "").strip()[:100]
    kind = request.GET.get("kind", "")
    source = request.GET.get("source", "")
    kind = kind if kind in Kind.values else ""
    source = source if source in Source.values else ""
    rows = selectors.records_search(q=q, kind=kind, source=source)[:PAGE_MAX]
    return render(request, "credit/pages/records.html", {
        "rows": rows, "q": q, "kind": kind, "source": source, "kinds": Kind.choices, "sources": Source.choices})


def _form_error(form, exc: DomainError) -> None:
    """The service's errors on the form's fields (its restrictions are the form's behaviours)."""
    if "restrictions" in exc.errors:
        exc.errors.setdefault("behaviours", []).extend(exc.errors.pop("restrictions"))
    apply_domain_error(form, exc)


def _record_or_404(record_no: str) -> CreditRecord:
    record = CreditRecord.objects.filter(record_no=record_no, is_current=True).first()
    if record is None:
        raise Http404("信用记录不存在")
    return record


@requires(CREDIT_STAFF)
def record_detail_view(request, record_no: str):
    record = _record_or_404(record_no)
    return render(request, "credit/pages/record.html", {
        "record": record, "history": selectors.record_history(record_no),
        "restrictions": list(record.restrictions.all()), "publication_end": publication.publication_end(record),
        "is_public": publication.is_public(record),
        "repairs": [{"request": q, "conditions": condition_rows(q.conditions)} for q in record.repairs.all()]})


@requires(CREDIT_STAFF)
def record_new_view(request):
    form = RecordForm(request.POST or None, initial={"publication": "public"})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_create(actor=request.user, **form.service_data())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("credit:record", record_no=record.record_no)
    return render(request, "credit/pages/record_form.html", {"form": form, "record": None})


@requires(CREDIT_STAFF)
def record_correct_view(request, record_no: str):
    record = _record_or_404(record_no)
    restrictions = list(record.restrictions.all())
    initial = {name: getattr(record, name) for name in ("subject_name", "kind", "title", "facts", "authority",
                                                         "decision_no", "publication")}
    for name in ("decided_on", "valid_from", "valid_until"):
        value = getattr(record, name)
        initial[name] = value.isoformat() if value else ""
    initial["behaviours"] = [r.behaviour for r in restrictions]
    ends = {r.ends_on for r in restrictions}
    only = ends.pop() if len(ends) == 1 else None
    initial["restriction_ends_on"] = only.isoformat() if only is not None else ""
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.record_correct(actor=request.user, record=record, **form.service_data())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("credit:record", record_no=new.record_no)
    return render(request, "credit/pages/record_form.html", {"form": form, "record": record})


@requires(CREDIT_STAFF)
def subject_view(request, subject_kind: str, subject_key: str):
    if subject_kind not in SubjectKind.values:
        raise Http404("主体类别不正确")
    try:
        score = evaluation.score_compute(subject_kind, subject_key)
    except DomainError:
        score = None
    records = list(selectors.records_in_force(subject_kind, subject_key))
    name = records[0].subject_name if records else ""
    return render(request, "credit/pages/subject.html", {
        "subject_kind": subject_kind, "subject_key": subject_key, "subject_name": name, "score": score,
        "records": records, "snapshots": evaluation.snapshots_of(subject_kind, subject_key),
        "kind_label": SubjectKind(subject_kind).label})


@requires(CREDIT_STAFF)
def import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = imports.credit_import(actor=request.user, file_name=upload.name,
                                           content=upload.read(imports.MAX_FILE_BYTES + 1),
                                           national_list=form.cleaned_data["national_list"])
        except DomainError as exc:
            apply_domain_error(form, exc)
    recent = CreditImport.objects.all()[:20]
    return render(request, "credit/pages/import.html", {"form": form, "report": report, "recent": recent,
                                                        "columns": list(imports.LABELS.values())[:-1]})


@requires(PUBLIC)
def public_view(request):
    q = (request.GET.get("q") or "").strip()[:100]
    rows = [record_public_view(r) for r in publication.public_records(q=q)[:PAGE_MAX]]
    return render(request, "credit/pages/public.html", {"rows": rows, "q": q,
                                                        "staff_url": reverse("credit:records")})


def acting_firm(user):
    """The market entity the user acts for (registry roles), or 404 in Chinese."""
    from .firms import entity_of_user

    entity = entity_of_user(user)
    if entity is None:
        raise Http404("当前账号未关联市场主体")
    return entity


def pdf_response(name: str, pdf: bytes) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@requires(FIRM)
def my_report_pdf_view(request):
    """The acting firm's own credit report, signed by the platform (only ever its own)."""
    entity = acting_firm(request.user)
    try:
        name, pdf = report.credit_report_pdf(credit_code=entity.credit_code, name=entity.name)
    except DomainError as exc:
        raise Http404(exc.message) from None
    return pdf_response(name, pdf)


def condition_rows(conditions: list[dict]) -> list[dict]:
    """Stored repair conditions (labels kept in Chinese) with their label in the page's language, by code."""
    labels = {"min_period": _("已满最短公示期"), "no_restriction": _("没有仍在执行的限制措施"),
              "corrected": _("失信行为已纠正"), "obligations": _("已履行行政处罚或判决确定的义务"),
              "commitment": _("已作出信用承诺")}
    return [{**c, "label": labels.get(c.get("code", ""), c.get("label", ""))} for c in conditions]


@requires(FIRM)
def my_credit_view(request):
    """The firm's own credit: its records, which may be repaired, its requests and their outcome, its report."""
    entity, records = repair.firm_records(request.user)
    if entity is None:
        raise Http404(_("当前账号未关联市场主体"))
    rows = [{"record": r, "eligible": repair.repair_eligible(r), "public": publication.is_public(r),
             "requests": [{"request": q, "conditions": condition_rows(q.conditions)} for q in r.repairs.all()]}
            for r in records]
    try:
        score = evaluation.score_compute(evaluation.subject_kind_of(entity.credit_code), entity.credit_code)
    except DomainError:
        score = None
    return render(request, "credit/pages/my_credit.html", {"entity": entity, "rows": rows, "score": score})


@requires(FIRM)
def my_repair_view(request, record_no: str):
    entity, records = repair.firm_records(request.user)
    record = next((r for r in records if r.record_no == record_no), None)
    if entity is None or record is None:
        raise Http404(_("信用记录不存在"))
    form = RepairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            repair.repair_submit(actor=request.user, record=record, applicant_name=entity.name,
                                 **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("credit:my")
    return render(request, "credit/pages/my_repair.html", {"entity": entity, "record": record, "form": form,
                                                           "eligible": repair.repair_eligible(record)})


@requires(CREDIT_STAFF)
def repair_list_view(request):
    """Repair requests for review (pending first), with their conditions and a review form each."""
    rows = RepairRequest.objects.select_related("record").order_by("-submitted_at", "-pk")
    pending = [{"request": q, "conditions": condition_rows(q.conditions)}
               for q in rows.filter(state=RepairState.SUBMITTED)[:PAGE_MAX]]
    done = [{"request": q, "conditions": condition_rows(q.conditions)}
            for q in rows.exclude(state=RepairState.SUBMITTED)[:50]]
    return render(request, "credit/pages/repairs.html", {"pending": pending, "done": done,
                                                         "form": RepairReviewForm()})


@requires(CREDIT_STAFF)
def repair_review_view(request, request_id: int):
    target = RepairRequest.objects.filter(pk=request_id).first()
    if target is None:
        raise Http404(_("修复申请不存在"))
    form = RepairReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            repair.repair_review(actor=request.user, request=target,
                                 approve=form.cleaned_data["decision"] == "approve",
                                 note=form.cleaned_data["review_note"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("credit:repairs")
    return render(request, "credit/pages/repair_review.html", {
        "target": target, "conditions": condition_rows(target.conditions), "form": form})
