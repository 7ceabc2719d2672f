"""Validate long records into accepted rows and a quarantine; the :class:`LoadResult` and its counts.

Every record read ends in exactly one place: ``accepted``, ``quarantine`` (with the file, sheet,
row, column, value and a reason in Vietnamese and English, ``data/reasons.yaml``), folded as an exact
duplicate of an accepted row, or skipped (blank lines, separator lines, column-number rows, counted
by reason).  :meth:`LoadResult.check` verifies ``read = accepted + quarantined + folded + skipped``
with ``read`` counted by the reader from the file.

Length: over 400 lines because the checks share one row-level state (:class:`_Checker`) and run
as one pass of vectorised steps over the same arrays; split, each step would pass that state around.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import admin_units
from ._resources import load_yaml
from .errors import LoadAccountingError, PeriodError
from .fmt import counts, number
from .i18n import LabelError, label
from .periods import Period, parse_period
from .cells import _first_seen, column_codes
from .readers import LONG_COLUMNS, _value_words, fold_key, is_blank, layout, ward_name
from .catalog import elements, header_lookup
from .sex_parts import (BY_SEX_COLUMNS, SEX_NAMES, check_parts, empty_by_sex, implausible_derived, sex_codes,
                        splittable)

__all__ = ["LONG_COLUMNS", "QUARANTINE_COLUMNS", "LoadResult", "normalise_code", "parse_number", "suggest_code",
           "validate"]

QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "commune_code", "commune_name", "period", "element",
                      "value", "reason", "reason_vi", "reason_en"]


@dataclass
class LoadResult:
    """Outcome of a load: accepted rows, quarantine, outlier flags, notes and the counts.

    ``accepted`` has ``commune_code, period, element, value, file`` (one row per commune × period ×
    element); ``quarantine`` has :data:`QUARANTINE_COLUMNS`; ``flags`` lists implausible but kept
    values (see :func:`btchild_analysis.quality.outliers`); ``notes`` (``file, sheet, note``) says how
    files were read (a period taken from the more specific of sheet name and title, columns not read).
    ``rows_read`` is counted by the reader from the files (None: the records given to
    :func:`validate`); ``skipped`` counts lines skipped by reason (blank, separators, column numbers).

    ``by_sex`` has the parts of elements split by sex (``commune_code, period, element, sex, value,
    derived``; ``sex`` is ``male`` or ``female``; empty when the data have no split); ``accepted``
    keeps only totals.  ``derived_totals`` totals in ``accepted`` were computed as male + female (not
    read), as were the parts of ``by_sex`` marked ``derived`` (total − the other part): neither is
    counted as a row read.
    """

    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    duplicates_folded: int
    files: list[str] = field(default_factory=list)
    flags: pd.DataFrame | None = None
    rows_read: int | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NOTE_COLUMNS))
    by_sex: pd.DataFrame = field(default_factory=empty_by_sex)
    derived_totals: int = 0

    @property
    def summary(self) -> dict:
        """``files, rows_read, accepted, quarantined, duplicates_folded, skipped, skipped_by_reason``.

        ``rows_read = accepted + quarantined + duplicates_folded + skipped`` (see :meth:`check`);
        ``accepted`` counts the rows read and accepted, totals and parts by sex.  With a split by sex
        two more keys: ``by_sex`` (parts read and accepted, part of ``accepted``) and ``derived``
        (totals and parts computed, not read: not part of any count above).
        """
        parts = len(self.by_sex)
        derived_parts = int(self.by_sex["derived"].sum()) if parts else 0
        acc = len(self.accepted) - self.derived_totals + parts - derived_parts
        q, sk = len(self.quarantine), int(sum(self.skipped.values()))
        read = self.rows_read if self.rows_read is not None else acc + q + self.duplicates_folded + sk
        out = {"files": len(self.files), "rows_read": int(read), "accepted": acc, "quarantined": q,
               "duplicates_folded": self.duplicates_folded, "skipped": sk,
               "skipped_by_reason": {k: int(v) for k, v in sorted(self.skipped.items()) if v}}
        if parts or self.derived_totals:
            out.update(by_sex=parts - derived_parts, derived=self.derived_totals + derived_parts)
        return out

    def merged(self, other: "LoadResult") -> "LoadResult":
        """This load and ``other`` as one (counts, quarantines, flags and notes added up)."""
        flags = [f for f in (self.flags, other.flags) if f is not None]
        skipped = {k: self.skipped.get(k, 0) + other.skipped.get(k, 0) for k in {*self.skipped, *other.skipped}}
        reads = [self.summary["rows_read"], other.summary["rows_read"]]
        return LoadResult(accepted=pd.concat([self.accepted, other.accepted], ignore_index=True),
                          quarantine=pd.concat([self.quarantine, other.quarantine], ignore_index=True),
                          duplicates_folded=self.duplicates_folded + other.duplicates_folded,
                          files=self.files + other.files,
                          flags=pd.concat(flags, ignore_index=True) if flags else None,
                          rows_read=sum(reads), skipped=skipped,
                          notes=pd.concat([self.notes, other.notes], ignore_index=True),
                          by_sex=pd.concat([self.by_sex, other.by_sex], ignore_index=True),
                          derived_totals=self.derived_totals + other.derived_totals)

    def _repr_html_(self) -> str:
        """The summary and the first quarantined rows with their reasons (for Jupyter)."""
        import html

        head = self.quarantine[["file", "sheet", "row", "column", "value", "reason_vi", "reason_en"]].head(10).copy()
        head["file"] = [Path(str(f)).name for f in head["file"]]
        table = head.to_html(index=False, escape=True) if len(head) else "<p>Không có dòng nào bị cách ly / no row quarantined.</p>"
        return (f"<p><b>{html.escape(self.summary_text('vi'))}</b><br>{html.escape(self.summary_text('en'))}</p>"
                f"{table}")

    def check(self) -> None:
        """Raise :class:`LoadAccountingError` unless every record read is accounted for."""
        s = self.summary
        outcome = s["accepted"] + s["quarantined"] + s["duplicates_folded"] + s["skipped"]
        if s["rows_read"] != outcome:
            raise LoadAccountingError(
                f"{s['rows_read']} records read but {outcome} accounted for (accepted {s['accepted']}, "
                f"quarantined {s['quarantined']}, folded {s['duplicates_folded']}, skipped {s['skipped']}): "
                f"records were lost while loading {', '.join(self.files[:3])}; please report this")

    def summary_text(self, lang: str = "vi") -> str:
        """One line: the counts, the skipped lines by reason, and what was not read as a table."""
        s = self.summary
        why = s["skipped_by_reason"]
        reasons = self.quarantine["reason"].value_counts() if len(self.quarantine) else pd.Series(dtype=int)
        unread = {k: int(reasons.get(k, 0)) for k in ("no_table", "below_table", "bad_line") if reasons.get(k, 0)}
        skip = "; ".join(f"{_reason_words(k, lang)}: {number(v, lang, 0)}" for k, v in why.items())
        extra = "; ".join(f"{_reason_words(k, lang)}: {number(v, lang, 0)}" for k, v in unread.items())
        n = counts(s, lang)
        return (label("load_summary.counts", lang, **n) + (f" ({skip})" if skip else "")
                + (label("load_summary.of_which", lang, items=extra) if extra else "")
                + (label("load_summary.by_sex", lang, **n) if "by_sex" in s else ""))

    def write_quarantine(self, path: str | Path) -> Path:
        """Write the quarantine as CSV (UTF-8 with BOM, injection-safe) or ``.xlsx`` (every cell a value).

        Text from the files is never turned into a formula: in the workbook a cell reading
        ``=HYPERLINK(…)`` stays text; in the CSV it is prefixed with ``'`` (OWASP CSV injection).
        """
        from .outputs import write_csv, write_excel

        path = Path(path)
        if path.suffix.lower() == ".xlsx":
            return write_excel(path, {"quarantine": self.quarantine})
        return write_csv(path, self.quarantine)


NOTE_COLUMNS = ["file", "sheet", "note"]


def _reason_words(key: str, lang: str) -> str:
    """Words for a skip or not-read reason (``load_summary`` of ``data/labels.yaml``; else the key)."""
    try:
        return label(f"load_summary.{key}", lang)
    except LabelError:
        return key.replace("_", " ")


_NUM_CLEAN = re.compile(r"[\s\u00a0]")


def parse_number(text: object) -> tuple[float | None, str | None]:
    """Parse a number as officials type it; returns (value, None) or (None, reason code).

    Vietnamese conventions: ``","`` is the decimal mark, ``"."`` groups thousands (``"1.234"`` =
    1234, ``"12,5"`` = 12.5); ``"12.5"`` (a dot not followed by exactly three digits) is read as a
    decimal point.  ``"12%"`` is a percentage.

    >>> parse_number("1.234"), parse_number("12,5"), parse_number(" 7 "), parse_number("abc")
    ((1234.0, None), (12.5, None), (7.0, None), (None, 'not_a_number'))
    >>> parse_number("12,5%")
    (None, 'percent_for_count')
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None, "empty_cell"
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return float(text), None
    s = _NUM_CLEAN.sub("", str(text))
    if s == "":
        return None, "empty_cell"
    percent = s.endswith("%")
    s = s.rstrip("%")
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".") if s.count(",") == 1 else s
    elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    try:
        value = float(s)
    except ValueError:
        return None, "not_a_number"
    if not np.isfinite(value):
        return None, "not_a_number"
    return (None, "percent_for_count") if percent else (value, None)



