"""``ggzy screens``: the supervision indicators as tools on data from anywhere.

    ggzy screens score INPUT.csv OUTPUT.csv [--chunk-rows N]   price screens per tender (docs/screens.md)
    ggzy screens cardinal INPUT.jsonl [--settings FILE.ini]     Cardinal's red flags over OCDS compiled releases

Both stream: a million bids are sorted in chunks on disk, never held in memory at once.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from ...screens.scorecsv import CHUNK_ROWS, ScreenInputError, score_csv


class Command(BaseCommand):
    help = "监督预警工具：score（逐标段报价筛查）、cardinal（OCDS 红旗指标，输出与 Cardinal 相同的形式）"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        score = sub.add_parser("score", help="读取投标报价 CSV，逐标段计算价格筛查指标与综合得分")
        score.add_argument(
            "input", help="输入 CSV：表头含 tender_id,bidder_id,amount，可选 date,is_winner,estimate"
        )
        score.add_argument("output", help="输出 CSV：tender_id,score,bids 及每项筛查指标一列")
        score.add_argument(
            "--chunk-rows",
            type=int,
            default=CHUNK_ROWS,
            help=f"外部排序每块的行数（缺省 {CHUNK_ROWS}），决定内存上限",
        )
        cardinal = sub.add_parser(
            "cardinal", help="读取逐行 OCDS 合并发布（JSONL），按 Cardinal 的定义输出红旗指标 JSON"
        )
        cardinal.add_argument("input", help="输入 JSONL：每行一个 OCDS compiled release")
        cardinal.add_argument("--settings", default=None, help="Cardinal 格式的 INI 设置文件")

    def handle(self, *args, **options) -> None:
        getattr(self, "_" + options["subcommand"])(options)

    def _score(self, options) -> None:
        if options["chunk_rows"] < 1:
            raise CommandError("--chunk-rows 必须至少为 1")

        def warn(message: str) -> None:
            self.stderr.write(f"已跳过：{message}")

        try:
            with (
                open(options["input"], encoding="utf-8-sig", newline="") as source,
                open(options["output"], "w", encoding="utf-8", newline="") as target,
            ):
                report = score_csv(source, target, chunk_rows=options["chunk_rows"], on_error=warn)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{exc.filename}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"输入文件不是 UTF-8 编码：{exc}") from exc
        except ScreenInputError as exc:
            raise CommandError(str(exc)) from exc
        if report.bad_rows > len(report.errors):
            self.stderr.write(f"另有 {report.bad_rows - len(report.errors)} 行错误未逐条列出")
        self.stdout.write(
            f"已评分 {report.tenders} 个标段（读入 {report.rows} 行，跳过 {report.bad_rows} 行）"
            f" → {options['output']}"
        )

    def _cardinal(self, options) -> None:
        from ...screens.cardinal import CardinalInputError, load_settings, run_cardinal

        try:
            settings = load_settings(options["settings"])
            with open(options["input"], encoding="utf-8") as source:
                result = run_cardinal(source, settings, on_error=lambda m: self.stderr.write(f"已跳过：{m}"))
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{exc.filename}") from exc
        except CardinalInputError as exc:
            raise CommandError(str(exc)) from exc
        sys.stdout.flush()
        self.stdout.write(result)
