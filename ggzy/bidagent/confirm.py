"""Asking the user: every pairing, signature and unwrap is confirmed in the agent, never in the page.

``Confirmer`` is the interface (a window toolkit could implement it); ``TerminalConfirmer`` is the one that ships:
it prints the request in Chinese and reads 确认 [y/N] and then the PIN (证书口令). On a terminal the PIN is read
without echo (``getpass``); when stdin is not a terminal (a service manager, or a test driving the agent through
a pipe) answers are read line by line from stdin. There is no switch that answers for the user.
"""

from __future__ import annotations

import getpass
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol, TextIO


@dataclass
class Prompt:
    title: str
    lines: list[str] = field(default_factory=list)
    need_pin: bool = False


@dataclass
class Decision:
    approved: bool
    pin: str | None = None


class ConfirmTimeout(Exception):
    """Nobody answered within the time."""


class Confirmer(Protocol):
    def ask(self, prompt: Prompt, timeout: float) -> Decision:
        """Show ``prompt``; the user's decision (and PIN when ``need_pin`` and approved). Raises ConfirmTimeout."""
        ...

    def notify(self, text: str) -> None:
        """A line for the user (results, errors); never secrets."""
        ...


YES = {"y", "yes", "是", "确认", "1"}


class TerminalConfirmer:
    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.tty = bool(getattr(self.stdin, "isatty", lambda: False)())
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._tty_worker: threading.Thread | None = None

    def notify(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    # lines from a pipe: one reader thread for the agent's lifetime, so a timed-out question leaves no reader behind
    def _start_reader(self) -> None:
        if self._reader is None:

            def read() -> None:
                for line in self.stdin:
                    self._lines.put(line.rstrip("\r\n"))
                self._lines.put(None)

            self._reader = threading.Thread(target=read, name="agent-stdin", daemon=True)
            self._reader.start()

    def _line(self, deadline: float) -> str:
        try:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ConfirmTimeout from None
        if line is None:  # stdin closed: nobody can answer
            self._lines.put(None)
            return ""
        return line

    def _show(self, prompt: Prompt) -> None:
        self.notify("")
        self.notify(f"==== {prompt.title} ====")
        for line in prompt.lines:
            self.notify(f"  {line}")

    def ask(self, prompt: Prompt, timeout: float) -> Decision:
        deadline = time.monotonic() + timeout
        if self.tty:
            return self._ask_tty(prompt, deadline)
        self._start_reader()
        while not self._lines.empty():  # answers typed before the question are not answers to it
            if self._lines.get_nowait() is None:
                self._lines.put(None)
                break
        self._show(prompt)
        self.notify("确认？[y/N]")
        if self._line(deadline).strip().lower() not in YES:
            return Decision(False)
        if not prompt.need_pin:
            return Decision(True)
        self.notify("请输入证书口令（PIN）：")
        return Decision(True, self._line(deadline))

    def _ask_tty(self, prompt: Prompt, deadline: float) -> Decision:
        if self._tty_worker is not None and self._tty_worker.is_alive():
            self.notify("（上一个请求已超时，请先按回车结束它）")
            raise ConfirmTimeout
        result: list[Decision] = []

        def work() -> None:
            self._show(prompt)
            self.stdout.write("确认？[y/N] ")  # on stdout: input()'s own prompt would go to stderr
            self.stdout.flush()
            answer = input().strip().lower()
            if time.monotonic() > deadline:
                self.notify("已超时，本次回答无效")
                return
            if answer not in YES:
                result.append(Decision(False))
            elif prompt.need_pin:
                result.append(Decision(True, getpass.getpass("请输入证书口令（PIN，不回显）：")))
            else:
                result.append(Decision(True))

        self._tty_worker = threading.Thread(target=work, name="agent-tty", daemon=True)
        self._tty_worker.start()
        self._tty_worker.join(max(0.0, deadline - time.monotonic()))
        if not result:
            raise ConfirmTimeout
        return result[0]