# ----------------------------------------------------------------------------- validation

def reason_text(code: str, lang: str, value: object = "", period: object = "", hint: str = "") -> str:
    """The quarantine reason ``code`` of ``data/reasons.yaml`` in ``lang``, its fields filled."""
    return load_yaml("reasons.yaml")[code][lang].format(value=value, period=period, hint=hint)


class _Factor:
    """A column as integer codes into its distinct values: checks run once per value.

    A categorical column (as :func:`btchild_analysis.readers.read_file` gives a long CSV) is used by
    its codes; other columns are factorised once (:func:`btchild_analysis.cells.column_codes`).
    :attr:`index` gives each row's position in :meth:`per_value`'s result (missing: its last item).
    """

    def __init__(self, values):
        codes, self.uniques = column_codes(values)
        n = len(self.uniques)
        empty = codes < 0
        self.has_missing = bool(empty.any())
        if self.has_missing:  # a copy wide enough for n
            codes = codes.astype(np.int32 if n < 2**31 - 1 else np.int64)
            codes[empty] = n
        self.index = codes  # read-only: may be the categorical's own codes (int8 for few values)

    def rows_with(self, per_value: np.ndarray) -> np.ndarray:
        """``per_value`` (one item per distinct value, the missing value last) with the missing
        value's item dropped when no row is missing (so that an all-False result needs no row pass)."""
        out = np.array(per_value, dtype=bool)
        out[-1] &= self.has_missing
        return out

    def per_value(self, func, dtype=object) -> np.ndarray:
        """``func`` of each distinct value, with ``func(None)`` last so that code -1 finds it."""
        out = np.empty(len(self.uniques) + 1, dtype=dtype)
        for i, u in enumerate(self.uniques):
            out[i] = func(u)
        out[-1] = func(None)
        return out


