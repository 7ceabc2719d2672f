"""Charts: indicator trend against targets, district comparison, criterion heatmap, completeness."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from . import quality
from .registry import indicator
from .standard import edition_for_year, load_edition
from .style import add_notices, label
from .trends import annual, theil_sen

TARGET_COLOUR = "#CC3311"


def trend_chart(values: pd.DataFrame, indicator_id: str, unit_code: str | None = None, lang: str = "vi",
                synthetic: bool = False, until: int = 2020, ax=None) -> plt.Figure:
    """Annual values with their 95% interval, the plan's targets and the Theil–Sen projection.

    ``values`` is an indicator table (any level); ``unit_code`` picks the unit (default: the first).
    """
    ind = indicator(indicator_id)
    a = annual(values[values["indicator"] == indicator_id]).dropna(subset=["value"])
    if unit_code is not None:
        a = a[a["unit_code"] == unit_code]
    if a.empty:
        raise ValueError(f"no annual values of {indicator_id} for unit {unit_code}")
    a = a[a["unit_code"] == a["unit_code"].iloc[0]].sort_values("year")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4.5))
    ax.fill_between(a["year"], a["ci_low"], a["ci_high"], color="#4477AA", alpha=0.2, label=label("interval", lang))
    ax.plot(a["year"], a["value"], "o-", color="#4477AA", label=a["unit_name"].iloc[0])
    for t in ind.targets:
        ax.plot([t.year], [t.value], marker="*", markersize=14, color=TARGET_COLOUR, linestyle="none")
        ax.annotate(f"{label('target', lang)} {t.year}: {t.op} {t.value:g}", (t.year, t.value),
                    textcoords="offset points", xytext=(6, 6), fontsize=8, color=TARGET_COLOUR)
    if len(a) >= 3 and a["value"].nunique() > 1:
        slope, intercept, _, _ = theil_sen(a["year"], a["value"])
        last = int(a["year"].max())
        xs = np.arange(int(a["year"].min()), max(until, last) + 1)
        ax.plot(xs, intercept + slope * xs, "--", color="#666666", label=label("projection", lang))
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(ind.unit_label(lang))
    ax.set_title(f"{ind.label(lang)} — {a['unit_name'].iloc[0]}", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    add_notices(fig, lang, synthetic=synthetic)
    fig.subplots_adjust(bottom=0.18)
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
                color="#4477AA", capsize=3)
    ax.set_yticks(y, [f"{n} {m}".strip() for n, m in zip(d["unit_name"], d["base_mark"])])
    if len(p):
        ax.axvline(p["value"].iloc[0], color="#222222", linewidth=1, label=f"{p['unit_name'].iloc[0]}: {p['value'].iloc[0]:.1f}")
    for t in ind.targets:
        if t.year == 2020:
            ax.axvline(t.value, color=TARGET_COLOUR, linestyle="--", label=f"{label('target', lang)} 2020: {t.op} {t.value:g}")
    ax.set_xlabel(ind.unit_label(lang))
    ax.set_title(f"{ind.label(lang)}, {period}", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    add_notices(fig, lang, synthetic=synthetic)
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
    fig, ax = plt.subplots(figsize=(max(6, 0.55 * grid.shape[1] + 3), max(4, 0.22 * grid.shape[0] + 2)))
    bar = label("share_of_max", lang) + (" *" if any(c.max_points is None for c in ed.criteria) else "")
    sns.heatmap(grid, ax=ax, cmap="viridis", vmin=0, vmax=1, cbar_kws={"label": bar}, yticklabels=True)
    ax.set_xlabel(label("criterion", lang))
    ax.set_ylabel(row_label)
    ax.set_title(f"{ed.vi if lang == 'vi' else ed.en}, {year}", fontsize=9)
    notes = add_notices(fig, lang, synthetic=synthetic)
    if any(c.max_points is None for c in ed.criteria):
        fig.text(0.99, 0.01, label("max_not_confirmed", lang), fontsize=7, ha="right", va="bottom")
        notes.append(label("max_not_confirmed", lang))
    fig.subplots_adjust(bottom=0.25)
    return fig


def completeness_chart(submission_dates: pd.DataFrame, periods: list[str], lang: str = "vi",
                       synthetic: bool = False) -> plt.Figure:
    """Reports on time, late and missing per period (province)."""
    rows = []
    for per in periods:
        c = quality.completeness(submission_dates, per)
        prov = c[c["level"] == "province"].iloc[0]
        rows.append({"period": str(per), "on_time": prov["on_time"], "late": prov["late"], "missing": prov["missing"]})
    t = pd.DataFrame(rows).set_index("period")
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(t) + 2), 4))
    bottom = np.zeros(len(t))
    for key, colour in (("on_time", "#009E73"), ("late", "#E69F00"), ("missing", "#CC3311")):
        ax.bar(t.index, t[key], bottom=bottom, color=colour, label=label(key, lang))
        bottom += t[key].to_numpy()
    ax.set_ylabel(label("reports", lang))
    ax.set_xlabel(label("period", lang))
    ax.tick_params(axis="x", rotation=60)
    ax.legend(fontsize=8)
    add_notices(fig, lang, synthetic=synthetic)
    fig.subplots_adjust(bottom=0.3)
    return fig
