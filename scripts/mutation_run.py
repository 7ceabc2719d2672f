"""Run mutmut over the named core modules only (developer tool; ``make mutation`` calls it).

mutmut 3 reads which files to mutate from ``only_mutate`` in ``pyproject.toml`` (the six core modules)
and has no command-line option for it; a mutant-name filter on ``mutmut run`` still generates the
mutants of every listed file and counts them in its progress line.  This wrapper loads mutmut's
configuration, narrows ``only_mutate`` to ``btchild_analysis/<module>.py`` for the modules named, and
runs ``mutmut run`` in the same process (mutmut forks its workers, which inherit the setting).

Usage, from the project root::

    python scripts/mutation_run.py targets trends [--max-children 1] [--mutants NAME_OR_GLOB ...]

``--deselect NODEID`` leaves out a test that fails without any mutant (in a tree where someone is
half-way through a change): mutmut refuses to start while a test fails.  ``--mutants`` re-runs the
named mutants (``mutmut`` names, globs allowed) after a test was added; without it every mutant not
yet checked is run.  Results land in ``mutants/`` (git-ignored) and are
read by ``scripts/mutation_report.py``.

All modules of one call share one run (one stats collection); a later call with other modules
starts from fresh stats, because mutmut's cached stats know only the functions mutated when they
were collected.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

PACKAGE = Path("btchild_analysis")
MUTANTS = Path("mutants")


def module_files(modules: list[str]) -> list[str]:
    """``btchild_analysis/<module>.py`` for each module name; SystemExit naming an unknown one."""
    files = []
    for m in modules:
        path = PACKAGE / f"{m.removeprefix('btchild_analysis.').replace('.', '/')}.py"
        if not path.is_file():
            raise SystemExit(f"mutation_run: no module {m!r} ({path} does not exist)")
        files.append(path.as_posix())
    return files


def stats_cover(files: list[str]) -> bool:
    """Whether mutmut's cached stats (if any) were collected with every file in ``files`` mutated."""
    marker = MUTANTS / "mutation_run.json"
    if not marker.is_file():
        return False
    return set(files) <= set(json.loads(marker.read_text(encoding="utf-8")).get("only_mutate", []))


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("modules", nargs="+", help="module names as in btchild_analysis/ (e.g. targets)")
    p.add_argument("--max-children", type=int, default=1)
    p.add_argument("--mutants", nargs="*", default=[], help="re-run only these mutant names or globs")
    p.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                   help="leave out a test that fails without any mutant (mutmut stops on a failing test)")
    args = p.parse_args(argv)
    files = module_files(args.modules)

    MUTANTS.mkdir(exist_ok=True)
    (MUTANTS / ".gitignore").write_text("*\n", encoding="utf-8")
    if not stats_cover(files):
        # the cached stats map tests to the functions mutated when they were collected: start afresh
        (MUTANTS / "mutmut-stats.json").unlink(missing_ok=True)
    (MUTANTS / "mutation_run.json").write_text(json.dumps({"only_mutate": files}), encoding="utf-8")

    from mutmut import configuration

    cfg = configuration.config()
    extra = [a for node in args.deselect for a in ("--deselect", node)]
    configuration._config = dataclasses.replace(cfg, only_mutate=files,
                                                pytest_add_cli_args=[*cfg.pytest_add_cli_args, *extra])
    assert configuration.config().only_mutate == files
    from mutmut.__main__ import cli  # imported, not run with -m: mutmut sets the fork start method once

    return cli.main(["run", "--max-children", str(args.max_children), *args.mutants],
                    prog_name="mutmut", standalone_mode=False) or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
