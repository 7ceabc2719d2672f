"""Charts: indicator trend against targets, district comparison, criterion heatmap, completeness.

Numbers on the charts follow the page's language (decimal comma in Vietnamese, ≥ ≤), and every chart
keeps a short description in ``fig.btchild_alt``.  Trend charts draw each segment of a series between
its breaks (``breaks`` of ``indicators.yaml``) as its own line, mark the breaks, and fit the trend on
the last segment only.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from . import quality
from .figure_text import axis_formatter, num, op_text, period_label, set_alt
from .periods import period_order
from .catalog import indicator
from .standard import edition_for_year, load_edition
from .style import add_notices, fit_grid, in_lang, label
from .trends import annual, segment_ids, theil_sen

TARGET_COLOUR = "#CC3311"
SERIES_COLOUR = "#4477AA"
BREAK_GID = "series-break"


def short_num(x: float, lang: str = "vi") -> str:
    """A number without ``,0`` when it is whole: ``20`` / ``22,5``.

    >>> short_num(20.0), short_num(22.5), short_num(22.5, "en")
    ('20', '22,5', '22.5')
    """
    return num(x, lang, 0 if float(x).is_integer() else 1)


def _target_text(t, lang: str) -> str:
    return f"{label('target', lang)} {t.year}: {op_text(t.op, lang)} {short_num(t.value, lang)}"


def _draw_segments(ax, a: pd.DataFrame, breaks: tuple[int, ...], lang: str) -> None:
    """One line (and interval band) per segment between breaks; never a line across a break."""
    for k, (_, part) in enumerate(a.groupby(segment_ids(a["year"], breaks))):
        ax.fill_between(part["year"], part["ci_low"], part["ci_high"], color=SERIES_COLOUR, alpha=0.2,
                        label=label("interval", lang) if k == 0 else None)
        ax.plot(part["year"], part["value"], "o-", color=SERIES_COLOUR, gid=f"segment-{k}",
                label=a["unit_name"].iloc[0] if k == 0 else None)


def _mark_breaks(ax, ind, years: pd.Series, lang: str) -> list[int]:
    shown = [b for b in ind.break_years if years.min() < b <= years.max()]
    for k, b in enumerate(shown):
        ax.axvline(b - 0.5, color="#555555", linestyle=":", linewidth=1.2, gid=BREAK_GID,
                   label=label("series_break", lang) if k == 0 else None)
        ax.annotate(f"{label('series_break', lang)} {b}", (b - 0.5, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(2, -2), textcoords="offset points", rotation=90, va="top", fontsize=7, color="#555555")
    return shown


def _projection(ax, ind, a: pd.DataFrame, until: int, lang: str) -> None:
    """Theil–Sen line over the last segment (at least 3 years), held inside the indicator's range."""
    last = a[segment_ids(a["year"], ind.break_years) == segment_ids([a["year"].max()], ind.break_years)[0]]
    if len(last) < 3 or last["value"].nunique() < 2:
        return
    slope, intercept, _, _ = theil_sen(last["year"], last["value"])
    xs = np.arange(int(last["year"].min()), max(until, int(last["year"].max())) + 1)
    lo, hi = ind.bounds
    ys = np.clip(intercept + slope * xs, lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
    ax.plot(xs, ys, "--", color="#666666", label=label("projection", lang), gid="projection")


def trend_chart(values: pd.DataFrame, indicator_id: str, unit_code: str | None = None, lang: str = "vi",
                synthetic: bool = False, until: int = 2020, ax=None) -> plt.Figure:
    """Annual values with their 95% interval, the plan's targets and the Theil–Sen projection.

    ``values`` is an indicator table (any level); ``unit_code`` picks the unit (default: the first).
    Series breaks of the indicator are marked; the line and the projection never cross one.
    """
    ind = indicator(indicator_id)
    a = annual(values[values["indicator"] == indicator_id]).dropna(subset=["value"])
    if unit_code is not None:
        a = a[a["unit_code"] == unit_code]
    if a.empty:
        raise ValueError(f"no annual values of {indicator_id} for unit {unit_code}")
    a = a[a["unit_code"] == a["unit_code"].iloc[0]].sort_values("year")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4.8))
    _draw_segments(ax, a, ind.break_years, lang)
    shown = _mark_breaks(ax, ind, a["year"], lang)
    for t in ind.targets:
        ax.plot([t.year], [t.value], marker="*", markersize=14, color=TARGET_COLOUR, linestyle="none")
        ax.annotate(_target_text(t, lang), (t.year, t.value), textcoords="offset points", xytext=(6, 6),
                    fontsize=8, color=TARGET_COLOUR)
    _projection(ax, ind, a, until, lang)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(axis_formatter(lang))
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(ind.unit_label(lang))
    ax.set_title(f"{ind.label(lang)} — {a['unit_name'].iloc[0]}", fontsize=10, y=1.0)  # y: see trend_grid
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    notes = add_notices(fig, lang, synthetic=synthetic)
    alt = label("alt_trend", lang).format(what=ind.label(lang), unit=a["unit_name"].iloc[0], first=a["year"].min(),
                                          last=a["year"].max(), value=short_num(round(a["value"].iloc[-1], 1), lang),
                                          year=a["year"].iloc[-1])
    if shown:
        notes.append(label("break_note", lang))
        fig.text(0.01, 0.06, label("break_note", lang), fontsize=7.5, ha="left", va="bottom", color="#333333",
                 gid="break-note")
        alt += " " + label("alt_breaks", lang).format(years=", ".join(map(str, shown)))
    set_alt(fig, alt)
    fig.btchild_breaks = shown
    fig.subplots_adjust(bottom=0.2)
    return fig


