"""Data quality: outliers (kept, flagged), completeness and timeliness of commune reports."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import admin_units
from .errors import SubmissionError
from .periods import parse_period
from .catalog import elements

#: Iglewicz & Hoaglin (1993): flag |M| > 3.5 where M = 0.6745 (x - median) / MAD.
Z_CUTOFF = 3.5
_K = 0.6745


def modified_z(x: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Modified z-scores of ``x`` with the median and MAD (z is NaN where MAD is 0).

    The MAD is ``median(|x − median(x)|)`` with NaN left out, i.e.
    ``scipy.stats.median_abs_deviation(x, scale=1.0, nan_policy="omit")`` (tests show them equal);
    written with numpy because scipy.stats costs about 0.7 s to import and the notebooks import this
    module (issue 16).

    >>> z, med, mad = modified_z(np.array([1.0, 2, 3, 4, 100]))
    >>> med, mad, round(float(z[-1]), 2)
    (3.0, 1.0, 65.43)
    """
    x = np.asarray(x, dtype=float)
    med = float(np.nanmedian(x))
    mad = float(np.nanmedian(np.abs(x - med)))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = _K * (x - med) / mad if mad > 0 else np.full_like(x, np.nan)
    return z, med, mad


def _rates(accepted: pd.DataFrame) -> pd.DataFrame:
    pairs = {k: e.denominator for k, e in elements().items() if e.denominator}
    wide = accepted.pivot_table(index=["commune_code", "period"], columns="element", values="value", aggfunc="first")
    rows = []
    for num, den in pairs.items():
        if num in wide and den in wide:
            r = (100 * wide[num] / wide[den].where(wide[den] > 0)).dropna()
            rows.append(r.rename("value").reset_index().assign(element=num))
    if not rows:
        return pd.DataFrame(columns=["commune_code", "period", "element", "value"])
    return pd.concat(rows, ignore_index=True)


def outliers(accepted: pd.DataFrame, cutoff: float = Z_CUTOFF) -> pd.DataFrame:
    """Flag rates implausible against district peers in the same period or the commune's own history.

    Rates are each element over its denominator element (``u5_stunted / u5_measured`` …).  A value is
    flagged when its modified z-score exceeds ``cutoff``; bounds are ``median ± cutoff·MAD/0.6745``.
    Flags never remove a row.

    Returns
    -------
    DataFrame
        ``commune_code, period, element, value, basis (district_peers | own_history), median, mad,
        modified_z, lower, upper``.

    Examples
    --------
    A commune's stunting rate far from its district's peers is flagged (and kept):

    >>> codes = admin_units.units(2024).query("district_code == '836'")["code"].tolist()[:8]
    >>> rows = [(c, "2024", e, v) for c, r in zip(codes, [20, 21, 19, 20, 22, 18, 20, 60])
    ...         for e, v in (("u5_measured", 100), ("u5_stunted", r))]
    >>> acc = pd.DataFrame(rows, columns=["commune_code", "period", "element", "value"])
    >>> o = outliers(acc)
    >>> o[["commune_code", "value", "basis"]].values.tolist() == [[codes[-1], 60.0, "district_peers"]]
    True
    """
    r = _rates(accepted)
    if r.empty:
        return pd.DataFrame(columns=["commune_code", "period", "element", "value", "basis", "median", "mad",
                                     "modified_z", "lower", "upper"])
    dist = {}
    for per in r["period"].unique():
        u = admin_units.units(per)
        dist.update({(c, per): d for c, d in zip(u["code"], u["district_code"])})
    r["district"] = [dist.get(k) for k in zip(r["commune_code"], r["period"])]
    r["kind"] = r["period"].str.endswith("H1")
    out = []
    for basis, keys in (("district_peers", ["element", "period", "district"]),
                        ("own_history", ["element", "commune_code", "kind"])):
        g = r.groupby(keys)["value"]
        med = g.transform("median")
        mad = (r["value"] - med).abs().groupby([r[k] for k in keys]).transform("median")
        with np.errstate(divide="ignore", invalid="ignore"):
            z = _K * (r["value"] - med) / mad.where(mad > 0)
        hit = z.abs() > cutoff
        out.append(pd.DataFrame({
            "commune_code": r.loc[hit, "commune_code"], "period": r.loc[hit, "period"],
            "element": r.loc[hit, "element"], "value": r.loc[hit, "value"].round(2), "basis": basis,
            "median": med[hit].round(2), "mad": mad[hit].round(3), "modified_z": z[hit].round(2),
            "lower": (med - cutoff * mad / _K)[hit].round(2), "upper": (med + cutoff * mad / _K)[hit].round(2)}))
    return pd.concat(out, ignore_index=True).sort_values(["period", "element", "commune_code"]).reset_index(drop=True)


