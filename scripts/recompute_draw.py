#!/usr/bin/env python3
"""Recompute a published expert draw offline — standard library only (spec: docs/expert-draw.md).

    python scripts/recompute_draw.py draw.json          # a file saved from /experts/draws/<n>/published.json
    python scripts/recompute_draw.py - < draw.json

Checks that SHA-256(seed) is the committed hash, recomputes the selection from the seed, the beacon, the eligible
list, the needs, the per-employer cap and the refusals in order, and prints the experts (pseudonymous IDs, with the
names when the document carries them). Exit status 0 when the published result recomputes, 1 when it does not.
This file is written from the spec on purpose, apart from ggzy/experts/drawing.py; a test checks they agree.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys


def ranking(seed: bytes, beacon: str, need: str, eligible: list[dict]) -> list[dict]:
    scored = []
    for e in eligible:
        if any(c == need or c.startswith(need) for c in e["classes"]):
            msg = beacon.encode() + b"\x00" + need.encode() + b"\x00" + e["id"].encode()
            scored.append((hmac.new(seed, msg, hashlib.sha256).digest(), e["id"], e))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in scored]


def recompute(doc: dict) -> tuple[list[tuple[str, str]], dict[str, int]]:
    seed = bytes.fromhex(doc["seed"])
    beacon = doc["beacon"]
    cap = doc.get("max_per_employer")
    needs = sorted((str(code), int(n)) for code, n in doc["needs"])
    group = {e["id"]: e.get("group", "") for e in doc["eligible"]}
    ranks = {code: ranking(seed, beacon, code, doc["eligible"]) for code, _ in needs}
    held: list[tuple[str, str]] = []  # (need, id) in selection order
    excluded: list[str] = []
    short: dict[str, int] = {}

    def take(need: str) -> bool:
        gone = {i for _, i in held} | set(excluded)
        count: dict[str, int] = {}
        for _, i in held:
            if group[i]:
                count[group[i]] = count.get(group[i], 0) + 1
        for e in ranks[need]:
            if e["id"] in gone:
                continue
            g = group[e["id"]]
            if cap is not None and g and count.get(g, 0) >= cap:
                continue
            held.append((need, e["id"]))
            return True
        short[need] = short.get(need, 0) + 1
        return False

    for code, n in needs:
        for _ in range(n):
            take(code)
    for refused in doc.get("refusals", []):
        slot = next((s for s in held if s[1] == refused), None)
        if slot is None:
            raise ValueError(
                f"拒绝/超时记录 {refused} 不在当时的抽取结果中 / refusal {refused} not in the result"
            )
        held.remove(slot)
        excluded.append(refused)
        take(slot[0])
    return held, short


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: recompute_draw.py FILE.json | -", file=sys.stderr)
        return 2
    if argv[1] == "-":
        text = sys.stdin.read()
    else:
        with open(argv[1], encoding="utf-8") as f:
            text = f.read()
    doc = json.loads(text)
    ok = True
    seed = bytes.fromhex(doc["seed"])
    if "seed_sha256" in doc:
        if hashlib.sha256(seed).hexdigest() == doc["seed_sha256"]:
            print(f"seed 承诺一致 / seed matches its commitment {doc['seed_sha256']}")
        else:
            print("seed 与承诺不符 / seed does NOT match its commitment")
            ok = False
    try:
        held, short = recompute(doc)
    except ValueError as exc:
        print(f"{exc}\n不一致：公布结果无法复现 / MISMATCH: the published result does not recompute")
        return 1
    names = doc.get("names", {})
    published = [(r["need"], r["id"]) for r in doc["result"]]
    print(f"beacon {doc['beacon']}")
    print("重新计算结果 / recomputed:")
    for need, i in held:
        print(f"  {need}  {i}  {names.get(i, '')}".rstrip())
    reason = ""
    if short:
        print("缺额 / shortfall: " + ", ".join(f"{k}: {v}" for k, v in sorted(short.items())))
        parts = "；".join(f"专业 {code} 缺 {n} 人" for code, n in sorted(short.items()))
        reason = f"符合条件的专家不足：{parts}"
        print(f"抽取失败 / the draw FAILED: {reason}")
    same_reason = "failure_reason" not in doc or doc["failure_reason"] == reason
    if not same_reason:
        print(f"公布的失败原因不符 / published reason differs: {doc['failure_reason']!r}")
    if (
        held == published
        and short == {k: int(v) for k, v in doc.get("shortfall", {}).items()}
        and same_reason
    ):
        print("一致：公布结果可以复现 / MATCH: the published result recomputes")
    else:
        print("不一致：公布结果无法复现 / MISMATCH: the published result does not recompute")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
