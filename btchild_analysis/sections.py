"""Building blocks of the notebooks: titles, notices and the tables they show (pure functions).

Every text built from data or parameters is escaped here (:func:`md`, :func:`show`), so a notebook
never writes raw strings into its HTML.  A section whose data are absent gets one sentence saying so
(:func:`missing`) and the rest of the page renders.

Length: about 450 lines of small display helpers, one per block of a page; they share the
language and escaping rules of this module.
"""
from __future__ import annotations

import base64
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib._tight_bbox import adjust_bbox  # what savefig(bbox_inches=...) uses; see _draw_cropped
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.transforms import Bbox
from PIL import Image
from IPython.display import HTML, Markdown, display

from . import admin_units
from .dataset import load_dataset
from .io import load_submissions
from .messages import period_words
from .fmt import date as fmt_date
from .fmt import is_missing
from .fmt import interval, number, style_table, value_year
from .fmt import target as fmt_target
from .outputs import escape_html, escape_md, slug, write_excel
from .periods import Period, parse_period, period_order
from .catalog import element, elements, indicator, plan_indicators
from .style import check_lang, in_lang, label
from .trends import rank



def md(text: object) -> str:
    """Text from data or parameters, safe inside a Markdown cell (see :func:`outputs.escape_md`)."""
    return escape_md(text)


def period_of(period: object) -> Period:
    """The report's period (``"2024"`` or ``"2024H1"``)."""
    return parse_period(period)


def period_text(period: object, lang: str = "vi") -> str:
    """``"năm 2024"`` / ``"6 tháng đầu năm 2024"`` (see :func:`btchild_analysis.messages.period_words`)."""
    return period_words(period, lang)


def district_code(district: str | None, period: object = 2020) -> str | None:
    """The district's code (code or name, loosely written); None for the province."""
    if district is None or (isinstance(district, str) and not district.strip()):
        return None
    return admin_units.find_district(district, _year(period))["district_code"]


def area_name(district: str | None, period: object = 2020, lang: str = "vi") -> str:
    """``"Tỉnh Bến Tre"`` or the district's name (code or name accepted)."""
    if district_code(district, period) is None:
        return label("province", lang)
    return admin_units.find_district(district, _year(period))["district_name"]


def _year(period: object) -> int:
    try:
        return parse_period(period).year
    except Exception:  # a bare year or date is also accepted by the register
        return int(str(period)[:4])


def title(kind: str, period: object, district: str | None = None, lang: str = "vi", extra: str = "") -> str:
    """Markdown heading carrying the parameters (area and period)."""
    t = label(f"title_{kind}", lang)
    when = period_text(period, lang) if _is_period(period) else str(period)
    return f"# {md(t)} — {md(area_name(district, _year(period), lang))}, {md(when)}{md(extra)}"


def _is_period(value: object) -> bool:
    try:
        parse_period(value)
        return True
    except Exception:
        return False


def source_block(ds, period: object | None = None, lang: str = "vi") -> str:
    """The lines under a title: the synthetic warning or the data source, and the reporting window."""
    lines = []
    if ds.synthetic:
        lines.append(f"> **⚠ {md(label('synthetic_notice', lang))}**")
    lines.append(f"> {md(ds.source_line(lang))}")
    if period is not None:
        p = period_of(period)
        start, end = p.window
        lines.append(f"> {md(label('window', lang).format(period=period_text(p, lang), start=fmt_date(start, lang), end=fmt_date(end, lang)))}")
    return "\n>\n".join(lines)


def sentence(key: str, lang: str = "vi", **fields) -> str:
    """One sentence of ``labels.yaml`` (e.g. that a section's data are absent), fields filled, escaped."""
    return f"*{md(label(key, lang).format(**fields))}*"


def in_area(df: pd.DataFrame, district: str | None, period: object, code_col: str = "commune_code") -> pd.DataFrame:
    """Rows of communes in the district (all rows for the province)."""
    code = district_code(district, period)
    if code is None:
        return df
    units = admin_units.units(_year(period))
    return df[df[code_col].isin(units.loc[units["district_code"] == code, "code"])]


