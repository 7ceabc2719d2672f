"""Kill rate per module from the last mutmut run (developer tool, see README "Mutation testing").

mutmut keeps one result per mutant in ``mutants/<package path>.py.meta`` (the exit code of the tests
run against it).  This prints, per mutated module, how many mutants were killed (a test failed or
timed out), survived (every test passed: a fault no test catches), had no test (no test calls the
function) or were not checked yet, and the kill rate ``killed / (killed + survived + no tests)``.

Usage, from the project root: ``python scripts/mutation_report.py [MODULE ...] [--survivors]``
(e.g. ``python scripts/mutation_report.py quality --survivors``; show a mutant's diff with
``mutmut show NAME``).

``--survivors`` lists every surviving mutant with its planted change; the ones judged *equivalent*
(they cannot change anything a user reads) are marked with the reason, from :data:`EQUIVALENT`.  An
entry there names the module, the function and a piece of the original and of the mutated line, so it
still matches when mutmut renumbers its mutants after an edit.  The last column, ``adj %``, is the
kill rate with the equivalent mutants left out of the denominator.
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


#: Surviving mutants judged equivalent: (module, function, piece of the original line, piece of the
#: mutated line, why the change cannot alter what a user reads).  Judged by hand, one by one.
EQUIVALENT: list[tuple[str, str, str, str, str]] = [
]


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


def function_of(name: str) -> str:
    """The mutated function of a mutmut name: ``trends.x_rank__mutmut_3`` → ``rank``, ``xǁTrendǁat`` → ``Trend.at``."""
    local = name.rsplit(".", 1)[-1].split("__mutmut_")[0]
    if local.startswith("xǁ"):
        return ".".join(p for p in local[2:].split("ǁ") if p)
    return local.removeprefix("x_")


def planted_change(name: str, module: str) -> tuple[list[str], list[str]] | None:
    """The lines a mutant removed and added (mutmut's diff), or None when mutmut cannot show it."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        diff = get_diff_for_mutant(name, path=Path(*module.split(".")).with_suffix(".py"))
    except Exception:  # noqa: BLE001 - a developer report: show the name without its diff
        return None
    lines = [ln for ln in diff.splitlines() if not ln.startswith(("---", "+++"))]
    return ([ln[1:].strip() for ln in lines if ln.startswith("-")],
            [ln[1:].strip() for ln in lines if ln.startswith("+")])


def equivalent_reason(module: str, name: str, change: tuple[list[str], list[str]] | None) -> str | None:
    """Why a surviving mutant is equivalent, from :data:`EQUIVALENT` (None when it is not listed)."""
    if change is None:
        return None
    removed, added = " ".join(change[0]), " ".join(change[1])
    for mod, func, before, after, why in EQUIVALENT:
        if module.endswith(mod) and function_of(name) == func and before in removed and after in added:
            return why
    return None


def main(argv: list[str]) -> int:
    show = "--survivors" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    data = load()
    if not data:
        print(f"no mutmut results under {MUTANTS}: run `make mutation` first", file=sys.stderr)
        return 1
    print(f"{'module':<30} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'unchecked':>9} "
          f"{'kill %':>6} {'equiv.':>6} {'adj %':>6}")
    for module, codes in data.items():
        if wanted and not any(module.endswith(w) for w in wanted):
            continue
        s = summary(codes)
        alive = {n: classify(c) for n, c in sorted(codes.items()) if classify(c) in ("survived", "no tests")}
        changes = {n: planted_change(n, module) for n in alive}
        reasons = {n: equivalent_reason(module, n, changes[n]) for n in alive}
        n_eq = sum(r is not None for r in reasons.values())
        checked = s["killed"] + s["survived"] + s["no tests"] - n_eq
        adj = 100 * s["killed"] / checked if checked else float("nan")
        print(f"{module:<30} {s['total']:>7} {s['killed']:>6} {s['survived']:>8} {s['no tests']:>8} "
              f"{s['not checked']:>9} {s['kill_rate']:>6.1f} {n_eq:>6} {adj:>6.1f}")
        if show:
            for n, kind in alive.items():
                label = "equivalent" if reasons[n] else kind
                print(f"    {label:<10} {n}")
                if changes[n]:
                    print(f"        - {' / '.join(changes[n][0])}\n        + {' / '.join(changes[n][1])}")
                if reasons[n]:
                    print(f"        why: {reasons[n]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
