"""``ggzy ledger_export <dir>``: the same as ``ggzy ledger export <dir>``."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ...export import ledger_export


class Command(BaseCommand):
    help = "导出交易记录存证（记录、检查点、公钥）到目录"

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory")

    def handle(self, *args, **options) -> None:
        manifest = ledger_export(Path(options["directory"]))
        self.stdout.write(self.style.SUCCESS(f"已导出 {manifest['tree_size']} 条记录到 {options['directory']}"))