def trend_grid(values: pd.DataFrame, indicator_ids: list[str], unit_code: str | None = None, lang: str = "vi",
               synthetic: bool = False, ncols: int = 3) -> plt.Figure:
    """Small multiples: one panel per indicator (annual values by segment, series breaks, targets).

    Indicators without two annual values get a panel that says so, so that the grid always shows
    every indicator asked for (the twelve of the plan in the trends report).
    """
    nrows = -(-len(indicator_ids) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows), squeeze=False)
    drawn = 0
    for ax, ind_id in zip(axes.ravel(), indicator_ids):
        ind = indicator(ind_id)
        a = annual(values[values["indicator"] == ind_id]).dropna(subset=["value"])
        if unit_code is not None:
            a = a[a["unit_code"] == unit_code]
        a = a[a["unit_code"] == a["unit_code"].iloc[0]].sort_values("year") if len(a) else a
        # y given: the title stands on the axes (as matplotlib would place it: no tick labels on top)
        # without matplotlib searching every panel's tick labels for ones above it at each draw
        ax.set_title(textwrap.fill(ind.label(lang), 42), fontsize=8, y=1.0)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if len(a) < 2:
            ax.text(0.5, 0.5, label("too_few_points", lang), transform=ax.transAxes, ha="center", va="center",
                    fontsize=8, color="#555555")
            continue
        drawn += 1
        _draw_segments(ax, a, ind.break_years, lang)
        _mark_breaks(ax, ind, a["year"], lang)
        for t in ind.targets:
            ax.plot([t.year], [t.value], marker="*", markersize=9, color=TARGET_COLOUR, linestyle="none")
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True, nbins=5))
        ax.yaxis.set_major_formatter(axis_formatter(lang))
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    for ax in axes.ravel()[len(indicator_ids):]:
        ax.set_visible(False)
    fit_grid(fig, axes, foot=0.05)
    add_notices(fig, lang, synthetic=synthetic)
    set_alt(fig, label("alt_trend_grid", lang).format(n=len(indicator_ids), drawn=drawn))
    return fig


def district_comparison(values: pd.DataFrame, indicator_id: str, period: str, lang: str = "vi",
                        synthetic: bool = False) -> plt.Figure:
    """District values with 95% intervals, the province value as a line, the 2020 target dashed."""
    ind = indicator(indicator_id)
    v = values[(values["indicator"] == indicator_id) & (values["period"].astype(str) == str(period))]
    d = v[v["level"] == "district"].sort_values("value")
    p = v[v["level"] == "province"]
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(d), 4) + 1.5))
    y = np.arange(len(d))
    ax.errorbar(d["value"], y, xerr=[d["value"] - d["ci_low"], d["ci_high"] - d["value"]], fmt="o",
                color=SERIES_COLOUR, capsize=3)
    ax.set_yticks(y, [f"{n} {m}".strip() for n, m in zip(d["unit_name"], d["base_mark"])])
    if len(p):
        ax.axvline(p["value"].iloc[0], color="#222222", linewidth=1,
                   label=f"{p['unit_name'].iloc[0]}: {num(p['value'].iloc[0], lang)}")
    for t in ind.targets:
        if t.year == 2020:
            ax.axvline(t.value, color=TARGET_COLOUR, linestyle="--", label=_target_text(t, lang))
    ax.xaxis.set_major_formatter(axis_formatter(lang))
    ax.set_xlabel(ind.unit_label(lang))
    ax.set_title(f"{ind.label(lang)}, {period_label(period, lang)}", fontsize=10, y=1.0)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    add_notices(fig, lang, synthetic=synthetic)
    set_alt(fig, label("alt_district", lang).format(what=ind.label(lang), n=len(d), period=period_label(period, lang)))
    fig.subplots_adjust(bottom=0.2, left=0.3)
    return fig


