"""``ggzy experts recompute <draw>``: recompute a draw from the database, as scripts/recompute_draw.py does from
the published JSON (spec: docs/expert-draw.md). Only for a draw whose result is final (published)."""

from __future__ import annotations

import hashlib

from django.core.management.base import BaseCommand, CommandError

from ggzy.experts import drawing
from ggzy.experts.models import DrawRequest
from ggzy.experts.selectors import draw_published_document
from ggzy.experts.selectors_draw import draw_beacon_check


class Command(BaseCommand):
    help = "评标专家工具：recompute <抽取编号> 按公开数据重新计算抽取结果"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        recompute = sub.add_parser("recompute", help="按公开的种子、信标与符合条件名单重新计算抽取结果")
        recompute.add_argument("draw", type=int, help="抽取编号")

    def handle(self, *args, **options) -> None:
        request = DrawRequest.objects.filter(pk=options["draw"]).first()
        if request is None:
            raise CommandError(f"抽取 {options['draw']} 不存在")
        doc = draw_published_document(request)
        if doc is None:
            raise CommandError(f"抽取 {request.pk} 的结果尚未公开，不能重新计算")
        seed = bytes.fromhex(doc["seed"])
        ok = hashlib.sha256(seed).hexdigest() == doc["seed_sha256"]
        self.stdout.write(f"seed 承诺{'一致' if ok else '不符'}（SHA-256 {doc['seed_sha256']}，日志序号 "
                          f"{doc['commit_ledger_index']}）")
        beacon_ok = draw_beacon_check(request)
        ok = ok and beacon_ok
        self.stdout.write(f"信标{'与' if beacon_ok else '不是'}承诺后第一个检查点（记录数 {doc['beacon_tree_size']}）"
                          f"{'一致' if beacon_ok else ''}：{doc['beacon']}")
        entries = [drawing.Entry(e["id"], tuple(e["classes"]), e["group"]) for e in doc["eligible"]]
        outcome = drawing.replay(seed, doc["beacon"], entries, [tuple(n) for n in doc["needs"]],
                                 doc["max_per_employer"], doc["refusals"])
        for slot in outcome.slots:
            self.stdout.write(f"  {slot.need}  {slot.id}  {doc['names'].get(slot.id, '')}")
        same = (
            [{"need": s.need, "id": s.id} for s in outcome.slots] == doc["result"]
            and dict(sorted(outcome.shortfall.items())) == doc["shortfall"]
            and outcome.failure_reason() == doc.get("failure_reason", "")
        )
        if outcome.shortfall:
            self.stdout.write(f"抽取失败：{outcome.failure_reason()}")
        ok = ok and same
        self.stdout.write("一致：公布结果可以复现" if ok else "不一致：公布结果无法复现")
        if not ok:
            raise CommandError("重新计算结果与公布结果不一致")
