"""`make demo`'s past falls in office hours (working days, 08:30–17:30 local) whatever the hour it is loaded at,
and the archived lot's signatures are dated with their steps, not with the moment the demo was loaded."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ggzy.catalog.calendar import is_office_hours
from ggzy.core import clock
from ggzy.core.models import AuditEntry
from ggzy.disclosure.models import Notice
from ggzy.pki.models import Signature
from ggzy.tendering.demo import LIVE_TITLE
from ggzy.tendering.models import Lot

SATURDAY_NIGHT = dt.datetime(2026, 11, 28, 23, 40)  # a load at an hour nobody works


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_past_is_in_office_hours_and_signatures_are_dated_with_their_steps(settings, tmp_path):
    # given the demo loaded late on a Saturday night (into a fresh var/pki)
    settings.GGZY_OPENING_KEY_DIR = tmp_path / "keys"
    loaded_at = timezone.make_aware(SATURDAY_NIGHT)
    clock.freeze(loaded_at)
    try:
        call_command("demo_load", stdout=io.StringIO())
    finally:
        clock.unfreeze()
    # then every tendering event and every notice before the load day is on a working day in office hours
    past = loaded_at - dt.timedelta(days=1)
    events = AuditEntry.objects.filter(object_type__startswith="tendering.", at__lt=past)
    assert events.count() > 50
    outside = [(e.action, timezone.localtime(e.at)) for e in events if not is_office_hours(e.at)]
    assert outside == []
    notices = Notice.objects.filter(published_at__lt=past)
    assert notices.count() > 100
    assert [n.title for n in notices if not is_office_hours(n.published_at)] == []
    # and only notices that invite bids or offers carry a deadline, on a working day in office hours
    assert not Notice.objects.filter(notice_type__in=["result", "candidates", "failure", "deal", "contract"],
                                     deadline__isnull=False).exists()
    # (except the live lot's and the live land listing's registration, minutes after the load by design, so that a
    # visitor watches them open)
    assert all(is_office_hours(n.deadline) for n in Notice.objects.filter(deadline__isnull=False)
               .exclude(title__contains=LIVE_TITLE).exclude(project_code="DEMO-QL-2026-104"))
    assert Notice.objects.filter(title__contains=LIVE_TITLE, deadline__gt=loaded_at).exists()
    # and the archived lot's signatures are dated on the days of their steps, weeks before the load
    lot = Lot.objects.get(state="archived")
    signatures = Signature.objects.filter(object_id__in=[str(lot.opening_record.pk), str(lot.evaluation_report.pk)])
    assert signatures.count() == 6
    for signature in signatures:
        assert signature.signed_at < past and is_office_hours(signature.signed_at)
        assert abs(signature.recorded_at - signature.signed_at) < dt.timedelta(seconds=1)
    opening_day = timezone.localdate(lot.opened_at)
    by_purpose = {s.purpose: timezone.localdate(s.signed_at) for s in signatures}
    assert by_purpose["opening_record"] == opening_day
    assert by_purpose["evaluation_report"] == timezone.localdate(lot.evaluation_report.completed_at)
    # and the archive, made after them, lists them
    assert len(lot.archive.manifest["signatures"]) == 6
