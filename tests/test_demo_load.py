"""`make demo` loads realistic data through the services, and loading twice changes nothing."""

import pytest
from django.core.management import call_command

from ggzy.accounts.models import User
from ggzy.demo.logins import DEMO_USERS
from ggzy.disclosure.models import Notice
from ggzy.registry.models import MarketEntity
from ggzy.tendering.models import Lot


@pytest.mark.django_db
def test_demo_load_is_complete_and_idempotent(capsys):
    call_command("demo_load")
    counts = (User.objects.count(), MarketEntity.objects.count(), Notice.objects.count(), Lot.objects.count())
    assert counts[0] == len(DEMO_USERS) and counts[1] >= 50 and counts[2] >= 200
    # every stage of the works procedure (the live lot and the open one are both published), and the government
    # procurement methods' own stages: a negotiation in its rounds, a consultation waiting for
    # final quotations, a single source in its publicity
    assert set(Lot.objects.values_list("state", flat=True)) == {"archived", "failed", "published", "draft", "opening",
                                                                "evaluating", "candidates", "negotiating", "final_quoting",
                                                                "publicity"}
    call_command("demo_load")
    assert (User.objects.count(), MarketEntity.objects.count(), Notice.objects.count(), Lot.objects.count()) == counts
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert "jinan_staff" in out and "toubiao2" in out
