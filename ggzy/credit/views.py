"""Credit pages: staff and supervisors list, search, read, create, correct and import records and see a subject's
score; the public page lists public records within their publication period, without personal data."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.core.roles import Role

from . import evaluation, imports, publication, report, selectors, services
from .forms import CorrectForm, ImportForm, RecordForm
from .masking import record_public_view
from .models import CreditImport, CreditRecord, Kind, Source, SubjectKind

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
        "is_public": publication.is_public(record)})


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
    from ggzy.registry.selectors import entity_of_user

    entity = entity_of_user(user=user)
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
