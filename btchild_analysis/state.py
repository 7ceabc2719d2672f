"""What ``btchild report`` remembers in an output folder: one entry per report, merged under a lock.

The state file ``.btchild_state.json`` sits beside the pages.  Several runs may write into one folder
(the README's cron example): each takes a file lock (``filelock``), reads the file, replaces only its
own reports' entries and writes the file back by temp-file-and-rename, so no run loses another's
entries.  A state file that cannot be read is set aside as ``.btchild_state.json.corrupt-<time>`` with
a warning; the run goes on as if it were the first.

A report is skipped as unchanged only when its fingerprint (notebook, parameters with the language,
the contents of every input path, the package code) is the one of its last success *and* every output
it wrote then is still there, whole (non-empty, parses) and byte-identical.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from filelock import FileLock, Timeout

from .errors import RunSpecError
from .outputs import atomic_write_text

STATE_FILE = ".btchild_state.json"
STATE_VERSION = 1
LOCK_TIMEOUT = 120.0
#: Files of a folder fingerprinted at most (a larger input tree is refused, not silently cut).
MAX_FILES = 200_000
log = logging.getLogger("btchild_analysis.state")

_PACKAGE = Path(__file__).resolve().parent
_CODE_SUFFIXES = (".py", ".yaml", ".csv", ".j2", ".json")


# --- fingerprints -------------------------------------------------------------------------------------

def _files_under(path: Path) -> list[Path]:
    if path.is_dir():
        files = []
        for f in path.rglob("*"):
            if f.is_file():
                files.append(f)
                if len(files) > MAX_FILES:
                    raise RunSpecError(f"{path}: more than {MAX_FILES:,} files under one input path")
        return sorted(files)
    return [path] if path.is_file() else []


def hash_paths(h: "hashlib._Hash", paths: Iterable[object]) -> None:
    """Feed ``h`` with the name, size and modification time of every file under each path.

    A path that does not exist counts too (as missing), so creating it later changes the hash.
    """
    for p in paths:
        p = Path(str(p))
        h.update(f"path:{p}\n".encode())
        files = _files_under(p)
        if not files:
            h.update(b"missing-or-empty\n")
        for f in files:
            st = f.stat()
            h.update(f"{f.relative_to(p) if f != p else f.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())


def _path_values(params: dict, path_params: Iterable[str]) -> list[str]:
    """Every input path among the parameters: the known path parameters and any value naming an existing path."""
    out: list[str] = []
    for key, value in sorted(params.items()):
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if not isinstance(v, str) or not v:
                continue
            if key in path_params or (os.path.isabs(v) and os.path.exists(v)):
                out.append(v)
    return out


def package_hash() -> str:
    """Hash of the package's code, data and templates (a new version re-runs every report)."""
    h = hashlib.sha256()
    for f in sorted(_PACKAGE.rglob("*")):
        if f.suffix in _CODE_SUFFIXES and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(_PACKAGE)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def fingerprint(notebook: str | Path, params: dict, path_params: Iterable[str] = ("data", "boundaries", "files"),
                implicit_paths: Iterable[object] = (), code: str | None = None) -> str:
    """Hash of a report's inputs: notebook, parameters (language included), input files, package code.

    Parameters
    ----------
    notebook : path
    params : dict
        The report's parameters.
    path_params : names
        Parameters whose values are input paths (files or folders; lists of them allowed).
    implicit_paths : paths
        Inputs used when a path parameter is empty (the bundled sample, ``$BTCHILD_BOUNDARIES``).
    code : str, optional
        :func:`package_hash`, computed once per run.
    """
    h = hashlib.sha256(Path(notebook).read_bytes())
    h.update(json.dumps(params, sort_keys=True, default=str, ensure_ascii=False).encode())
    hash_paths(h, _path_values(params, tuple(path_params)) + [str(p) for p in implicit_paths if p])
    h.update((code or package_hash()).encode())
    return h.hexdigest()


