"""Load + validate a national-scale long file; compare with a bare pandas.read_csv of the same file.

~10,600 communes × 13 years × 2 periods × 25 elements (≈ 6.9 million rows).  Each measurement runs in
its own process so that peak memory (max RSS) is its own; best of three runs.  Prints the figures;
asserts nothing.

    python benchmarks/bench_load.py [N_COMMUNES]
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r})
import pandas as pd
mode, path, codes = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if mode == "bare":
    n = len(pd.read_csv(path, dtype=str))
    extra = {{}}
else:
    from btchild_analysis import io
    known = set(open(codes).read().split())
    res = io.load_submissions(path, flag_outliers=False, known_units=known)
    n = res.summary["rows_read"]
    extra = res.summary
sec = time.perf_counter() - t
print(json.dumps({{"seconds": sec, "rows": n, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}}))
"""


def measure(mode: str, path: Path, codes: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(here=str(HERE)), mode, str(path), str(codes)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import _national

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_600
    t = time.perf_counter()
    path, units = _national.long_file(n)
    codes = path.with_suffix(".codes.txt")
    codes.write_text("\n".join(units["code"]))
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.0f} MB ({time.perf_counter() - t:.1f} s to build or find)")
    bare = min((measure("bare", path, codes) for _ in range(3)), key=lambda r: r["seconds"])
    full = min((measure("load", path, codes) for _ in range(3)), key=lambda r: r["seconds"])
    print(f"rows                      {full['rows']:,}")
    print(f"bare pandas.read_csv      {bare['seconds']:.2f} s, peak {bare['peak_mb']:.0f} MB")
    print(f"load + validate           {full['seconds']:.2f} s, peak {full['peak_mb']:.0f} MB")
    print(f"rows per second           {full['rows'] / full['seconds']:,.0f}")
    print(f"ratio to bare read        {full['seconds'] / bare['seconds']:.2f}x")
    print(f"accepted / quarantined    {full['accepted']:,} / {full['quarantined']:,}")
    print("goal: under 20 s and 4 GB, validation no more than 3x the bare read")


if __name__ == "__main__":
    main()