def completeness(submission_dates: pd.DataFrame, period: object) -> pd.DataFrame:
    """Received, missing, on-time and late reports for a period, by district and for the province.

    Expected reports are the units in force at the period's reference date (the day before the
    deadline), so a unit merged away before then is not expected and its successor is; a report filed
    under the old code counts for the successor.  The earliest arrival of a unit's report counts.  A
    report is on time when it arrived strictly before the deadline (1 May for H1, 1 November for the
    year).  ``pct_received = 100 · received / expected``, ``pct_on_time = 100 · on_time / expected``.

    Parameters
    ----------
    submission_dates : DataFrame
        ``commune_code, period, submitted_on`` (ISO date; empty when never received).
    period : str or int

    Returns
    -------
    DataFrame
        ``level, code, name, expected, received, missing, on_time, late, pct_received, pct_on_time``,
        districts first, province last.

    Examples
    --------
    Two of the 157 communes of 2024 reported for 2024H1, one before the deadline (1 May), one after:

    >>> dates = pd.DataFrame({"commune_code": ["28756", "28759"], "period": "2024H1",
    ...                       "submitted_on": ["2024-04-20", "2024-05-03"]})
    >>> completeness(dates, "2024H1").iloc[-1][["expected", "received", "on_time", "late", "pct_received"]].astype(float).tolist()
    [157.0, 2.0, 1.0, 1.0, 1.3]
    """
    p = parse_period(period)
    u = report_status(submission_dates, p)
    u["received"] = u["status"] != "missing"
    u["on_time"] = u["status"] == "on_time"
    rows = []
    groups = list(u.groupby(["district_code", "district_name"])) if u["district_code"].notna().any() else []
    for (code, name), g in groups:
        rows.append(_counts("district", code, name, g))
    rows.append(_counts("province", u["province_code"].iloc[0], u["province_name"].iloc[0], u))
    return pd.DataFrame(rows)


def _counts(level, code, name, g: pd.DataFrame) -> dict:
    exp, rec, ont = len(g), int(g["received"].sum()), int(g["on_time"].sum())
    return {"level": level, "code": code, "name": name, "expected": exp, "received": rec, "missing": exp - rec,
            "on_time": ont, "late": rec - ont, "pct_received": round(100 * rec / exp, 1) if exp else np.nan,
            "pct_on_time": round(100 * ont / exp, 1) if exp else np.nan}


def successor_codes(codes, period: object) -> pd.Series:
    """The code in force for ``period`` of each code given: itself if in force, else the unit it was
    merged into (a report filed under a code merged away counts for its successor).

    A code that never existed, or exists only in a later list, maps to NaN.

    >>> successor_codes(["28771", "28777", "99999"], "2021").tolist()
    ['28777', '28777', nan]
    """
    key = admin_units.vintage_of(parse_period(period))
    lin = admin_units.lineage()
    mapping: dict[str, str] = {}
    older = [k for k, start in admin_units.VINTAGES.items() if start <= admin_units.VINTAGES[key]]
    for k in older:  # later vintages win: a code reused after a merger means its latest unit
        mapping.update(dict(zip(lin[f"code_{k}"], lin[f"code_{key}"])))
    return pd.Series(list(codes), dtype=object).map(mapping)


def report_status(submission_dates: pd.DataFrame, period: object) -> pd.DataFrame:
    """Every unit expected for ``period`` with ``submitted_on`` and ``status``.

    ``submitted_on`` is the earliest date a report for the period arrived from the unit, counting
    reports filed under a code that was merged into it (:func:`successor_codes`); ``status`` is
    ``on_time`` (strictly before the deadline), ``late`` or ``missing``.

    Examples
    --------
    >>> dates = pd.DataFrame({"commune_code": ["28756", "28759"], "period": "2024H1",
    ...                       "submitted_on": ["2024-04-20", "2024-05-03"]})
    >>> s = report_status(dates, "2024H1").set_index("code")
    >>> s.loc["28756", "status"], s.loc["28759", "status"], s.loc["28757", "status"]
    ('on_time', 'late', 'missing')
    """
    p = parse_period(period)
    sd = submission_dates[submission_dates["period"].astype(str) == str(p)]
    sd = sd[sd["submitted_on"].notna() & (sd["submitted_on"].astype(str).str.strip() != "")]  # empty: never received
    when = pd.to_datetime(sd["submitted_on"].astype(str).str.strip(), format="%Y-%m-%d", errors="coerce")
    if when.isna().any():
        bad = sd.loc[when.isna(), ["commune_code", "submitted_on"]].head(3).to_dict("records")
        raise SubmissionError(f"column submitted_on: not an ISO date (YYYY-MM-DD) for period {p}: {bad}")
    sd = pd.DataFrame({"code": successor_codes(sd["commune_code"].astype(str), p).to_numpy(),
                       "when": when.dt.date.to_numpy()})
    first = sd.dropna(subset=["code"]).groupby("code")["when"].min()
    u = admin_units.units(p)
    u["submitted_on"] = u["code"].map(first).map(lambda d: d.isoformat() if isinstance(d, dt.date) else None)
    day = u["code"].map(first)
    u["status"] = ["missing" if not isinstance(w, dt.date) else "on_time" if w < p.deadline else "late" for w in day]
    return u


def missing_and_late(submission_dates: pd.DataFrame, period: object) -> pd.DataFrame:
    """The units whose report for ``period`` is missing or late (``code, name, district_name, status, submitted_on``).

    Examples
    --------
    >>> dates = pd.DataFrame({"commune_code": ["28756", "28759"], "period": "2024H1",
    ...                       "submitted_on": ["2024-04-20", "2024-05-03"]})
    >>> m = missing_and_late(dates, "2024H1")
    >>> len(m), m.set_index("code").loc["28759", "status"]
    (156, 'late')
    """
    u = report_status(submission_dates, period)
    return u.loc[u["status"] != "on_time", ["code", "name", "district_name", "status", "submitted_on"]].reset_index(drop=True)
