"""The plan scorecard: each of the twelve indicators against each of its targets, as an official reads it.

One row per indicator and target year: the target (``≤ 20 (năm 2020)``), the value *in the target year*
(with its year, or the projection when the year is not reported yet), the latest value (with its
year), the verdict, a small sparkline of the annual values and the year the target was or will be
reached (or why there is no projection).  Statuses, projections and the year reached come from
:func:`btchild_analysis.targets.status_table`; nothing here re-decides them.

The table holds display text in the page's language; three hidden columns carry the codes
(``_indicator``, ``_target_year``, ``_status``).  :func:`scorecard_styler` colours the verdicts from
``_status`` (never from the label) and hides them; :func:`scorecard_download` drops them for a CSV.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import fmt
from ._resources import load_yaml
from .periods import parse_period
from .catalog import Target, indicator, plan_indicators
from .i18n import in_lang
from .targets import HORIZON, STATUS_LABELS, status_table
from .trends import segment_ids, segment_start

#: Eight levels of a text sparkline, lowest first.
SPARK = "▁▂▃▄▅▆▇█"
#: Written between two years on either side of a series break, and for a year without a value.
BREAK, GAP = "¦", "·"
#: Background of the verdict cell by status code (light tints; text stays black).
STATUS_COLOURS = {"achieved": "#c7e9c0", "not_achieved": "#fcbba1", "on_track": "#deebf7",
                  "off_track": "#fdd0a2", "no_data": "#eeeeee"}
HIDDEN = ("_indicator", "_target_year", "_status")
_COLUMNS = ("indicator", "unit", "target", "value_target_year", "latest", "verdict", "trend", "reached")


def _t(key: str, lang: str, **fields) -> str:
    return in_lang(load_yaml("messages.yaml")["scorecard"][key], lang).format(**fields)


def headers(lang: str = "vi") -> dict[str, str]:
    """The scorecard's column headings in ``lang`` (key → heading).

    >>> headers("vi")["value_target_year"], headers("en")["reached"]
    ('Giá trị năm mục tiêu', 'Year target reached')
    """
    return {k: _t(k, lang) for k in _COLUMNS}


def sparkline(years: Sequence[int], values: Sequence[float], breaks: Iterable[int] = ()) -> str:
    """A text sparkline of annual values: one block per year from the first to the last.

    Heights are scaled between the series' lowest and highest values; a year without a value is
    ``·``; ``¦`` stands between the years on either side of a series break.  Empty without values.

    >>> sparkline([2012, 2013, 2014], [0.0, 50.0, 100.0])
    '▁▅█'
    >>> sparkline([2017, 2018, 2020], [4.0, 4.0, 4.0], breaks=[2019])
    '▄▄¦·▄'
    >>> sparkline([], [])
    ''
    """
    pairs = {int(y): float(v) for y, v in zip(years, values) if not fmt.is_missing(v) and np.isfinite(float(v))}
    if not pairs:
        return ""
    lo, hi = min(pairs.values()), max(pairs.values())
    breaks = set(int(b) for b in breaks)
    first, last = min(pairs), max(pairs)
    out = []
    for y in range(first, last + 1):
        if y in breaks and y > first:
            out.append(BREAK)
        if y not in pairs:
            out.append(GAP)
        elif hi == lo:
            out.append(SPARK[3])
        else:
            out.append(SPARK[int((pairs[y] - lo) / (hi - lo) * (len(SPARK) - 1) + 0.5)])
    return "".join(out)


def _same_segment(years: np.ndarray, target_year: int, breaks: tuple[int, ...]) -> np.ndarray:
    return segment_ids(years, breaks) == segment_ids([target_year], breaks)[0]


def reached_text(status: str, target: Target, years: Sequence[int], values: Sequence[float],
                 year_reached: object = None, n_points: int = 0, breaks: tuple[int, ...] = (),
                 lang: str = "vi") -> str:
    """The "year target reached" cell, filled or explained.

    * ``achieved``: the first year of the run of years, ending with the target year, whose values
      met the target (``"đã đạt từ năm 2018"``);
    * ``not_achieved``: the first later year of the same series segment that met it (``"đạt muộn,
      năm 2022"``), else ``"chưa đạt đến năm <last year of the segment>"``;
    * ``on_track`` / ``off_track``: the projected year from the status table, or that the trend does
      not reach the target within :data:`targets.HORIZON` years;
    * ``no_data``: no projection, and why (``"chỉ có 1 năm số liệu"``).

    Examples
    --------
    >>> t = Target(2020, "<=", 20.0)
    >>> reached_text("achieved", t, [2017, 2018, 2019, 2020], [21.0, 19.5, 19.0, 18.0], lang="vi")
    'đã đạt từ năm 2018'
    >>> reached_text("not_achieved", t, [2020, 2021, 2022], [21.0, 20.5, 19.9], lang="en")
    'met late, in 2022'
    >>> reached_text("no_data", t, [2019], [25.0], n_points=1, lang="vi")
    'không dự báo: chỉ có 1 năm số liệu'
    >>> reached_text("no_data", t, [2017, 2018], [25.0, 24.0], breaks=(2019,), lang="en")
    'no projection: no data since 2019 (earlier values not comparable)'
    """
    y = np.asarray(years, dtype=int)
    v = np.asarray(values, dtype=float)
    keep = _same_segment(y, target.year, breaks) & np.isfinite(v) if len(y) else np.zeros(0, bool)
    y, v = y[keep], v[keep]
    order = np.argsort(y)
    y, v = y[order], v[order]
    if status == "achieved":
        since = target.year
        for yy, vv in zip(y[::-1], v[::-1]):
            if yy > target.year:
                continue
            if not target.met(vv):
                break
            since = int(yy)
        return _t("reached_since", lang, year=since)
    if status == "not_achieved":
        later = [int(yy) for yy, vv in zip(y, v) if yy > target.year and target.met(vv)]
        if later:
            return _t("reached_later", lang, year=later[0])
        return _t("not_reached", lang, year=int(y.max()) if len(y) else target.year)
    if status in ("on_track", "off_track"):
        if fmt.is_missing(year_reached):
            return _t("projected_never", lang, n=HORIZON)
        return _t("projected", lang, year=int(year_reached))
    n = int(n_points) if not fmt.is_missing(n_points) else 0
    if n:
        return _t("no_projection", lang, n=n)
    start = segment_start(target.year, breaks)
    all_years = np.asarray(years, dtype=int)
    if start is not None and (all_years < start).any():
        return _t("no_projection_break", lang, year=start)
    return _t("no_projection_none", lang)


def last_year(period: object) -> int:
    """The last year the scorecard uses: the period's year, or the year before for a six-monthly report.

    >>> last_year("2024H1"), last_year(2024)
    (2023, 2024)
    """
    p = parse_period(period)
    return p.year if p.kind == "A" else p.year - 1


def _annual(values: pd.DataFrame, unit_code: str | None, upto: int) -> pd.DataFrame:
    if values is None or values.empty:
        return pd.DataFrame(columns=["level", "unit_code", "unit_name", "period", "indicator", "value", "year"])
    per = values["period"].astype(str)
    v = values[per.str.fullmatch(r"\d{4}")]
    v = v[v["level"] == "province"] if unit_code is None else \
        v[(v["level"] != "commune") & (v["unit_code"].astype(str) == str(unit_code))]
    v = v.assign(year=v["period"].astype(str).astype(int))
    return v[v["year"] <= upto]


def plan_scorecard(values: pd.DataFrame, period: object, lang: str = "vi", unit_code: str | None = None,
                   target_years: Iterable[int] | None = None) -> pd.DataFrame:
    """The plan scorecard of one area for a report period.

    Parameters
    ----------
    values : DataFrame
        :func:`btchild_analysis.indicators.compute_all` (or ``compute``) output.
    period : str or int
        The report's period; annual values up to its year are used (up to the year before for a
        six-monthly report, whose annual figures are the latest complete ones).
    lang : {"vi", "en"}
    unit_code : str, optional
        A district's code; None for the province.
    target_years : iterable of int, optional
        Only these target years (default every target: 2015 and 2020).

    Returns
    -------
    DataFrame
        One row per indicator and target year, in the plan's order, with display text in ``lang``
        under the headings of :func:`headers`, plus the hidden codes ``_indicator``,
        ``_target_year``, ``_status``.  Empty (with the columns) when there is no annual value.
    """
    h = headers(lang)
    cols = [h[k] for k in _COLUMNS] + list(HIDDEN)
    annual = _annual(values, unit_code, last_year(period))
    if annual.empty:
        return pd.DataFrame(columns=cols)
    status = status_table(annual.drop(columns="year"))
    wanted = None if target_years is None else {int(y) for y in target_years}
    rows = []
    for ind_id in plan_indicators():
        ind = indicator(ind_id)
        series = annual[annual["indicator"] == ind_id].sort_values("year")
        years, vals = series["year"].to_numpy(int), series["value"].to_numpy(float)
        spark = sparkline(years, vals, ind.break_years)
        for tgt in ind.targets:
            if wanted is not None and tgt.year not in wanted:
                continue
            hit = status[(status["indicator"] == ind_id) & (status["target_year"] == tgt.year)]
            s = hit.iloc[0] if len(hit) else None
            code = str(s["status"]) if s is not None else "no_data"
            rows.append({
                h["indicator"]: ind.label(lang), h["unit"]: ind.unit_label(lang),
                h["target"]: _t("target_cell", lang, target=fmt.target(tgt.op, tgt.value, lang), year=tgt.year),
                h["value_target_year"]: _at_target(s, tgt, lang),
                h["latest"]: fmt.value_year(s["latest_value"], s["latest_year"], lang) if s is not None else fmt.DASH,
                h["verdict"]: in_lang(STATUS_LABELS.get(code, (code, code)), lang),
                h["trend"]: spark,
                h["reached"]: reached_text(code, tgt, years, vals, None if s is None else s["year_reached"],
                                           0 if s is None else s["n_points"], ind.break_years, lang),
                "_indicator": ind_id, "_target_year": tgt.year, "_status": code})
    return pd.DataFrame(rows, columns=cols)


def _at_target(s: pd.Series | None, tgt: Target, lang: str) -> str:
    """The value in the target year with its year, else the projection to it, else a dash."""
    if s is None:
        return fmt.DASH
    if not fmt.is_missing(s["value_at_target_year"]):
        return fmt.value_year(s["value_at_target_year"], tgt.year, lang)
    if not fmt.is_missing(s["projection"]):
        return _t("projected_value", lang, value=fmt.number(s["projection"], lang, fixed=True))
    return fmt.DASH


def scorecard_download(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard without its hidden code columns (for the CSV beside the table)."""
    return card.drop(columns=[c for c in HIDDEN if c in card.columns])


