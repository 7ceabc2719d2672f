"""Reading lists of children's measurements: headings (Vietnamese accepted), dates, checks, quarantine.

Every row read ends accepted, quarantined (file, sheet, row, column, value and a reason in Vietnamese
and English, with the columns of :data:`btchild_analysis.io.QUARANTINE_COLUMNS`) or folded as an exact
repeat; :class:`MeasurementSet` ``.summary`` holds the counts and they add up.  The columns are listed in
:mod:`btchild_analysis.anthropometry`, their headings in ``data/anthropometry.yaml``.

Length: just over 400 lines: reading measurement files and checking each row share one quarantine.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import admin_units
from ._resources import load_yaml
from .errors import PeriodError, SubmissionError
from .cells import column_letter
from .fmt import counts
from .headings import is_blank, parse_date
from .i18n import label
from .io import QUARANTINE_COLUMNS, detect_encoding, normalise_code, parse_number
from .periods import Period, parse_period

__all__ = ["FIELDS", "RECORD_COLUMNS", "MeasurementSet", "SubmissionError", "parse_date", "read_measurements"]

FIELDS = ["commune_code", "period", "child_id", "sex", "birth_date", "measured_on", "age_months",
          "weight_kg", "lenhei_cm", "measure", "oedema"]
RECORD_COLUMNS = ["commune_code", "period", "child_id", "sex", "birth_date", "measured_on", "age_days",
                  "age_months", "age_source", "weight_kg", "lenhei_cm", "measure", "oedema", "file", "sheet", "row"]
MAX_FILE_BYTES = 200 * 2**20


def rules() -> dict:
    """The rules of ``data/anthropometry.yaml``."""
    return load_yaml("anthropometry.yaml")


def heading_key(text: object) -> str:
    """A heading of a measurement file folded for matching (no accents, punctuation as spaces)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", admin_units.fold(str(text))).split())


def _role(cell: object) -> str | None:
    if not isinstance(cell, str):
        return None
    k = heading_key(cell)
    for role, names in rules()["columns"].items():
        if k in {heading_key(n) for n in names}:
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
            engine = None if path.suffix.lower() == ".xls" else "openpyxl"
            return pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine=engine)
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
                    heads[r] = f"{column_letter(j)}:{str(cells.iat[i, j]).strip()}"
            out.attrs["headings"] = heads
            return out.reset_index(drop=True)
    return None


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
    """Accepted measurement ``records`` (:data:`RECORD_COLUMNS`; dates as ``datetime64``, NaT when not
    given), the ``quarantine`` (:data:`btchild_analysis.io.QUARANTINE_COLUMNS`) and the counts."""

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
        return label("anthro_load_summary", lang, **counts(self.summary, lang))


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
    return np.nan if is_blank(v) or parse_number(v)[0] is None else float(parse_number(v)[0])


def _check(raw: pd.DataFrame, heads: dict, period, commune, today: dt.date, known_units, files) -> MeasurementSet:
    R = rules()
    n = len(raw)
    mk = _Marks(n)
    col = {f: _Col(raw[f].to_numpy(dtype=object)) for f in FIELDS}
    shown = {f: c.map(lambda v: "" if is_blank(v) else str(v).strip()) for f, c in col.items()}
    empty = {f: c.map(is_blank, bool) for f, c in col.items()}
    # commune and period
    codes = col["commune_code"].map(normalise_code)
    if commune:
        codes = np.where(empty["commune_code"], normalise_code(commune), codes)
    mk.mark(pd.isna(codes), "no_commune", "commune_code")
    mk.mark(col["commune_code"].map(lambda v: str(normalise_code(v)).startswith("!"), bool) & ~empty["commune_code"],
            "bad_code", "commune_code", shown["commune_code"])
    per = col["period"].map(lambda v: "" if is_blank(v) else str(_try_period(v)))
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
    if is_blank(v):
        return None
    k = heading_key(str(v).removesuffix(".0"))
    for code, names in rules()["sex_values"].items():
        if k in {heading_key(x) for x in names}:
            return int(code)
    return None


def _coded(v: object, table: dict) -> str | None:
    """``""`` for an empty cell, the code for a known value, None for an unknown one."""
    if is_blank(v):
        return ""
    k = heading_key(str(v).removesuffix(".0"))
    for code, names in table.items():
        if k in {heading_key(x) for x in names}:
            return str(code)
    return None


def _check_units(codes: np.ndarray, per_str: np.ndarray, mk: _Marks, known_units) -> None:
    ok = mk.ok
    bad = np.zeros(len(codes), bool)
    for per in set(per_str[ok]) - {""}:
        units = known_units if known_units is not None else set(admin_units.units(per)["code"])
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
        "commune_code": [c if isinstance(c, str) and not c.startswith("!") else ("" if is_blank(r) else str(r))
                         for c, r in zip(rec["commune_code"].to_numpy()[bad], raw["commune_code"].to_numpy()[bad])],
        "commune_name": "", "period": rec["period"].to_numpy()[bad], "element": "",
        "value": mk.value[bad], "reason": mk.reason[bad]})
    for lang in ("vi", "en"):
        out[f"reason_{lang}"] = [texts[r][lang].format(value=v, hint=h)
                                 for r, v, h in zip(mk.reason[bad], mk.value[bad], mk.hint[bad])]
    return out[QUARANTINE_COLUMNS].reset_index(drop=True)
