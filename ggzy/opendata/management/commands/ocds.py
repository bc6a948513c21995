"""``ggzy ocds export --from YYYY-MM-DD --to YYYY-MM-DD [--kind records|releases] [--output FILE]``: the OCDS open
data of every process with a public step in the range, one JSON document per line (JSON Lines), streamed."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from ggzy.core.errors import DomainError

from ... import ranges, selectors


class Command(BaseCommand):
    help = "OCDS 开放数据：export 按日期范围导出 JSON Lines"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="按日期范围导出（每行一个记录或发布）")
        export.add_argument("--from", dest="date_from", default="", help="开始日期 YYYY-MM-DD（含）")
        export.add_argument("--to", dest="date_to", default="", help="结束日期 YYYY-MM-DD（含）")
        export.add_argument("--kind", choices=["records", "releases"], default="records",
                            help="records：每个交易过程一条汇总记录（缺省）；releases：每次发布一行")
        export.add_argument("--output", default="-", help="输出文件，缺省为标准输出")

    def handle(self, *args, **options) -> None:
        try:
            since, until = ranges.export_window(options["date_from"], options["date_to"])
        except DomainError as exc:
            errors = exc.as_dict()["errors"]
            raise CommandError("；".join(f"{k}：{'，'.join(v)}" for k, v in errors.items())) from None
        lines = selectors.export_lines(since=since, until=until, kind=options["kind"])
        count = 0
        if options["output"] == "-":
            for line in lines:
                self.stdout.write(line, ending="")
                count += 1
        else:
            with open(options["output"], "w", encoding="utf-8") as out:
                for line in lines:
                    out.write(line)
                    count += 1
        sys.stderr.write(f"已导出 {count} 行\n")
