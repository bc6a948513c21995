"""``ggzy ledger verify|trace|export|checkpoint``: the transparency log's tools for operators and auditors.

    ggzy ledger verify <dir>          verify an export from its files alone
    ggzy ledger verify --db           verify the live database (entries, subtree hashes, checkpoints)
    ggzy ledger verify --url URL [--log-key K] [--witness K …] [--min-cosignatures N]
                                      verify a live platform from its public endpoints alone
    ggzy ledger trace <type:id>       an object's whole history: who did what, when, what it changed
    ggzy ledger export <dir>          write entries, checkpoints and public keys to files
    ggzy ledger checkpoint            issue a checkpoint now, gather local cosignatures, push to remote witnesses
    ggzy ledger witness keygen --dir D --name N          create a witness key (on the witness's own host)
    ggzy ledger witness serve --dir D --log-key K --listen HOST:PORT   run the tlog-witness server (no database)
    ggzy ledger witness add --name … --url …             register a witness by its public key and address
    ggzy ledger witness push [--force]                   send the latest checkpoint to the remote witnesses
    ggzy ledger witness demo-start [--dir D] [--port P]  start the demo's witness process (key outside var/)
    ggzy ledger witness-add …         the same as ``witness add``
    ggzy ledger push                  run one delivery round to the webhook subscribers
    ggzy ledger subscriber-add …      register a push (webhook) or pull subscriber
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ggzy.core.errors import DomainError

from ... import selectors, urlverify, witness_server
from ...demowitness import demo_witness_start
from ...export import ledger_export, verify_database
from ...localwitness import ledger_cosign_locally
from ...models import SubscriberKind, WitnessKind
from ...outbox import ledger_push, subscriber_register
from ...remotewitness import WitnessPushResult, ledger_witness_push
from ...services import checkpoint_issue, witness_register
from ...verify import VerifyReport, verify_export


class Command(BaseCommand):
    help = "交易记录存证（透明日志）工具：verify / trace / export / checkpoint"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="端到端校验导出目录或数据库")
        verify.add_argument("directory", nargs="?", help="ledger export 生成的目录")
        verify.add_argument("--db", action="store_true", help="直接校验数据库")
        verify.add_argument("--trusted-key", action="append", default=[], dest="trusted_keys",
                            help="信任的公钥（vkey），可重复；缺省使用导出清单或数据库中的公钥")
        verify.add_argument("--url", help="只用公开接口校验运行中的平台，例如 https://ggzy.example.gov.cn")
        verify.add_argument("--log-key", help="（--url）固定的平台公钥；缺省取自平台 /api/v1/ledger/keys")
        verify.add_argument("--witness", action="append", default=[], dest="witness_keys",
                            help="（--url）计入的见证方公钥，可重复；缺省为 /keys 中密钥不由平台持有的见证方")
        verify.add_argument("--min-cosignatures", type=int, default=1,
                            help="（--url）最新检查点至少要有的有效见证签名数，缺省 1")
        trace = sub.add_parser("trace", help="打印一个对象的全部存证记录")
        trace.add_argument("object", help="对象，写作 类型:标识，例如 tendering.tender:42")
        export = sub.add_parser("export", help="导出记录、检查点与公钥到目录")
        export.add_argument("directory")
        sub.add_parser("checkpoint", help="立即签发检查点并收集本地见证签名")
        self._add_witness_arguments(sub.add_parser("witness-add", help="登记见证方（同 witness add）"))
        witness = sub.add_parser("witness", help="见证方：独立见证进程与平台登记")
        witness_sub = witness.add_subparsers(dest="witness_command", required=True)
        witness_server.add_keygen_arguments(witness_sub.add_parser("keygen", help="生成见证方密钥（在见证方主机上）"))
        witness_server.add_serve_arguments(witness_sub.add_parser("serve", help="运行 tlog-witness 见证服务（不需数据库）"))
        self._add_witness_arguments(witness_sub.add_parser("add", help="登记见证方（行政监督部门、省级交易中心）"))
        push = witness_sub.add_parser("push", help="把最新检查点送交远程见证方签名")
        push.add_argument("--force", action="store_true", help="不等退避时间")
        demo = witness_sub.add_parser("demo-start", help="启动演示用独立见证进程（密钥不在 var/ 下）并登记")
        demo.add_argument("--dir", default=None, help="见证方目录，缺省 $GGZY_DEMO_WITNESS_DIR 或 ~/.ggzy-demo-witness")
        demo.add_argument("--port", type=int, default=8510)
        sub.add_parser("push", help="向推送订阅方送达一轮存证记录")
        subscriber = sub.add_parser("subscriber-add", help="登记订阅方（webhook 推送或 feed 拉取）")
        subscriber.add_argument("--name", required=True)
        subscriber.add_argument("--kind", required=True, choices=[k.value for k in SubscriberKind])
        subscriber.add_argument("--url", default="", help="webhook 推送地址")
        subscriber.add_argument("--secret", default="", help="共享密钥（缺省随机生成并打印）")
        subscriber.add_argument("--start-after", type=int, default=-1, help="订阅方已有的最后序号")

    @staticmethod
    def _add_witness_arguments(parser) -> None:
        parser.add_argument("--name", required=True, help="密钥名，例如 fgw.shandong.gov.cn/ledger-witness")
        parser.add_argument("--display-name", required=True, help="见证方名称（持有密钥的单位）")
        parser.add_argument("--kind", required=True, choices=[k.value for k in WitnessKind])
        parser.add_argument("--vkey", required=True, help="见证签名公钥（signed-note vkey，类型 0x04）")
        parser.add_argument("--url", default="", help="见证方 tlog-witness 接口地址（平台向 <url>/add-checkpoint 请求签名）")

    def handle(self, *args, **options) -> None:
        handler = getattr(self, "_" + options["subcommand"].replace("-", "_"))
        handler(options)

    def _verify(self, options) -> None:
        trusted = options["trusted_keys"] or None
        if options.get("url"):
            self._verify_url(options)
            return
        if options["db"]:
            report = verify_database(trusted_keys=trusted)
            where = "数据库"
        elif options["directory"]:
            directory = Path(options["directory"])
            if not (directory / "manifest.json").exists():
                raise CommandError(f"{directory} 不是 ledger export 目录（缺少 manifest.json）")
            report = verify_export(directory, trusted_keys=trusted)
            where = str(directory)
        else:
            raise CommandError("请给出导出目录，或使用 --db")
        self._print_report(where, report)

    def _verify_url(self, options) -> None:
        if options["min_cosignatures"] < 0:
            raise CommandError("--min-cosignatures 不能为负数")
        policy = urlverify.Policy(log_key=options["log_key"], witness_keys=options["witness_keys"],
                                  min_cosignatures=options["min_cosignatures"])
        try:
            result = urlverify.verify_url(options["url"], policy)
        except (urlverify.FetchError, ValueError, KeyError) as exc:  # unreachable, or answers of the wrong shape
            raise CommandError(f"无法读取 {options['url']}：{exc}") from exc
        for notice in result.notices:
            self.stdout.write(f"  注意：{notice}")
        self._print_report(options["url"], result.report)

    def _print_report(self, where: str, report: VerifyReport) -> None:
        self.stdout.write(f"校验 {where}：{report.entries} 条记录，{report.checkpoints} 个检查点，"
                          f"{report.cosignatures} 个见证签名")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("通过：每条记录、每个签名与相邻检查点的一致性均已验证"))
            return
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"  ✗ {problem.message}"))
        if report.suppressed:
            self.stdout.write(f"  … 另有 {report.suppressed} 处问题未列出")
        first = report.first_bad
        if first is None or first.index is None:
            raise CommandError("校验失败")
        where_exactly = f"（在 index {first.index} 至 {first.last} 之间）" if first.rank and first.last is not None else ""
        raise CommandError(f"校验失败，第一处错误：index {first.index}{where_exactly}")

    def _trace(self, options) -> None:
        try:
            object_type, object_id = selectors.parse_object_reference(options["object"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        rows = selectors.trace_rows(selectors.entry_history(object_type=object_type, object_id=object_id))
        if not rows:
            raise CommandError(f"没有 {object_type}:{object_id} 的存证记录")
        self.stdout.write(f"{object_type}:{object_id} 共 {len(rows)} 条存证记录")
        for row in rows:
            entry = row["entry"]
            at = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S")
            role = f"（{row['actor_role']}）" if row["actor_role"] else ""
            self.stdout.write(f"#{entry.index} {at} {row['actor_label']}{role} {row['action']}")
            if row["changed"]:
                self.stdout.write(f"    变更字段：{', '.join(row['changed'])}")
            for side in ("before", "after"):
                digest = row["body"].get(f"{side}_hash")
                if digest:
                    label = "变更前" if side == "before" else "变更后"
                    self.stdout.write(f"    {label}哈希 {digest}")
                    if row[side] is not None:
                        self.stdout.write(f"    {label}：{json.dumps(row[side], ensure_ascii=False, sort_keys=True)}")
            if row["audit_matches"] is False:
                self.stdout.write(self.style.ERROR("    ✗ 审计记录的内容与存证哈希不符（审计记录被改动）"))

    def _export(self, options) -> None:
        manifest = ledger_export(Path(options["directory"]))
        self.stdout.write(self.style.SUCCESS(
            f"已导出 {manifest['tree_size']} 条记录到 {options['directory']}（{manifest['hash']}）"))

    def _witness_add(self, options) -> None:
        try:
            witness = witness_register(actor=None, name=options["name"], display_name=options["display_name"],
                                       kind=options["kind"], vkey=options["vkey"], url=options["url"])
        except DomainError as exc:
            raise CommandError("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())) from exc
        where = f"，接口 {witness.url}" if witness.url else ""
        self.stdout.write(self.style.SUCCESS(f"已登记见证方 {witness.display_name}（{witness.name}）{where}"))

    def _witness(self, options) -> None:
        command = options["witness_command"]
        if command == "add":
            self._witness_add(options)
            return
        try:
            if command == "keygen":
                self.stdout.write(witness_server.keygen(Path(options["dir"]), options["name"]).vkey)
            elif command == "serve":
                witness_server.serve(Path(options["dir"]), options["log_keys"], options["listen"],
                                     hash_name=options["hash"], out=sys.stdout)
            elif command == "push":
                self._print_witness_pushes(ledger_witness_push(force=options["force"]))
            else:
                self._witness_demo_start(options)
        except witness_server.WitnessSetupError as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _witness_demo_start(self, options) -> None:
        demo = demo_witness_start(directory=Path(options["dir"]) if options["dir"] else None, port=options["port"])
        started = f"已启动（pid {demo.pid}）" if demo.pid else "已在运行"
        self.stdout.write(f"  演示见证进程 / Demo witness: {demo.url} {started}；"
                          f"密钥与状态在 {demo.directory}（不在平台 var/ 下）")
        self._print_witness_pushes([demo.push])

    def _print_witness_pushes(self, results: list[WitnessPushResult]) -> None:
        if not results:
            self.stdout.write("没有登记接口地址的见证方")
        for r in results:
            state = (f"失败：{r.error}" if r.error else "已签名" if r.cosigned else
                     {"done": "已签名（无需重发）", "backoff": "退避等待中", "no-checkpoint": "尚无检查点"}.get(r.skipped, r.skipped))
            self.stdout.write(f"  {r.witness}: 检查点 {r.tree_size}，{state}")

    def _push(self, options) -> None:
        results = ledger_push()
        if not results:
            self.stdout.write("没有启用的推送订阅方")
        for r in results:
            state = f"失败：{r.error}" if r.error else {"busy": "另一进程正在推送", "backoff": "退避等待中",
                                                      "disabled": "已停用"}.get(r.skipped, "完成")
            self.stdout.write(f"{r.subscriber}: 送达 {r.delivered} 条，已确认至 {r.cursor}，{state}")
        if any(r.error for r in results):
            raise CommandError("部分订阅方推送失败，将按退避时间重试")

    def _subscriber_add(self, options) -> None:
        try:
            subscriber = subscriber_register(actor=None, name=options["name"], kind=options["kind"],
                                             url=options["url"], secret=options["secret"],
                                             start_after=options["start_after"])
        except DomainError as exc:
            raise CommandError("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"已登记订阅方 {subscriber.name}（{subscriber.kind}）"))
        if not options["secret"]:
            self.stdout.write(f"共享密钥：{subscriber.secret}")

    def _checkpoint(self, options) -> None:
        checkpoint = checkpoint_issue(actor=None)
        cosigned = ledger_cosign_locally(checkpoint=checkpoint)
        self.stdout.write(self.style.SUCCESS(f"检查点 {checkpoint.tree_size} 已签发，{cosigned} 个本地见证方已签名"))
        self._print_witness_pushes(ledger_witness_push(force=True))
        checkpoint.refresh_from_db()
        self.stdout.write(checkpoint.note_with_cosignatures())
