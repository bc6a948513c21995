"""``manage.py publication_push``: delivery rounds to the push subscribers (what the Huey task runs).

``--loop SECONDS`` keeps running rounds (a short sleep between them) until nothing is pending or the time is up —
a worker process for tests and the bench; ``--round`` alone runs one round."""

import time

from django.core.management.base import BaseCommand

from ggzy.publication.models import MessageState, PushMessage
from ggzy.publication.services import publication_push


class Command(BaseCommand):
    help = "Deliver pending publication push messages"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0.0, help="keep delivering for up to this many seconds")
        parser.add_argument("--pause", type=float, default=0.02)

    def handle(self, *args, **options):
        deadline = time.monotonic() + options["loop"]
        total = 0
        while True:
            results = publication_push()
            total += sum(r.delivered for r in results)
            if options["verbosity"] >= 2:
                for r in results:
                    if r.delivered or r.error or r.skipped:
                        self.stdout.write(f"{r.subscriber}: delivered {r.delivered} dead {r.dead} "
                                          f"error {r.error!r} skipped {r.skipped!r}")
            pending = PushMessage.objects.filter(state=MessageState.PENDING, subscriber__is_enabled=True).exists()
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(options["pause"])
        self.stdout.write(f"delivered {total}")
