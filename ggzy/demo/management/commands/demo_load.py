"""Load the demo data: one login per role, then each app's demo records. Safe to run twice."""

from django.core.management.base import BaseCommand
from django.db import transaction

from ggzy.accounts.models import User
from ggzy.accounts.services import notify, user_create
from ggzy.catalog.demo import demo_catalog_load
from ggzy.centers.demo_ratings import demo_ratings_load
from ggzy.demo.credit import demo_credit_load
from ggzy.demo.logins import DEMO_PASSWORD, DEMO_USERS
from ggzy.disclosure.demo import demo_notices_load
from ggzy.experts.demo import demo_experts_load
from ggzy.ledger.localwitness import ledger_demo_witnesses
from ggzy.registry.demo import demo_entities_load
from ggzy.registry.demo_control import demo_controls_load
from ggzy.registry.models import Center
from ggzy.rights.demo import demo_rights_load
from ggzy.supervision.demo import demo_referrals_load
from ggzy.tendering.demo import demo_tendering_load


class Command(BaseCommand):
    help = "加载演示数据（可重复执行）"

    def handle(self, *args, **options):
        with transaction.atomic():
            for username, role, center_code, name in DEMO_USERS:
                if User.objects.filter(username=username).exists():
                    continue
                center = Center.objects.get(code=center_code) if center_code else None
                user_create(actor=None, username=username, password=DEMO_PASSWORD, role=role, center=center,
                            display_name=name)
        demo_catalog_load(stdout=self.stdout)
        demo_entities_load(stdout=self.stdout)
        demo_controls_load(stdout=self.stdout)
        demo_experts_load(stdout=self.stdout)  # before tendering: its committees are drawn from the pool
        demo_tendering_load(stdout=self.stdout)
        demo_notices_load(stdout=self.stdout)
        demo_ratings_load(stdout=self.stdout)
        demo_referrals_load(notify=notify, stdout=self.stdout)
        demo_credit_load(stdout=self.stdout)  # after tendering: its stages are made before the ban exists
        demo_rights_load(stdout=self.stdout)
        ledger_demo_witnesses(actor=None)
        self.stdout.write(self.style.SUCCESS("演示数据已加载"))
