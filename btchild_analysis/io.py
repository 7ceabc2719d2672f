"""Load commune submissions and score sheets: read (:mod:`.readers`), then validate (:mod:`.validation`).

Every record read ends in exactly one place: ``accepted``, ``quarantine`` (with the file, sheet,
row, column, value and a reason in Vietnamese and English), folded as an exact duplicate of an
accepted row, or skipped with a reason (blank line, separator line, column-number row).
:class:`LoadResult` ``.summary`` holds the counts; :func:`load_submissions` checks that they add up.

Formats
-------
long
    One row per commune, period and element: ``commune_code, period, element, value`` (the design's
    contract).  ``commune_name`` and ``district`` may replace ``commune_code``.
wide
    The workbook districts keep: one row per commune, one column per element (Vietnamese headings
    from the element catalog, ids or aliases; one or two heading rows), a heading with the report
    title above the table, a total row and notes below it, one sheet per period (the period in the
    title or the sheet name, see :mod:`btchild_analysis.readers`).

Sizes are bounded (:mod:`btchild_analysis.limits`): past a limit a file is refused in one line.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .errors import SubmissionError
from .limits import Limits
from .periods import Period
from .readers import (LONG_COLUMNS, RawRead, combine, detect_encoding, fold_key, is_blank, read_file, read_raw,
                      read_sheets, read_table)
from .validation import (NOTE_COLUMNS, QUARANTINE_COLUMNS, LoadResult, _check_codes, _check_in_force,
                         _check_periods, _Checker, _duplicates, _Factor, _quarantine_table, normalise_code,
                         parse_number, suggest_code, validate)

__all__ = ["LONG_COLUMNS", "QUARANTINE_COLUMNS", "SCORE_COLUMNS", "LoadResult", "RawRead", "detect_encoding",
           "load_scores", "load_submissions", "normalise_code", "parse_number", "read_file", "read_raw", "read_sheets",
           "read_table", "suggest_code", "validate"]


def load_submissions(paths: str | Path | Iterable[str | Path], district: str | None = None,
                     today: dt.date | None = None, flag_outliers: bool = True,
                     known_units: set[str] | None = None, limits: Limits | None = None) -> LoadResult:
    """Load and validate commune submissions.

    Parameters
    ----------
    paths : path or list of paths
        CSV (UTF-8 with or without BOM, UTF-16, Windows-1258) or Excel files (``.xlsx``, legacy
        ``.xls``), long or wide layout, in any mix.
    district : str, optional
        District code or name, used to match commune names when the file does not say.
    today : date, optional
        Periods that start after this day are quarantined (default: today).
    flag_outliers : bool
        Add :func:`btchild_analysis.quality.outliers` flags (kept rows, never dropped).
    known_units : set of str, optional
        Accept these codes in every period instead of checking them against the Bến Tre register.
    limits : Limits, optional
        Size limits (default: :func:`btchild_analysis.limits.get_limits`).

    Returns
    -------
    LoadResult
        With ``notes`` (how each sheet was read) and the counts checked by :meth:`LoadResult.check`.

    Raises
    ------
    SubmissionError
        When a file cannot be read at all (missing, empty, past a size limit, not a table); row faults
        never raise.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    read = combine([read_file(p, district, limits) for p in paths])
    res = validate(read.rows, today, known_units)
    res.files = [str(p) for p in paths]
    res.rows_read = read.rows_read
    res.skipped = dict(read.skipped)
    res.notes = pd.DataFrame(read.notes + list(res.notes.itertuples(index=False, name=None)), columns=NOTE_COLUMNS)
    res.check()
    if flag_outliers and len(res.accepted):
        from .quality import outliers
        res.flags = outliers(res.accepted)
    return res


# ----------------------------------------------------------------------------- self-assessment sheets

SCORE_COLUMNS = ["commune_code", "year", "criterion", "score"]
#: Headings of the score sheets as officials write them (folded) → column.
_SCORE_HEADERS = {"ma xa": "commune_code", "ma don vi": "commune_code", "nam": "year", "nam danh gia": "year",
                  "tieu chi": "criterion", "ma tieu chi": "criterion", "diem": "score", "diem tu cham": "score",
                  "so diem": "score"}


