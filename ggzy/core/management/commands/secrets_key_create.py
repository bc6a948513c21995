"""Create the key that encrypts secrets kept in the database (TOTP seeds); run once when deploying."""

from django.core.management.base import BaseCommand

from ggzy.core import secrets


class Command(BaseCommand):
    help = "生成数据库机密（动态口令密钥）的加密密钥文件（权限 0600）；已存在时不覆盖"

    def handle(self, *args, **options):
        path = secrets.key_file()
        if secrets.key_create(path):
            self.stdout.write(f"已生成密钥文件 {path}。请将其备份在数据库备份之外：丢失后已绑定的动态口令无法使用。")
        else:
            self.stdout.write(f"密钥文件 {path} 已存在，未覆盖。")
