"""``ggzy pki demo``: build the test PKI under var/pki/ and register its CAs and CRLs in the trust store.

    ggzy pki demo                 reuse var/pki/ when it exists (re-register only), otherwise create it
    ggzy pki demo --force         create new CAs, keys and certificates, replacing the files
    ggzy pki demo --dir PATH      somewhere else
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ggzy.core import clock
from ggzy.core.errors import DomainError

from ...testpki import build_test_pki, demo_pki_register


class Command(BaseCommand):
    help = "数字证书工具：demo（生成演示用测试PKI并登记到信任列表）"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        demo = sub.add_parser("demo", help="生成两套独立的测试CA（SM2、ECDSA）、用户证书、CRL与开标密钥保管人密钥")
        demo.add_argument("--dir", dest="directory", default=None, help="输出目录，缺省为 var/pki")
        demo.add_argument("--force", action="store_true", help="重新生成（覆盖已有文件）")
        demo.add_argument("--crl-days", type=int, default=365, help="演示CRL的有效天数（缺省365）")

    def handle(self, *args, **options) -> None:
        getattr(self, "_" + options["subcommand"])(options)

    def _demo(self, options) -> None:
        directory = Path(options["directory"] or Path(settings.VAR_DIR) / "pki")
        manifest = directory / "manifest.json"
        if options["force"] and directory.exists():
            shutil.rmtree(directory)
        if not manifest.exists():
            pki = build_test_pki(directory, now=clock.now(), crl_days=options["crl_days"])
            self.stdout.write(f"已生成测试PKI：{len(pki.cas)} 个根CA，{len(pki.users)} 张用户证书，"
                              f"{len(pki.custodians)} 个保管人密钥 → {directory}")
        else:
            self.stdout.write(f"沿用已有的测试PKI：{directory}（--force 重新生成）")
        try:
            registered, imported = demo_pki_register(directory=directory)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"信任列表：新登记CA {registered} 个，导入CRL {imported} 份"))
        for entry in json.loads(manifest.read_text())["users"]:
            code = f"  统一社会信用代码 {entry['credit_code']}" if entry["credit_code"] else ""
            self.stdout.write(f"  {entry['algorithm']:5} {entry['label']}{code}")
