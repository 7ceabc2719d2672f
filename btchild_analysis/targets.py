"""Where each indicator stands against the plan's 2015 and 2020 targets.

Status per target year:

``achieved``       the target year is reported and its value meets the target (strict ``<``/``>``
                   kept exactly: 12.5% does not meet "dưới 12,5%");
``not_achieved``   the target year is reported and its value misses the target;
``on_track``       the target year is not reported yet, and the trend projected to it meets the target
                   (for the malnutrition rates: the observed AARR is at least the AARR required);
``off_track``      not reported yet and the projection misses it;
``no_data``        fewer than two annual values to judge from.

The baseline is the first annual value reported (its year is given): the plan names none.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .registry import Target, indicator, plan_indicators
from .trends import annual, theil_sen

STATUS_LABELS = {
    "achieved": ("Đạt", "Achieved"), "not_achieved": ("Không đạt", "Not achieved"),
    "on_track": ("Đúng hướng", "On track"), "off_track": ("Chậm tiến độ", "Off track"),
    "no_data": ("Không đủ dữ liệu", "No data"),
}


def aarr(p0: float, pt: float, years: float) -> float:
    """Average annual rate of reduction: ``1 − (p_t / p_0)^(1 / years)``.

    >>> round(aarr(25.0, 20.0, 5), 4)
    0.0436
    """
    if p0 <= 0 or pt <= 0 or years <= 0:
        return float("nan")
    return 1 - (pt / p0) ** (1 / years)


def required_aarr(pt: float, target: float, years: float) -> float:
    """The AARR needed to go from ``pt`` to ``target`` in ``years`` years."""
    return aarr(pt, target, years)


def year_reached(slope: float, intercept: float, target: Target, direction: str, after: int) -> float | None:
    """First whole year (from ``after``) in which the Theil–Sen line meets the target, or None."""
    if not np.isfinite(slope) or (direction == "lower" and slope >= 0) or (direction == "higher" and slope <= 0):
        return None
    for year in range(after, after + 51):
        if target.met(intercept + slope * year):
            return year
    return None


def status_table(values: pd.DataFrame, which: list[str] | None = None) -> pd.DataFrame:
    """Target status for every unit and plan indicator in an indicator table.

    Parameters
    ----------
    values : DataFrame
        Output of :func:`btchild_analysis.indicators.compute` (any level).
    which : list of str, optional
        Indicator ids (default: the twelve with a plan target).

    Returns
    -------
    DataFrame
        ``level, unit_code, unit_name, indicator, baseline_year, baseline_value, latest_year,
        latest_value, target_year, op, target, value_at_target_year, projection, slope, aarr_observed,
        aarr_required, year_reached, status``.
    """
    a = annual(values).dropna(subset=["value"])
    rows = []
    wanted = which or plan_indicators()
    for (level, code, name, ind_id), g in a[a["indicator"].isin(wanted)].groupby(
            ["level", "unit_code", "unit_name", "indicator"], sort=True):
        ind = indicator(ind_id)
        g = g.sort_values("year")
        for tgt in ind.targets:
            rows.append({"level": level, "unit_code": code, "unit_name": name, "indicator": ind_id,
                         **_one_target(g["year"].to_numpy(), g["value"].to_numpy(float), tgt, ind)})
    return pd.DataFrame(rows)


def _one_target(years: np.ndarray, vals: np.ndarray, tgt: Target, ind) -> dict:
    """Status of one series against one target (pure function)."""
    out = {"baseline_year": int(years[0]), "baseline_value": vals[0], "latest_year": int(years[-1]),
           "latest_value": vals[-1], "target_year": tgt.year, "op": tgt.op, "target": tgt.value,
           "value_at_target_year": np.nan, "projection": np.nan, "slope": np.nan, "aarr_observed": np.nan,
           "aarr_required": np.nan, "year_reached": None}
    at = vals[years == tgt.year]
    if len(at):
        out["value_at_target_year"] = at[0]
        out["status"] = "achieved" if tgt.met(at[0]) else "not_achieved"
        return out
    past = years < tgt.year
    y, v = years[past], vals[past]
    if len(y) < 2:
        out["status"] = "no_data"
        return out
    slope, intercept, _, _ = theil_sen(y, v) if len(np.unique(v)) > 1 else (0.0, float(v[-1]), 0.0, 0.0)
    out["slope"] = slope
    out["projection"] = intercept + slope * tgt.year
    out["year_reached"] = int(y[-1]) if tgt.met(v[-1]) else year_reached(slope, intercept, tgt, ind.direction, int(y[-1]) + 1)
    on_track = tgt.met(out["projection"])
    if ind.aarr and v[-1] > 0:
        out["aarr_observed"] = aarr(v[0], v[-1], y[-1] - y[0])
        out["aarr_required"] = required_aarr(v[-1], tgt.value, tgt.year - y[-1])
        on_track = tgt.met(v[-1]) or out["aarr_observed"] >= out["aarr_required"]
    out["status"] = "on_track" if on_track else "off_track"
    return out


def scorecard(values: pd.DataFrame, year: int, lang: str = "vi") -> pd.DataFrame:
    """The twelve targets at province level for a report year: value, targets and statuses."""
    upto = annual(values[values["level"] == "province"])
    upto = upto[upto["year"] <= year]
    st = status_table(upto)
    latest = upto[upto["year"] == year].set_index("indicator")
    rows = []
    for ind_id in plan_indicators():
        ind = indicator(ind_id)
        row = {"indicator": ind_id, "label": ind.label(lang), "unit": ind.unit_label(lang),
               "value": latest["value"].get(ind_id, np.nan), "base_mark": latest["base_mark"].get(ind_id, "")}
        for tgt in ind.targets:
            s = st[(st["indicator"] == ind_id) & (st["target_year"] == tgt.year)]
            code = s["status"].iloc[0] if len(s) else "no_data"
            row[f"target_{tgt.year}"] = f"{tgt.op} {tgt.value:g}"
            row[f"status_{tgt.year}"] = STATUS_LABELS[code][0 if lang == "vi" else 1]
        rows.append(row)
    return pd.DataFrame(rows)
