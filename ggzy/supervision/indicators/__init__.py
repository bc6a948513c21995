"""Indicators (预警指标): named, versioned rules that look at the platform's data and return signals.

``base`` holds the shared vocabulary (``Signal``, ``IndicatorSpec``) and the registry; each family of rules lives in
its own module and registers itself; the alert service (``supervision.services``) runs every registered indicator,
stores the signals as alerts with their evidence and seals the evidence in the ledger.
"""
