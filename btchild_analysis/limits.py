"""Size limits on the files the package reads, so that a hostile or broken file is refused quickly.

A workbook is a zip of XML: 1.6 KB can claim a million-row sheet, 300 KB can expand to 150 MB of
XML.  A CSV line can hold millions of separators.  Every reader checks these limits *before* it
builds anything in memory, and refuses the file in one line (:class:`SubmissionError`) naming the
file, the limit and the environment variable that raises it.

========================  ==============================  =========  =====================================
limit                     environment variable            default    what it bounds
========================  ==============================  =========  =====================================
``max_file_bytes``        ``BTCHILD_MAX_FILE_BYTES``      1 GiB      size of any file on disk
``max_expanded_bytes``    ``BTCHILD_MAX_EXPANDED_BYTES``  64 MiB     uncompressed size of a workbook's parts
``max_cells``             ``BTCHILD_MAX_CELLS``           1,000,000  cells of one sheet (rows × columns spanned)
``max_rows``              ``BTCHILD_MAX_ROWS``            20,000,000 lines of a CSV, rows of a sheet
``max_line_bytes``        ``BTCHILD_MAX_LINE_BYTES``      1 MiB      length of one CSV line
``max_fields``            ``BTCHILD_MAX_FIELDS``          10,000     fields on one CSV line
========================  ==============================  =========  =====================================

A workbook is checked before it is parsed: the uncompressed size of its parts (from the zip
directory) and the extent of each sheet's filled cells (a streaming scan of the sheet XML, ignoring
the ``<dimension>`` the file declares).  A CSV is scanned once for its longest line and line count
before pandas reads it; when a line cannot be read by the fast path, the careful line-by-line reader
holds at most ``max(max_cells, max_rows)`` fields.

A district workbook is a few hundred cells; the national-scale long CSV (≈7 million lines,
``benchmarks/bench_load.py``) stays within the defaults.  Pass a :class:`Limits` (``limits=``) to
the loaders, or set the variables, to raise or lower them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from .errors import SubmissionError

ENV = {
    "max_file_bytes": "BTCHILD_MAX_FILE_BYTES",
    "max_expanded_bytes": "BTCHILD_MAX_EXPANDED_BYTES",
    "max_cells": "BTCHILD_MAX_CELLS",
    "max_rows": "BTCHILD_MAX_ROWS",
    "max_line_bytes": "BTCHILD_MAX_LINE_BYTES",
    "max_fields": "BTCHILD_MAX_FIELDS",
}


@dataclass(frozen=True)
class Limits:
    """Bounds applied while reading (see the module docstring for each one)."""

    max_file_bytes: int = 1 << 30
    max_expanded_bytes: int = 64 << 20
    max_cells: int = 1_000_000
    max_rows: int = 20_000_000
    max_line_bytes: int = 1 << 20
    max_fields: int = 10_000

    def refuse(self, path: object, what: str, name: str) -> SubmissionError:
        """The one-line error for ``path`` past the limit ``name`` (``what`` says what was found)."""
        value = getattr(self, name)
        return SubmissionError(f"{path}: refused, {what}; the limit is {value:,} ({ENV[name]}, "
                               f"see `btchild_analysis.limits`)")


def get_limits(limits: Limits | None = None, **overrides: int) -> Limits:
    """The limits in force: ``limits`` (or the defaults), then the environment, then ``overrides``.

    >>> get_limits(max_cells=10).max_cells
    10
    >>> get_limits().max_fields
    10000
    """
    base = limits or Limits()
    if limits is None:
        env = {}
        for f in fields(Limits):
            text = os.environ.get(ENV[f.name])
            if text:
                try:
                    env[f.name] = int(text.replace("_", ""))
                except ValueError:
                    raise SubmissionError(f"{ENV[f.name]}={text!r} is not a whole number") from None
        base = replace(base, **env)
    return replace(base, **overrides) if overrides else base


def check_file_size(path, size: int, limits: Limits) -> None:
    """Refuse a file larger than ``max_file_bytes``."""
    if size > limits.max_file_bytes:
        raise limits.refuse(path, f"the file has {size:,} bytes", "max_file_bytes")
