"""Access to the package data files (YAML/CSV under ``btchild_analysis/data``)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DATA = Path(str(resources.files("btchild_analysis") / "data"))

#: libyaml's safe loader when PyYAML was built with it (the same documents, read several times faster:
#: every report reads labels, elements and editions at start-up), else the pure-Python one.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def load_yaml(name: str) -> Any:
    """Read a YAML file of the package data once (``name`` relative to ``data/``)."""
    with open(DATA / name, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=LOADER)  # noqa: S506 - a safe loader, C or Python