def scorecard_styler(card: pd.DataFrame, lang: str = "vi"):
    """The scorecard as a pandas Styler: verdicts coloured by status code, codes hidden, text escaped.

    Values are right-aligned, the sparkline in a monospace font; every cell and heading is
    HTML-escaped and the index hidden (:func:`fmt.style_table`).

    >>> card = pd.DataFrame({"Đánh giá": ["Đạt"], "_status": ["achieved"]})
    >>> html = scorecard_styler(card, "vi").to_html()
    >>> "#c7e9c0" in html, "achieved" in html
    (True, False)
    """
    h = headers(lang)
    right = [h[k] for k in ("value_target_year", "latest") if h[k] in card.columns]
    styler = fmt.style_table(card, lang, hidden=[c for c in card.columns if str(c).startswith("_")],
                             align_right=right)
    codes = card["_status"] if "_status" in card else pd.Series("", index=card.index)
    if h["verdict"] in card.columns:
        styler = styler.apply(lambda col: [f"background-color: {STATUS_COLOURS.get(c, '')}" for c in codes],
                              subset=[h["verdict"]], axis=0)
    keep = [h[k] for k in ("target", "verdict") if h[k] in card.columns]
    if keep:
        styler = styler.set_properties(subset=keep, **{"white-space": "nowrap"})
    if h["trend"] in card.columns:
        styler = styler.set_properties(subset=[h["trend"]], **{"font-family": "monospace", "white-space": "nowrap"})
    return styler


def legend(lang: str = "vi") -> str:
    """What the sparkline's marks mean (plain text, one line).

    >>> legend("en")
    '¦ = change of definition or of the standard; · = year without data'
    """
    return f"{_t('break_mark', lang)}; {_t('gap_mark', lang)}"
