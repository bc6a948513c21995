"""The chronograph opens every lot that is due; a lot whose opening fails is logged and does not stop the others."""

from __future__ import annotations

import datetime as dt
import logging

from ggzy.core import clock
from ggzy.tendering import tasks
from ggzy.tendering.choices import LotState
from ggzy.tendering.models import Lot

from .conftest import lot_ready


def test_one_lot_failing_to_open_does_not_hold_back_the_others(world, monkeypatch, caplog):
    # given three published lots whose deadline has passed, the first of which fails to open
    lots = [lot_ready(world) for _ in range(3)]
    bad = lots[0]
    real_open = tasks.lot_open

    def flaky_open(*, actor, lot):
        if lot.pk == bad.pk:
            raise RuntimeError("磁盘读取失败")
        return real_open(actor=actor, lot=lot)

    monkeypatch.setattr(tasks, "lot_open", flaky_open)
    clock.advance(dt.timedelta(days=22))
    # when the chronograph runs
    with caplog.at_level(logging.ERROR, logger="ggzy.tendering.tasks"):
        opened = tasks.lots_open_due()
    # then the other lots were opened (failed: no bids) and the bad one is still waiting for the next run
    assert opened == 2
    states = dict(Lot.objects.filter(pk__in=[lot.pk for lot in lots]).values_list("pk", "state"))
    assert states[bad.pk] == LotState.PUBLISHED
    assert all(states[lot.pk] != LotState.PUBLISHED for lot in lots[1:])
    # and the failure is logged with the lot's code and the traceback, naming no bidder
    [record] = [r for r in caplog.records if r.name == "ggzy.tendering.tasks"]
    assert bad.code in record.getMessage() and record.exc_info is not None
    assert not any(user.username in record.getMessage() for user in world.bidders)


def test_the_next_run_opens_the_lot_that_failed(world, monkeypatch):
    # given a due lot whose first opening attempt failed
    lot = lot_ready(world)
    clock.advance(dt.timedelta(days=22))
    monkeypatch.setattr(tasks, "lot_open", lambda **kwargs: (_ for _ in ()).throw(OSError("暂时不可用")))
    assert tasks.lots_open_due() == 0
    monkeypatch.undo()
    # when the chronograph runs again
    opened = tasks.lots_open_due()
    # then the lot is opened
    assert opened == 1
    assert Lot.objects.get(pk=lot.pk).state != LotState.PUBLISHED
