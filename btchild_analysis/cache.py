"""Results shared by the reports of one run: the validated dataset, computed once per data fingerprint.

``btchild report`` sets ``BTCHILD_CACHE_DIR`` (:data:`ENV`) to ``OUT/.btchild_cache`` for its report
processes.  :func:`btchild_analysis.dataset.load_dataset` then asks :func:`shared_dataset`: the first
report to need a dataset loads and validates it (under a file lock, so the others wait for it
instead of doing the same work) and stores it in ``OUT/.btchild_cache/<key>/dataset.pkl``; every
other report of the run (and of later runs, while nothing has changed) reads it back.  A notebook
run alone (no ``BTCHILD_CACHE_DIR``) loads the data itself, as before.

The key (:func:`dataset_key`) is a hash of the path as given, the name, size and modification time
(ns) of every file under it (:func:`btchild_analysis.state.hash_paths`, the runner's own
fingerprint), the package's code (:func:`btchild_analysis.state.package_hash`), the reading limits
in force (``BTCHILD_MAX_*``) and the Python, pandas and numpy versions.  Changed data or code
therefore give a new key, never a stale result; a file changed while it was being read is not stored.

The stored dataset has the standard's verdicts and every indicator at the three levels computed
(:meth:`Dataset.assessment`, :meth:`Dataset.indicator_table`), so the reports that need them select
from them instead of recomputing them.  Strings columns are stored as codes and categories (the
Python-object string arrays of pandas without pyarrow pickle ~5x slower otherwise; Arrow-backed ones,
pandas with pyarrow, take several times the room) and rebuilt to the same dtype on reading.

Safety: the cache is read with :mod:`pickle`, so it is only read from a folder that belongs to the
current user and that no one else can write to (the folder is created ``0700``); anything else, or
an unreadable entry, is ignored and the data are loaded from the files.  Entries not used for a day
are removed (the newest :data:`KEEP` are always kept).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import platform
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from . import limits
from .errors import BtchildError
from .state import hash_paths, package_hash

#: Environment variable naming the cache folder (set by ``btchild report`` for its reports).
ENV = "BTCHILD_CACHE_DIR"
#: The cache folder inside an output folder.
FOLDER = ".btchild_cache"
DATASET_FILE = "dataset.pkl"
FORMAT = "btchild-cache-1"
#: Seconds a report waits for another that is computing the same entry, then computes it itself.
LOCK_TIMEOUT = 900.0
#: Entries always kept; older ones are removed once unused for :data:`MAX_AGE` seconds.
KEEP = 3
MAX_AGE = 86_400.0
#: String arrays shorter than this are pickled as they are.
_ENCODE_FROM = 1_000
log = logging.getLogger("btchild_analysis.cache")
T = TypeVar("T")


# --- where and under which key ---------------------------------------------------------------------

def cache_dir() -> Path | None:
    """The folder named by ``BTCHILD_CACHE_DIR``, or None (no shared results: compute in place)."""
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def _input_paths(path: str | Path | list | None) -> list[str]:
    """Every path ``load_dataset(path)`` reads: the files or folder, and the descriptor beside files."""
    from .dataset import DESCRIPTOR
    from .sample import sample_dir
    if path is None:
        return [str(sample_dir())]
    given = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    out = [str(p) for p in given]
    out += sorted({str(p.parent / DESCRIPTOR) for p in given if not p.is_dir()})
    return out


def dataset_key(path: str | Path | list | None, code: str | None = None) -> str:
    """Key of ``load_dataset(path)``'s result: inputs (name, size, mtime), code, limits, versions.

    Raises
    ------
    BtchildError
        An input tree too large to fingerprint (the caller then loads without the cache).
    """
    h = hashlib.sha256(f"{FORMAT}\ndataset\n".encode())
    given = None if path is None else (str(path) if isinstance(path, (str, Path)) else [str(p) for p in path])
    h.update(json.dumps(given, ensure_ascii=False).encode())
    hash_paths(h, _input_paths(path))
    env = {name: os.environ.get(name) for name in sorted(limits.ENV.values())}
    h.update(json.dumps(env, sort_keys=True).encode())
    h.update(f"{sys.version}|{platform.machine()}|pandas {pd.__version__}|numpy {np.__version__}|"
             f"pyarrow {'pyarrow' in sys.modules or _has_pyarrow()}".encode())
    h.update((code or package_hash()).encode())
    return h.hexdigest()


def _has_pyarrow() -> bool:
    import importlib.util
    return importlib.util.find_spec("pyarrow") is not None


# --- a safe folder ---------------------------------------------------------------------------------

def _private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700) if needed; refuse one owned by someone else or writable by others."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_private(path)
    return path


def _check_private(path: Path) -> None:
    st = path.stat()
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        raise PermissionError(f"{path}: not private to this user (owner {st.st_uid}, mode {stat.filemode(st.st_mode)})")


# --- string arrays as codes + categories -------------------------------------------------------------

def _rebuild_strings(codes: np.ndarray, uniques: np.ndarray, dtype: pd.StringDtype) -> pd.api.extensions.ExtensionArray:
    values = uniques.take(codes)
    missing = codes < 0
    if missing.any():
        values[missing] = dtype.na_value
    return pd.arrays.StringArray(values, dtype=dtype)


def _rebuild_arrow_strings(codes: np.ndarray, uniques: np.ndarray,
                           dtype: pd.StringDtype) -> pd.api.extensions.ExtensionArray:
    """An Arrow-backed string array (pandas with pyarrow) from its codes (-1: missing) and distinct values."""
    import pyarrow as pa

    indices = pa.array(codes, mask=codes < 0)
    dictionary = pa.array(uniques.tolist(), type=pa.large_string())
    return dtype.__from_arrow__(pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode())


def _is_arrow_strings(obj: Any) -> bool:
    dtype = getattr(obj, "dtype", None)
    return (isinstance(obj, pd.api.extensions.ExtensionArray) and isinstance(dtype, pd.StringDtype)
            and dtype.storage == "pyarrow")


class _Pickler(pickle.Pickler):
    """Pickles long string arrays as codes + categories: Python-object arrays (5x smaller, far faster)
    and Arrow-backed ones (pandas with pyarrow: several times smaller than their string buffers)."""

    def reducer_override(self, obj: Any) -> Any:
        plain = type(obj) is pd.arrays.StringArray
        if (plain or _is_arrow_strings(obj)) and len(obj) >= _ENCODE_FROM:
            codes, uniques = pd.factorize(obj)
            small = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(uniques) < np.iinfo(t).max)
            rebuild = _rebuild_strings if plain else _rebuild_arrow_strings
            return rebuild, (codes.astype(small), np.asarray(uniques, dtype=object), obj.dtype)
        return NotImplemented


def _dump(value: object, target: Path) -> None:
    """Pickle ``value`` into ``target`` atomically (temp file in the same folder, then rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            _Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump((FORMAT, value))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _load(source: Path) -> object:
    """The stored value, or raise (missing, unreadable, not private, another format)."""
    _check_private(source)
    with open(source, "rb") as fh:
        fmt, value = pickle.load(fh)
    if fmt != FORMAT:
        raise ValueError(f"{source}: format {fmt!r}, not {FORMAT!r}")
    return value


# --- memo -----------------------------------------------------------------------------------------

def memo(key: str, name: str, compute: Callable[[], T], root: Path | None = None,
         check: Callable[[], bool] = lambda: True) -> T:
    """``compute()`` once per ``key`` and cache folder; every later call with the key reads the result.

    Parameters
    ----------
    key : str
        A hash of everything the result depends on (see :func:`dataset_key`).
    name : str
        File name of the result in the entry's folder (e.g. ``dataset.pkl``).
    compute : callable
        Makes the result (its exceptions propagate; nothing is stored then).
    root : path, optional
        The cache folder (default :func:`cache_dir`); None and no ``BTCHILD_CACHE_DIR``: just compute.
    check : callable
        Called after ``compute``; the result is stored only when it returns True (e.g. the inputs
        did not change while they were read).
    """
    root = root if root is not None else cache_dir()
    if root is None:
        return compute()
    try:
        entry = _private_dir(_private_dir(root) / key)
    except OSError as exc:
        log.warning("btchild: shared results not used (%s); computing in this report", exc)
        return compute()
    target = entry / name
    found = _read(target)           # stored entries are whole (written by rename): no lock needed to read
    if found is not _MISS:
        return found  # type: ignore[return-value]
    try:
        lock = FileLock(str(entry / f".{name}.lock"), timeout=LOCK_TIMEOUT)   # one per result: nestable
        lock.acquire()
    except (OSError, Timeout) as exc:
        log.warning("btchild: shared results not used (%s); computing in this report", exc)
        return compute()
    try:
        found = _read(target)       # another report may have stored it while this one waited
        if found is not _MISS:
            return found  # type: ignore[return-value]
        value = compute()
        if check():
            try:
                _dump(value, target)
                _prune(root, keep=entry)
            except Exception as exc:  # a full disk costs speed, not the report
                log.warning("btchild: could not store %s in the cache (%s: %s)", name, type(exc).__name__, exc)
        return value
    finally:
        lock.release()


_MISS = object()


def _read(target: Path) -> object:
    """The value stored in ``target`` (its entry marked as used), or ``_MISS``; a broken file is a miss."""
    if not target.exists():
        return _MISS
    try:
        value = _load(target)
        os.utime(target.parent)
        return value
    except Exception as exc:  # a broken entry is replaced, never fatal
        log.warning("btchild: cached %s unreadable (%s: %s); recomputing", target.name, type(exc).__name__, exc)
        return _MISS


def _prune(root: Path, keep: Path, now: float | None = None) -> None:
    """Remove entries unused for :data:`MAX_AGE` seconds, the :data:`KEEP` newest and ``keep`` excepted."""
    now = time.time() if now is None else now
    entries = sorted((d for d in root.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime, reverse=True)
    for d in entries[KEEP:]:
        if d != keep and now - d.stat().st_mtime > MAX_AGE:
            shutil.rmtree(d, ignore_errors=True)


# --- the dataset -----------------------------------------------------------------------------------

def shared_dataset(path: str | Path | list | None, load: Callable[[Any], T]) -> T:
    """``load(path)`` through the run's cache (when ``BTCHILD_CACHE_DIR`` is set), verdicts and indicators computed.

    Parameters
    ----------
    path : folder, file, list of files, or None
        As for :func:`btchild_analysis.dataset.load_dataset`.
    load : callable
        Loads and validates ``path`` (the uncached loader).
    """
    root = cache_dir()
    if root is None:
        return load(path)
    try:
        key = dataset_key(path)
    except (BtchildError, OSError) as exc:
        log.warning("btchild: shared results not used (%s); loading in this report", exc)
        return load(path)

    def compute() -> T:
        ds = load(path)
        if ds.has("scores"):
            with contextlib.suppress(Exception):   # a report that needs the verdicts gets the error itself
                ds.assessment()
        with contextlib.suppress(Exception):       # likewise the indicators (e.g. no submissions at all)
            ds.indicator_table()
        return ds

    def unchanged() -> bool:
        try:
            return dataset_key(path) == key
        except (BtchildError, OSError):
            return False

    return memo(key, DATASET_FILE, compute, root, check=unchanged)


def shared_result(path: str | Path | list | None, name: str, compute: Callable[[], T], **args: Any) -> T:
    """A result derived from the data at ``path`` (e.g. an indicator table), shared like the dataset.

    Stored beside the dataset under the same key (so changed data or code recompute it), in a file
    named by ``name`` and a hash of ``args``: pass every argument ``compute`` depends on.

    >>> import os; os.environ.pop(ENV, None) and None
    >>> shared_result(None, "answer", lambda: 42, which=["stunting_u5"])
    42

    Parameters
    ----------
    path : folder, file, list of files, or None
        The ``data`` the result is computed from (as given to ``load_dataset``).
    name : str
        A Python identifier naming the result (``indicators``).
    compute : callable
        Makes the result when it is not stored yet.
    **args
        What else the result depends on (JSON-serialisable, e.g. ``which=[...]``, ``vintage=2020``).
    """
    if not name.isidentifier():
        raise ValueError(f"shared_result: name {name!r} is not a Python identifier")
    root = cache_dir()
    if root is None:
        return compute()
    try:
        key = dataset_key(path)
    except (BtchildError, OSError) as exc:
        log.warning("btchild: shared results not used (%s); computing in this report", exc)
        return compute()
    digest = hashlib.sha256(json.dumps(args, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()
    return memo(key, f"{name}-{digest[:20]}.pkl", compute, root, check=lambda: dataset_key(path) == key)
