"""`make demo`'s data: the loader runs on an empty database, twice without duplicating anything, and the archived
lot's archive holds the demo signatures."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from ggzy.accounts.models import User
from ggzy.core import clock
from ggzy.core.errors import Conflict
from ggzy.credit import evaluation
from ggzy.credit.models import CreditRecord, ScoreSnapshot
from ggzy.experts.models import DrawRequest, DrawStatus
from ggzy.pki.models import PersonCertificate, Signature
from ggzy.registry.models import MarketEntity
from ggzy.supervision import selectors as alert_selectors
from ggzy.supervision import selectors_referral as referral_selectors
from ggzy.supervision.models import Alert, Referral, ReferralEscalation, ReferralState
from ggzy.tendering.demo import LIVE_TITLE, MARK
from ggzy.tendering.models import ArchivePackage, CommitteeFormation, CommitteeMember, Lot, RecusalDeclaration
from ggzy.tendering.services.credit_checks import credit_refuse_sealed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_load_is_complete_and_idempotent():
    out = io.StringIO()
    started = clock.now()
    call_command("demo_load", stdout=out)
    finished = clock.now()
    assert "演示数据已加载" in out.getvalue()
    states = sorted(Lot.objects.values_list("state", flat=True))
    assert "archived" in states and "failed" in states
    # every stage of the works procedure, and a lot that opens live a few minutes after the load
    assert {"opening", "evaluating", "candidates", "published"} <= set(states)
    live = Lot.objects.get(project__title=LIVE_TITLE + MARK)
    assert live.state == "published" and live.bids.count() == 3
    # the deadline is set, on the minute, six minutes after the live step runs (somewhere inside the load)
    assert started + dt.timedelta(minutes=5) <= live.bid_deadline <= finished + dt.timedelta(minutes=6)
    assert "开标大厅" in out.getvalue()
    signatures = Signature.objects.count()
    assert signatures == 6
    # the people who signed have their person certificates bound to their accounts
    assert PersonCertificate.objects.filter(unbound_at__isnull=True).count() == 6
    # the committees are drawn (request, run with a witness, confirmations, formed from the draw), except the one
    # appointed directly with its reason; the archived lot's draw is published with its result
    # two drawn committees; three appointed directly with their reason (a works lot, and the GP negotiation and
    # consultation panels)
    assert sorted(CommitteeFormation.objects.values_list("method", flat=True)) == ["direct", "direct", "direct", "draw",
                                                                                   "draw"]
    assert all("第四十七条" in f.reason for f in CommitteeFormation.objects.filter(method="direct"))
    draws = DrawRequest.objects.filter(pk__in=CommitteeFormation.objects.values("draw_request_id"))
    assert draws.count() == 2 and all(d.witness is not None for d in draws)
    assert DrawRequest.objects.get(status=DrawStatus.PUBLISHED).subject_code == Lot.objects.get(state="archived").code
    assert CommitteeMember.objects.filter(source="draw").count() == 10
    # every member declared, each declaration signed with the member's certificate
    assert RecusalDeclaration.objects.count() == 25  # five panels of five (two drawn, three appointed)
    assert not RecusalDeclaration.objects.filter(signature_format="").exists()
    # the archive was built after the signatures, so it lists them
    package = ArchivePackage.objects.get(lot__state="archived")
    assert len(package.manifest["signatures"]) == signatures
    # the lot in evaluation, whose two bidders share a computer, has a red alert for its committee and jianguan
    shared = Lot.objects.get(project__title="槐荫区西客站片区学校配套建设工程" + MARK)
    red = Alert.objects.get(lot_id=shared.pk, indicator="collusion.same_fingerprint", level="red")
    assert red in alert_selectors.supervised_alerts(user=User.objects.get(username="jianguan"))
    assert red in alert_selectors.lot_alerts(user=User.objects.get(username="zhuanjia3"), lot_id=shared.pk)
    assert not Alert.objects.exclude(lot_id=shared.pk).filter(indicator="collusion.same_fingerprint").exists()
    # one referral in each state, handled by jianguan's bureau; the one accepted long ago is overdue and escalated
    referrals = Referral.objects.all()
    assert sorted(referrals.values_list("state", flat=True)) == sorted(ReferralState.values)
    overdue = [r for r in referrals if referral_selectors.is_overdue(r)]
    assert len(overdue) == 1 and ReferralEscalation.objects.filter(referral=overdue[0]).count() == 1
    assert CreditRecord.objects.filter(source="supervision", source_ref__startswith="referral:").count() == 2
    alerts = Alert.objects.count()
    # and loading again adds nothing
    call_command("demo_load", stdout=io.StringIO())
    assert Alert.objects.count() == alerts
    assert Signature.objects.count() == signatures and ArchivePackage.objects.count() == 1
    assert Lot.objects.count() == len(states) and Referral.objects.count() == len(ReferralState.values)
    # credit (issue 18): every demo subject's score recomputes from its records and the model version to what its
    # snapshot of the month says; the firm on the serious-breach list (toubiao4) is refused at sign-up with the reason

    assert CreditRecord.objects.exclude(source_ref__startswith="referral:").count() == 5
    snapshots = list(ScoreSnapshot.objects.all())
    assert len(snapshots) == 4  # three firms and one expert
    for snap in snapshots:
        again = evaluation.score_compute(snap.subject_kind, snap.subject_key, at=snap.month, model=snap.model)
        assert (again["score"], again["grade"], again["lines"]) == (snap.score, snap.grade, snap.breakdown["lines"])
    assert {s.subject_name: s.grade for s in snapshots if s.subject_kind == "entity"} == {
        "淄博齐都建设工程有限公司": "D", "山东鲁建建设集团有限公司": "B", "济南章丘泰和建筑安装有限公司": "D"}
    banned = MarketEntity.objects.get(name="淄博齐都建设工程有限公司")
    with pytest.raises(Conflict, match="串通投标"):
        credit_refuse_sealed(actor=User.objects.get(username="toubiao4"), lot=live, entity=banned, behaviour="signup")
