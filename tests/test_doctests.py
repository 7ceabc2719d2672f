"""Every public function of the core modules carries an example that runs as a doctest (issue 13).

``make test`` runs them through pytest's ``--doctest-modules`` (pyproject ``addopts``, ``testpaths``
holding the package); this file also runs each module's examples with :mod:`doctest`, shows that a
wrong expected output fails, and refuses a public function without an example.
"""
from __future__ import annotations

import ast
import doctest
import importlib
import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

PACKAGE = Path(__file__).resolve().parent.parent / "btchild_analysis"
#: The modules whose public functions must each have an example (the rest are edited by others today).
MODULES = ("admin_units", "catalog", "periods", "targets", "trends", "quality", "standard", "fmt", "outputs",
           "anthropometry", "messages", "i18n", "paths")


def public_definitions(module: str) -> list[tuple[str, str]]:
    """(qualified name, docstring) of every public function, class and method defined in the module."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    out = []

    def walk(body, prefix=""):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                out.append((prefix + node.name, ast.get_docstring(node) or ""))
                if isinstance(node, ast.ClassDef):
                    walk(node.body, prefix + node.name + ".")
    walk(tree.body)
    return out


@pytest.mark.parametrize("module", MODULES)
def test_every_public_function_has_an_example(module):
    missing = [name for name, doc in public_definitions(module) if ">>>" not in doc]
    assert not missing, f"btchild_analysis.{module}: add an Examples section to {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_the_examples_pass(module):
    mod = importlib.import_module(f"btchild_analysis.{module}")
    result = doctest.testmod(mod, verbose=False, report=False)
    assert result.attempted >= len(public_definitions(module))
    assert result.failed == 0


@pytest.mark.parametrize("module", MODULES)
def test_a_wrong_expected_output_fails(module):
    """Plant a fault in one example of each module: the doctest must report it."""
    mod = importlib.import_module(f"btchild_analysis.{module}")
    tests = [t for t in doctest.DocTestFinder().find(mod) if any(e.want.strip() for e in t.examples)]
    t = tests[0]
    k = next(i for i, e in enumerate(t.examples) if e.want.strip())
    examples = t.examples[:k] + [doctest.Example(t.examples[k].source, "'a planted wrong answer'\n")]
    planted = doctest.DocTest(examples, dict(t.globs), t.name, t.filename, t.lineno, t.docstring)
    runner = doctest.DocTestRunner(verbose=False)
    runner.run(planted, out=lambda _: None)
    assert runner.failures == 1


def test_the_test_command_collects_the_doctests():
    if tomllib is None:  # pragma: no cover
        pytest.skip("tomllib needs Python 3.11")
    cfg = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in cfg["addopts"].split()
    assert "btchild_analysis" in cfg["testpaths"]


def _modules() -> set[str]:
    return {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def test_the_readme_module_table_lists_every_module():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("| module | concern |")
    table = readme[start:readme.index("\n\n", start)]
    listed = {name for line in table.splitlines() for name in re.findall(r"`([A-Za-z_0-9]+)`", line.split("|")[1])}
    assert _modules() - listed == set(), "add these modules to the README's module table"
    assert listed - _modules() == set(), "the README's module table names modules that do not exist"


def test_the_architecture_page_names_every_module():
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([A-Za-z_0-9]+)`", page)) | set(re.findall(r"\b([a-z_0-9]+)\b", page.split("```")[1]))
    assert _modules() - named == set()
