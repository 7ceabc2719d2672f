"""Figures by sex in the reports: boys and girls side by side, and the gap (boys − girls).

The arithmetic is :func:`btchild_analysis.indicators.compute` with ``by="sex"`` and
:func:`btchild_analysis.indicators.sex_gap`.  This module picks the rows a report shows (the latest
period of each indicator up to the report's period, the province and its districts: pure
functions), labels them, draws one chart (boys and girls per indicator, the gap written beside each
pair), and shows the section on a page (:func:`show_gap`).  Data without a split by sex give one
sentence, never a failure.

Texts are in the ``sex_gap`` block of ``data/labels.yaml``; the words for the sexes (Nam / Nữ) in its
``sex`` block.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
import numpy as np
import pandas as pd

from ._resources import load_yaml
from .catalog import indicator, indicators
from .errors import BtchildError
from .figure_text import axis_formatter, num, period_label, set_alt
from .periods import period_order
from .style import add_notices, check_lang, label

#: The splits a report can show (the ``by`` parameter); None is no split.
BY_VALUES = ("sex",)
MALE_COLOUR = "#0072B2"  # Okabe–Ito blue: the boys' value is higher
FEMALE_COLOUR = "#E69F00"  # Okabe–Ito orange: the girls' value is higher
EVEN_COLOUR = "#999999"  # a gap that rounds to 0,0
#: Columns of :func:`latest_rows` (those of ``indicators.sex_gap``).
GAP_COLUMNS = ["level", "unit_code", "unit_name", "period", "indicator", "male", "female", "gap", "ratio",
               "communes_reporting"]


class SplitError(BtchildError):
    """A ``by`` parameter the reports do not know (only None or ``"sex"``)."""


def check_by(by: object) -> str | None:
    """``by`` checked: None (or empty) for no split, ``"sex"`` for boys and girls.

    >>> check_by(None), check_by("sex"), check_by(" Sex ")
    (None, 'sex', 'sex')
    """
    if by is None or (isinstance(by, str) and not by.strip()):
        return None
    key = by.strip().lower() if isinstance(by, str) else by
    if key not in BY_VALUES:
        raise SplitError(f"by={by!r} is not a split of the reports: use None (no split) or "
                         f"{', '.join(repr(b) for b in BY_VALUES)}")
    return key


def text(key: str, lang: str = "vi") -> str:
    """A text of the ``sex_gap`` block of ``labels.yaml`` in ``lang``."""
    return load_yaml("labels.yaml")["sex_gap"][key][check_lang(lang)]


def sex_word(sex: str, lang: str = "vi") -> str:
    """``male`` / ``female`` / ``total`` in words: Nam / Nữ / Tổng số, Male / Female / Total."""
    return load_yaml("labels.yaml")["sex"][sex][check_lang(lang)]


def has_split(by_sex: pd.DataFrame | None) -> bool:
    """Whether a ``by_sex`` table (``Dataset.by_sex``) holds any male or female figure."""
    return by_sex is not None and len(by_sex) > 0 and by_sex["sex"].isin(["male", "female"]).any()


# ----------------------------------------------------------------------------- the numbers

def area_values(by_sex: pd.DataFrame, which: list[str] | None = None, vintage: object | None = None) -> pd.DataFrame:
    """Indicators by sex at district and province level (no district level after 1 July 2025: skipped).

    ``by_sex`` is ``Dataset.by_sex`` (``commune_code, period, element, sex, value, derived``).
    """
    from .indicators import compute

    frames = []
    for level in ("province", "district"):
        try:
            frames.append(compute(by_sex, level, vintage, which, by="sex"))
        except ValueError as exc:
            if "level" not in str(exc):
                raise
    full = [f for f in frames if len(f)]
    if full:
        return pd.concat(full, ignore_index=True)
    return frames[0] if frames else pd.DataFrame(columns=GAP_COLUMNS[:5] + ["sex", "value", "communes_reporting"])


def latest_rows(gap: pd.DataFrame, upto: object, unit_code: str | None = None) -> pd.DataFrame:
    """The rows a report shows: per indicator its latest period up to ``upto`` (``2024H1`` comes before
    ``2024``), the province and its districts (with ``unit_code``: that district and the province).

    ``gap`` is the output of ``indicators.sex_gap``.  Rows without both a male and a female value
    are left out; order: indicators as in the catalogue, the province first, then districts by name.
    """
    cols = [c for c in GAP_COLUMNS if c in gap.columns] if len(gap.columns) else GAP_COLUMNS
    if gap.empty:
        return pd.DataFrame(columns=cols)
    g = gap[gap["level"].isin(["province", "district"]) & gap["male"].notna() & gap["female"].notna()]
    if unit_code is not None:
        g = g[(g["level"] == "province") | (g["unit_code"].astype(str) == str(unit_code))]
    limit = period_order(upto)
    g = g[[period_order(p) <= limit for p in g["period"].astype(str)]]
    if g.empty:
        return pd.DataFrame(columns=cols)
    keys = g["period"].astype(str).map(period_order)
    latest = keys.groupby(g["indicator"]).transform("max")
    g = g[keys == latest]
    order = {k: i for i, k in enumerate(indicators())}
    g = g.assign(_i=g["indicator"].map(order).fillna(len(order)), _l=(g["level"] != "province").astype(int))
    return g.sort_values(["_i", "_l", "unit_name"], kind="stable").drop(columns=["_i", "_l"])[cols].reset_index(drop=True)


def gap_table(rows: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """:func:`latest_rows` labelled for a page: indicator, unit, period, boys, girls, gap, communes.

    Values are rounded to one decimal; the gap is male − female in the indicator's unit (percentage
    points for a rate).
    """
    return pd.DataFrame({
        label("col_indicator", lang): [indicator(i).label(lang) for i in rows["indicator"]],
        label("col_unit", lang): rows["unit_name"].to_numpy(),
        text("col_period", lang): [period_label(p, lang) for p in rows["period"]],
        sex_word("male", lang): rows["male"].astype(float).round(1).to_numpy(),
        sex_word("female", lang): rows["female"].astype(float).round(1).to_numpy(),
        text("col_gap", lang): rows["gap"].astype(float).round(1).to_numpy(),
        text("col_communes", lang): rows["communes_reporting"].astype("Int64").to_numpy(),
    })


# ----------------------------------------------------------------------------- the chart

def gap_chart(rows: pd.DataFrame, unit_code: str | None = None, lang: str = "vi", synthetic: bool = False,
              report_period: object | None = None) -> plt.Figure:
    """The gap (boys − girls) per indicator for one unit (default: the province) as bars from zero,
    blue where the boys' value is higher, orange where the girls' is; each bar carries the gap and,
    at the right, the boys' and girls' values.

    ``rows`` is :func:`latest_rows`.  An indicator whose latest period is not ``report_period`` has
    its period in its label.  The alt text (``fig.btchild_alt``) names the largest gap.
    """
    r = rows[rows["level"] == "province"] if unit_code is None else rows[rows["unit_code"].astype(str) == str(unit_code)]
    if r.empty:
        raise ValueError(f"no figures by sex for unit {unit_code or 'province'}")
    r = r.iloc[::-1].reset_index(drop=True)  # first indicator at the top
    male, female = r["male"].to_numpy(float), r["female"].to_numpy(float)
    gap = male - female
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(r) + 1.9))
    y = np.arange(len(r))
    colours = [_colour(g) for g in gap]
    ax.barh(y, gap, color=colours, height=0.6, gid="gap")
    ax.axvline(0, color="#333333", linewidth=0.8)
    reach = max(float(np.nanmax(np.abs(gap))), 0.5) * 1.35
    ax.set_xlim(-reach, reach)
    for yi, g in zip(y, gap):
        ax.annotate(num(g, lang, 1, sign=True), (g, yi), xytext=(4 if g >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if g >= 0 else "right", va="center", fontsize=8, gid="gap-value")
    for yi, m, f in zip(y, male, female):
        ax.annotate(f"{sex_word('male', lang)} {num(m, lang, 1)} · {sex_word('female', lang)} {num(f, lang, 1)}",
                    (1.0, yi), xycoords=("axes fraction", "data"), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=7.5, color="#333333", gid="values")
    ax.set_yticks(y, [_row_label(i, p, lang, report_period) for i, p in zip(r["indicator"], r["period"])], fontsize=8)
    units = {indicator(i).unit_label(lang) for i in r["indicator"]}
    unit = units.pop() if len(units) == 1 else text("value_axis", lang)
    ax.set_xlabel(text("gap_axis", lang).format(unit=label("points_unit", lang) if unit.startswith("%") else unit))
    ax.xaxis.set_major_formatter(axis_formatter(lang))
    ax.set_title(text("chart_title", lang).format(unit=r["unit_name"].iloc[0]), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    handles = [Patch(color=MALE_COLOUR, label=text("male_higher", lang)),
               Patch(color=FEMALE_COLOUR, label=text("female_higher", lang))]
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=2, frameon=False)
    add_notices(fig, lang, synthetic=synthetic)
    big = int(np.nanargmax(np.abs(gap)))
    set_alt(fig, text("alt", lang).format(n=len(r), unit=r["unit_name"].iloc[0],
                                          what=indicator(r["indicator"].iloc[big]).label(lang),
                                          gap=num(gap[big], lang, 1, sign=True)))
    fig.subplots_adjust(left=0.36, right=0.74, bottom=0.3 if len(r) < 5 else 0.22)
    return fig


def _colour(gap: float) -> str:
    """Blue where boys are higher, orange where girls are, grey for a gap that rounds to 0,0."""
    g = round(float(gap), 1)
    return MALE_COLOUR if g > 0 else FEMALE_COLOUR if g < 0 else EVEN_COLOUR


def _row_label(ind_id: str, period: object, lang: str, report_period: object | None) -> str:
    import textwrap

    name = textwrap.shorten(indicator(ind_id).label(lang), 60, placeholder="…")
    if report_period is not None and str(period) != str(report_period):
        name += f" ({period_label(period, lang)})"
    return name


# ----------------------------------------------------------------------------- the page

def show_gap(ds, period: object, unit_code: str | None = None, lang: str = "vi", output_dir: str = ".",
             report_name: str = "bao_cao", which: list[str] | None = None) -> None:
    """The section "boys and girls" of a report page: a heading, then the table (with its CSV) and the
    chart, or the one sentence saying the data are not split by sex."""
    from IPython.display import Markdown, display

    from . import sections
    from .indicators import sex_gap

    display(Markdown(text("heading", lang)))
    by_sex = getattr(ds, "by_sex", None)
    if not has_split(by_sex):
        display(Markdown(f"*{sections.md(text('no_split', lang))}*"))
        return
    rows = latest_rows(sex_gap(area_values(by_sex, which)), period, unit_code)
    if rows.empty:
        display(Markdown(f"*{sections.md(text('no_period', lang).format(period=sections.period_text(period, lang)))}*"))
        return
    display(Markdown(sections.md(text("rule", lang))))
    sections.table(gap_table(rows, lang), "nam_nu", lang, output_dir, report_name, ds)
    derived = int(by_sex["derived"].sum()) if "derived" in by_sex else 0
    if derived:
        display(Markdown(f"*{sections.md(text('derived_note', lang).format(n=derived))}*"))
    sections.show_figure(gap_chart(rows, unit_code if unit_code in set(rows["unit_code"].astype(str)) else None,
                                   lang, ds.synthetic, sections.period_of(period)))
