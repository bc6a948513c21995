"""Run by test_hall_fanout.py as a separate OS process (never collected by pytest): on the test run's database,
once set up it prints ``ready`` and waits for a line on stdin, then either places one bid through the rights
service (``bid``) or only publishes a topic (``publish``), and prints a JSON line with the wall-clock time right
after the commit."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings.test")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from ggzy.core import clock, fanout  # noqa: E402


def main() -> None:
    args = json.loads(sys.argv[1])
    out: dict = {"pid": os.getpid(), "backend": fanout.backend_name()}
    print("ready", flush=True)  # Django is set up; the test starts watching, then says go
    sys.stdin.readline()
    if args["do"] == "bid":
        from ggzy.rights.services import bidding

        clock.freeze(dt.datetime.fromisoformat(args["now"]))
        answer = bidding.bid_place(actor=get_user_model().objects.get(pk=args["bidder"]),
                                   listing_id=args["listing"], amount=args["amount"],
                                   seen_sequence=args["seen"], idempotency_key=args["key"])
        out |= {"accepted": answer.accepted, "sequence": answer.sequence}
    else:
        fanout.publish(args["topic"])  # autocommit: sent at once
    out["committed_at"] = time.time()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
