"""Access to the package data files (YAML/CSV under ``btchild_analysis/data``)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DATA = Path(str(resources.files("btchild_analysis") / "data"))


@lru_cache(maxsize=None)
def load_yaml(name: str) -> Any:
    """Read a YAML file of the package data once (``name`` relative to ``data/``)."""
    with open(DATA / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)
