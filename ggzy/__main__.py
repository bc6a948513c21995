"""The ``ggzy`` command: Django's management commands under the platform's name.

``ggzy ledger verify`` and ``ggzy pki demo`` are management commands like any other.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ggzy", *sys.argv[1:]])


if __name__ == "__main__":
    main()
