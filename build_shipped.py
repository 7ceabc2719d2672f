"""Build step: the report notebooks and the synthetic sample go into the wheel (issue 13).

``pip install .`` / ``pip wheel .`` / ``pip install git+…`` copy, at build time, from the real folders
of the project (no second copy in git):

* ``notebooks/*.ipynb`` → ``btchild_analysis/shipped/notebooks/`` — the notebooks only, not their
  jupytext ``.py`` pairs (a ``.py`` inside the package would be imported as a module by
  ``pytest --doctest-modules`` and by mutmut);
* the data files of ``data/sample/`` (and ``data/sample/messy/``) → ``btchild_analysis/shipped/sample/``.

:mod:`btchild_analysis.paths` finds them there through ``importlib.resources``.  An editable install
(``pip install -e .``) copies nothing: the package then finds the checkout's own folders through its
installation record.  Used by pyproject.toml (``[tool.setuptools.cmdclass] build_py``); the sdist
carries this file and the folders (MANIFEST.in).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

PACKAGE = "btchild_analysis"
#: folder inside the package → (folder of the project, file name patterns, recurse into sub-folders)
SHIPPED = {
    "shipped/notebooks": ("notebooks", ("*.ipynb",), False),
    "shipped/sample": ("data/sample", ("*.csv", "*.xlsx", "*.xls", "*.yaml"), True),
}


def shipped_files(root: Path) -> dict[str, Path]:
    """What the wheel ships: its path inside the package → the file in the project ``root``."""
    out: dict[str, Path] = {}
    for inside, (folder, patterns, recurse) in SHIPPED.items():
        src = root / folder
        if not src.is_dir():
            raise FileNotFoundError(f"{src}: the wheel ships this folder; build from a complete checkout or sdist")
        for pattern in patterns:
            for path in sorted(src.rglob(pattern) if recurse else src.glob(pattern)):
                rel = path.relative_to(src)
                if path.is_file() and not any(p.startswith((".", "_")) for p in rel.parts):
                    out[f"{inside}/{rel.as_posix()}"] = path
    return out


class BuildPy(build_py):
    """setuptools' ``build_py`` that also copies :data:`SHIPPED` into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / PACKAGE
        for inside in SHIPPED:  # nothing stale from an earlier build
            shutil.rmtree(target / inside, ignore_errors=True)
        for inside, src in shipped_files(Path.cwd()).items():
            dest = target / inside
            dest.parent.mkdir(parents=True, exist_ok=True)
            self.copy_file(str(src), str(dest), preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        target = Path(self.build_lib) / PACKAGE
        return outputs + [str(target / inside) for inside in shipped_files(Path.cwd())]
