"""Print the current TOTP code of a demo user (so a newcomer can sign in without an authenticator app)."""

import pyotp
from django.core.management.base import BaseCommand, CommandError

from ggzy.accounts.models import User
from ggzy.demo.logins import DEMO_USERS


class Command(BaseCommand):
    help = "打印演示账户当前的动态口令"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if username not in {u[0] for u in DEMO_USERS}:
            raise CommandError("只能为演示账户生成动态口令")
        user = User.objects.filter(username=username).first()
        if user is None or not user.totp_secret:
            raise CommandError("该账户不需要动态口令")
        self.stdout.write(pyotp.TOTP(user.totp_secret).now())
