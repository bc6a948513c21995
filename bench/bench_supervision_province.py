"""The province bench (issue 14): generate a province with planted cartels, run the FULL Django-free indicator set
over it in one streaming pass (price screens per lot, every history rule, Cardinal's 11 flags), and print wall time,
peak memory (``ru_maxrss`` of this process; the generator runs in a child process so it is not counted) and the share
of planted cartels found, beside the time to just read the same file once.

    python bench/bench_supervision_province.py                   # 100,000 lots, ~1,000,000 bids
    python bench/bench_supervision_province.py --lots 2000 --bids 20000 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ggzy.supervision.screens.province import read_once, run_province, score_against_truth  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--bids", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--dir", help="keep the generated files here (default: a temporary directory, removed)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args(argv)
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="ggzy-province-"))
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ggzy.supervision.screens.generate", str(work), "--lots",
                        str(args.lots), "--bids", str(args.bids), "--seed", str(args.seed)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        generated = time.perf_counter() - started
        bids_csv = work / "bids.csv"
        started = time.perf_counter()
        read_once(bids_csv)
        read_seconds = time.perf_counter() - started
        result = run_province(bids_csv)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        truth = json.loads((work / "truth.json").read_text(encoding="utf-8"))
        report = {
            "lots": result.lots, "bids": result.rows, "bytes": bids_csv.stat().st_size,
            "generate_seconds": round(generated, 2), "read_once_seconds": round(read_seconds, 2),
            "indicators_seconds": round(result.seconds, 2), "peak_rss_mib": round(peak_mib, 1),
            **score_against_truth(result, truth),
        }
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    else:
        print(f"province: {report['lots']:,} lots, {report['bids']:,} bids ({report['bytes'] / 2**20:.0f} MiB CSV), "
              f"generated in {report['generate_seconds']} s")
        print(f"read once:          {report['read_once_seconds']:>8.2f} s")
        print(f"full indicator set: {report['indicators_seconds']:>8.2f} s, peak RSS {report['peak_rss_mib']:.0f} MiB")
        print(f"planted cartels found (any history rule): {report['found_any']:.1%} of {report['cartels']}")
        for code, share in report["found_by"].items():
            print(f"  {code:<32} {share:.1%}")
        print(f"findings naming no planted firm: {report['false_leads'] or 0}")
        print(f"captured buyers found: {report['captured_buyers_found']:.1%} "
              f"(other buyers flagged: {report['other_single_bid_buyers']})")
        print(f"price score ≥ 0.5: cartel lots {report['price_suspicious_cartel_lots']:.1%}, "
              f"other lots {report['price_suspicious_other_lots']:.1%}")
        print(f"Cardinal flags raised: {report['cardinal_flags']}")
    return report


if __name__ == "__main__":
    main()
