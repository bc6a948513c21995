"""Supervision (监督): early warning of bid rigging and fraud. ``screens`` is its Django-free part (price screens,
Cardinal red flags) that works on data from anywhere; the alerts, referrals and complaints call into it."""
