"""Print every demo login (and the TOTP secret of those that need one)."""

from django.core.management.base import BaseCommand

from ggzy.accounts.models import User
from ggzy.demo.logins import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "打印演示账户"

    def handle(self, *args, **options):
        self.stdout.write(f"  演示账户 / Demo logins (密码 password: {DEMO_PASSWORD})")
        self.stdout.write(f"  {'用户名':<16}{'角色':<22}动态口令密钥 (TOTP secret, 用身份验证器添加)")
        for username, _role, _center, _name in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            secret = user.totp_secret if user.requires_second_factor else "—"
            self.stdout.write(f"  {username:<18}{user.get_role_display():<20}{secret}")
        self.stdout.write("  当前动态口令可用: .venv/bin/python manage.py demo_totp <用户名>")
