"""Indicators from data elements: ratios of sums with Wilson intervals, up the hierarchy.

A district or province value is the sum of the numerators over the sum of the denominators of the
communes below it (never a mean of rates), using only communes that reported both.  A yes/no element
becomes the share of communes answering 1 among those reporting it.  Series across the 2020 and 2024
mergers can be re-expressed on one vintage through the register's crosswalk, summing the elements of
merged communes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from . import register
from .registry import COMMUNES, elements, indicator, indicators

LEVELS = ("commune", "district", "province")
Z95 = float(norm.ppf(0.975))
OUTPUT_COLUMNS = ["level", "unit_code", "unit_name", "period", "indicator", "numerator", "denominator",
                  "value", "ci_low", "ci_high", "base_mark"]


def wilson_interval(x, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for the proportion ``x / n`` (arrays; NaN where ``n`` is 0).

    Exact at the edges: at ``x = 0`` the lower bound is 0, at ``x = n`` the upper bound is 1, where
    the Wald interval collapses to a point.

    >>> lo, hi = wilson_interval(81, 263)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.2553, 0.3662)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2 = z * z
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * np.sqrt(np.clip(p * (1 - p), 0, None) / n + z2 / (4 * n * n)) / denom
        lo = np.where(x <= 0, 0.0, np.clip(centre - half, 0, 1))
        hi = np.where(x >= n, 1.0, np.clip(centre + half, 0, 1))
    bad = ~(n > 0)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def base_mark(n) -> np.ndarray:
    """MICS small-base marks: ``"(*)"`` under 25 cases, ``"( )"`` for 25–49, else ``""``.

    >>> base_mark([10, 25, 49, 50]).tolist()
    ['(*)', '( )', '( )', '']
    """
    n = np.asarray(n, dtype=float)
    return np.where(n < 25, "(*)", np.where(n < 50, "( )", ""))


def element_table(data: pd.DataFrame, vintage: object | None = None) -> pd.DataFrame:
    """Elements wide, one row per commune and period, re-expressed on ``vintage`` if given.

    Yes/no elements get a companion column ``<id>__n`` (communes reporting), so that every column is
    additive and a merged unit's yes/no value is the number of its communes answering 1.
    """
    reg = elements()
    d = data[["commune_code", "period", "element", "value"]]
    if vintage is not None:
        d = _to_vintage(d, vintage)
    wide = d.pivot_table(index=["commune_code", "period"], columns="element", values="value",
                         aggfunc="sum", observed=True, sort=True)
    wide.columns = wide.columns.astype(str)
    yn = [e for e in wide.columns if e in reg and reg[e].kind == "yes_no"]
    if yn:
        counts = d[d["element"].isin(yn)].pivot_table(index=["commune_code", "period"], columns="element",
                                                       values="value", aggfunc="count", observed=True)
        counts.columns = [f"{c}__n" for c in counts.columns.astype(str)]
        wide = wide.join(counts)
    return wide


def _to_vintage(d: pd.DataFrame, vintage: object) -> pd.DataFrame:
    target = register.vintage_key(vintage)
    source = d["period"].map({p: register.vintage_of(p) for p in d["period"].unique()})
    out = []
    for key, part in d.groupby(source.to_numpy(), sort=False):  # one crosswalk per source vintage
        mapped = register.code_to_vintage(part["commune_code"], register.VINTAGES[key], target)
        out.append(part.assign(commune_code=mapped.to_numpy()))
    res = pd.concat(out, ignore_index=True)
    return res[res["commune_code"].notna()]


def _pairs(wide: pd.DataFrame, ind) -> tuple[pd.Series, pd.Series] | None:
    num_col = ind.numerator
    den_col = f"{ind.numerator}__n" if ind.denominator == COMMUNES else ind.denominator
    if num_col not in wide or den_col not in wide:
        return None
    num, den = wide[num_col], wide[den_col]
    both = num.notna() & den.notna()
    return num.where(both), den.where(both)


def _units_lookup(periods, vintage) -> pd.DataFrame:
    rows = []
    for per in periods:
        u = register.units(vintage if vintage is not None else per)
        rows.append(u[["code", "name", "district_code", "district_name", "province_code", "province_name"]]
                    .assign(period=per))
    return pd.concat(rows, ignore_index=True).rename(columns={"code": "commune_code"})


def compute(data: pd.DataFrame, level: str = "province", vintage: object | None = None,
            which: list[str] | None = None, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compute indicators at one level.

    Parameters
    ----------
    data : DataFrame
        Accepted long rows ``commune_code, period, element, value`` (e.g. ``LoadResult.accepted``,
        plus :func:`btchild_analysis.standard.as_elements` for ``child_friendly_commune``).
    level : {"commune", "district", "province"}
    vintage : optional
        Re-express every period on this vintage (``"2020"``, ``2025`` …) through the crosswalk;
        default: each period on the units in force at its reference date.
    which : list of str, optional
        Indicator ids (default: all in the registry).
    units : DataFrame, optional
        The hierarchy to use for every period instead of the Bến Tre register: ``commune_code, name,
        district_code, district_name, province_code, province_name`` (e.g. a national list).

    Returns
    -------
    DataFrame
        :data:`OUTPUT_COLUMNS`; ``value`` in the indicator's unit (``factor × numerator / denominator``),
        ``ci_low``/``ci_high`` its 95% Wilson interval, ``base_mark`` the MICS small-base mark.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    return _compute(_prepared(data, vintage, units), level, which)


def _prepared(data: pd.DataFrame, vintage, units) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wide element table and, aligned with it, each row's place in the hierarchy."""
    wide = element_table(data, vintage)
    idx = wide.index.to_frame(index=False)
    if units is None:
        idx = idx.merge(_units_lookup(idx["period"].unique(), vintage), on=["commune_code", "period"], how="left")
    else:
        idx = idx.merge(units, on="commune_code", how="left")
    return wide, idx


