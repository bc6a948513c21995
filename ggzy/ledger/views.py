"""Ledger pages: the public checkpoint list and entry pages, and the supervisors' trace page."""

from django.http import Http404
from django.shortcuts import render

from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.core.roles import Role

from . import keys, selectors
from .forms import TraceForm
from .localwitness import witness_key_holder
from .models import Witness
from .schemas import EntryPublicOut

TRACE_RULE = roles(Role.SUPERVISOR, Role.CENTER_STAFF, Role.ADMIN)


@requires(PUBLIC)
def ledger_home_view(request):
    checkpoints = selectors.checkpoint_list_public(limit=50)
    witnesses = list(Witness.objects.filter(is_active=True).order_by("name"))
    latest = checkpoints[0] if checkpoints else None
    cosigned_latest = {c.witness_id for c in latest.cosignatures.all()} if latest else set()
    pending, revealed = selectors.sealed_counts()
    context = {
        "head": selectors.log_head(),
        "sealed_pending": pending,
        "sealed_revealed": revealed,
        "checkpoints": checkpoints,
        "latest": latest,
        "log_vkey": keys.platform_verifier().vkey,
        "witnesses": [{"witness": w, "key_holder": witness_key_holder(w)} for w in witnesses],
        # a witness only ever cosigns the latest checkpoint (from its last size), so only that one can be awaited
        "awaiting": [w for w in witnesses if latest is not None and w.pk not in cosigned_latest
                     and w.last_cosigned_size < latest.tree_size],
    }
    return render(request, "ledger/pages/home.html", context)


@requires(PUBLIC)
def entry_detail_view(request, index: int):
    try:
        entry = selectors.entry_get(index=index)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    checkpoint = selectors.checkpoint_covering(index=index)
    size = checkpoint.tree_size if checkpoint else selectors.log_head().size
    proof = selectors.inclusion_proof_hashes(index=index, size=size)
    root = checkpoint.root_hash if checkpoint else selectors.root_at(size=size)
    public = EntryPublicOut.from_entry(entry, selectors.sealed_revealed(indexes=[index]).get(index))
    context = {"entry": public, "checkpoint": checkpoint, "tree_size": size,
               "root_hex": bytes(root).hex(), "leaf_hex": bytes(entry.leaf_hash).hex(),
               "proof": [p.hex() for p in proof]}
    return render(request, "ledger/pages/entry_detail.html", context)


@requires(TRACE_RULE)
def trace_view(request):
    form = TraceForm(request.GET or None)
    rows = None
    if form.is_bound and form.is_valid():
        try:
            object_type, object_id = selectors.parse_object_reference(form.cleaned_data["object"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            entries = selectors.entry_trace_visible(user=request.user, object_type=object_type, object_id=object_id)
            rows = selectors.trace_rows(entries)
    return render(request, "ledger/pages/trace.html", {"form": form, "rows": rows})
