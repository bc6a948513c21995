"""The demo loader: ~50 valid fictional entities across all 16 cities, idempotent, demo logins linked."""

import datetime as dt
import io

import pytest

from ggzy.accounts.roles import Role
from ggzy.registry.credit_code import credit_code_validate
from ggzy.registry.demo import RENAME, SELF_REGISTERED, demo_entities_load
from ggzy.registry.models import KeyPerson, MarketEntity, MarketEntityAccount, Qualification
from ggzy.registry.personal_id import id_number_validate


@pytest.mark.django_db
def test_demo_entities_are_valid_spread_and_idempotent(frozen_clock, make_user):
    # given the three demo logins that act for entities
    for username, role in (("toubiao", Role.BIDDER), ("zhaobiao", Role.TENDERER), ("daili", Role.AGENCY)):
        make_user(role, username=username)
    out = io.StringIO()
    # when the demo is loaded twice
    created = demo_entities_load(stdout=out)
    again = demo_entities_load()
    # then about fifty entities exist once, in every one of the 16 city centers
    assert created >= 50 and again == 0
    assert MarketEntity.objects.count() == created + 1  # and one self-registered firm, below
    assert MarketEntity.objects.values("center").distinct().count() == 16
    assert "新增" in out.getvalue()
    # and every credit code and ID number carries the right check character
    for code in MarketEntity.objects.values_list("credit_code", flat=True):
        credit_code_validate(code)
    for number in KeyPerson.objects.values_list("id_number", flat=True):
        id_number_validate(number)
    # and some qualifications expire within a month, one has expired
    today = frozen_clock.today()
    assert Qualification.objects.filter(valid_until__lt=today).count() == 1
    assert Qualification.objects.filter(valid_until__gte=today,
                                        valid_until__lte=today + dt.timedelta(days=30)).count() >= 3
    # and the center's review has work: a self-registered firm awaiting verification, a pending change of name
    waiting = MarketEntity.objects.get(name=SELF_REGISTERED)
    assert waiting.verified_at is None
    assert MarketEntity.objects.exclude(pk=waiting.pk).filter(verified_at__isnull=True).count() == 0
    renamed = MarketEntity.objects.get(name=RENAME[0])
    assert list(renamed.name_changes.values_list("new_name", "state")) == [(RENAME[1], "pending")]
    # and the demo logins act for their entities
    links = dict(MarketEntityAccount.objects.values_list("user__username", "entity__name"))
    assert links == {"toubiao": "山东鲁建建设集团有限公司", "zhaobiao": "济南城投明湖建设发展有限公司",
                     "daili": "山东正信工程招标代理有限公司"}


@pytest.mark.django_db
def test_demo_loads_without_the_demo_logins(frozen_clock):
    assert demo_entities_load() >= 50
    assert not MarketEntityAccount.objects.exists()
