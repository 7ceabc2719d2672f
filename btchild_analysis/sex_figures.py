"""Figures by sex in the reports: boys and girls side by side, and the gap (boys − girls).

The arithmetic is :func:`btchild_analysis.indicators.compute` with ``by="sex"`` and
:func:`btchild_analysis.indicators.sex_gap`.  This module picks the rows a report shows (pure
functions) and shows them so that a reader can take them in:

* the periodic report (:func:`show_gap`), the latest period of each indicator up to the report's:
  on the province page one row per indicator (:func:`unit_table`) and a compact matrix of the gap,
  districts × indicators with short names (:func:`gap_matrix`); on a district page that district's
  rows beside the province's gap; one chart of the gap per indicator (:func:`gap_chart`); the full
  long table (every unit and sex) only in the CSV download;
* the trends report (:func:`show_gap_trend`): the gap year by year (:func:`gap_series`), one small
  chart with a line per indicator that stops at a series break (:func:`gap_trend_chart`).

Data without a split by sex give one sentence, never a failure.

Texts are in the ``sex_gap`` block of ``data/labels.yaml``; the words for the sexes (Nam / Nữ) in its
``sex`` block.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
import numpy as np
import pandas as pd

from .catalog import indicator, indicators
from .errors import BtchildError
from .i18n import LabelError
from .indicators import BY, sex_gap
from .indicators import compute as indicators_at
from .figure_text import axis_formatter, num, period_label, set_alt
from .periods import period_order
from .style import add_notices, label

#: The splits a report can show (the ``by`` parameter); None is no split.
BY_VALUES = BY  # the splits the indicators know
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
    return label(f"sex_gap.{key}", lang)


def sex_word(sex: str, lang: str = "vi") -> str:
    """``male`` / ``female`` / ``total`` in words: Nam / Nữ / Tổng số, Male / Female / Total."""
    return label(f"sex.{sex}", lang)


def has_split(by_sex: pd.DataFrame | None) -> bool:
    """Whether a ``by_sex`` table (``Dataset.by_sex``) holds any male or female figure."""
    return by_sex is not None and len(by_sex) > 0 and by_sex["sex"].isin(["male", "female"]).any()


# ----------------------------------------------------------------------------- the numbers

def area_values(by_sex: pd.DataFrame, which: list[str] | None = None, vintage: object | None = None) -> pd.DataFrame:
    """Indicators by sex at district and province level (no district level after 1 July 2025: skipped).

    ``by_sex`` is ``Dataset.by_sex`` (``commune_code, period, element, sex, value, derived``).
    """
    frames = []
    for level in ("province", "district"):
        try:
            frames.append(indicators_at(by_sex, level, vintage, which, by="sex"))
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


def short_name(ind_id: str, lang: str = "vi") -> str:
    """A short name of an indicator for a column or a line label (``sex_gap.short`` of ``labels.yaml``;
    the label cut to 24 characters for an indicator without one).

    >>> short_name("stunting_u5"), short_name("stunting_u5", "en")
    ('Thấp còi <5t', 'Stunting <5')
    """
    import textwrap

    try:
        return label(f"sex_gap.short.{ind_id}", lang)
    except LabelError:
        return textwrap.shorten(indicator(ind_id).label(lang), 24, placeholder="…")


def unit_rows(rows: pd.DataFrame, unit_code: str | None = None) -> pd.DataFrame:
    """The rows of one unit of :func:`latest_rows`: the province (``unit_code`` None) or that district;
    the province's when the district has none."""
    mine = rows[rows["unit_code"].astype(str) == str(unit_code)] if unit_code is not None else rows.iloc[0:0]
    return (mine if len(mine) else rows[rows["level"] == "province"]).reset_index(drop=True)


