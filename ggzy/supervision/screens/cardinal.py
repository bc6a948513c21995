"""Cardinal's red flags (open-contracting/cardinal-rs, ``ocdscardinal indicators``) over OCDS compiled releases.

Implemented from Cardinal's published documentation (one page per indicator, the settings file format), not from
its code: R003, R018, R024, R025, R028, R030, R035, R036, R038, R048, R058. Input: line-delimited compiled releases,
read one line at a time. Per-process flags are decided as each line is read; the indicators that compare against
the whole population (R024/R058 fences over processes, R025/R038/R048 over organizations) keep one number per
process or counters per organization — never the releases themselves.

Output is Cardinal's shape: ``{"OCID": {ocid: {code: value}}, "Buyer": {...}, "ProcuringEntity": {...},
"Tenderer": {...}}`` plus ``"Meta"`` with the quartiles and fences used (4 decimals), empty groups omitted.

Definitions (Cardinal's, as its docs give them; where the docs leave a detail open, the choice is written here):

* A bid is *submitted* when its status is pending, valid or disqualified; *valid* when valid. Statuses can be
  mapped first with Cardinal's ``[codelists.bid_status]`` / ``[codelists.award_status]`` sections (its ``prepare``
  step), e.g. ``qualified = valid``.
* R018 reads ``/tender/numberOfTenderers`` (as Cardinal's own example does), not a count of the bids.
* Amounts count only in the main currency (``currency =`` or the first currency seen).
* ``[exclusions] procurement_method_details`` drops a process from every indicator;
  ``no_price_comparison_procurement_methods`` / ``price_comparison_procurement_methods`` drop it from the price
  comparisons (R024, R028, R036, R058).
* Quartiles use linear interpolation between order statistics (choice: the docs do not name a method).
* A fence computed from the data (no ``threshold`` set) flags only values strictly beyond the quartile it is built
  on (below Q1 for R024/R025, above Q3 for R038/R048/R058). Choice: with no spread (IQR 0, e.g. every ratio 1.0) the
  fence equals the quartile and would otherwise flag everyone as an "outlier". A ``threshold`` set in the settings
  is compared as Cardinal's docs say (≤ / ≥), with no such guard.
* R024 and R035 flag only the process (OCID), not the tenderers Cardinal's later versions also flag.
"""

from __future__ import annotations

import configparser
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ALL_INDICATORS = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
SUBMITTED = {"pending", "valid", "disqualified"}
NOT_DECIDED_AWARD = {"pending", "invalid"}


class CardinalInputError(ValueError):
    """The settings cannot be used (Chinese message naming the section and property)."""


@dataclass
class Settings:
    enabled: set[str] = field(default_factory=lambda: set(ALL_INDICATORS))
    currency: str | None = None
    no_price_comparison: set[str] = field(default_factory=set)
    price_comparison: set[str] = field(default_factory=set)
    excluded_method_details: set[str] = field(default_factory=set)
    bid_status_map: dict[str, str] = field(default_factory=dict)
    award_status_map: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def number(self, code: str, name: str, default: float | None) -> float | None:
        text = self.values.get(code, {}).get(name)
        if text is None:
            return default
        try:
            return float(text)
        except ValueError:
            raise CardinalInputError(f"设置文件 [{code}] {name}：“{text}”不是数字") from None


def _pipe(text: str | None) -> set[str]:
    return {part for part in (text or "").split("|") if part}