class _Checker:
    """Marks rows with the first reason that applies; each check sees only rows still clean.

    :attr:`ok` is kept up to date as rows are marked (not recomputed from the reasons at each
    check), and the reason and column arrays are only written where a row is marked, so that a
    clean load makes no per-row array but ``ok``.
    """

    def __init__(self, n: int):
        self.names: list[str] = [""]
        self.columns: list[str] = [""]
        self.reason = np.zeros(n, dtype=np.int16)  # zeros: not touched until a row is marked
        self.column = np.zeros(n, dtype=np.int16)
        self.hint: dict[int, str] = {}
        self._ok = np.ones(n, dtype=bool)

    @property
    def ok(self) -> np.ndarray:
        """Rows not marked (a read-only view, current until the next :meth:`mark`)."""
        view = self._ok.view()
        view.flags.writeable = False
        return view

    def mark_each(self, rcode: np.ndarray, reasons: tuple[str, ...], column: str) -> None:
        """Mark every row whose ``rcode`` is k > 0 with ``reasons[k - 1]`` (a check per distinct value
        looked up by the rows' codes: one pass over the rows, whatever the number of reasons)."""
        m = (rcode > 0) & self.ok
        if not m.any():
            return
        for k in np.unique(rcode[m]).tolist():
            self.mark(m & (rcode == k), reasons[k - 1], column)

    def mark_by(self, per_value, index: np.ndarray, code: str, column: str, hint=None) -> None:
        """:meth:`mark` of the rows whose distinct value (``index`` into ``per_value``) is True;
        ``hint`` per distinct value.  Nothing is done row by row when no value is faulty."""
        per_value = np.asarray(per_value, dtype=bool)
        if not per_value.any():
            return
        self.mark(per_value[index], code, column, None if hint is None else np.asarray(hint, dtype=object)[index])

    def mark(self, mask, code: str, column: str, hint=None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        m = mask & self.ok
        if not m.any():
            return
        if code not in self.names:
            self.names.append(code)
        if column not in self.columns:
            self.columns.append(column)
        self.reason[m] = self.names.index(code)
        self.column[m] = self.columns.index(column)
        self._ok[m] = False
        if hint is not None:
            idx = np.flatnonzero(m)
            if isinstance(hint, str):
                self.hint.update(dict.fromkeys(idx.tolist(), hint))
            else:
                self.hint.update(zip(idx.tolist(), np.asarray(hint, dtype=object)[idx].tolist()))


def normalise_code(v: object) -> str | None:
    """A GSO commune code as a 5-character string (``28756.0`` → ``"28756"``, ``875`` → ``"00875"``);
    None when empty, ``"!" + text`` when it cannot be a code."""
    if isinstance(v, str) and len(v) == 5 and v.isascii() and v.isdigit():
        return v  # the usual case, without the regular expressions below
    if is_blank(v):
        return None
    s = str(v).strip()
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    if re.fullmatch(r"\d{1,5}", s):
        return s.zfill(5)
    return "!" + s


def _norm_period(v: object):
    if is_blank(v):
        return None
    try:
        return parse_period(v)
    except PeriodError:
        return "!"


#: Formula residue: a count within this of a whole number is that number (7.000000000000001 → 7).
RESIDUE = 1e-9


def _value_facts(v: object) -> tuple[float, str | None, float | None, bool]:
    """(number, fault, yes/no value, not-reported token) of one distinct cell value."""
    if isinstance(v, str) and 0 < len(v) < 16 and v.isascii() and v.isdigit() and v not in _value_words():
        return float(v), None, None, False  # digits only (the usual count): what parse_number gives
    key = fold_key(v) if isinstance(v, str) else None
    yes_no = None
    if key is not None:
        if key in layout()["yes_words"]:
            yes_no = 1.0
        elif key in layout()["no_words"]:
            yes_no = 0.0
    token = key is not None and key in layout()["not_reported"]
    value, reason = parse_number(v)
    if value is not None and abs(value - round(value)) <= RESIDUE:
        value = float(round(value))
    return (np.nan if value is None else value), reason, yes_no, token


def _check_codes(values, chk: "_Checker", required=True) -> tuple[list, np.ndarray, np.ndarray]:
    """Normalise commune codes once per distinct value; mark empty and malformed ones.

    Returns (distinct codes, each row's index into them, rows without a code).  ``required`` (a bool
    or a row mask) says where an empty code is a fault (not where the row names its commune).
    """
    f = _Factor(values)
    ucode = list(f.per_value(normalise_code))  # last item: the missing code
    ci = f.index
    missing_u = f.rows_with([c is None for c in ucode])
    missing = missing_u[ci] if missing_u.any() else np.zeros(len(ci), dtype=bool)
    chk.mark(missing & required, "empty_cell", "commune_code")
    chk.mark_by([isinstance(c, str) and c.startswith("!") for c in ucode], ci, "bad_code", "commune_code")
    return ucode, ci, missing


def _check_periods(values, column: str, chk: "_Checker", annual_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse periods once per distinct value; mark empty and malformed ones (H1 too when ``annual_only``)."""
    f = _Factor(values)
    uper = f.per_value(_norm_period)
    pi = f.index
    chk.mark_by(f.rows_with([p is None for p in uper]), pi, "empty_cell", column)
    chk.mark_by([isinstance(p, str) or (annual_only and isinstance(p, Period) and p.kind != "A") for p in uper], pi,
                "bad_period", column)
    return uper, pi


def validate(raw: pd.DataFrame, today: dt.date | None = None, known_units: set[str] | None = None) -> LoadResult:
    """Validate long records with provenance (from :func:`btchild_analysis.readers.read_file`).

    ``known_units``: codes to accept for every period instead of the Bến Tre register (used for
    national-scale files and benchmarks).  A ``fault`` column (reason codes set while reading, e.g.
    ``below_table``, ``bad_line``, ``period_conflict``) quarantines its records first.

    Hand-written rather than a pandera schema: pandera (``lazy=True``) can list failures per row, but
    only the per-column checks (code, period, value) would fit it; most quarantine reasons cross rows
    and the register (unit in force for the period, name against code, duplicates, numerator above its
    denominator), each row keeps its first reason with a Vietnamese and an English text
    (``data/reasons.yaml``), and the checks share one vectorised pass (:class:`_Checker`).
    """
    today = today or dt.date.today()
    raw = raw.reset_index(drop=True)
    n = len(raw)
    chk = _Checker(n)
    if "fault" in raw and raw["fault"].notna().any():
        _mark_faults(raw, chk)
    if "total_row" in raw:
        chk.mark(raw["total_row"].fillna(False).to_numpy(dtype=bool), "total_row", "commune_name")

    has_name = (raw["commune_name"].map(lambda v: not is_blank(v)).to_numpy(dtype=bool)
                if "commune_name" in raw and raw["commune_name"].notna().any() else np.zeros(n, bool))
    ucode, ci, code_missing = _check_codes(raw["commune_code"], chk, ~has_name)
    uper, pi = _check_periods(raw["period"], "period", chk, annual_only=False)
    chk.mark_by([isinstance(p, Period) and dt.date(p.year, 1, 1) > today for p in uper], pi,
                "future_period", "period")
    if has_name.any():
        ci = _match_names(raw, ucode, ci, uper, pi, has_name & code_missing, chk)
    uper_str = np.array([str(p) if isinstance(p, Period) else "" for p in uper], dtype=object)
    _check_in_force(ucode, ci, uper, pi, chk, known_units)

    fe = _Factor(raw["element"])
    reg = elements()
    clean_e = fe.per_value(lambda v: None if is_blank(v) else str(v).strip())
    ue = list(dict.fromkeys(e for e in clean_e if e is not None)) + [None]
    ei_u = np.array([ue.index(e) for e in clean_e], dtype=np.int32)
    same = len(ei_u) == len(ue) and bool((ei_u == np.arange(len(ue))).all())
    ei = fe.index if same else ei_u[fe.index]  # every element distinct as written: its codes are the index
    blank = fe.has_missing or any(e is None for e in clean_e[:-1])  # rows with no element (the last of ue)
    chk.mark_by([False] * (len(ue) - 1) + [blank], ei, "empty_cell", "element")
    unknown_u = np.array([e is not None and e not in reg for e in ue])
    chk.mark_by(unknown_u, ei, "unknown_element", "element", [_element_hint(e) if u else "" for e, u in zip(ue, unknown_u)])

    split = "sex" in raw and bool(raw["sex"].notna().any())
    fv = _Factor(raw["value"])
    sexc = _check_sex(raw["sex"], fv, ue, ei, chk) if split else np.zeros(n, dtype=np.int8)
    vals = _check_values(fv, ue, ei, chk)

    S = 3 if split else 1  # a part is its own record: sex is part of every key
    P, E = len(uper) + 1, len(ue) + 1
    n_keys = len(ucode) * P * S * E
    key = _record_keys(ci, pi, sexc if split else None, ei, P, S, E, n_keys)
    folded = _duplicates(key, vals, chk, n_keys)
    _numerator_check(key, ei, ue, vals, chk.ok & ~folded, chk, n_keys)
    keep = chk.ok & ~folded
    ucode_arr = np.array(ucode, dtype=object)
    ue_arr = np.array(ue, dtype=object)
    derived = None
    if split:
        group = (ci.astype(np.int64) * P + pi) * E + ei
        derived = check_parts(group, sexc, vals, keep, np.unique(group[~chk.ok]))
        chk.mark(derived.exceeds, "part_exceeds_total", "value", derived.hints)
        keep = keep & ~derived.exceeds
    total = keep & (sexc == 0)
    pick = slice(None) if total.all() else total  # a clean load: no copy of every column
    code, period, element = _text_columns([(ucode_arr, ci[pick]), (uper_str, pi[pick]), (ue_arr, ei[pick])])
    accepted = pd.DataFrame({"commune_code": code, "period": period, "element": element,
                             "value": vals[pick], "file": raw["file"].array[pick]}, copy=False)
    by_sex = empty_by_sex()
    if split:
        accepted, by_sex = _with_parts(accepted, keep & (sexc > 0), derived, raw, ucode_arr[ci], uper_str[pi],
                                       ue_arr[ei], sexc, vals)
    quarantine = _quarantine_table(raw, ucode_arr, chk, ci)
    files = _distinct_files(raw["file"]) if n else []
    res = LoadResult(accepted=accepted, quarantine=quarantine, duplicates_folded=int(folded.sum()), files=files,
                     by_sex=by_sex, derived_totals=0 if derived is None else len(derived.derived_totals))
    if derived is not None:
        res.notes = _derived_notes(raw, derived)
        odd = implausible_derived(by_sex)
        if odd.any():  # e.g. boys stunted (total − girls) above boys measured: not used, said
            res.by_sex = by_sex[~odd].reset_index(drop=True)
            res.notes = pd.concat([res.notes, pd.DataFrame([("", "", _implausible_note(by_sex[odd]))],
                                                           columns=NOTE_COLUMNS)], ignore_index=True)
    return res


def _distinct_files(column: pd.Series) -> list[str]:
    """The files of the records in order of first appearance (a categorical column: from its codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = column.cat.categories
        return [str(cats[i]) for i in _first_seen(np.asarray(column.cat.codes), len(cats))]
    return [str(f) for f in pd.unique(column)]


def _implausible_note(rows: pd.DataFrame) -> str:
    where = ", ".join(f"{c} {p} {e} ({s})" for c, p, e, s in
                      rows[["commune_code", "period", "element", "sex"]].head(5).itertuples(index=False))
    more = " …" if len(rows) > 5 else ""
    return (f"{len(rows)} số theo giới tính tính ra (tổng số trừ giới kia) lớn hơn mẫu số của cùng giới, không dùng: "
            f"{where}{more} / {len(rows)} derived figures by sex (total minus the other sex) above their "
            f"denominator for the same sex, not used: {where}{more}")


def _derived_notes(raw: pd.DataFrame, derived) -> pd.DataFrame:
    """One note per file that had figures computed from the others (derived totals and parts)."""
    files = raw["file"].to_numpy()
    tot = pd.Series(files[derived.derived_totals["row"].to_numpy(np.int64)]).value_counts()
    par = pd.Series(files[derived.derived_parts["row"].to_numpy(np.int64)]).value_counts()
    rows = []
    for f in sorted(set(tot.index) | set(par.index), key=str):
        t, p = int(tot.get(f, 0)), int(par.get(f, 0))
        rows.append((f, "", f"{t} tổng số tính bằng Nam + Nữ, {p} số theo giới tính tính bằng tổng số trừ giới kia "
                            f"(không phải dòng đọc được) / {t} totals computed as male + female, {p} figures by sex "
                            f"computed as the total minus the other sex (not rows read)"))
    return pd.DataFrame(rows, columns=NOTE_COLUMNS)


def _check_sex(values, cells: "_Factor", ue: list, ei: np.ndarray, chk: "_Checker") -> np.ndarray:
    """Sex codes of the records (:func:`btchild_analysis.sex_parts.sex_codes`); marks an unknown sex
    (``bad_sex``) and a figure for one sex of an element that is not split by sex (``no_sex_split``;
    an empty cell there is left to the value checks)."""
    sexc = sex_codes(values)
    chk.mark(sexc < 0, "bad_sex", "sex")
    filled = cells.index != len(cells.uniques)
    chk.mark((sexc > 0) & ~splittable(ue)[ei] & filled, "no_sex_split", "sex", np.array(ue, dtype=object)[ei])
    return sexc


def _with_parts(accepted: pd.DataFrame, parts: np.ndarray, derived, raw: pd.DataFrame, codes: np.ndarray,
                periods: np.ndarray, els: np.ndarray, sexc: np.ndarray, vals: np.ndarray):
    """``accepted`` with the derived totals appended, and the table of parts (read, then derived)."""
    d_tot, d_par = derived.derived_totals, derived.derived_parts
    t_rows = d_tot["row"].to_numpy(np.int64)
    if len(t_rows):
        accepted = pd.concat([accepted, pd.DataFrame({
            "commune_code": codes[t_rows], "period": periods[t_rows], "element": els[t_rows],
            "value": d_tot["value"].to_numpy(float), "file": raw["file"].to_numpy()[t_rows]})], ignore_index=True)
    p_rows = d_par["row"].to_numpy(np.int64)
    by_sex = pd.DataFrame({
        "commune_code": np.concatenate([codes[parts], codes[p_rows]]),
        "period": np.concatenate([periods[parts], periods[p_rows]]),
        "element": np.concatenate([els[parts], els[p_rows]]),
        "sex": np.concatenate([SEX_NAMES[sexc[parts]], SEX_NAMES[d_par["sex"].to_numpy(np.int64)]]),
        "value": np.concatenate([vals[parts], d_par["value"].to_numpy(float)]),
        "derived": np.concatenate([np.zeros(int(parts.sum()), bool), np.ones(len(p_rows), bool)])})
    return accepted, by_sex[BY_SEX_COLUMNS]


#: Reasons set while reading, and the field the quarantine shows for them.
READ_FAULTS = {"below_table": "line", "bad_line": "line", "no_table": "sheet", "period_conflict": "period"}


def _mark_faults(raw: pd.DataFrame, chk: "_Checker") -> None:
    fault = raw["fault"].to_numpy(dtype=object)
    hint = raw["fault_hint"].to_numpy(dtype=object) if "fault_hint" in raw else None
    for code in pd.unique(fault[pd.notna(fault)]):
        mask = fault == code
        h = None if hint is None else np.array([_FAULT_HINT.get(x, x) if isinstance(x, str) else "" for x in hint],
                                               dtype=object)
        chk.mark(mask, str(code), READ_FAULTS.get(str(code), "value"), h)


_FAULT_HINT = {"unbalanced_quote": "dấu ngoặc kép lẻ / an unbalanced quote",
               "extra_fields": "thừa cột / more fields than the header"}


#: Value faults in the order they are checked (the first that applies is the row's reason).
VALUE_FAULTS = ("not_applicable", "empty_cell", "not_a_number", "percent_for_count", "negative", "not_integer",
                "not_yes_no")


def _check_values(fv: "_Factor", ue: list, ei: np.ndarray, chk: "_Checker") -> np.ndarray:
    """Numbers of the value column (factorised in ``fv``), per element kind; marks every value fault.

    Yes/no words ("Có", "x", "không") count only for yes/no elements; "x", "-", "KPS", ".." in a
    count mean *not reported* (``not_applicable``); residue within :data:`RESIDUE` of a whole
    number is that number.  Each distinct value is judged once per element kind (other, count,
    yes/no); the rows look their number and fault up by (value, kind).
    """
    reg = elements()
    facts = fv.per_value(_value_facts)
    kind_u = np.array([{"count": 1, "yes_no": 2}.get(reg[e].kind, 0) if e in reg else 0 for e in ue], dtype=np.int8)
    number, fault = _value_table(facts)
    kinds = np.unique(kind_u)  # the kinds of the elements present
    seen = fault[:, kinds] if fv.has_missing else fault[:-1, kinds]  # the missing value's item: no row
    pair = _value_kind_pairs(fv, kind_u, ei, len(facts)) if seen.any() else None
    if pair is not None:
        chk.mark_each(fault.ravel()[pair], VALUE_FAULTS, "value")
    first = number[:, kinds[0]]
    if all(np.array_equal(first, number[:, k], equal_nan=True) for k in kinds[1:]):
        return first[fv.index]  # each value reads the same for every kind present: no per-row pairs
    if pair is None:
        pair = _value_kind_pairs(fv, kind_u, ei, len(facts))
    return number.ravel()[pair]


def _value_kind_pairs(fv: "_Factor", kind_u: np.ndarray, ei: np.ndarray, n_values: int) -> np.ndarray:
    """Each row's (distinct value, element kind) as ``value * 3 + kind``, built in place in one array."""
    pair = fv.index.astype(np.int32 if n_values < 2**30 else np.int64)
    pair *= 3
    pair += kind_u[ei]
    return pair


def _value_table(facts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(number, fault) of each distinct value (rows) read for an element of each kind (columns:
    other, count, yes/no); fault k > 0 is ``VALUE_FAULTS[k - 1]``, 0 none."""
    num_u = np.array([f[0] for f in facts], dtype=float)[:, None]
    yn_u = np.array([np.nan if f[2] is None else f[2] for f in facts], dtype=float)[:, None]
    token_u = np.array([f[3] for f in facts], dtype=bool)[:, None]
    parse_u = np.array([VALUE_FAULTS.index(f[1]) + 1 if f[1] else 0 for f in facts], dtype=np.int8)[:, None]
    kind = np.arange(3)[None, :]
    word = ~np.isnan(yn_u) & (kind == 2)
    number = np.where(word, yn_u, num_u)
    with np.errstate(invalid="ignore"):
        conditions = [token_u & ~word, ~word & (parse_u > 0), number < 0,
                      (kind == 1) & (number != np.round(number)), (kind == 2) & ~np.isin(number, [0.0, 1.0])]
    choices = [1, np.where(word, 0, parse_u), 5, 6, 7]
    fault = np.select([np.broadcast_to(c, number.shape) for c in conditions],
                      [np.broadcast_to(c, number.shape) for c in choices], 0).astype(np.int8)
    return number, fault


def _element_hint(v: object) -> str:
    if v is None:
        return ""
    close = difflib.get_close_matches(str(v), list(elements()), n=1, cutoff=0.6)
    if not close:  # a Vietnamese heading with a typo: compare with the labels and aliases
        lookup = header_lookup()
        near = difflib.get_close_matches(fold_key(v).replace("-", " "), list(lookup), n=1, cutoff=0.8)
        close = [lookup[near[0]]] if near else []
    return f" (có phải '{close[0]}'? / did you mean '{close[0]}'?)" if close else ""


def _match_names(raw, ucode: list, ci: np.ndarray, uper, pi, todo: np.ndarray, chk: _Checker) -> np.ndarray:
    """Give codes to rows that name their commune (per district and period); mark the unmatched."""
    ci = ci.astype(np.int64)  # a copy that can take new codes
    todo = todo & chk.ok
    idx = np.flatnonzero(todo)
    if not len(idx):
        return ci
    sub = pd.DataFrame({"name": raw["commune_name"].to_numpy()[idx], "district": raw["district"].to_numpy()[idx],
                        "period": [str(uper[p]) for p in pi[idx]]})
    found = {}
    for per, grp in sub.drop_duplicates().groupby("period"):
        names = [ward_name(nm) for nm in grp["name"]]
        m = admin_units.match_names(names, grp["district"].tolist(), on=per).table
        for nm, d, (_, r) in zip(grp["name"], grp["district"], m.iterrows()):
            found[(nm, d, per)] = r
        _former_names(found, per, grp, names)
    position = {c: i for i, c in enumerate(ucode)}
    ambiguous, unknown, hints = np.zeros(len(ci), bool), np.zeros(len(ci), bool), np.full(len(ci), "", dtype=object)
    for i, key in zip(idx, sub.itertuples(index=False, name=None)):
        r = found[key]
        if isinstance(r["code"], str):
            if r["code"] not in position:
                position[r["code"]] = len(ucode)
                ucode.append(r["code"])
            ci[i] = position[r["code"]]
        elif r["method"] == "ambiguous":
            ambiguous[i], hints[i] = True, r["candidates"]
        else:
            unknown[i], hints[i] = True, (f" ({r['candidates']})" if r["candidates"] else "")
    chk.mark(ambiguous, "ambiguous_name", "commune_name", hints)
    chk.mark(unknown, "unknown_name", "commune_name", hints)
    return ci


def _former_names(found: dict, per: str, grp: pd.DataFrame, names: list) -> None:
    """Names unknown in ``per`` matched among earlier vintages: the old code, so that the row gets
    the successor pointer (``not_in_force``) exactly as the old code would."""
    ref = admin_units.as_date(per)
    earlier = [day for day in admin_units.VINTAGES.values() if day < ref]
    for (nm, d), name in zip(zip(grp["name"], grp["district"]), names):
        r = found[(nm, d, per)]
        if isinstance(r["code"], str) or r["method"] == "ambiguous":
            continue
        for day in reversed(earlier):
            old = admin_units.match_names([name], [d], on=day).table.iloc[0]
            if isinstance(old["code"], str):
                found[(nm, d, per)] = old
                break


def _check_in_force(ucode: list, ci, uper, pi, chk: _Checker, known_units: set[str] | None) -> None:
    """A code must be a unit in force in its period; point closed codes to their successor."""
    if known_units is not None:  # one list for every period: a check per distinct code
        unknown = np.array([isinstance(c, str) and not c.startswith("!") and c not in known_units for c in ucode])
        chk.mark_by(unknown, ci, "unknown_commune", "commune_code")
        return
    ok = chk.ok
    P = len(uper)
    pair = ci.astype(np.int64) * P + pi
    inverse, uniq = pd.factorize(pair[ok])
    verdict = np.zeros(len(uniq), dtype=np.int8)  # 0 fine, 1 not in force, 2 unknown
    hint = np.full(len(uniq), "", dtype=object)
    in_force_cache: dict[str, set] = {}
    outcome: dict[tuple[str, str], tuple[int, str]] = {}
    for k, pv in enumerate(uniq):
        code, per = ucode[pv // P], uper[pv % P]
        if not isinstance(code, str) or not isinstance(per, Period):
            continue
        vkey = admin_units.vintage_of(per)
        if vkey not in in_force_cache:
            in_force_cache[vkey] = set(admin_units.units(per)["code"])
        units = in_force_cache[vkey]
        if code in units:
            continue
        if (code, vkey) not in outcome:
            succ = admin_units.successor(code, per)
            if succ is not None:
                outcome[(code, vkey)] = (1, f"{succ['code']} {succ['name']}")
            else:
                close = suggest_code(code, units)
                outcome[(code, vkey)] = (2, f" (có phải {close}? / did you mean {close}?)" if close else "")
        verdict[k], hint[k] = outcome[(code, vkey)]
    rows = np.flatnonzero(ok)
    for v, reason in ((1, "not_in_force"), (2, "unknown_commune")):
        mask = np.zeros(len(ci), dtype=bool)
        sel = verdict[inverse] == v
        mask[rows[sel]] = True
        h = np.full(len(ci), "", dtype=object)
        h[rows[sel]] = hint[inverse[sel]]
        chk.mark(mask, reason, "commune_code", h)


def suggest_code(code: str, known: set[str]) -> str | None:
    """The likely intended code: two neighbouring digits swapped, else one digit mistyped (None when unclear).

    >>> suggest_code("28576", {"28756", "28759"}), suggest_code("28750", {"28756", "28759"})
    ('28756', None)
    """
    def diff(a, b):
        return [i for i in range(len(a)) if a[i] != b[i]]
    swapped = [k for k in known if len(k) == len(code) and sorted(k) == sorted(code)
               and len(d := diff(k, code)) == 2 and d[1] == d[0] + 1]
    if len(swapped) == 1:
        return swapped[0]
    typo = [k for k in known if len(k) == len(code) and len(diff(k, code)) == 1]
    return typo[0] if len(typo) == 1 else None


#: Above this many possible (commune, period, element) keys, hash tables replace dense arrays.
DENSE_KEYS = 20_000_000
#: Values compared at a time by the numerator check (2 MB of float64).
BLOCK_VALUES = 1 << 18


def _duplicates(key: np.ndarray, vals: np.ndarray, chk: _Checker, n_keys: int | None = None) -> np.ndarray:
    """Fold identical duplicates (keep the first); quarantine every row of a conflicting group."""
    folded = np.zeros(len(key), dtype=bool)
    ok = chk.ok
    everyone = bool(ok.all())
    rows = None if everyone else np.flatnonzero(ok)
    ok_keys = key if everyone else key[rows]
    if len(ok_keys) < 2 or bool((ok_keys[1:] > ok_keys[:-1]).all()):
        return folded  # keys in increasing order (a file written commune by commune): no two alike
    if rows is None:
        rows = np.arange(len(key))
    if n_keys is not None and n_keys <= DENSE_KEYS:
        dup = np.bincount(ok_keys, minlength=n_keys)[ok_keys] > 1
    else:
        dup = pd.Series(ok_keys).duplicated(keep=False).to_numpy()
    if not dup.any():
        return folded
    d = pd.DataFrame({"row": rows[dup], "key": key[rows[dup]], "value": vals[rows[dup]]})
    g = d.groupby("key")["value"]
    conflict = (g.transform("nunique") > 1).to_numpy()
    listing = g.transform(lambda v: "; ".join(f"{x:g}" for x in v)).to_numpy()
    mask = np.zeros(len(key), dtype=bool)
    mask[d["row"].to_numpy()[conflict]] = True
    hint = np.full(len(key), "", dtype=object)
    hint[d["row"].to_numpy()] = listing
    chk.mark(mask, "conflicting_duplicate", "value", hint)
    same = d[~conflict]
    folded[same["row"].to_numpy()[same.duplicated("key", keep="first").to_numpy()]] = True
    return folded


def _record_keys(ci: np.ndarray, pi: np.ndarray, sexc: np.ndarray | None, ei: np.ndarray, P: int, S: int, E: int,
                 n_keys: int) -> np.ndarray:
    """One integer per record, ``((commune * P + period) * S + sex) * E + element`` (sex 0 when not split),
    built in place in one array (int32 when ``n_keys`` fits: half the memory of int64)."""
    key = ci.astype(np.int32 if n_keys < 2**31 else np.int64)  # a copy: ci may be a categorical's codes
    key *= P
    key += pi
    if sexc is not None:
        key *= S
        key += np.maximum(sexc, 0)
    key *= E
    key += ei
    return key


def _denominators(ue: list) -> np.ndarray:
    """For each element of ``ue``, the position in ``ue`` of its denominator (-1: none, or not in the data)."""
    reg = elements()
    den = [reg[e].denominator if e in reg else None for e in ue]
    return np.array([ue.index(d) if d is not None and d in ue else -1 for d in den], dtype=np.int64)


def _numerator_check(key: np.ndarray, ei: np.ndarray, ue: list, vals: np.ndarray, ok: np.ndarray,
                     chk: _Checker, n_keys: int | None = None) -> None:
    """Quarantine a numerator larger than its denominator in the same commune and period.

    ``key`` numbers each record as ``unit * E + element`` (:func:`_record_keys`, E = ``len(ue) + 1``);
    ``ok`` marks the rows that count (each key at most once among them).  Up to :data:`DENSE_KEYS`
    keys the values go into (unit × element) tables and the numerator columns are compared with
    their denominator columns a block of units at a time.  Rows in key order (a file written commune
    by commune, all clean) fill one small table per block, reused; otherwise one table of every key.
    """
    den_of = _denominators(ue)
    nums = np.flatnonzero(den_of >= 0)
    if not len(nums):
        return
    if n_keys is None or n_keys > DENSE_KEYS:
        return _numerator_check_sparse(key, ei, ue, vals, ok, chk, den_of)
    E = len(ue) + 1
    step = max(1, BLOCK_VALUES // E)  # units per block
    ordered = bool(ok.all()) and bool((key[1:] > key[:-1]).all())
    blocks = _ordered_blocks(key, vals, n_keys, E, step) if ordered else _table_blocks(key, vals, ok, n_keys, E, step)
    found = []
    for start, block in blocks:
        with np.errstate(invalid="ignore"):
            over = block[:, nums] > block[:, den_of[nums]]
        if over.any():
            unit, j = np.nonzero(over)
            found.append((unit + start).astype(np.int64) * E + nums[j])
    if not found:
        return
    over_keys = np.concatenate(found)
    if ordered:  # each key found is the key of one row, and so is its denominator's
        rows = np.sort(np.searchsorted(key, over_keys.astype(key.dtype)))
    else:
        flag = np.zeros(n_keys, dtype=bool)
        flag[over_keys] = True
        rows = np.flatnonzero(flag[key] & ok)
    den_keys = _denominator_keys(key, ei, den_of, rows)
    if ordered:
        den_vals = vals[np.searchsorted(key, den_keys.astype(key.dtype))]
    else:
        den_vals = _table_of(key, vals, ok, n_keys)[den_keys]
    mask = np.zeros(len(key), dtype=bool)
    mask[rows] = True
    _mark_numerators(mask, rows, den_vals, ei, ue, den_of, chk)


def _denominator_keys(key: np.ndarray, ei: np.ndarray, den_of: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The record key of each row's denominator: its own key with the element replaced (same unit,
    period and sex; ``key = … * E + element``)."""
    return key[rows].astype(np.int64) - ei[rows] + den_of[ei[rows]]


def _table_of(key: np.ndarray, vals: np.ndarray, ok: np.ndarray, n_keys: int) -> np.ndarray:
    """The value of each key (NaN: no row that counts) as one array of ``n_keys``."""
    table = np.full(n_keys, np.nan)
    if ok.all():
        table[key] = vals
    else:
        table[key[ok]] = vals[ok]
    return table


def _table_blocks(key, vals, ok, n_keys: int, E: int, step: int):
    """(first unit, values of ``step`` units × E elements) from one table of every key."""
    grid = _table_of(key, vals, ok, n_keys).reshape(-1, E)
    for start in range(0, len(grid), step):
        yield start, grid[start:start + step]


def _ordered_blocks(key, vals, n_keys: int, E: int, step: int):
    """As :func:`_table_blocks` for rows in increasing key order: each block of units is a run of rows,
    put into one small table reused from block to block."""
    edges = np.searchsorted(key, (np.arange(0, n_keys // E + step, step, dtype=np.int64) * E).astype(key.dtype))
    table = np.empty(step * E)
    for b in range(len(edges) - 1):
        r0, r1 = int(edges[b]), int(edges[b + 1])
        if r1 == r0:
            continue
        table.fill(np.nan)
        table[key[r0:r1] - b * step * E] = vals[r0:r1]
        yield b * step, table.reshape(step, E)


def _numerator_check_sparse(key, ei, ue, vals, ok, chk, den_of) -> None:
    """:func:`_numerator_check` by a hash lookup of each numerator's denominator key (many keys)."""
    is_num = den_of >= 0
    is_den = np.zeros(len(ue), dtype=bool)
    is_den[den_of[is_num]] = True
    num_rows = np.flatnonzero(is_num[ei] & ok)
    if not len(num_rows):
        return
    den_mask = is_den[ei] & ok
    lookup = pd.Index(key[den_mask])
    pos = lookup.get_indexer(_denominator_keys(key, ei, den_of, num_rows))
    den_vals = np.where(pos >= 0, vals[den_mask][pos] if len(pos) else np.nan, np.nan)
    with np.errstate(invalid="ignore"):
        over = vals[num_rows] > den_vals
    if not over.any():
        return
    mask = np.zeros(len(ei), dtype=bool)
    mask[num_rows[over]] = True
    _mark_numerators(mask, num_rows[over], den_vals[over], ei, ue, den_of, chk)


def _mark_numerators(mask, rows, den_vals, ei, ue, den_of, chk: _Checker) -> None:
    hint = np.full(len(ei), "", dtype=object)
    hint[rows] = [f"{ue[den_of[e]]} = {d:g}" for e, d in zip(ei[rows], den_vals)]
    chk.mark(mask, "numerator_above_denominator", "value", hint)


def _text_columns(columns: list[tuple[np.ndarray, np.ndarray]]) -> list:
    """:func:`_text_column` of each (uniques, index) pair; Arrow's in threads at once (its take lets go of
    the GIL; the three columns of a 6.6 M-row load 0.32 s → 0.17 s on two cores), Python's one by one."""
    if len(columns) < 2 or not len(columns[0][1]) or pd.array(["a"], dtype="str").dtype.storage != "pyarrow":
        return [_text_column(u, i) for u, i in columns]
    with concurrent.futures.ThreadPoolExecutor(len(columns)) as pool:
        return list(pool.map(lambda c: _text_column(*c), columns))


def _text_column(uniques: np.ndarray, index: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``uniques[index]`` as a text column (pandas' ``str``), made from the few distinct values."""
    if not len(index):  # as pandas makes it from an empty object array
        return np.asarray(uniques, dtype=object)[index]
    strings = pd.array(np.asarray(uniques, dtype=object), dtype="str")
    if type(strings) is pd.arrays.StringArray and hasattr(pd.arrays.StringArray, "_simple_new"):
        # Python strings: numpy's fancy indexing of the few values by the codes; ``take`` would first
        # copy the codes to int64 (53 MB more at 6.6 M rows)
        return pd.arrays.StringArray._simple_new(np.asarray(strings, dtype=object)[index], strings.dtype)
    return _arrow_take(strings, index)


def _arrow_take(strings: pd.api.extensions.ExtensionArray, index: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``strings.take(index)`` for Arrow strings (Arrow's take reads the codes as they are), its output in
    :func:`_fresh_memory_pool`: with pyarrow's default pool (mimalloc) the three text columns of a
    6.6 M-row load took 1.0 s instead of 0.3 s (jemalloc) or 0.4 s (the system's); ``benchmarks/README.md``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    taken = pc.take(pa.array(strings), pa.array(index), memory_pool=_fresh_memory_pool())
    return type(strings)(taken, dtype=strings.dtype)


@functools.cache
def _fresh_memory_pool():
    """pyarrow's jemalloc pool where the wheel has it, else the system allocator's."""
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.system_memory_pool()


def _quarantine_table(raw: pd.DataFrame, codes: np.ndarray, chk: _Checker,
                      code_index: np.ndarray | None = None) -> pd.DataFrame:
    """The quarantined rows of ``raw`` with reasons; ``codes`` each row's resolved commune code, or
    the distinct codes that ``code_index`` points into (no per-row array for a clean load)."""
    bad = np.flatnonzero(~chk.ok)
    bad_codes = codes[bad] if code_index is None else codes[code_index[bad]]
    q = raw.iloc[bad]
    reasons = [chk.names[r] for r in chk.reason[bad]]
    cols = [chk.columns[c] for c in chk.column[bad]]
    hints = [chk.hint.get(i, "") for i in bad.tolist()]
    values = {c: q[c].to_numpy() for c in ("commune_code", "commune_name", "period", "element", "value", "sex")
              if c in q}
    values["line"] = values["sheet"] = values["value"]
    if "commune_code" in values:  # a row that named its commune: show the code it was matched to
        resolved = bad_codes
        values["commune_code"] = np.array([r if is_blank(c) and isinstance(r, str) and not r.startswith("!") else c
                                           for c, r in zip(values["commune_code"], resolved)], dtype=object)
    shown = [values[c][k] if c in values else "" for k, c in enumerate(cols)]
    per = q["period"].to_numpy()
    cache: dict[tuple, tuple[str, str]] = {}
    vi, en = [], []
    for key in zip(reasons, shown, per, hints):
        if key not in cache:
            cache[key] = (reason_text(key[0], "vi", *key[1:]), reason_text(key[0], "en", *key[1:]))
        vi.append(cache[key][0])
        en.append(cache[key][1])
    sheet_col = q["column"].to_numpy()
    out = pd.DataFrame({
        "file": q["file"].to_numpy(), "sheet": q["sheet"].to_numpy(), "row": q["row"].to_numpy(np.int64),
        # a wide sheet's column (e.g. "D:Thấp còi") for value faults; else the field's name
        # (a part of an element not split: the element's column of a workbook; an unknown sex: its own column)
        "column": [qc if qc and (c == "value" or (c == "sex" and r != "bad_sex" and not str(qc).endswith(":value")))
                   else c for c, qc, r in zip(cols, sheet_col, reasons)],
        "commune_code": [c if isinstance(c, str) and not c.startswith("!") else r
                         for c, r in zip(bad_codes, q["commune_code"].to_numpy())],
        "commune_name": q["commune_name"].to_numpy() if "commune_name" in q else "",
        "period": per, "element": q["element"].to_numpy(), "value": q["value"].to_numpy(),
        "reason": reasons, "reason_vi": vi, "reason_en": en,
    })
    return out[QUARANTINE_COLUMNS].reset_index(drop=True)


