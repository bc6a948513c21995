"""Ledger inputs for tests. Entries are only ever made through the services (the log is append-only)."""

import factory

from ggzy.ledger.services import EntryInput, ledger_append_many


class EntryInputFactory(factory.Factory):
    class Meta:
        model = EntryInput

    action = "test.update"
    object_type = "test.thing"
    object_id = factory.Sequence(lambda n: str(n % 7))
    actor_label = factory.Sequence(lambda n: f"user{n % 3}")
    actor_role = "center_staff"
    center_id = None
    before = factory.Sequence(lambda n: {"status": "draft", "n": n})
    after = factory.Sequence(lambda n: {"status": "published", "n": n})


def append_entries(count: int, **kwargs):
    """Append ``count`` entries in one batch; returns the LogEntry rows."""
    return ledger_append_many(entries=[EntryInputFactory(**kwargs) for _ in range(count)])
