"""``ggzy screens``: the supervision indicators as tools on data from anywhere (no database, no Django).

    ggzy screens score INPUT.csv OUTPUT.csv [--chunk-rows N]              price screens per tender
    ggzy screens cardinal INPUT.jsonl [--settings FILE.ini] [--no-meta]   Cardinal's red flags, Cardinal's output

``ggzy/__main__.py`` hands ``screens`` here before Django starts: Django's own ``--settings`` option (the settings
module) would otherwise swallow Cardinal's ``--settings FILE.ini``. Both commands stream (docs/screens.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from .scorecsv import CHUNK_ROWS, ScreenInputError, score_csv


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ggzy screens", description="监督预警工具：逐标段报价筛查；OCDS 红旗指标（Cardinal）"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    score = sub.add_parser("score", help="读取投标报价 CSV，逐标段计算价格筛查指标与综合得分")
    score.add_argument(
        "input", help="输入 CSV：表头含 tender_id,bidder_id,amount，可选 date,is_winner,estimate"
    )
    score.add_argument("output", help="输出 CSV：tender_id,score 及每项筛查指标一列")
    score.add_argument(
        "--chunk-rows",
        type=int,
        default=CHUNK_ROWS,
        help=f"外部排序每块的行数（缺省 {CHUNK_ROWS}），决定内存上限",
    )
    cardinal = sub.add_parser(
        "cardinal", help="读取逐行 OCDS 合并发布（JSONL），按 Cardinal 的定义输出红旗指标 JSON"
    )
    cardinal.add_argument("input", help="输入 JSONL：每行一个 OCDS compiled release（- 为标准输入）")
    cardinal.add_argument("--settings", default=None, help="Cardinal 格式的 INI 设置文件")
    cardinal.add_argument("--no-meta", action="store_true", help="不输出 Meta（四分位数与界限）")
    return parser


def main(argv: list[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``ggzy screens ARGV``; returns the exit status (0 done, 1 input unusable, 2 bad arguments)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parser().parse_args(argv)
    try:
        if args.command == "score":
            return _score(args, out, err)
        return _cardinal(args, out, err)
    except FileNotFoundError as exc:
        err.write(f"错误：找不到文件 {exc.filename}\n")
    except UnicodeDecodeError as exc:
        err.write(f"错误：输入文件不是 UTF-8 编码（{exc.reason}，第 {exc.start} 字节）\n")
    except ValueError as exc:  # ScreenInputError, CardinalInputError: Chinese, naming the column or setting
        err.write(f"错误：{exc}\n")
    return 1


def _reporter(err: TextIO) -> Callable[[str], None]:
    def report(message: str) -> None:
        err.write(f"已跳过：{message}\n")

    return report


def _score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.chunk_rows < 1:
        raise ScreenInputError("--chunk-rows 必须至少为 1")
    with (
        open(args.input, encoding="utf-8-sig", newline="") as source,
        open(args.output, "w", encoding="utf-8", newline="") as target,
    ):
        report = score_csv(
            source,
            target,
            chunk_rows=args.chunk_rows,
            on_error=_reporter(err),
        )
    if report.bad_rows > len(report.errors):
        err.write(f"另有 {report.bad_rows - len(report.errors)} 行错误未逐条列出\n")
    out.write(
        f"已评分 {report.tenders} 个标段（读入 {report.rows} 行，跳过 {report.bad_rows} 行）→ {args.output}\n"
    )
    return 0


def _cardinal(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .cardinal import load_settings, run_cardinal

    settings = load_settings(args.settings)
    on_error = _reporter(err)
    if args.input == "-":
        result = run_cardinal(sys.stdin, settings, meta=not args.no_meta, on_error=on_error)
    else:
        with open(args.input, encoding="utf-8") as source:
            result = run_cardinal(source, settings, meta=not args.no_meta, on_error=on_error)
    out.write(result + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
