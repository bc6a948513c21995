"""The ``ggzy`` command: Django's management commands under the platform's name.

``ggzy ledger verify`` and ``ggzy pki demo`` are management commands like any other. ``ggzy screens`` (tools on
data from anywhere) runs without Django: its ``--settings FILE.ini`` is Cardinal's, not Django's.
"""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["screens"]:
        from ggzy.supervision.screens.cli import main as screens

        raise SystemExit(screens(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ggzy", *sys.argv[1:]])


if __name__ == "__main__":
    main()