def load_settings(path: str | None) -> Settings:
    """Cardinal's INI settings: only the indicators with a section run; without a file, all of them with their
    defaults."""
    if path is None:
        return Settings()
    parser = configparser.ConfigParser(
        inline_comment_prefixes=("#", ";"),
        comment_prefixes=("#", ";"),
        default_section="__none__",
        interpolation=None,
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_string("[__top__]\n" + f.read())
    except configparser.Error as exc:
        raise CardinalInputError(f"设置文件格式错误：{exc}") from exc
    top = parser["__top__"]
    settings = Settings(
        enabled={s for s in parser.sections() if s in ALL_INDICATORS},
        currency=top.get("currency") or None,
        no_price_comparison=_pipe(top.get("no_price_comparison_procurement_methods")),
        price_comparison=_pipe(top.get("price_comparison_procurement_methods")),
    )
    if parser.has_section("exclusions"):
        settings.excluded_method_details = _pipe(parser["exclusions"].get("procurement_method_details"))
    for section, target in (
        ("codelists.bid_status", settings.bid_status_map),
        ("codelists.award_status", settings.award_status_map),
    ):
        if parser.has_section(section):
            target.update(dict(parser[section]))
    for code in settings.enabled:
        settings.values[code] = dict(parser[code])
    for code, names in {
        "R003": ("threshold",),
        "R024": ("threshold",),
        "R025": ("percentile", "threshold"),
        "R035": ("threshold",),
        "R038": ("threshold", "minimum_submitted_bids", "minimum_contracting_processes"),
        "R048": ("threshold", "digits"),
        "R058": ("threshold",),
    }.items():
        for name in names:
            settings.number(code, name, None)  # fail early on a non-number
    return settings


def quartiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)

    def q(p: float) -> float:
        pos = (len(ordered) - 1) * p
        low = math.floor(pos)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)

    return q(0.25), q(0.75)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _id(obj: Any) -> str | None:
    value = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value else None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _date(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


class Cardinal:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.currency = settings.currency
        self.result: dict[str, dict[str, dict[str, float]]] = {
            g: {} for g in ("OCID", "Buyer", "ProcuringEntity", "Tenderer")
        }
        self.meta: dict[str, dict[str, float]] = {}
        self.differences: list[tuple[str, float]] = []  # R024/R058: one per process
        self.valid_bids: dict[str, int] = defaultdict(int)  # R025
        self.winning_bids: dict[str, int] = defaultdict(int)
        self.r038: dict[str, dict[str, list[int]]] = {
            g: defaultdict(lambda: [0, 0, 0]) for g in ("Buyer", "ProcuringEntity", "Tenderer")
        }
        self.r048: dict[str, set[str]] = defaultdict(set)

    def flag(self, group: str, key: str, code: str, value: float) -> None:
        self.result[group].setdefault(key, {})[code] = float(value)

    def on(self, code: str) -> bool:
        return code in self.s.enabled

    def _status(self, obj: dict, mapping: dict[str, str]) -> str | None:
        status = obj.get("status")
        return mapping.get(status, status) if isinstance(status, str) else None

    def _amount(self, obj: Any) -> float | None:
        value = obj.get("value") if isinstance(obj, dict) else None
        if not isinstance(value, dict):
            return None
        amount, currency = value.get("amount"), value.get("currency")
        if not isinstance(amount, int | float) or isinstance(amount, bool) or not math.isfinite(amount):
            return None
        if self.currency is None and isinstance(currency, str):
            self.currency = currency
        return float(amount) if currency == self.currency else None

    # --- one process -------------------------------------------------------------------------------------------

    def fold(self, release: dict) -> None:
        ocid = release.get("ocid")
        if not isinstance(ocid, str):
            return
        tender = _obj(release.get("tender"))
        details = tender.get("procurementMethodDetails")
        if isinstance(details, str) and details in self.s.excluded_method_details:
            return
        price_ok = not (
            (self.s.no_price_comparison and details in self.s.no_price_comparison)
            or (self.s.price_comparison and details not in self.s.price_comparison)
        )
        method = tender.get("procurementMethod")
        bids_obj = _obj(release.get("bids"))
        bids = [b for b in bids_obj.get("details") or [] if isinstance(b, dict)]
        for b in bids:
            b["_status"] = self._status(b, self.s.bid_status_map)
            b["_tenderers"] = [t for t in (_id(x) for x in b.get("tenderers") or []) if t]
        submitted = [b for b in bids if b["_status"] in SUBMITTED]
        valid = [b for b in bids if b["_status"] == "valid"]
        awards = [a for a in release.get("awards") or [] if isinstance(a, dict)]
        statuses = [self._status(a, self.s.award_status_map) for a in awards]
        active = [a for a, st in zip(awards, statuses, strict=True) if st == "active"]
        decided = not any(st in NOT_DECIDED_AWARD for st in statuses)
        suppliers = [[s for s in (_id(x) for x in a.get("suppliers") or []) if s] for a in active]
        single_tenderer_bids = all(len(b["_tenderers"]) == 1 for b in submitted)
        single_supplier_awards = all(len(s) == 1 for s in suppliers)

        if self.on("R003") and method == "open":
            period = _obj(tender.get("tenderPeriod"))
            start, end = _date(period.get("startDate")), _date(period.get("endDate"))
            if start and end:
                try:
                    days = (end - start).days
                except TypeError:  # one aware, one naive
                    days = (end.replace(tzinfo=None) - start.replace(tzinfo=None)).days
                if days < (self.s.number("R003", "threshold", 15) or 0):
                    self.flag("OCID", ocid, "R003", 1.0)

        if self.on("R018"):
            methods = _pipe(self.s.values.get("R018", {}).get("procurement_methods")) or {"open", "selective"}
            number = tender.get("numberOfTenderers")
            if (
                method in methods
                and isinstance(number, int | float)
                and not isinstance(number, bool)
                and number == 1
            ):
                self.flag("OCID", ocid, "R018", 1.0)

        # the winner's bid and the second-lowest valid bid (R024, R058), the tenderers' wins (R025)
        comparable = decided and len(active) == 1 and single_tenderer_bids and single_supplier_awards
        if comparable and (self.on("R024") or self.on("R058")) and price_ok:
            winner = suppliers[0][0]
            amounts = [(self._amount(b), b["_tenderers"][0]) for b in valid]
            priced = sorted((a, t) for a, t in amounts if a is not None)
            winning = [a for a, t in priced if t == winner]
            if len(priced) >= 2 and winning and winning[0] == priced[0][0] and winning[0] > 0:
                rest = [a for a, t in priced if t != winner]
                if rest:
                    self.differences.append((ocid, (rest[0] - winning[0]) / winning[0]))
        if comparable and self.on("R025"):
            winner = suppliers[0][0]
            for b in valid:
                tenderer = b["_tenderers"][0]
                self.valid_bids[tenderer] += 1
                if tenderer == winner:
                    self.winning_bids[tenderer] += 1

        if self.on("R028") and price_ok:
            by_price: dict[float, set[str]] = defaultdict(set)
            for b in submitted:
                amount = self._amount(b)
                if amount is not None:
                    by_price[amount].update(b["_tenderers"])
            same = {t for ts in by_price.values() if len(ts) >= 2 for t in ts}
            if same:
                self.flag("OCID", ocid, "R028", 1.0)
                for tenderer in same:
                    self.flag("Tenderer", tenderer, "R028", 1.0)

        if self.on("R030"):
            period = _obj(tender.get("tenderPeriod"))
            deadline = _date(period.get("endDate"))
            winners = {s for ss in suppliers for s in ss}
            for b in valid:
                received = _date(b.get("date"))
                if deadline and received and set(b["_tenderers"]) & winners:
                    try:
                        late = received > deadline
                    except TypeError:
                        late = received.replace(tzinfo=None) > deadline.replace(tzinfo=None)
                    if late:
                        self.flag("OCID", ocid, "R030", 1.0)
                        break

        if self.on("R035") and decided:
            valid_tenderers = {t for b in valid for t in b["_tenderers"]}
            winners = {s for ss in suppliers for s in ss}
            if len(valid_tenderers) == 1 and winners == valid_tenderers:
                losers = {t for b in submitted if b["_status"] == "disqualified" for t in b["_tenderers"]}
                losers -= valid_tenderers
                if losers and len(losers) >= (self.s.number("R035", "threshold", 1) or 1):
                    self.flag("OCID", ocid, "R035", float(len(losers)))

        if self.on("R036") and price_ok and active:
            priced_bids: list[tuple[float, dict]] = []
            for b in submitted:
                amount = self._amount(b)
                if amount is not None:
                    priced_bids.append((amount, b))
            if priced_bids:
                lowest = min(a for a, _ in priced_bids)
                if any(b["_status"] == "disqualified" for a, b in priced_bids if a == lowest):
                    self.flag("OCID", ocid, "R036", 1.0)

        if self.on("R038") and submitted:
            disqualified = sum(1 for b in submitted if b["_status"] == "disqualified")
            for group, key in (
                ("Buyer", _id(release.get("buyer"))),
                ("ProcuringEntity", _id(tender.get("procuringEntity"))),
            ):
                if key:
                    counts = self.r038[group][key]
                    counts[0] += disqualified
                    counts[1] += len(submitted)
                    counts[2] += 1
            for b in submitted:
                for tenderer in b["_tenderers"]:
                    counts = self.r038["Tenderer"][tenderer]
                    counts[0] += b["_status"] == "disqualified"
                    counts[1] += 1

        if self.on("R048"):
            digits = int(self.s.number("R048", "digits", 2) or 2)
            for award, ss in zip(active, suppliers, strict=True):
                if len(ss) != 1:
                    continue
                for item in award.get("items") or []:
                    classification = item.get("classification") if isinstance(item, dict) else None
                    code = _id(classification)
                    if code and code[:digits].isdigit():
                        self.r048[ss[0]].add(code[:digits])

    # --- the population ----------------------------------------------------------------------------------------

    def finish(self, *, meta: bool = True) -> dict[str, Any]:
        if self.differences:
            values = [d for _, d in self.differences]
            q1, q3 = quartiles(values)
            if self.on("R024"):
                given = self.s.number("R024", "threshold", None)
                fence = q1 - 1.5 * (q3 - q1) if given is None else given
                self.meta["R024"] = {"q1": q1, "q3": q3, "lower_fence": fence}
                for ocid, d in self.differences:
                    if d <= fence and (given is not None or d < q1):
                        self.flag("OCID", ocid, "R024", d)
            if self.on("R058"):
                given = self.s.number("R058", "threshold", None)
                fence = q3 + 1.5 * (q3 - q1) if given is None else given
                self.meta["R058"] = {"q1": q1, "q3": q3, "upper_fence": fence}
                for ocid, d in self.differences:
                    if d >= fence and (given is not None or d > q3):
                        self.flag("OCID", ocid, "R058", d)
        if self.on("R025") and self.valid_bids:
            counts = list(self.valid_bids.values())
            top = percentile([float(c) for c in counts], self.s.number("R025", "percentile", 75) or 75)
            ratios = {t: self.winning_bids[t] / n for t, n in self.valid_bids.items()}
            q1, q3 = quartiles(list(ratios.values()))
            given = self.s.number("R025", "threshold", None)
            fence = q1 - 1.5 * (q3 - q1) if given is None else given
            self.meta["R025"] = {"q1": q1, "q3": q3, "lower_fence": fence, "upper_fence": top}
            for tenderer, ratio in ratios.items():
                if self.valid_bids[tenderer] >= top and ratio <= fence and (given is not None or ratio < q1):
                    self.flag("Tenderer", tenderer, "R025", ratio)
        if self.on("R038"):
            minimum_bids = self.s.number("R038", "minimum_submitted_bids", 2) or 2
            minimum_processes = self.s.number("R038", "minimum_contracting_processes", 2) or 2
            for group, table in self.r038.items():
                if group == "Tenderer":
                    ratios = {k: d / n for k, (d, n, _) in table.items() if n >= minimum_bids}
                else:
                    ratios = {k: d / n for k, (d, n, p) in table.items() if p >= minimum_processes}
                if not ratios:
                    continue
                q1, q3 = quartiles(list(ratios.values()))
                given = self.s.number("R038", "threshold", None)
                fence = q3 + 1.5 * (q3 - q1) if given is None else given
                self.meta.setdefault("R038", {}).update(
                    {f"{group}_q1": q1, f"{group}_q3": q3, f"{group}_upper_fence": fence}
                )
                for key, ratio in ratios.items():
                    if ratio >= fence and (given is not None or ratio > q3):
                        self.flag(group, key, "R038", ratio)
        if self.on("R048") and self.r048:
            varieties = {t: float(len(codes)) for t, codes in self.r048.items()}
            q1, q3 = quartiles(list(varieties.values()))
            given = self.s.number("R048", "threshold", None)
            fence = q3 + 1.5 * (q3 - q1) if given is None else given
            self.meta["R048"] = {"q1": q1, "q3": q3, "upper_fence": fence}
            for tenderer, variety in varieties.items():
                if variety >= fence and (given is not None or variety > q3):
                    self.flag("Tenderer", tenderer, "R048", variety)
        out: dict[str, Any] = {group: dict(sorted(v.items())) for group, v in self.result.items() if v}
        if meta and self.meta:
            out["Meta"] = {
                code: {k: round(v, 4) for k, v in values.items()}
                for code, values in sorted(self.meta.items())
            }
        return out


def run_cardinal(
    lines: Iterable[str],
    settings: Settings,
    *,
    meta: bool = True,
    on_error: Callable[[str], None] | None = None,
) -> str:
    """Cardinal's JSON for the compiled releases in ``lines`` (one JSON object a line; bad lines reported in
    Chinese with their number and skipped)."""
    engine = Cardinal(settings)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            release = json.loads(line)
        except json.JSONDecodeError as exc:
            if on_error:
                on_error(f"第{number}行：不是合法的 JSON（第{exc.colno}列：{exc.msg}）")
            continue
        if not isinstance(release, dict):
            if on_error:
                on_error(f"第{number}行：应为一个 JSON 对象（OCDS compiled release）")
            continue
        engine.fold(release)
    return json.dumps(engine.finish(meta=meta), ensure_ascii=False, separators=(",", ":"))
