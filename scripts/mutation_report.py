"""Kill rate per module from the last mutmut run (developer tool, see README "Mutation testing").

mutmut keeps one result per mutant in ``mutants/<package path>.py.meta`` (the exit code of the tests
run against it).  This prints, per mutated module, how many mutants were killed (a test failed or
timed out), survived (every test passed: a fault no test catches), had no test (no test calls the
function) or were not checked yet, and the kill rate ``killed / (killed + survived + no tests)``.

Usage, from the project root: ``python scripts/mutation_report.py [MODULE ...] [--survivors]``
(e.g. ``python scripts/mutation_report.py quality --survivors``; show a mutant's diff with
``mutmut show NAME``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

MUTANTS = Path("mutants")  # mutmut works in the directory it is run from (the project root)

#: mutmut's exit codes (mutmut/stats.py): 1 and 3 a test failed, timeouts, 0 survived, 5/33 no tests.
KILLED = {1, 3, 36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def classify(code: int | None) -> str:
    """``killed``, ``survived``, ``no tests``, ``not checked`` or ``other`` for one exit code."""
    if code is None:
        return "not checked"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "other"


def load(mutants: Path = MUTANTS) -> dict[str, dict[str, int | None]]:
    """``{module: {mutant name: exit code}}`` from every ``*.py.meta`` under ``mutants``."""
    out: dict[str, dict[str, int | None]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = ".".join(meta.relative_to(mutants).with_suffix("").with_suffix("").parts)
        out[module] = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
    return out


def summary(codes: dict[str, int | None]) -> dict[str, float]:
    """Counts by class and the kill rate (NaN when nothing was checked)."""
    counts = {k: 0 for k in ("killed", "survived", "no tests", "not checked", "other")}
    for code in codes.values():
        counts[classify(code)] += 1
    checked = counts["killed"] + counts["survived"] + counts["no tests"]
    return {**counts, "total": len(codes), "kill_rate": 100 * counts["killed"] / checked if checked else float("nan")}


def main(argv: list[str]) -> int:
    show = "--survivors" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    data = load()
    if not data:
        print(f"no mutmut results under {MUTANTS}: run `make mutation` first", file=sys.stderr)
        return 1
    print(f"{'module':<30} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'unchecked':>9} {'kill %':>6}")
    for module, codes in data.items():
        if wanted and not any(module.endswith(w) for w in wanted):
            continue
        s = summary(codes)
        print(f"{module:<30} {s['total']:>7} {s['killed']:>6} {s['survived']:>8} {s['no tests']:>8} "
              f"{s['not checked']:>9} {s['kill_rate']:>6.1f}")
        if show:
            for name, code in sorted(codes.items()):
                if classify(code) in ("survived", "no tests"):
                    print(f"    {classify(code):<9} {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