def load_scores(paths: str | Path | Iterable[str | Path], transitional: str | None = None,
                limits: Limits | None = None) -> LoadResult:
    """Load self-assessment sheets of the child-friendly standard (``commune_code, year, criterion, score``).

    The same quarantine rules as submissions, plus: a criterion that is not part of the edition of
    the year, a score above the criterion's maximum (where the edition knows it), a commune not in
    force that year.  A criterion missing from a sheet is not a row: :func:`standard.assess` reports
    it (status ``insufficient_data``).
    """
    from .standard import edition_for_year, load_edition

    if isinstance(paths, (str, Path)):
        paths = [paths]
    frames = []
    for p in map(Path, paths):
        table = read_table(p, limits, header_words=set(_SCORE_HEADERS) | {c.replace("_", " ") for c in SCORE_COLUMNS})
        table.columns = [_SCORE_HEADERS.get(fold_key(c), fold_key(c).replace(" ", "_")) for c in table.columns]
        missing = [c for c in SCORE_COLUMNS if c not in table.columns]
        if missing:
            raise SubmissionError(f"{p}: missing column(s) {', '.join(missing)}; expected {', '.join(SCORE_COLUMNS)}")
        frames.append(pd.DataFrame({"file": str(p), "sheet": "", "row": table.index.to_numpy() + 1, "column": "",
                                    **{c: table[c].to_numpy(dtype=object) for c in SCORE_COLUMNS}}))
    raw = pd.concat(frames, ignore_index=True)
    chk = _Checker(len(raw))
    ucode, ci, _ = _check_codes(raw["commune_code"], chk)
    uy, yi = _check_periods(raw["year"], "year", chk, annual_only=True)
    _check_in_force(ucode, ci, uy, yi, chk, None)
    year_str = np.array([str(y) if isinstance(y, Period) else "" for y in uy], dtype=object)[yi]
    crit = raw["criterion"].map(lambda v: None if is_blank(v) else str(v).strip()).to_numpy(dtype=object)
    chk.mark(pd.isna(crit), "empty_cell", "criterion")
    ed_of = {y: load_edition(edition_for_year(int(y), transitional)) for y in set(year_str) if y}
    maxima = {(y, c.id): c.max_points for y, ed in ed_of.items() for c in ed.criteria}
    unknown = np.array([bool(y) and c is not None and (y, c) not in maxima for y, c in zip(year_str, crit)])
    chk.mark(unknown, "unknown_criterion", "criterion",
             np.array([ed_of[y].id if y in ed_of else "" for y in year_str], dtype=object))
    fv = _Factor(raw["score"])
    parsed = fv.per_value(parse_number)
    vrow = fv.index
    score = np.array([np.nan if p[0] is None else p[0] for p in parsed], dtype=float)[vrow]
    vreason = np.array([p[1] for p in parsed], dtype=object)[vrow]
    for rc in ("empty_cell", "not_a_number", "percent_for_count"):
        chk.mark(vreason == rc, rc, "score")
    mx = np.array([maxima.get((y, c)) for y, c in zip(year_str, crit)], dtype=object)
    with np.errstate(invalid="ignore"):
        chk.mark(score < 0, "negative", "score")
        over = np.array([m is not None and s > m for s, m in zip(score, mx)])
    chk.mark(over, "score_above_max", "score", np.array([f"({m})" if m is not None else "" for m in mx], dtype=object))
    ucrit, cri = np.unique(np.where(pd.isna(crit), "", crit).astype(str), return_inverse=True)
    key = (ci.astype(np.int64) * (len(uy) + 1) + yi) * (len(ucrit) + 1) + cri
    folded = _duplicates(key, score, chk)
    keep = chk.ok & ~folded
    ucode_arr = np.array(ucode, dtype=object)
    accepted = pd.DataFrame({"commune_code": ucode_arr[ci[keep]], "year": year_str[keep].astype(int),
                             "edition": [ed_of[y].id for y in year_str[keep]], "criterion": crit[keep],
                             "score": score[keep]})
    q_raw = raw.rename(columns={"year": "period", "criterion": "element", "score": "value"})
    quarantine = _quarantine_table(q_raw, ucode_arr[ci], chk)
    return LoadResult(accepted=accepted, quarantine=quarantine, duplicates_folded=int(folded.sum()),
                      files=[str(p) for p in paths])