def criterion_heatmap(scores: pd.DataFrame, year: int, communes: pd.DataFrame | None = None, lang: str = "vi",
                      synthetic: bool = False, transitional: str | None = None, max_rows: int = 40) -> plt.Figure:
    """Score per criterion as a share of the criterion's maximum, one row per commune.

    Where the edition does not confirm a criterion's maximum, the highest score any commune gave
    that criterion in the year stands in (the colour bar says so).  With more than ``max_rows``
    communes, rows are districts (mean share of their communes).
    """
    ed = load_edition(edition_for_year(year, transitional))
    s = scores[scores["year"].astype(int) == int(year)]
    if communes is not None:
        s = s[s["commune_code"].isin(communes["code"] if "code" in communes else communes["commune_code"])]
    observed = s.groupby("criterion")["score"].max()
    mx = {c.id: c.max_points or observed.get(c.id, np.nan) for c in ed.criteria}
    share = s.assign(v=[sc / mx[c] if mx.get(c) else np.nan for c, sc in zip(s["criterion"], s["score"])])
    grid = share.pivot_table(index="commune_code", columns="criterion", values="v", aggfunc="first")
    grid = grid.reindex(columns=[c.id for c in ed.criteria])
    grid.columns = [ed.criterion(c).short(lang) for c in grid.columns]
    row_label = label("commune", lang)
    if communes is not None and "name" in communes:
        if len(grid) > max_rows and "district_name" in communes:
            dist = dict(zip(communes["code"], communes["district_name"]))
            grid = grid.groupby([dist.get(c, "") for c in grid.index]).mean()
            row_label = label("district", lang)
        else:
            names = dict(zip(communes["code"], communes["name"]))
            grid.index = [names.get(c, c) for c in grid.index]
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * grid.shape[1] + 3), max(4, 0.26 * grid.shape[0] + 2)))
    bar = label("share_of_max", lang) + (" *" if any(c.max_points is None for c in ed.criteria) else "")
    _heatmap(ax, grid, bar, lang)
    fig.btchild_key = pd.DataFrame({label("criterion", lang): list(grid.columns),
                                    label("criterion_name", lang): [in_lang((c.vi, c.en), lang) for c in ed.criteria]})
    ax.set_xlabel(label("criterion", lang))
    ax.set_ylabel(row_label)
    ax.set_title(f"{in_lang((ed.vi, ed.en), lang)}, {year}", fontsize=9, y=1.0)
    notes = add_notices(fig, lang, synthetic=synthetic)
    if any(c.max_points is None for c in ed.criteria):
        fig.text(0.99, 0.01, label("max_not_confirmed", lang), fontsize=7, ha="right", va="bottom")
        notes.append(label("max_not_confirmed", lang))
    set_alt(fig, label("alt_heatmap", lang).format(year=year, n=len(grid)))
    fig.subplots_adjust(bottom=0.25)
    return fig


def _heatmap(ax, grid: pd.DataFrame, bar_label: str, lang: str) -> None:
    """Shares 0–1 as colours with the percentage written in each cell (no cell without its number)."""
    values = grid.to_numpy(dtype=float)
    im = ax.imshow(values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.figure.colorbar(im, ax=ax, label=bar_label)
    ax.set_xticks(range(grid.shape[1]), [str(c).replace("Tiêu chí ", "TC ").replace("Criterion ", "C ") for c in grid.columns],
                  rotation=90)
    ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
    size = 7 if grid.shape[0] <= 25 else 5
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):  # inside its cell: not measured again for the figure's outline (in_layout)
            ax.text(j, i, num(100 * v, lang, 0), ha="center", va="center", fontsize=size,
                    color="white" if v < 0.6 else "black", in_layout=False)


def completeness_chart(submission_dates: pd.DataFrame, periods: list[str], lang: str = "vi",
                       synthetic: bool = False) -> plt.Figure:
    """Reports on time, late and missing per period (province), as percentages of the reports due.

    Periods are drawn in time order (a year's first half before the year) and named in words; shares
    keep periods with different numbers of communes (164 → 157) comparable; the number due is written
    above each bar.
    """
    order = sorted(periods, key=period_order)
    rows = []
    for per in order:
        prov = quality.completeness(submission_dates, per).query("level == 'province'").iloc[0]
        due = max(int(prov["expected"]), 1)
        rows.append({k: 100 * prov[k] / due for k in ("on_time", "late", "missing")} | {"expected": int(prov["expected"])})
    t = pd.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(max(6, 0.55 * len(t) + 2), 4.5))
    x, bottom = np.arange(len(t)), np.zeros(len(t))
    for key, colour in (("on_time", "#009E73"), ("late", "#E69F00"), ("missing", "#CC3311")):
        ax.bar(x, t[key], bottom=bottom, color=colour, label=label(key, lang), gid=key)
        bottom += t[key].to_numpy()
    for xi, n in zip(x, t["expected"]):
        ax.annotate(num(n, lang, 0), (xi, 100), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=6.5)
    ax.set_xticks(x, [period_label(p, lang) for p in order], rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 108)
    ax.yaxis.set_major_formatter(axis_formatter(lang, 0))
    ax.set_ylabel(label("pct_reports", lang))
    ax.set_xlabel(label("period", lang))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    add_notices(fig, lang, synthetic=synthetic)
    names = [period_label(p, lang) for p in order]
    set_alt(fig, label("alt_completeness", lang).format(n=len(order), first=names[0] if names else "",
                                                        last=names[-1] if names else ""))
    fig.btchild_table = t.assign(period=[str(p) for p in order])
    fig.subplots_adjust(bottom=0.3, right=0.78)
    return fig
