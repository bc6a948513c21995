"""manage.py experts_classifications_import FILE — import the classification standard (CSV code,name,parent_code)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ggzy.core.errors import DomainError
from ggzy.experts.services import classifications_import


class Command(BaseCommand):
    help = "导入评标专家专业分类标准（CSV：code,name,parent_code；可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="CSV 文件（缺省为内置的 ggzy/experts/data/classifications.csv）"
        )

    def handle(self, *args, **options):
        text = None
        if options["file"]:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"文件不存在：{path}")
            text = path.read_text(encoding="utf-8-sig")
        try:
            result = classifications_import(text)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"新增 {result.created}，更新 {result.updated}，无变化 {result.unchanged}")