def assessment_year(assessment: pd.DataFrame, period: object) -> int | None:
    """The latest year with self-assessment verdicts up to the period's year (None when there is none)."""
    if assessment is None or assessment.empty:
        return None
    years = assessment.loc[assessment["year"] <= period_of(period).year, "year"]
    return int(years.max()) if len(years) else None


def failed_communes(assessment: pd.DataFrame, year: int, district: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Communes that did not meet the standard in ``year`` and why."""
    a = in_area(assessment[assessment["year"] == int(year)], district, year)
    a = a[a["status"] != "met"]
    cols = {"name": label("commune", lang), "district_name": label("district", lang),
            "total": label("col_total", lang), "threshold": label("col_pass_mark", lang),
            f"reasons_{lang}": label("col_reasons", lang)}
    return a.sort_values(["district_name", "name"])[list(cols)].rename(columns=cols).reset_index(drop=True)


def share_table(values: pd.DataFrame, indicator_id: str, period: object, lang: str = "vi") -> pd.DataFrame:
    """District and province rows of one indicator for a period: value, interval, numerator, denominator."""
    v = values[(values["indicator"] == indicator_id) & (values["period"].astype(str) == str(period))]
    v = v[v["level"].isin(["district", "province"])].copy()
    v["_o"] = v["level"].map({"district": 0, "province": 1})
    v = v.sort_values(["_o", "unit_name"])
    out = pd.DataFrame({
        label("col_unit", lang): v["unit_name"],
        label("col_numerator", lang): v["numerator"].round(0).astype("Int64"),
        label("col_denominator", lang): v["denominator"].round(0).astype("Int64"),
        indicator(indicator_id).unit_label(lang): v["value"].round(1),
        label("interval_short", lang): [interval(lo, hi, lang) for lo, hi in zip(v["ci_low"], v["ci_high"])],
        "": v["base_mark"],
    })
    return out.reset_index(drop=True)


def annex_tables(values: pd.DataFrame, period: object, lang: str = "vi") -> dict[str, pd.DataFrame]:
    """Annex of the periodic report: one table per plan indicator with data (district and province rows)."""
    out = {}
    for ind_id in plan_indicators():
        t = share_table(values, ind_id, str(period_of(period)), lang)
        if len(t):
            out[ind_id] = t
    return out


def write_annex(tables: dict[str, pd.DataFrame], path: str | Path, ds=None, period: object | None = None,
                lang: str = "vi") -> Path:
    """Write the annex workbook: a cover sheet (title, source, synthetic notice), one sheet per indicator.

    Sheet names are the indicators' labels in ``lang``; every cell is a value, written atomically.
    """
    cover = [label("annex_cover", lang) + (f" — {period_text(period, lang)}" if period is not None else "")]
    notes = {}
    if ds is not None:
        if ds.synthetic:
            cover.insert(0, "⚠ " + label("synthetic_notice", lang))
        cover.append(ds.source_line(lang))
    named = {}
    for ind_id, table in tables.items():
        name = indicator(ind_id).label(lang)
        named[name] = table
        if ds is not None and ds.synthetic:
            notes[name] = "⚠ " + label("synthetic_notice", lang)
    return write_excel(path, named, cover=cover, notes=notes)




def heading(key: str, lang: str = "vi", suffix: str = "") -> str:
    """A section heading in ``lang`` (markdown); ``suffix`` is escaped."""
    return label(f"heading_{key}", lang) + md(suffix)


def target_rows(status: pd.DataFrame, unit_code: str | None, lang: str = "vi") -> pd.DataFrame:
    """Target status rows of one unit (province when ``unit_code`` is None), labelled."""
    from .targets import STATUS_LABELS

    s = status[status["level"] == "province"] if unit_code is None else status[status["unit_code"] == unit_code]
    return pd.DataFrame({
        label("col_indicator", lang): [indicator(i).label(lang) for i in s["indicator"]],
        label("col_target_year", lang): s["target_year"].to_numpy(),
        label("target", lang): [fmt_target(o, t, lang) for o, t in zip(s["op"], s["target"])],
        label("col_baseline", lang): [value_year(v, y, lang) for v, y in zip(s["baseline_value"], s["baseline_year"])],
        label("col_latest", lang): [value_year(v, y, lang) for v, y in zip(s["latest_value"], s["latest_year"])],
        label("col_status", lang): [in_lang(STATUS_LABELS[x], lang) for x in s["status"]],
        label("col_year_reached_projected", lang): [("" if y is None or pd.isna(y) else int(y)) for y in s["year_reached"]],
    })


def movers(trend: pd.DataFrame, indicator_id: str, n: int = 5, lang: str = "vi", period: object = 2024) -> pd.DataFrame:
    """The ``n`` communes that improved most and least, best first (see :func:`movers_rule`).

    Columns: rank, commune, district, first and last value with their years, the Theil–Sen slope in the
    indicator's unit per year (``điểm %/năm`` for a rate), the Mann–Kendall p-value (3 decimals).
    """
    r = rank(trend, indicator_id, "progress")
    if r.empty:
        return r
    pick = pd.concat([r.head(n), r.tail(n)]).drop_duplicates("unit_code")
    districts = admin_units.units(str(period_of(period))).set_index("code")["district_name"]
    unit = indicator(indicator_id).unit_label(lang)
    per_year = label("per_year", lang).format(unit=label("points_unit", lang) if unit.startswith("%") else unit)
    return pd.DataFrame({
        label("col_rank", lang): pick["rank"].to_numpy(),
        label("commune", lang): pick["unit_name"].to_numpy(),
        label("district", lang): pick["unit_code"].map(districts).fillna("").to_numpy(),
        label("col_first", lang): [value_year(v, y, lang) for v, y in zip(pick["first_value"], pick["first_year"])],
        label("col_last", lang): [value_year(v, y, lang) for v, y in zip(pick["last_value"], pick["last_year"])],
        per_year: [number(v, lang, 2, fixed=True, sign=True) for v in pick["slope"]],
        "p (Mann–Kendall)": [number(v, lang, 3, fixed=True) for v in pick["p_value"]],
    })


def movers_rule(lang: str = "vi") -> str:
    """The sentence that states how :func:`movers` orders the communes."""
    return sentence("movers_rule", lang)


def load_summary(ds, lang: str = "vi") -> str:
    """The load counts of a dataset's submissions and score sheets, one line each (escaped)."""
    lines = []
    for res in (ds.load, ds.score_load):
        if res is not None:
            lines.append("- " + md(res.summary_text(lang)))
    return "\n".join(lines) if lines else sentence("no_submissions", lang)


def quarantine_summary(quarantine: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The quarantine counted by reason, with one example of each, labelled in ``lang``."""
    q = quarantine
    col = f"reason_{lang}"
    by = q.groupby("reason").agg(n=("reason", "size"), example=(col, "first")).reset_index() if len(q) else \
        pd.DataFrame(columns=["reason", "n", "example"])
    by = by.sort_values("n", ascending=False).reset_index(drop=True)
    return pd.DataFrame({label("col_rows", lang): by["n"].to_numpy(), label("col_example", lang): by["example"].to_numpy()})


def quarantine_rows(quarantine: pd.DataFrame, lang: str = "vi", limit: int = 50) -> pd.DataFrame:
    """The quarantined rows to send back to districts (total rows left out: they are not faults)."""
    q = quarantine
    q = q[q["reason"] != "total_row"].head(limit)
    who = [c if isinstance(c, str) and c else n for c, n in zip(q["commune_code"], q["commune_name"])]
    return pd.DataFrame({
        label("col_file", lang): [Path(str(f)).name for f in q["file"]], label("col_sheet", lang): q["sheet"].to_numpy(),
        label("col_row", lang): q["row"].to_numpy(), label("col_column", lang): q["column"].to_numpy(), label("commune", lang): who,
        label("period", lang): q["period"].to_numpy(), label("col_element", lang): [element_label(e, lang) for e in q["element"]],
        label("col_value", lang): q["value"].to_numpy(), label("col_reason", lang): q[f"reason_{lang}"].to_numpy(),
    })


def element_label(value: object, lang: str = "vi") -> str:
    """A data element's label in ``lang`` for its id; anything else (a heading the file had) as it is."""
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return element(text).label(lang) if text in elements() else text


def show(df: pd.DataFrame, lang: str = "vi", **kw):
    """A table for a page: numbers written the ``lang`` way and right-aligned, text left-aligned and
    escaped, no index column (see :func:`btchild_analysis.fmt.style_table`)."""
    return style_table(df, lang, **kw)


_COMPLETENESS_HEADERS = {
    "vi": {"level": "Cấp", "code": "Mã", "name": "Đơn vị", "expected": "Phải nộp", "received": "Đã nộp",
           "missing": "Chưa nộp", "on_time": "Đúng hạn", "late": "Trễ hạn", "pct_received": "% đã nộp",
           "pct_on_time": "% đúng hạn"},
    "en": {"level": "Level", "code": "Code", "name": "Unit", "expected": "Expected", "received": "Received",
           "missing": "Missing", "on_time": "On time", "late": "Late", "pct_received": "% received",
           "pct_on_time": "% on time"},
}
_LEVELS = {"vi": {"district": "Huyện", "province": "Tỉnh"}, "en": {"district": "District", "province": "Province"}}


def completeness_table(submission_dates: pd.DataFrame, period: object, lang: str = "vi") -> pd.DataFrame:
    """:func:`quality.completeness` with headers and levels in ``lang``."""
    from .quality import completeness

    key = check_lang(lang)
    t = completeness(submission_dates, period)
    t["level"] = t["level"].map(_LEVELS[key])
    return t.rename(columns=_COMPLETENESS_HEADERS[key])


def late_table(submission_dates: pd.DataFrame, period: object, lang: str = "vi") -> pd.DataFrame:
    """Units whose report is missing or late, labelled in ``lang`` (dates written the ``lang`` way)."""
    from .quality import missing_and_late

    t = missing_and_late(submission_dates, period)
    status = {"missing": label("missing", lang), "late": label("late", lang)}
    return pd.DataFrame({
        label("col_code", lang): t["code"], label("commune", lang): t["name"], label("district", lang): t["district_name"],
        label("col_status_2", lang): t["status"].map(status),
        label("col_received_on", lang): ["" if is_missing(d) or d == "" else fmt_date(d, lang) for d in t["submitted_on"]],
    })


def annual_values(values: pd.DataFrame, upto: object) -> pd.DataFrame:
    """Annual rows of an indicator table up to the period's year (H1 rows and later years dropped)."""
    per = values["period"].astype(str)
    return values[per.str.fullmatch(r"\d{4}") & (per.str[:4].astype(int) <= period_of(upto).year)]


def target_status(values: pd.DataFrame, period: object) -> pd.DataFrame:
    """Plan targets of the province and its districts (communes left out: no page shows a commune's
    targets) from the annual values up to the period's year: one
    :func:`btchild_analysis.targets.status_table` for the key messages and the table of a page."""
    from .targets import status_table

    return status_table(annual_values(values[values["level"] != "commune"], period))


def messages_status(status: pd.DataFrame, period: object) -> pd.DataFrame | None:
    """``status`` (:func:`target_status`) for :func:`btchild_analysis.messages.key_messages` when it is
    what they would compute; None for a half year (its messages count the years before, so they
    compute their own)."""
    return status if period_of(period).kind == "A" else None


def years_with(values: pd.DataFrame, indicator_id: str, level: str | None = None) -> list[int]:
    """Years with an annual value of an indicator (at ``level`` when given)."""
    v = values[(values["indicator"] == indicator_id) & values["value"].notna()]
    if level is not None:
        v = v[v["level"] == level]
    per = v["period"].astype(str)
    return sorted({int(p) for p in per if len(p) == 4})


def has_value(values: pd.DataFrame, indicator_id: str, period: object, level: str) -> bool:
    """Whether an indicator table holds a value of the indicator for the period at a level."""
    v = values[(values["indicator"] == indicator_id) & (values["period"].astype(str) == str(period_of(period)))
               & (values["level"] == level)]
    return bool(v["value"].notna().any())


def vintage_for(period: object) -> str:
    """The vintage of units a period's report is on (its reference date's)."""
    return admin_units.vintage_of(str(period_of(period)))


def output_path(output_dir: str | Path, report_name: str, suffix: str) -> Path:
    """Where a report writes an attachment: ``OUTPUT_DIR/<report name>_<suffix>`` (names made safe)."""
    return Path(output_dir) / f"{slug(report_name) or 'bao_cao'}_{suffix}"


def link(path: str | Path, lang: str = "vi") -> str:
    """A Markdown link to an attachment beside the page (relative, so the portfolio can be moved)."""
    name = Path(path).name
    word = label("col_download", lang)
    return f"[⬇ {word}: {md(name)}]({name})"


def download(df: pd.DataFrame, output_dir: str | Path, report_name: str, key: str, ds=None, lang: str = "vi") -> str:
    """Write a table beside the page as CSV (marked synthetic when ``ds`` is) and return the link to it."""
    return write_download(df, output_dir, report_name, key, ds is not None and ds.synthetic, lang)


def write_download(df: pd.DataFrame, output_dir: str | Path, report_name: str, key: str, synthetic: bool,
                   lang: str = "vi") -> str:
    """:func:`download` for a page whose data are not a Dataset (e.g. children's measurements)."""
    from .outputs import write_csv

    path = output_path(output_dir, report_name, f"{slug(key) or 'bao_cao'}.csv")
    write_csv(path, df, comment=label("synthetic_notice", lang) if synthetic else None)
    return link(path, lang)


def with_files(ds, files: list | None):
    """The dataset whose loading a data-quality page shows: ``ds`` itself, or ``ds`` plus extra files."""
    if not files:
        return ds
    res = load_submissions([str(f) for f in files])
    return replace(ds, load=res if ds.load is None else ds.load.merged(res))


def write_quarantine(ds, path: str | Path, lang: str = "vi") -> Path:
    """The quarantine of a dataset as a workbook for the districts (cells as values; synthetic marked)."""
    cover = [label("quarantine_cover", lang), ds.source_line(lang)]
    if ds.synthetic:
        cover.insert(0, "⚠ " + label("synthetic_notice", lang))
    return write_excel(path, {label("quarantine_sheet", lang): quarantine_rows(ds.quarantine, lang, limit=10**9)}, cover=cover)


def arrival_periods(ds) -> list[str]:
    """Periods of the arrival log in time order (``2015H1`` before ``2015``)."""
    per = ds.submission_dates["period"].astype(str).unique()
    return sorted(per, key=period_order)


def outlier_rows(ds, period: object, lang: str = "vi") -> pd.DataFrame:
    """Implausible values of the period (kept, flagged), labelled in ``lang``."""
    flags = ds.load.flags if ds.load is not None else None
    if flags is None or flags.empty:
        return pd.DataFrame()
    f = flags[flags["period"].astype(str) == str(period_of(period))]
    names = admin_units.units(str(period_of(period))).set_index("code")["name"]
    return pd.DataFrame({
        label("col_code", lang): f["commune_code"].to_numpy(),
        label("commune", lang): f["commune_code"].map(names).fillna("").to_numpy(),
        label("col_element", lang): [element(e).label(lang) for e in f["element"]],
        label("col_rate", lang): f["value"].to_numpy(),
        label("col_compared", lang): [label(f"basis_{b}", lang) for b in f["basis"]],
        label("col_plausible_range", lang): [interval(max(lo, 0), hi, lang) for lo, hi in zip(f["lower"], f["upper"])],
    })


def setup_figures() -> None:
    """Figures of the notebooks drawn at twice the resolution (crisp when zoomed or printed)."""
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # outside IPython there is nothing to set
        return
    set_matplotlib_formats("retina")


def _halves(note: str) -> tuple[str, str]:
    """A load note ``"vi / en"`` as its two halves (a note without " / " is the same in both)."""
    vi, _, en = note.partition(" / ")
    return vi, en or vi


def load_notes(ds, lang: str = "vi") -> pd.DataFrame:
    """How files were read (a period chosen between sheet name and title, columns not read), in ``lang``."""
    notes = ds.load.notes if ds.load is not None else pd.DataFrame(columns=["file", "sheet", "note"])
    side = [in_lang(_halves(n), lang) for n in notes["note"].astype(str)]
    return pd.DataFrame({label("col_file", lang): [Path(str(f)).name for f in notes["file"]],
                         label("col_sheet", lang): notes["sheet"].to_numpy(),
                         label("col_note", lang): side})


#: White space kept around a figure's content (matplotlib's ``savefig.pad_inches`` default).
PAD_INCHES = 0.1
#: Room drawn around a figure for labels that reach past its edge (tick labels, notes); content
#: further out falls back to matplotlib's own cropping.
MARGIN_INCHES = 1.5


def _crop_box(tight: Bbox, dpi: float, shape: tuple[int, int], margin: float) -> tuple[int, int, int, int] | None:
    """Pixel rows and columns ``(top, bottom, left, right)`` of a canvas ``shape`` (rows, columns)
    drawn with ``margin`` inches around the figure that hold the content's box ``tight`` (inches, in
    the figure's own coordinates) padded by :data:`PAD_INCHES`; None when that reaches past the canvas.

    >>> _crop_box(Bbox([[0.5, 0.25], [3.0, 2.0]]), 100, (400, 500), 1.0)  # a 3 × 2 in figure, 1 in around it
    (90, 285, 140, 410)
    """
    box = tight.padded(PAD_INCHES)
    left, right = round((box.x0 + margin) * dpi), round((box.x0 + margin) * dpi) + int(box.width * dpi)
    top = round(shape[0] - (box.y1 + margin) * dpi)
    bottom = top + int(box.height * dpi)
    if left < 0 or top < 0 or right > shape[1] or bottom > shape[0]:
        return None
    return top, bottom, left, right


#: Agg renderers kept between figures, by canvas size and dpi (the last few): matplotlib keeps the sizes
#: of texts per renderer, so a fresh renderer for every figure measured the same tick labels, legend
#: entries and notes again on every map and chart of a report (issue 16).
_RENDERERS: dict[tuple[float, float, float], object] = {}
RENDERERS_KEPT = 2


def _take_renderer(canvas: FigureCanvasAgg) -> tuple:
    """Give ``canvas`` the kept renderer of its size and dpi, if there is one, and take it out of the
    keeping while it draws (a figure drawn meanwhile, in another thread, gets its own); returns the key
    to keep it under afterwards (:func:`_keep_renderer`).  Agg clears a renderer before each draw."""
    key = (*canvas.get_width_height(physical=True), canvas.figure.dpi)  # as FigureCanvasAgg.get_renderer keys it
    renderer = _RENDERERS.pop(key, None)
    if renderer is not None:
        canvas.renderer, canvas._lastKey = renderer, key
    return key


def _keep_renderer(key: tuple, renderer) -> None:
    """Keep ``renderer`` for the next figure of its size, after its pixels were copied out."""
    _RENDERERS[key] = renderer
    while len(_RENDERERS) > RENDERERS_KEPT:
        _RENDERERS.pop(next(iter(_RENDERERS)))


def _draw_cropped(fig, dpi: float) -> np.ndarray | None:
    """The figure drawn once at ``dpi`` on a canvas :data:`MARGIN_INCHES` larger on every side, cut to
    its content plus :data:`PAD_INCHES` (what ``savefig(bbox_inches="tight")`` gives, which lays the
    figure out once and draws it a second time), as RGB rows; None when that cannot be done the same
    way (a layout engine, content beyond the margin) and matplotlib must crop it."""
    engine = fig.get_layout_engine()  # after fig.tight_layout() a placeholder that lays nothing out
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        return None
    old_dpi, canvas = fig.dpi, FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    w, h = fig.get_size_inches()
    restore = adjust_bbox(fig, Bbox([[-MARGIN_INCHES, -MARGIN_INCHES], [w + MARGIN_INCHES, h + MARGIN_INCHES]]),
                          canvas.get_renderer(), dpi)
    try:
        key = _take_renderer(canvas)
        canvas.draw()
        renderer = canvas.get_renderer()
        tight = fig.get_tightbbox(renderer)  # inches, from the canvas's corner: the figure's own corner is at the margin
        rgba = np.asarray(renderer.buffer_rgba())
    finally:
        restore()
        fig.set_dpi(old_dpi)
    tight = Bbox(tight.get_points() - MARGIN_INCHES)
    rows = _crop_box(tight, dpi, rgba.shape[:2], MARGIN_INCHES)
    rgb = None
    if rows is not None:
        top, bottom, left, right = rows
        rgb = np.ascontiguousarray(rgba[top:bottom, left:right, :3])  # a copy, before the renderer is reused
    _keep_renderer(key, renderer)
    return rgb


def _png(fig) -> bytes:
    """The figure as PNG at twice its resolution, cut to its content (as ``bbox_inches="tight"``) and
    reduced to a 256-colour palette (a quarter of the bytes, no visible change for charts and maps),
    so that a page of figures stays under 2 MB.  Drawn once (:func:`_draw_cropped`), not laid out and
    drawn twice as ``savefig`` does (issue 16)."""
    dpi = 2 * fig.dpi
    rgb = _draw_cropped(fig, dpi)
    if rgb is None:
        buf = BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": 0})
        buf.seek(0)
        image = Image.open(buf).convert("RGB")
    else:
        image = Image.fromarray(rgb)
    out = BytesIO()
    # zlib's default level: optimize=True (level 9) took ten times as long for 6% fewer bytes (issue 16)
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, "PNG")
    return out.getvalue()


def show_figure(fig) -> None:
    """Show a figure in a notebook as a PNG at twice the resolution (crisp when zoomed or printed),
    with its alt text (``fig.btchild_alt``) for the page; the figure is closed afterwards."""
    png = _png(fig)
    width = int.from_bytes(png[16:20], "big") // 2  # the PNG header's width, shown at half: 2× crisp
    alt = getattr(fig, "btchild_alt", "") or (fig.axes[0].get_title() if fig.axes else "")
    plt.close(fig)
    display({"image/png": base64.b64encode(png).decode("ascii")}, raw=True,
            metadata={"image/png": {"alt": alt, "width": width}})


def map_key(fig, lang: str = "vi") -> str:
    """The key of a figure (a province map's numbers → communes; a heatmap's criteria) as a folded HTML
    table ('' when the figure names everything directly)."""
    key = getattr(fig, "btchild_key", None)
    if key is None or key.empty:
        return ""
    return f"<details><summary>{escape_html(label('key_summary', lang))}</summary>{show(key, lang).to_html()}</details>"


def show_map(fig, lang: str = "vi") -> None:
    """A map with its key: the figure (see :func:`show_figure`), then the numbered list of communes."""
    key = map_key(fig, lang)
    show_figure(fig)
    if key:
        display(HTML(key))


def table(df: pd.DataFrame, key: str, lang: str = "vi", output_dir: str | Path = ".", report_name: str = "bao_cao",
          ds=None) -> None:
    """Show a table on the page with its CSV download beside it (see :func:`show` and :func:`download`)."""
    display(show(df, lang))
    display(Markdown(download(df, output_dir, report_name, key, ds, lang)))


def begin(kind: str, data: object, period: object, district: str | None = None, lang: str = "vi"):
    """Open a report page: load the data, show the title, the source (or the synthetic warning) and the
    reporting window; return the dataset and the district's code (None for the province).

    ``kind`` is one of the report titles of ``labels.yaml`` (``status``, ``trends``, ``report``,
    ``quality``, ``anthropometry``).
    """
    setup_figures()
    ds = load_dataset(data)
    code = district_code(district, period)
    display(Markdown(title(kind, period, district, lang)))
    display(Markdown(source_block(ds, period, lang)))
    return ds, code
