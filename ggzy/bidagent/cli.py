"""``ggzy-bid agent``: run the certificate agent, import key files, list, unpair.

    ggzy-bid agent [serve] [--port 17380] [--home DIR] [--pkcs11-module PATH] [--pkcs11-token LABEL] [--timeout S]
    ggzy-bid agent import FILE [--cert CERT.pem] [--label NAME] [--home DIR]
    ggzy-bid agent list [--home DIR] [--pkcs11-module PATH]
    ggzy-bid agent unpair ORIGIN [--home DIR]
    ggzy-bid agent remove CERTIFICATE_ID [--home DIR]

The PKCS#11 module may also come from the environment variable GGZY_PKCS11_MODULE.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from . import files
from .confirm import TerminalConfirmer
from .errors import AgentError
from .keyfiles import KeyFileError, key_file_load
from .pairing import Pairings
from .softstore import SoftStore

DEFAULT_PORT = 17380


def _stores(home: Path, module: str | None, token: str | None) -> list:
    found: list = [SoftStore(home)]
    if module:
        from .pkcs11store import Pkcs11Store

        found.insert(0, Pkcs11Store(module, home=home, token_label=token))
    return found


def _read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    print(prompt, flush=True)
    return sys.stdin.readline().rstrip("\r\n")


def serve(args: argparse.Namespace) -> int:
    from .server import Agent, make_server

    home = files.ensure_dir(Path(args.home))
    agent = Agent(
        stores_=_stores(home, args.pkcs11_module, args.pkcs11_token),
        pairings=Pairings(home),
        confirmer=TerminalConfirmer(),
        port=args.port,
        timeout=args.timeout,
    )
    try:
        server = make_server(agent, args.port)
    except OSError as exc:
        print(
            f"ggzy-bid agent: 无法监听 127.0.0.1:{args.port}（{exc.strerror}）；可能已有证书助手在运行",
            file=sys.stderr,
        )
        return 1
    print(
        f"ggzy-bid 证书助手已启动：http://127.0.0.1:{agent.port}/ （配置目录 {home}；Ctrl+C 退出）",
        flush=True,
    )
    for store in agent.stores:
        print(f"  证书库：{store.label}（{'已连接' if store.present() else '未检测到介质'}）", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("证书助手已退出", flush=True)
    finally:
        server.server_close()
    return 0


def import_(args: argparse.Namespace) -> int:
    home = files.ensure_dir(Path(args.home))
    try:
        data = Path(args.file).read_bytes()
        certificate_data = Path(args.cert).read_bytes() if args.cert else None
    except OSError as exc:
        print(f"ggzy-bid agent: 无法读取文件：{exc.filename}", file=sys.stderr)
        return 1
    password = _read_secret("请输入证书文件口令：")
    try:
        loaded = key_file_load(data, password, certificate_data)
        entry = SoftStore(home).import_key(
            algorithm=loaded.algorithm,
            private_key=loaded.private_key,
            certificate=loaded.certificate,
            password=password,
            label=args.label or "",
        )
    except (KeyFileError, AgentError) as exc:
        print(f"ggzy-bid agent: 导入失败：{exc}", file=sys.stderr)
        return 1
    except (
        ValueError
    ):  # anything else unreadable in the file: no traceback, no detail that could leak a secret
        print(
            "ggzy-bid agent: 导入失败：无法读取该文件（应为 PKCS#12 或加密的 PKCS#8 私钥）", file=sys.stderr
        )
        return 1
    print(
        f"已导入：{entry.id} {entry.algorithm} {entry.subject}（私钥以证书口令加密保存；原文件可妥善另存或删除）"
    )
    return 0


def list_(args: argparse.Namespace) -> int:
    home = Path(args.home)
    for store in _stores(home, args.pkcs11_module, args.pkcs11_token):
        print(f"[{store.label}] {'已连接' if store.present() else '未检测到介质'}")
        for entry in store.certificates():
            flags = ("" if entry.present else " 介质未插入") + (" 已过期" if entry.expired else "")
            print(f"  {entry.id}  {entry.algorithm}  {'/'.join(entry.usage)}  {entry.subject}{flags}")
    origins = Pairings(home).origins()
    print("已配对网站：" + ("、".join(origins) if origins else "（无）"))
    return 0


def unpair(args: argparse.Namespace) -> int:
    if not Pairings(Path(args.home)).remove(args.origin):
        print(f"ggzy-bid agent: 未与 {args.origin} 配对", file=sys.stderr)
        return 1
    print(f"已取消与 {args.origin} 的配对")
    return 0


def remove(args: argparse.Namespace) -> int:
    if not SoftStore(Path(args.home)).remove(args.certificate_id):
        print(f"ggzy-bid agent: 软件证书库中没有 {args.certificate_id}", file=sys.stderr)
        return 1
    print(f"已删除 {args.certificate_id}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="ggzy-bid agent", description="本地证书助手：网页经本机证书签名、解密，私钥不出本机"
    )
    sub = parser.add_subparsers(dest="action", required=True)
    commands = {"serve": serve, "import": import_, "list": list_, "unpair": unpair, "remove": remove}
    for name in commands:
        p = sub.add_parser(name)
        p.add_argument("--home", default=str(files.default_home()), help="配置目录（配对、软件证书库）")
        if name in ("serve", "list"):
            p.add_argument(
                "--pkcs11-module",
                default=os.environ.get("GGZY_PKCS11_MODULE"),
                help="PKCS#11 模块（USB Key 厂商提供的 .so/.dll/.dylib）",
            )
            p.add_argument("--pkcs11-token", default=None, help="只使用该标签的令牌")
        if name == "serve":
            p.add_argument("--port", type=int, default=DEFAULT_PORT)
            p.add_argument("--timeout", type=float, default=120.0, help="等待用户确认的秒数")
        if name == "import":
            p.add_argument("file", help="PKCS#12（.pfx/.p12）或加密的 PKCS#8 私钥（PEM）")
            p.add_argument("--cert", default=None, help="PKCS#8 私钥对应的证书（PEM/DER）")
            p.add_argument("--label", default=None)
        if name == "unpair":
            p.add_argument("origin", help="网站来源，如 https://ggzy.example.cn")
        if name == "remove":
            p.add_argument("certificate_id")
    if not argv or argv[0].startswith("-"):
        argv = ["serve", *argv]
    args = parser.parse_args(argv)
    return commands[args.action](args)