def unit_table(rows: pd.DataFrame, unit_code: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """One row per indicator for one unit (see :func:`unit_rows`): indicator, period, boys, girls, gap,
    communes reporting; a district's table also has the province's gap beside its own.

    ``rows`` is :func:`latest_rows`; values rounded to one decimal.
    """
    mine = unit_rows(rows, unit_code)
    out = pd.DataFrame({
        label("col_indicator", lang): [indicator(i).label(lang) for i in mine["indicator"]],
        text("col_period", lang): [period_label(p, lang) for p in mine["period"]],
        sex_word("male", lang): mine["male"].astype(float).round(1).to_numpy(),
        sex_word("female", lang): mine["female"].astype(float).round(1).to_numpy(),
        text("col_gap", lang): mine["gap"].astype(float).round(1).to_numpy(),
    })
    if len(mine) and (mine["level"] != "province").all():
        prov = rows[rows["level"] == "province"].set_index(["indicator", "period"])["gap"]
        keys = list(zip(mine["indicator"], mine["period"]))
        out[text("col_province_gap", lang)] = [round(float(prov[k]), 1) if k in prov.index else np.nan for k in keys]
    out[text("col_communes", lang)] = mine["communes_reporting"].astype("Int64").to_numpy()
    return out


def gap_matrix(rows: pd.DataFrame, lang: str = "vi", report_period: object | None = None) -> pd.DataFrame:
    """The gap (male − female, one decimal) of each district (rows, by name) and indicator (columns,
    short names, catalogue order; the period added where it is not ``report_period``).

    ``rows`` is :func:`latest_rows`; empty where a district has no gap for an indicator.
    """
    d = rows[rows["level"] == "district"]
    cols = {}
    for ind, part in d.groupby("indicator", sort=False):
        name = short_name(ind, lang)
        period = part["period"].iloc[0]
        if report_period is not None and str(period) != str(report_period):
            name += f" ({period_label(period, lang)})"
        cols[name] = part.set_index("unit_name")["gap"].astype(float).round(1) + 0.0  # no −0,0
    if not cols:
        return pd.DataFrame(index=pd.Index([], name=text("col_district", lang)))
    out = pd.DataFrame(cols)
    out = out.loc[sorted(out.index, key=str)]
    out.index.name = text("col_district", lang)
    return out


def gap_series(gap: pd.DataFrame, which: list[str] | None = None, unit_code: str | None = None,
               start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """The gap year by year for one unit (the province when ``unit_code`` is None): annual periods only.

    ``gap`` is the output of ``indicators.sex_gap``.  Returns ``indicator, year, male, female, gap``,
    rows with both sexes only, indicators in the order of ``which`` (default: the catalogue's), years
    ascending, within ``start``–``end`` when given.
    """
    cols = ["indicator", "year", "male", "female", "gap"]
    if gap.empty:
        return pd.DataFrame(columns=cols)
    g = gap[(gap["level"] == "province") if unit_code is None else (gap["unit_code"].astype(str) == str(unit_code))]
    g = g[g["period"].astype(str).str.fullmatch(r"\d{4}") & g["male"].notna() & g["female"].notna()]
    order = list(which) if which is not None else list(indicators())
    g = g[g["indicator"].isin(order)].assign(year=lambda t: t["period"].astype(str).astype(int))
    if start is not None:
        g = g[g["year"] >= int(start)]
    if end is not None:
        g = g[g["year"] <= int(end)]
    g = g.assign(_i=g["indicator"].map({k: i for i, k in enumerate(order)}))
    return g.sort_values(["_i", "year"], kind="stable")[cols].reset_index(drop=True)


def gap_segments(series: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The lines of :func:`gap_trend_chart`: per indicator, one run of years per segment between its
    series breaks (``breaks`` of ``indicators.yaml``): no line joins years either side of a break."""
    from .trends import segment_ids

    out = []
    for ind, part in series.groupby("indicator", sort=False):
        seg = segment_ids(part["year"], indicator(ind).break_years)
        out += [(ind, p.reset_index(drop=True)) for _, p in part.groupby(seg, sort=True)]
    return out


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


def spread(ys, min_gap: float) -> np.ndarray:
    """Label heights at least ``min_gap`` apart, as close to ``ys`` as a push upwards then a common shift
    down (keeping the mean) allows; in the order of ``ys``.

    >>> spread([0.0, 0.0, 2.0], 0.5).tolist()
    [-0.25, 0.25, 2.0]
    """
    ys = np.asarray(ys, dtype=float)
    order = np.argsort(ys, kind="stable")
    pos = ys[order].copy()
    for k in range(1, len(pos)):
        pos[k] = max(pos[k], pos[k - 1] + min_gap)
    moved = pos != ys[order]
    if moved.any():  # share the push: the labels that moved (and those they pushed) shift down together
        pos[moved | np.roll(moved, -1)] -= (pos - ys[order])[moved | np.roll(moved, -1)].mean()
    out = np.empty_like(pos)
    out[order] = pos
    return out


#: Line colours of the gap over time (Paul Tol's muted scheme: dark enough for text on white, and not the
#: blue and orange that mean "boys higher" and "girls higher").
LINE_COLOURS = ("#117733", "#882255", "#332288", "#999933", "#AA4499", "#44AA99", "#CC6677", "#000000")


def gap_trend_chart(series: pd.DataFrame, unit_name: str, lang: str = "vi", synthetic: bool = False) -> plt.Figure:
    """One small chart: the gap (boys − girls) per year, one line per indicator labelled at its end,
    a line at zero; a line stops at a series break.  ``series`` is :func:`gap_series`.
    """
    if series.empty:
        raise ValueError(f"no yearly figures by sex for {unit_name}")
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.axhline(0, color="#333333", linewidth=0.8)
    colours = {ind: LINE_COLOURS[k % len(LINE_COLOURS)] for k, ind in enumerate(dict.fromkeys(series["indicator"]))}
    for ind, part in gap_segments(series):
        ax.plot(part["year"], part["gap"], "o-", color=colours[ind], markersize=3.5, linewidth=1.6, gid=f"gap-{ind}")
    reach = max(float(series["gap"].abs().max()), 0.5) * 1.25
    ax.set_ylim(-reach, reach)
    ends = series.groupby("indicator", sort=False).tail(1)
    for (_, end), y in zip(ends.iterrows(), spread(ends["gap"].to_numpy(float), 0.09 * reach)):
        ax.annotate(f"{short_name(end['indicator'], lang)} {num(end['gap'], lang, 1, sign=True)}", (end["year"], end["gap"]),
                    xytext=(end["year"] + 0.3, y), textcoords="data", va="center", fontsize=7.5,
                    color=colours[end["indicator"]], gid="line-label", annotation_clip=False)
    broken = []
    for ind, part in series.groupby("indicator", sort=False):
        for b in indicator(ind).break_years:
            if part["year"].min() < b <= part["year"].max():
                ax.axvline(b - 0.5, color=colours[ind], linestyle=":", linewidth=1.2, gid="series-break")
                broken.append(f"{short_name(ind, lang)} {b}")
    if broken:
        fig.text(0.01, 0.1, f"{label('series_break', lang)}: {'; '.join(broken)}", fontsize=7.5, color="#333333",
                 gid="break-note")
    ax.set_xlim(series["year"].min() - 0.5, series["year"].max() + 0.5)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(axis_formatter(lang))
    units = {indicator(i).unit_label(lang) for i in series["indicator"]}
    unit = units.pop() if len(units) == 1 else text("value_axis", lang)
    ax.set_ylabel(text("gap_axis", lang).format(unit=label("points_unit", lang) if unit.startswith("%") else unit),
                  fontsize=8)
    ax.set_xlabel(label("year", lang))
    ax.set_title(text("trend_title", lang).format(unit=unit_name), fontsize=10)
    ax.grid(alpha=0.3)
    ax.annotate(text("male_higher", lang) + " ↑", (0.005, 0.98), xycoords="axes fraction", va="top", fontsize=7.5,
                color=MALE_COLOUR)
    ax.annotate(text("female_higher", lang) + " ↓", (0.005, 0.02), xycoords="axes fraction", va="bottom", fontsize=7.5,
                color="#8a5a00")
    add_notices(fig, lang, synthetic=synthetic)
    last = int(series["year"].max())
    at_last = series[series["year"] == last]
    latest = "; ".join(f"{short_name(i, lang)} {num(g, lang, 1, sign=True)}" for i, g in zip(at_last["indicator"], at_last["gap"]))
    set_alt(fig, text("trend_alt", lang).format(first=int(series["year"].min()), last=last, n=series["indicator"].nunique(),
                                                unit=unit_name, latest=latest))
    fig.subplots_adjust(left=0.1, right=0.78, bottom=0.2)
    return fig


# ----------------------------------------------------------------------------- the page

def show_gap(ds, period: object, unit_code: str | None = None, lang: str = "vi", output_dir: str = ".",
             report_name: str = "bao_cao", which: list[str] | None = None) -> None:
    """The section "boys and girls" of a periodic report page (the latest period of each indicator).

    On the province page: one row per indicator (the province's boys, girls and gap), a compact matrix
    of the gap (districts × indicators), the chart; on a district page: that district's rows (with the
    province's gap beside them) and its chart.  The full long table (every unit and sex) is the CSV
    download.  Data without a split by sex give the one sentence saying so.
    """
    from IPython.display import Markdown, display

    from . import sections

    rows = _section_start(ds, period, lang, lambda by_sex: latest_rows(_gap(by_sex, which), period, unit_code))
    if rows is None:
        return
    display(Markdown(sections.md(text("rule", lang))))
    display(sections.show(unit_table(rows, unit_code, lang), lang))
    district = unit_code is not None and (rows["unit_code"].astype(str) == str(unit_code)).any()
    if not district:
        matrix = gap_matrix(rows, lang, sections.period_of(period))
        if not matrix.empty:
            display(Markdown(text("matrix_caption", lang)))  # package text with its bold: not escaped
            display(matrix_styler(matrix, lang))
    display(Markdown(sections.download(gap_table(rows, lang), output_dir, report_name, "nam_nu", ds, lang)))
    _derived_note(ds.by_sex, lang)
    sections.show_figure(gap_chart(rows, str(unit_code) if district else None, lang, ds.synthetic,
                                   sections.period_of(period)))


def show_gap_trend(ds, period: object, start: int | None = None, unit_code: str | None = None, lang: str = "vi",
                   output_dir: str = ".", report_name: str = "bao_cao", which: list[str] | None = None) -> None:
    """The section "boys and girls" of the trends page: the gap (boys − girls) per year of the report's
    indicators split by sex, for the province or the district ``unit_code``: one small chart, the
    yearly figures as a CSV download; the one sentence when the data are not split by sex."""
    from IPython.display import Markdown, display

    from . import sections

    end = sections.period_of(period).year
    series = _section_start(ds, period, lang, lambda by_sex: gap_series(_gap(by_sex, which), which, unit_code, start, end),
                            empty=lambda: sections.md(text("trend_none", lang).format(
                                period=sections.period_text(period, lang))))
    if series is None:
        return
    if series.groupby("indicator")["year"].nunique().max() < 2:
        display(Markdown(f"*{sections.md(text('trend_none', lang).format(period=sections.period_text(period, lang)))}*"))
        return
    display(Markdown(sections.md(text("trend_rule", lang))))
    sections.show_figure(gap_trend_chart(series, sections.area_name(unit_code, period, lang), lang, ds.synthetic))
    table = pd.DataFrame({label("col_indicator", lang): [indicator(i).label(lang) for i in series["indicator"]],
                          text("col_year", lang): series["year"].to_numpy(),
                          sex_word("male", lang): series["male"].astype(float).round(1).to_numpy(),
                          sex_word("female", lang): series["female"].astype(float).round(1).to_numpy(),
                          text("col_gap", lang): series["gap"].astype(float).round(1).to_numpy()})
    display(Markdown(sections.download(table, output_dir, report_name, "nam_nu_qua_cac_nam", ds, lang)))
    _derived_note(ds.by_sex, lang)


def matrix_styler(matrix: pd.DataFrame, lang: str = "vi"):
    """:func:`gap_matrix` for a page: the district as the first column, each gap with its sign
    (``+1,5`` / ``−0,2``) on a light blue ground where boys are higher, light orange where girls are."""
    from . import sections

    shown = matrix.apply(lambda col: [num(v, lang, 1, sign=True) if pd.notna(v) else "–" for v in col])
    shown = shown.reset_index()
    shown.columns = [str(c).replace("–", "–\u2060") for c in shown.columns]  # no line break inside "0–2t"
    grounds = matrix.apply(lambda col: [_ground(v) for v in col]).reset_index(drop=True)
    grounds.insert(0, shown.columns[0], "")
    grounds.columns = shown.columns
    return sections.show(shown, lang, align_right=list(shown.columns[1:])).apply(lambda _: grounds, axis=None)


def _ground(gap: float) -> str:
    if pd.isna(gap) or round(float(gap), 1) == 0:
        return ""
    return "background-color: #d6e9f5" if gap > 0 else "background-color: #fbe5bf"


def _gap(by_sex: pd.DataFrame, which: list[str] | None) -> pd.DataFrame:
    return sex_gap(area_values(by_sex, which))


def _section_start(ds, period: object, lang: str, compute, empty=None):
    """The heading, then ``compute(by_sex)``; None (after the sentence saying why) when the data are
    not split by sex or give nothing up to the period."""
    from IPython.display import Markdown, display

    from . import sections

    display(Markdown(text("heading", lang)))
    by_sex = getattr(ds, "by_sex", None)
    if not has_split(by_sex):
        display(Markdown(f"*{sections.md(text('no_split', lang))}*"))
        return None
    out = compute(by_sex)
    if out.empty:
        why = empty() if empty else sections.md(text("no_period", lang).format(period=sections.period_text(period, lang)))
        display(Markdown(f"*{why}*"))
        return None
    return out


def _derived_note(by_sex: pd.DataFrame, lang: str) -> None:
    from IPython.display import Markdown, display

    from . import sections

    derived = int(by_sex["derived"].sum()) if "derived" in by_sex else 0
    if derived:
        display(Markdown(f"*{sections.md(text('derived_note', lang).format(n=derived))}*"))
