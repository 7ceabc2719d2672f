"""The renamed modules: ``register`` → ``admin_units``, ``registry`` → ``catalog`` (issue 13).

The old names keep working for user notebooks, with a DeprecationWarning, and are the same module
object as the new ones (a monkeypatch on one is seen through the other).
"""
import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize("old,new,attr", [("register", "admin_units", "units"),
                                          ("registry", "catalog", "indicators")])
def test_old_name_warns_and_is_the_new_module(old, new, attr):
    code = (
        "import warnings, importlib\n"
        "warnings.simplefilter('error', DeprecationWarning)\n"
        f"new = importlib.import_module('btchild_analysis.{new}')\n"
        "try:\n"
        f"    importlib.import_module('btchild_analysis.{old}')\n"
        "except DeprecationWarning as w:\n"
        f"    assert 'btchild_analysis.{new}' in str(w), w\n"
        "    print('warned')\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"
        f"old = importlib.import_module('btchild_analysis.{old}')\n"
        "assert old is new, (old, new)\n"
        f"assert callable(old.{attr})\n"
        "print('same')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["warned", "same"]


def test_package_modules_use_the_new_names():
    """No module of the package imports the deprecated names (they would warn at every import)."""
    import pathlib
    import btchild_analysis
    root = pathlib.Path(btchild_analysis.__file__).parent
    offenders = [p.name for p in root.glob("*.py") if p.stem not in ("register", "registry")
                 and any(s in p.read_text(encoding="utf-8") for s in
                         ("from .register import", "from .registry import", "import register\n",
                          "import registry\n", "btchild_analysis.register", "btchild_analysis.registry"))]
    assert offenders == []
    assert importlib.import_module("btchild_analysis.admin_units").PROVINCE_CODE == "83"