# --- outputs ----------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_whole(path: str | Path) -> bool:
    """An output that exists, is not empty and parses as what its suffix says (HTML, xlsx, CSV, JSON)."""
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size == 0:
            return False
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                return "[Content_Types].xml" in z.namelist() and z.testzip() is None
        if p.suffix in (".html", ".htm"):
            text = p.read_text(encoding="utf-8")
            return "</html>" in text[-4096:].lower()
        if p.suffix == ".csv":
            p.read_bytes().decode("utf-8-sig")
            return True
        if p.suffix == ".json":
            json.loads(p.read_text(encoding="utf-8"))
            return True
        return True
    except (OSError, ValueError, zipfile.BadZipFile):
        return False


def describe_outputs(out_dir: str | Path, names: Iterable[str]) -> dict[str, dict]:
    """Size and SHA-256 of each output (names relative to ``out_dir``)."""
    out = Path(out_dir)
    return {n: {"size": (out / n).stat().st_size, "sha256": _sha256(out / n)} for n in sorted(names)}


def outputs_intact(out_dir: str | Path, outputs: dict) -> bool:
    """Every recorded output is still there, whole and unchanged."""
    out = Path(out_dir)
    if not outputs:
        return False
    for name, meta in outputs.items():
        p = out / name
        if not is_whole(p) or p.stat().st_size != meta.get("size") or _sha256(p) != meta.get("sha256"):
            return False
    return True


def is_fresh(entry: dict | None, fp: str, out_dir: str | Path) -> bool:
    """Can a report be skipped: same inputs as its last success, and its outputs intact."""
    return bool(entry) and entry.get("status") == "ok" and entry.get("fingerprint") == fp \
        and bool(entry.get("html")) and entry["html"] in entry.get("outputs", {}) \
        and outputs_intact(out_dir, entry.get("outputs", {}))


# --- the state file ---------------------------------------------------------------------------------

class State:
    """The state file of an output folder, read and merged under a file lock.

    >>> import tempfile
    >>> s = State(tempfile.mkdtemp())
    >>> _ = s.update({"a": {"status": "ok"}}); _ = s.update({"b": {"status": "failed"}})
    >>> sorted(s.read())
    ['a', 'b']
    """

    def __init__(self, out_dir: str | Path):
        self.dir = Path(out_dir)
        self.path = self.dir / STATE_FILE
        self.lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock (another run waits, at most :data:`LOCK_TIMEOUT` seconds)."""
        try:
            with self.lock:
                yield
        except Timeout:
            raise RunSpecError(f"{self.dir}: another btchild report has held the folder's lock for "
                               f"{LOCK_TIMEOUT:.0f} s; wait for it or remove {self.lock.lock_file}") from None

    def _load(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            reports = raw["reports"]
            if not isinstance(reports, dict) or not all(isinstance(v, dict) for v in reports.values()):
                raise ValueError("entries are not mappings")
            return reports
        except (ValueError, KeyError, TypeError, OSError, UnicodeDecodeError) as exc:
            self._set_aside(exc)
            return {}

    def _set_aside(self, exc: Exception) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, target)
        except OSError:
            target = self.path
        log.warning("btchild: the state file %s could not be read (%s); set aside as %s — every report "
                    "will be re-run", self.path.name, type(exc).__name__, target.name)

    def read(self) -> dict[str, dict]:
        """Every report's entry (a corrupt file is set aside and counts as empty)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.locked():
            return self._load()

    def update(self, entries: dict[str, dict], then: Callable[[dict[str, dict]], None] | None = None) -> dict[str, dict]:
        """Merge ``entries`` (by report name) into the file; ``then(merged)`` runs under the same lock."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.locked():
            merged = {**self._load(), **entries}
            atomic_write_text(self.path, json.dumps({"version": STATE_VERSION, "reports": merged},
                                                    indent=1, ensure_ascii=False, sort_keys=True))
            if then is not None:
                then(merged)
            return merged
