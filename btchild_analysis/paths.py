"""Where the shipped folders are: the synthetic sample (``data/sample``) and the report notebooks.

Found without walking up from this file, in this order (the first that exists wins):

1. the folder given by the caller (an argument; it must exist);
2. the environment variable — ``BTCHILD_SAMPLE`` for the sample, ``BTCHILD_NOTEBOOKS`` for the
   notebooks (it must exist when set: a wrong setting is an error, not a silent fallback);
3. the package's own data (``importlib.resources``: ``btchild_analysis/shipped/sample`` and
   ``…/shipped/notebooks``): a regular install (``pip install .``, ``pip install git+…``, a wheel)
   has them, copied there from ``data/sample`` and ``notebooks/*.ipynb`` when the wheel is built
   (``build_shipped.py`` at the project's root; nothing of it is in git or in a checkout's package);
4. the source folder the package was installed from (``pip install -e .``): its ``data/sample`` and
   ``notebooks``, read from the installation record (PEP 610 ``direct_url.json``);
5. the current folder, when it is the project (``./data/sample``, ``./notebooks``).

Nothing found is a :class:`~btchild_analysis.errors.PathSetupError` naming the setting to use.
"""
from __future__ import annotations

import json
import os
from importlib import metadata, resources
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import BtchildError

DIST = "btchild_analysis"
#: name → (environment variable, path inside the project checkout, path inside the package)
FOLDERS = {
    "sample": ("BTCHILD_SAMPLE", Path("data") / "sample", Path("shipped") / "sample"),
    "notebooks": ("BTCHILD_NOTEBOOKS", Path("notebooks"), Path("shipped") / "notebooks"),
}


class PathSetupError(BtchildError, FileNotFoundError):
    """A shipped folder (the sample, the notebooks) that is not where the settings say, or nowhere.

    Examples
    --------
    >>> issubclass(PathSetupError, BtchildError), issubclass(PathSetupError, FileNotFoundError)
    (True, True)
    """


def package_root() -> Path:
    """The package's folder as ``importlib.resources`` sees it (installed or editable).

    Examples
    --------
    >>> (package_root() / "paths.py").is_file()
    True
    """
    return Path(str(resources.files("btchild_analysis")))


def source_checkout(dist: str = DIST) -> Path | None:
    """The local folder the package was installed from (PEP 610 ``direct_url.json``), if it still exists.

    Examples
    --------
    >>> source_checkout("no-such-distribution") is None
    True
    """
    try:
        raw = metadata.distribution(dist).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not raw:
        return None
    try:
        info = json.loads(raw)
    except ValueError:
        return None
    url = urlparse(info.get("url", ""))
    if url.scheme != "file" or "dir_info" not in info:
        return None
    folder = Path(unquote(url.path))
    return folder if folder.is_dir() else None


def candidates(name: str) -> list[tuple[str, Path]]:
    """Where :func:`find` looks for ``name`` after the argument and the environment variable, in order.

    Examples
    --------
    >>> [where for where, _ in candidates("notebooks")][0], [where for where, _ in candidates("notebooks")][-1]
    ('package data', 'current folder')
    """
    _, in_checkout, in_package = FOLDERS[name]
    out = [("package data", package_root() / in_package)]
    checkout = source_checkout()
    if checkout is not None:
        out.append(("source checkout", checkout / in_checkout))
    out.append(("current folder", Path.cwd() / in_checkout))
    return out


def find(name: str, folder: str | os.PathLike | None = None) -> Path:
    """The folder ``name`` (``"sample"`` or ``"notebooks"``): ``folder`` if given, else the setting, else shipped.

    Raises
    ------
    PathSetupError
        ``folder`` or the environment variable names a missing folder, or no candidate exists.

    Examples
    --------
    >>> find("sample", "/no/such/folder")
    Traceback (most recent call last):
    ...
    btchild_analysis.paths.PathSetupError: sample folder /no/such/folder (given) does not exist
    """
    env, _, _ = FOLDERS[name]
    if folder is not None and str(folder) != "":
        return _existing(Path(folder), f"{name} folder {folder} (given) does not exist")
    configured = os.environ.get(env, "").strip()
    if configured:
        return _existing(Path(configured).expanduser(),
                         f"{name} folder {configured} (environment variable {env}) does not exist: "
                         f"correct {env} or unset it")
    tried = candidates(name)
    for _, path in tried:
        if path.is_dir():
            return path.resolve()
    looked = "; ".join(f"{where}: {path}" for where, path in tried)
    raise PathSetupError(f"no {name} folder found (looked in {looked}): set the environment variable {env} "
                         f"to the folder, or pass it")


def _existing(path: Path, message: str) -> Path:
    if not path.is_dir():
        raise PathSetupError(message)
    return path.resolve()


def sample_dir(folder: str | os.PathLike | None = None) -> Path:
    """The synthetic sample's folder (``BTCHILD_SAMPLE`` overrides the shipped one); see :func:`find`.

    Examples
    --------
    >>> (sample_dir() / "submissions_synthetic.csv").is_file()  # in this checkout, or where BTCHILD_SAMPLE says
    True
    """
    return find("sample", folder)


def notebooks_dir(folder: str | os.PathLike | None = None) -> Path:
    """The report notebooks' folder (``BTCHILD_NOTEBOOKS`` overrides the shipped one); see :func:`find`.

    Examples
    --------
    >>> (notebooks_dir() / "01_child_friendly_status.ipynb").is_file()
    True
    """
    return find("notebooks", folder)
