"""The test PKI and the trust store come from the root conftest (``demo_pki``, ``trust_store``)."""

import datetime as dt
from zoneinfo import ZoneInfo

# The moment every validation in these tests is made at (certificates start one day before).
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
