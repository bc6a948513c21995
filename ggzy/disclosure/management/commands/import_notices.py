"""``manage.py import_notices --center 370100 --source NAME FILE``: import notices and results from another
system's OCDS file (release package, record package or JSON Lines) as the operator at the server's console, or as
``--user`` (a center staff account, checked like the page and the API)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ggzy.accounts.models import User
from ggzy.core.errors import DomainError
from ggzy.registry.models import Center

from ...services_import import REFUSED, notices_import_national, notices_import_ocds


class Command(BaseCommand):
    help = "导入其他系统以 OCDS 格式发布的公告和结果（发布包、记录包或 JSON Lines）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="OCDS 文件")
        parser.add_argument("--center", required=True, help="导入到的交易中心代码，如 370100")
        parser.add_argument("--source", required=True, help="来源系统名称，如“某省公共资源交易平台”")
        parser.add_argument("--user", default="", help="以该工作人员账号导入（缺省为服务器控制台操作员）")
        parser.add_argument("--format", default="ocds", choices=["ocds", "national"],
                            help="文件格式：ocds（缺省）或 national（全国交换格式）")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        center = Center.objects.filter(code=options["center"]).select_related("region").first()
        if center is None:
            raise CommandError(f"交易中心代码不存在：{options['center']}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户不存在：{options['user']}")
        try:
            importer = notices_import_national if options["format"] == "national" else notices_import_ocds
            report = importer(actor=actor, center=center, data=path.read_bytes(),
                              source_system=options["source"], by_console=actor is None)
        except DomainError as exc:
            errors = exc.as_dict()["errors"]
            raise CommandError("；".join(f"{k}：{'，'.join(v)}" for k, v in errors.items())) from None
        for row in report.rows:
            if row.outcome == REFUSED:
                self.stderr.write(f"第 {row.index} 条 拒绝 {row.source_id} {row.field}：{row.reason}")
        self.stdout.write(f"来源：{report.source_system}。已导入 {report.imported} 条，重复跳过 {report.duplicates} 条，"
                          f"拒绝 {report.refused} 条。")
