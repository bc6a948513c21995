"""Demo challenges and complaints (helper complaints): on the lot in candidates' publicity, a bidder's objection to
the evaluation result, answered by the tenderer the next working day (the suspension it caused lifted), and the
same bidder's complaint to the supervision department, waiting for its acceptance decision (jianguan sees it)."""

from __future__ import annotations

import datetime as dt

from ggzy.catalog.calendar import office_moment
from ggzy.core import clock

from .choices import ComplaintSubject
from .models import Lot
from .services import challenges, complaints

CANDIDATES_LOT_TITLE = "天桥区北园大街雨污分流改造工程"


def demo_complaints_load(*, owner, bidder, real_now: dt.datetime) -> int:
    """Inside the tendering demo's frozen clock; returns the number of rows made (0 when the lot is missing)."""
    lot = Lot.objects.filter(project__title__startswith=CANDIDATES_LOT_TITLE,
                             candidates_published_at__isnull=False).order_by("-id").first()
    if lot is None or lot.candidates_published_at is None:
        return 0
    published = lot.candidates_published_at
    clock.freeze(office_moment(published + dt.timedelta(days=1), dt.time(10, 20), forward=True))
    objection = challenges.challenge_file(
        actor=bidder, lot=lot, subject=ComplaintSubject.EVALUATION_RESULT,
        facts="第一中标候选人的项目经理同时在另一在建项目任职，其业绩证明与公示信息不一致。",
        requests="请招标人组织原评标委员会复核第一中标候选人的项目经理资格。")
    clock.freeze(office_moment(clock.now() + dt.timedelta(days=1), dt.time(15, 0), forward=True))
    challenges.challenge_answer(actor=owner, challenge=objection,
                                answer="经原评标委员会复核，第一中标候选人项目经理已于投标截止前解除原项目任职，"
                                       "业绩证明经发证机关核实无误，异议不成立。")
    # the complaint: after the answer, within the template's window, not yet decided on
    filed = min(real_now - dt.timedelta(hours=2), clock.now() + dt.timedelta(days=9))
    clock.freeze(max(filed, clock.now() + dt.timedelta(hours=1)))
    complaints.complaint_file(
        actor=bidder, lot=lot, subject=ComplaintSubject.EVALUATION_RESULT, challenge=objection,
        facts="招标人对异议的答复未附复核记录，复核过程未通知异议人。",
        requests="请行政监督部门调取评标复核记录，责令招标人重新组织评审。")
    return 2
