"""Admin views of tendering: read-only (every change goes through the services), and sealed rows stay sealed:
before the opening a bid or sign-up shows only its pseudonymous tag, state and arrival time."""

from django.contrib import admin

from .choices import LotState
from .models import (
    Bid,
    BidEvent,
    BondAccount,
    Challenge,
    Complaint,
    GuaranteeIssuer,
    Lot,
    LotSuspension,
    Project,
    SignUp,
)

SEALED_STATES = (LotState.DRAFT, LotState.PUBLISHED)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "method", "center", "state", "created_at")
    list_filter = ("method", "state", "center")
    search_fields = ("code", "title")


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "state", "bid_deadline")
    list_filter = ("state",)
    search_fields = ("code", "name")
    exclude = ("notice_text",)


class SealedRowAdmin(ReadOnlyAdmin):
    """Rows whose bidder is sealed until the opening: only the pseudonymous tag shows before it."""

    @admin.display(description="投标人标签")
    def short_tag(self, obj):
        return obj.bidder_tag[:12]

    @admin.display(description="投标人")
    def bidder_shown(self, obj):
        if obj.lot.state in SEALED_STATES or obj.bidder_id is None:
            return "（密封）"
        return obj.bidder.name


@admin.register(Bid)
class BidAdmin(SealedRowAdmin):
    list_display = ("id", "lot", "short_tag", "bidder_shown", "state", "arrived_at")
    list_filter = ("state",)
    fields = ("lot", "short_tag", "bidder_shown", "state", "arrived_at", "modified_count", "price", "opened_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lot", "bidder").defer(
            "wrapped_key", "sealed_price_sheet", "fingerprint_sealed", "bidder_sealed")


@admin.register(SignUp)
class SignUpAdmin(SealedRowAdmin):
    list_display = ("id", "lot", "short_tag", "bidder_shown", "signed_up_at")
    fields = ("lot", "short_tag", "bidder_shown", "signed_up_at")
    readonly_fields = fields


@admin.register(BidEvent)
class BidEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "lot", "kind", "detail")
    list_filter = ("kind",)


@admin.register(BondAccount)
class BondAccountAdmin(ReadOnlyAdmin):
    """The center's bond account (set by staff on the bond desk)."""

    list_display = ("center", "account_name", "bank_name", "account_number")


@admin.register(GuaranteeIssuer)
class GuaranteeIssuerAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind")


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    """异议（质疑）: read-only; the complainant shows only once named (a sealed filing shows its tag)."""

    list_display = ("pk", "lot", "kind", "subject", "state", "is_sealed", "filed_at", "answer_due")
    list_filter = ("kind", "subject", "state")
    exclude = ("complainant_sealed",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """投诉: read-only (the supervision department acts on its pages)."""

    list_display = ("pk", "lot", "subject", "state", "filed_at", "acceptance_due", "decision_due", "outcome")
    list_filter = ("subject", "state", "outcome")
    exclude = ("complainant_sealed",)


@admin.register(LotSuspension)
class LotSuspensionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "lot", "reason", "started_at", "ends_at", "lifted_at")
