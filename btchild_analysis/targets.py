"""Where each indicator stands against the plan's 2015 and 2020 targets.

One method per indicator gives the projection, the status and the year reached, so that they cannot
disagree (see ``docs/methods.md``):

* indicators with a multiplicative trend (``aarr: true``, the malnutrition rates): the average annual
  rate of reduction (AARR) from a log-linear regression on all points of the segment when there are
  more than two (UNICEF's method), else the two-point formula; the projection carries the latest value
  forward at that rate, ``p(Y) = p_last · (1 − AARR)^(Y − t_last)``;
* every other indicator: the Theil–Sen line of the segment, ``p(Y) = intercept + slope · Y``.

Projections are held inside the indicator's range (0–100 for a percentage).

Status per target year:

``achieved``       the target year is reported and its value meets the target (strict ``<``/``>``
                   kept exactly: 12.5% does not meet "dưới 12,5%");
``not_achieved``   the target year is reported and its value misses the target;
``on_track``       the target year is not reported yet, and the projection to it meets the target
                   (for an AARR indicator this is the same as observed AARR ≥ required AARR);
``off_track``      not reported yet and the projection misses it;
``no_data``        fewer than two annual values in the target year's segment to project from.

``year_reached`` is the first year (from the latest reported one) in which the projection meets the
target: on or before the target year exactly when the status is ``on_track``.

Series breaks (``breaks`` in ``indicators.yaml``) cut a series into segments; only values in the
segment of the target year are used, and ``break_in_series`` says when earlier values were left out.
The baseline is the first annual value of that segment (its year is given): the plan names none.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import Indicator, Target, indicator, plan_indicators
from .i18n import in_lang
from .trends import annual, segment_ids, segment_label, segment_start, theil_sen

STATUS_LABELS = {
    "achieved": ("Đạt", "Achieved"), "not_achieved": ("Không đạt", "Not achieved"),
    "on_track": ("Đúng hướng", "On track"), "off_track": ("Chậm tiến độ", "Off track"),
    "no_data": ("Không đủ dữ liệu", "No data"),
}

#: How far past the latest value ``year_reached`` looks (years).
HORIZON = 50

COVERAGE_COLUMNS = ["communes_reporting", "communes_expected", "coverage", "low_coverage"]


def aarr(p0: float, pt: float, years: float) -> float:
    """Average annual rate of reduction between two values: ``1 − (p_t / p_0)^(1 / years)``.

    NaN when either value is zero or negative or ``years`` is not positive.

    >>> round(aarr(25.0, 20.0, 5), 4)
    0.0436
    """
    if p0 <= 0 or pt <= 0 or years <= 0:
        return float("nan")
    return 1 - (pt / p0) ** (1 / years)


def aarr_loglinear(years, values) -> float:
    """AARR from the least-squares line of ``ln(value)`` on year: ``1 − exp(b)`` (UNICEF's method).

    NaN when a value is zero or negative or there are fewer than two distinct years.

    >>> round(aarr_loglinear([2010, 2011, 2012], [20.0, 18.0, 16.2]), 6)
    0.1
    """
    t = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    if len(np.unique(t)) < 2 or (v <= 0).any():
        return float("nan")
    b = np.polyfit(t, np.log(v), 1)[0]
    return float(1 - np.exp(b))


def required_aarr(pt: float, target: float, years: float) -> float:
    """The AARR needed to go from the latest value ``pt`` to ``target`` in ``years`` years.

    Examples
    --------
    Halving a rate in five years needs a fall of 1 − 0.5^(1/5) ≈ 12.9% a year:

    >>> round(required_aarr(20.0, 10.0, 5), 4)
    0.1294
    """
    return aarr(pt, target, years)


@dataclass(frozen=True)
class Trend:
    """The one trend an indicator's status rests on.

    ``method`` is ``theil_sen``, ``aarr_loglinear`` or ``aarr_two_point``.  For Theil–Sen
    ``p(Y) = intercept + slope·Y``; for AARR ``p(Y) = anchor_value · (1 − rate)^(Y − anchor_year)``.
    ``bounds`` hold every projection inside the indicator's range.

    Examples
    --------
    >>> Trend("theil_sen", slope=-1.0, intercept=2040.0).at(2020)
    20.0
    """

    method: str
    slope: float = float("nan")
    intercept: float = float("nan")
    rate: float = float("nan")
    anchor_year: int = 0
    anchor_value: float = float("nan")
    bounds: tuple[float | None, float | None] = (None, None)

    def at(self, year: float) -> float:
        """The projected value in ``year``, inside the bounds.

        Examples
        --------
        >>> Trend("theil_sen", slope=-1.0, intercept=2040.0, bounds=(0.0, 100.0)).at(2050)  # not below 0
        0.0
        >>> round(Trend("aarr_two_point", rate=0.1, anchor_year=2020, anchor_value=20.0).at(2022), 6)  # 20 × 0.9²
        16.2
        """
        if self.method == "theil_sen":
            p = self.intercept + self.slope * year
        else:
            p = self.anchor_value * (1 - self.rate) ** (year - self.anchor_year)
        lo, hi = self.bounds
        return float(np.clip(p, -np.inf if lo is None else lo, np.inf if hi is None else hi))


def fit_trend(years, values, ind: Indicator) -> Trend:
    """The trend of one segment (at least two values) by the indicator's method.

    AARR indicators use the log-linear AARR when there are more than two points, the two-point AARR
    with exactly two; a series with a zero or negative value falls back to Theil–Sen (no logarithm).

    Examples
    --------
    >>> from btchild_analysis.catalog import indicator
    >>> t = fit_trend([2018, 2020], [20.0, 16.2], indicator("stunting_u5"))  # 16.2 = 20 × 0.9²
    >>> t.method, round(float(t.rate), 6)
    ('aarr_two_point', 0.1)
    >>> fit_trend([2012, 2013, 2014], [40.0, 45.0, 50.0], indicator("play_area_standard")).slope
    5.0
    """
    t = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    if ind.aarr and (v > 0).all():
        rate = aarr_loglinear(t, v) if len(t) > 2 else aarr(v[0], v[-1], t[-1] - t[0])
        return Trend("aarr_loglinear" if len(t) > 2 else "aarr_two_point", rate=rate,
                     anchor_year=int(t[-1]), anchor_value=float(v[-1]), bounds=ind.bounds)
    slope, intercept, _, _ = theil_sen(t, v)
    return Trend("theil_sen", slope=slope, intercept=intercept, anchor_year=int(t[-1]),
                 anchor_value=float(v[-1]), bounds=ind.bounds)


def year_reached(trend: Trend, target: Target, since: int, target_year: int,
                 horizon: int = HORIZON) -> int | None:
    """First whole year from ``since`` in which the projection meets ``target`` (None if never).

    When the projection meets the target in ``target_year`` the answer is the first year up to it;
    otherwise the first year after it (so a year on or before the target year always means on track).

    Examples
    --------
    A projection of 2040 − Y meets "< 22.5" from 2018 (22 < 22.5):

    >>> from btchild_analysis.catalog import Target
    >>> year_reached(Trend("theil_sen", slope=-1.0, intercept=2040.0), Target(2020, "<", 22.5), 2015, 2020)
    2018
    """
    if target.met(trend.at(target_year)):
        return next(y for y in range(since, target_year + 1) if target.met(trend.at(y)))
    return next((y for y in range(target_year + 1, since + horizon + 1) if target.met(trend.at(y))), None)


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
        aarr_required, year_reached, status`` and ``method`` (``observed``, ``theil_sen``,
        ``aarr_loglinear``, ``aarr_two_point`` or ``none``), ``n_points`` (values the status rests
        on), ``segment`` (span of the target year's segment, ``"all"`` without breaks),
        ``segment_start``, ``break_in_series`` (values before a break were left out), ``note`` /
        ``note_vi`` (why, in English and Vietnamese), and the
        coverage of the value the status rests on: ``communes_reporting, communes_expected, coverage,
        low_coverage`` (empty when the input has no coverage columns).

    Examples
    --------
    A share of communes with a standard play area rising 5 points a year (targets ≥ 50 in 2015, ≥ 55 in 2020):

    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014"], "value": [40.0, 45.0, 50.0]})
    >>> status_table(v)[["target_year", "projection", "status"]].values.tolist()
    [[2015, 55.0, 'on_track'], [2020, 80.0, 'on_track']]
    """
    a = annual(values).dropna(subset=["value"])
    a = a[a["indicator"].isin(which or plan_indicators())]
    keys = ["level", "unit_code", "unit_name", "indicator"]
    # one pass over arrays, not a DataFrame per series (issue 16): rows in the groups' order (keys
    # sorted), each series by year (stable, as the former per-group sort of a few rows)
    group = a.groupby(keys, sort=True).ngroup().to_numpy()
    order = np.lexsort((a["year"].to_numpy(), group))
    order = order[group[order] >= 0]  # keys with a missing part make no series (as groupby)
    years, vals = a["year"].to_numpy()[order], a["value"].to_numpy(float)[order]
    cov = {c: a[c].iloc[order] for c in COVERAGE_COLUMNS if c in a}  # those the table has
    starts = np.flatnonzero(np.diff(group[order], prepend=-1))
    first = a[keys].iloc[order[starts]].itertuples(index=False, name=None)
    rows = []
    for lo, hi, (level, code, name, ind_id) in zip(starts, [*starts[1:], len(order)], first):
        ind = indicator(ind_id)
        for tgt in ind.targets:
            res = _one_target(years[lo:hi], vals[lo:hi], tgt, ind)
            rows.append({"level": level, "unit_code": code, "unit_name": name, "indicator": ind_id,
                         **res, **_coverage(cov, years, lo, hi, res.get("_cov_year"))})
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS + ["_cov_year"]).drop(columns="_cov_year")
    out["segment_start"] = out["segment_start"].astype("Int64")
    return out