def _compute(prepared: tuple[pd.DataFrame, pd.DataFrame], level: str, which) -> pd.DataFrame:
    wide, idx = prepared
    key, name = {"commune": ("commune_code", "name"), "district": ("district_code", "district_name"),
                 "province": ("province_code", "province_name")}[level]
    if idx[key].isna().all():
        raise ValueError(f"no {level} level for these units (districts were abolished on 2025-07-01)")
    codes, names, periods = idx[key].to_numpy(), idx[name].to_numpy(), idx["period"].to_numpy()
    frames = []
    for ind_id in which or list(indicators()):
        ind = indicator(ind_id)
        pair = _pairs(wide, ind)
        if pair is None:
            continue
        num, den = pair
        g = pd.DataFrame({"unit_code": codes, "unit_name": names, "period": periods,
                          "numerator": num.to_numpy(), "denominator": den.to_numpy()})
        g = g[g["denominator"].notna() & g["unit_code"].notna()]
        if level == "commune":
            agg = g.sort_values(["unit_code", "period"], kind="stable").reset_index(drop=True)
        else:
            agg = g.groupby(["unit_code", "unit_name", "period"], as_index=False, sort=True)[["numerator", "denominator"]].sum()
        agg.insert(3, "indicator", ind.id)
        frames.append(_finish(agg, ind.factor))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=OUTPUT_COLUMNS[1:])
    out.insert(0, "level", level)
    return out[OUTPUT_COLUMNS]


def _finish(agg: pd.DataFrame, factor: float) -> pd.DataFrame:
    x, n = agg["numerator"].to_numpy(float), agg["denominator"].to_numpy(float)
    lo, hi = wilson_interval(np.minimum(x, n), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        agg["value"] = np.where(n > 0, factor * x / n, np.nan)
    agg["ci_low"], agg["ci_high"] = factor * lo, factor * hi
    agg["base_mark"] = base_mark(n)
    return agg


def compute_all(data: pd.DataFrame, vintage: object | None = None, which: list[str] | None = None,
                units: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`compute` at the three levels from one pass over the data (no district level from 2025-07-01)."""
    prepared = _prepared(data, vintage, units)
    out = []
    for level in LEVELS:
        try:
            out.append(_compute(prepared, level, which))
        except ValueError:
            continue
    return pd.concat(out, ignore_index=True)
