import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock

from .factories import SHANGHAI, admit, listing_make


@pytest.fixture
def land(make_user, centers):
    """A land listing in registration (clock 2026-03-02, listing 03-04 to 03-20 10:00), two admitted bidders."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    ends = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ends, staff=staff)
    a = admit(make_user, listing, staff=staff)
    b = admit(make_user, listing, staff=staff)
    listing.refresh_from_db()
    return {"listing": listing, "staff": staff, "a": a, "b": b, "ends": ends}
