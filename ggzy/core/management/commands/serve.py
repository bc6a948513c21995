"""The embedded mode in one command: serve the platform and run Huey's consumer beside it.

The consumer (``manage.py run_huey``: workers and the periodic scheduler — ledger checkpoints, the deadline
chronograph, revocation refreshes …) runs as a child process started before the development server and stopped
when the server stops (Ctrl-C or SIGTERM). Under the autoreloader the server restarts on code changes in its own
child process; the consumer is started once, by the outer process, and keeps running. A production deployment
runs ``uvicorn`` and ``manage.py run_huey`` as two services instead (README).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

_STOP_SECONDS = 10


class Command(BaseCommand):
    help = "启动平台（开发服务器）并同时运行后台任务与定时任务（Huey 消费者）；嵌入式部署的一条命令"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="监听地址与端口")
        parser.add_argument("--workers", type=int, default=2, help="后台任务工作线程数（默认 2）")
        parser.add_argument("--noreload", action="store_true", help="代码修改后不自动重启服务器")

    def handle(self, *args: Any, **options: Any) -> None:
        # The autoreloader runs this command again in the child that serves (RUN_MAIN=true): one consumer only.
        is_reloaded_child = os.environ.get("RUN_MAIN") == "true"
        consumer = None if is_reloaded_child else self._consumer_start(options["workers"])
        previous = signal.signal(signal.SIGTERM, _terminate)  # SIGTERM unwinds to ``finally`` like Ctrl-C
        try:
            # insecure_serving: the static files are served by this embedded server with DEBUG off too
            call_command("runserver", options["addrport"], use_reloader=not options["noreload"],
                         insecure_serving=True)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if consumer is not None:
                self._consumer_stop(consumer)

    def _consumer_start(self, workers: int) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        command = [sys.executable, "-m", "django", "run_huey", "--workers", str(workers)]
        consumer = subprocess.Popen(command, env=env)  # noqa: S603 — this interpreter, fixed arguments
        self.stdout.write(f"后台任务与定时任务已启动（Huey 消费者，进程 {consumer.pid}，{workers} 个工作线程）")
        return consumer

    def _consumer_stop(self, consumer: subprocess.Popen) -> None:
        """SIGINT is Huey's graceful stop (running tasks finish); a consumer that hangs is killed."""
        if consumer.poll() is None:
            consumer.send_signal(signal.SIGINT)
            try:
                consumer.wait(timeout=_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                consumer.kill()
                consumer.wait()


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