STATUS_COLUMNS = ["level", "unit_code", "unit_name", "indicator", "baseline_year", "baseline_value",
                  "latest_year", "latest_value", "target_year", "op", "target", "value_at_target_year",
                  "projection", "slope", "aarr_observed", "aarr_required", "year_reached", "status",
                  "method", "n_points", "segment", "segment_start", "break_in_series", "note", "note_vi",
                  *COVERAGE_COLUMNS]


def _coverage(cov: dict[str, pd.Series], years: np.ndarray, lo: int, hi: int, year) -> dict:
    """Coverage of the series ``years[lo:hi]`` in ``year``: the first row of that year in ``cov``'s
    columns (taken in the same order as ``years``); NaN when there is none or the table carries none."""
    out = {c: np.nan for c in COVERAGE_COLUMNS}
    if year is None or not cov:
        return out
    hit = np.flatnonzero(years[lo:hi] == year)
    if len(hit):
        out.update({c: col.iloc[lo + hit[0]] for c, col in cov.items()})
    return out


def _one_target(years: np.ndarray, vals: np.ndarray, tgt: Target, ind: Indicator) -> dict:
    """Status of one series against one target (pure function)."""
    seg = segment_ids(years, ind.break_years)
    seg_t = segment_ids([tgt.year], ind.break_years)[0]
    first = segment_start(tgt.year, ind.break_years)
    in_seg = seg == seg_t
    y, v = years[in_seg], vals[in_seg]
    out = {"baseline_year": np.nan, "baseline_value": np.nan, "latest_year": int(years[-1]),
           "latest_value": vals[-1], "target_year": tgt.year, "op": tgt.op, "target": tgt.value,
           "value_at_target_year": np.nan, "projection": np.nan, "slope": np.nan, "aarr_observed": np.nan,
           "aarr_required": np.nan, "year_reached": None, "method": "none", "n_points": 0,
           "segment": segment_label(first, ind.break_years), "segment_start": first,
           "break_in_series": bool((seg < seg_t).any()), "note": "", "note_vi": "", "_cov_year": None}
    if out["break_in_series"]:
        out["note"] = f"values before {first} not comparable (break in series: {_reason(ind, first, 'en')})"
        out["note_vi"] = f"số liệu trước năm {first} không so sánh được (chuỗi bị gián đoạn: {_reason(ind, first, 'vi')})"
    if len(y):
        out["baseline_year"], out["baseline_value"] = int(y[0]), v[0]
    at = v[y == tgt.year]
    if len(at):
        out.update(value_at_target_year=at[0], method="observed", n_points=1, _cov_year=tgt.year,
                   status="achieved" if tgt.met(at[0]) else "not_achieved")
        return out
    past = y < tgt.year
    y, v = y[past], v[past]
    out["n_points"] = len(y)
    if len(y) < 2:
        out["status"] = "no_data"
        out["note"] = "; ".join(filter(None, [out["note"], f"{len(y)} value(s) in segment {out['segment']} before {tgt.year}"]))
        out["note_vi"] = "; ".join(filter(None, [out["note_vi"], f"{len(y)} giá trị trong đoạn {out['segment']} trước năm {tgt.year}"]))
        return out
    trend = fit_trend(y, v, ind)
    out.update(method=trend.method, projection=trend.at(tgt.year), slope=trend.slope, _cov_year=int(y[-1]))
    if ind.aarr:
        out["aarr_observed"] = trend.rate
        out["aarr_required"] = required_aarr(v[-1], tgt.value, tgt.year - y[-1])
    out["year_reached"] = year_reached(trend, tgt, int(y[-1]), tgt.year)
    out["status"] = "on_track" if tgt.met(out["projection"]) else "off_track"
    return out


def _reason(ind: Indicator, year, lang: str = "en") -> str:
    return next((b.reason(lang) for b in ind.breaks if b.year == year), str(year))


def scorecard(values: pd.DataFrame, year: int, lang: str = "vi") -> pd.DataFrame:
    """The twelve targets at province level for a report year: value, targets and statuses.

    Columns ``indicator, label, unit, value, base_mark``, then per target year ``target_<year>`` and
    ``status_<year>``, and ``low_coverage`` (the report year's value rests on too few communes).

    Examples
    --------
    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre", "base_mark": "",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014"], "value": [40.0, 45.0, 50.0]})
    >>> row = scorecard(v, 2014, "en").set_index("indicator").loc["play_area_standard"]
    >>> float(row["value"]), row["target_2020"], row["status_2020"]
    (50.0, '>= 55', 'On track')
    """
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
            row[f"status_{tgt.year}"] = in_lang(STATUS_LABELS[code], lang)
        row["low_coverage"] = bool(latest["low_coverage"].get(ind_id, False) == True) if "low_coverage" in latest else False  # noqa: E712
        rows.append(row)
    return pd.DataFrame(rows)
