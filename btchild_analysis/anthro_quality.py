"""Data quality of children's measurements, as in WHO Anthro's data-quality report.

The checks WHO and UNICEF (2019) recommend before prevalence is published: the share of flagged
z-scores, the preference for some last digits of weight and length/height (rounding to whole or half
units instead of reading the scale), heaping of ages on whole years, the standard deviation of the
z-scores (about 0.8–1.2 in a well-measured population; wider means measurement error), and how many
records lack a date.  Every function takes the output of :func:`btchild_analysis.anthropometry.score`.
"""
from __future__ import annotations

from pathlib import PurePath

import numpy as np
import pandas as pd

from .anthropometry import rules
from .figure_text import axis_formatter
from .fmt import interval, number
from .i18n import LabelError, check_lang, label
from .style import add_notices, fit_grid

Z_NAMES = ("haz", "waz", "whz")
SD_RANGE = (0.8, 1.2)
#: The whole-year age heaping ratio (:func:`age_heaping`) judged fine within this range.
HEAPING_RANGE = (0.8, 1.2)
#: SMART digit-preference score above which the last digits are judged problematic.
DPS_LIMIT = 20.0
#: The measures whose last digits are checked (the label key of each is ``anthro_<column>``).
MEASURES = ("weight_kg", "lenhei_cm")


def _t(key: str, lang: str, **kw) -> str:
    return label(f"anthro_{key}", lang, **kw)


def z_summary(scored: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Mean, SD, skewness, kurtosis and flagged share of each z-score (unflagged values), optionally by a column.

    Returns a row per (group,) indicator: ``n, flagged, pct_flagged, mean, sd, skewness, kurtosis, sd_ok``
    (``sd_ok``: SD within 0.8–1.2; kurtosis is Pearson's, 3 for a normal distribution).
    """
    groups = [("all", scored)] if by is None else list(scored.groupby(by, sort=True))
    rows = []
    for key, g in groups:
        for z in Z_NAMES:
            v = g[z].to_numpy(float)
            f = g[f"{z}_flag"].to_numpy(bool)
            ok = v[~np.isnan(v) & ~f]
            n_all = int((~np.isnan(v)).sum())
            sd = float(np.std(ok, ddof=1)) if len(ok) > 1 else np.nan
            rows.append({**({by: key} if by else {}), "indicator": z.upper(), "n": len(ok), "flagged": int(f.sum()),
                         "pct_flagged": 100 * f.sum() / n_all if n_all else np.nan,
                         "mean": float(ok.mean()) if len(ok) else np.nan, "sd": sd,
                         "skewness": _skewness(ok) if len(ok) > 2 else np.nan,
                         "kurtosis": _kurtosis(ok) if len(ok) > 3 else np.nan,
                         "sd_ok": bool(SD_RANGE[0] <= sd <= SD_RANGE[1]) if np.isfinite(sd) else None})
    return pd.DataFrame(rows)


def _moments(v: np.ndarray) -> tuple[float, float, float, float]:
    """Mean and central moments 2, 3, 4 of ``v``, computed as ``scipy.stats`` computes them (the same
    floats: mean of the deviations squared, squared times the deviations, squared squared)."""
    mean = np.mean(v, keepdims=True)
    d = v - mean
    d2 = d ** 2
    return float(mean[0]), float(np.mean(d2)), float(np.mean(d2 * d)), float(np.mean(d2 ** 2))


def _flat(m2: float, mean: float) -> bool:
    return m2 <= (np.finfo(float).eps * mean) ** 2  # scipy's test for values all (nearly) equal


def _skewness(v: np.ndarray) -> float:
    """Sample skewness (biased, as ``scipy.stats.skew``; NaN when every value is the same), without the
    ~1 ms per call that scipy's argument handling costs: z_summary by commune calls it hundreds of times.

    >>> bool(_skewness(np.array([1.0, 2.0, 3.0, 10.0])) > 0), bool(np.isnan(_skewness(np.array([2.0, 2.0, 2.0]))))
    (True, True)
    """
    mean, m2, m3, _ = _moments(v)
    return np.nan if _flat(m2, mean) else m3 / m2 ** 1.5


def _kurtosis(v: np.ndarray) -> float:
    """Pearson's kurtosis (biased, as ``scipy.stats.kurtosis(fisher=False)``; NaN when all equal).

    >>> round(_kurtosis(np.array([-1.0, 1.0, -1.0, 1.0])), 6)
    1.0
    """
    mean, m2, _, m4 = _moments(v)
    return np.nan if _flat(m2, mean) else m4 / m2 ** 2.0


def normal_pdf(x) -> np.ndarray:
    """Density of the standard normal distribution (the WHO standard's z-scores), as ``scipy.stats.norm.pdf``.

    >>> round(float(normal_pdf(0.0)), 6), round(float(normal_pdf(1.96)), 6)
    (0.398942, 0.058441)
    """
    x = np.asarray(x, dtype=float)
    return np.exp(-x ** 2 / 2.0) / np.sqrt(2 * np.pi)


def last_digit(values) -> np.ndarray:
    """The last recorded digit (the first decimal) of weights or lengths; -1 where missing.

    >>> last_digit([12.3, 8.0, 75.45, float("nan")]).tolist()
    [3, 0, 4, -1]
    """
    v = np.asarray(values, dtype=float)
    tenths = np.floor(np.round(np.abs(v) * 10, 6))
    return np.where(np.isnan(v), -1, np.nan_to_num(tenths) % 10).astype(int)


def digit_preference(scored: pd.DataFrame, column: str) -> tuple[pd.DataFrame, float]:
    """Counts of each last digit 0–9 of ``column`` (``weight_kg`` or ``lenhei_cm``) and the SMART score.

    The digit-preference score is ``100 × sqrt(χ² / (n × 9))`` against equal shares: 0 when every digit
    is as common as the others, 100 when only one digit is used; above 20 is problematic (SMART).
    """
    d = last_digit(scored[column])
    d = d[d >= 0]
    counts = np.bincount(d, minlength=10)[:10]
    n = int(counts.sum())
    table = pd.DataFrame({"digit": range(10), "count": counts, "pct": 100 * counts / n if n else np.nan})
    if n == 0:
        return table, np.nan
    chi2 = float(((counts - n / 10) ** 2 / (n / 10)).sum())
    return table, 100 * np.sqrt(chi2 / (n * 9))


def age_heaping(scored: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Children by completed month of age (0–59) and the whole-year heaping ratio.

    The ratio is the count at 12, 24, 36 and 48 completed months over the mean of the neighbouring
    months (11 and 13, 23 and 25 …): about 1 without heaping, above 1 when ages are rounded to years.
    """
    m = np.floor(scored["age_months"].to_numpy(float))
    m = m[~np.isnan(m) & (m >= 0) & (m < 60)].astype(int)
    counts = np.bincount(m, minlength=60)[:60]
    table = pd.DataFrame({"month": range(60), "count": counts})
    years = np.array([12, 24, 36, 48])
    neighbours = (counts[years - 1] + counts[years + 1]) / 2
    ratio = counts[years].sum() / neighbours.sum() if neighbours.sum() else np.nan
    return table, float(ratio)


def quality_summary(scored: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The data-quality checks in one table: ``check, label, value, expected, ok``."""
    n = len(scored)
    rows = [("records", _t("records", lang), n, "", None)]

    def pct(mask) -> float:
        return 100 * float(np.sum(mask)) / n if n else np.nan

    src = scored["age_source"].to_numpy(dtype=object)
    for key, mask in (("missing_birth_date", scored["birth_date"].isna()),
                      ("missing_measured_on", scored["measured_on"].isna()),
                      ("age_from_months", src == "months"), ("age_missing", src == ""),
                      ("measure_missing", scored["measure"].to_numpy(dtype=object) == ""),
                      ("standing_under_9m", scored["standing_under_9m"])):
        v = pct(mask)
        rows.append((key, _t(key, lang), v, "< 5", bool(v < 5) if np.isfinite(v) else None))
    zs = z_summary(scored)
    for r in zs.itertuples(index=False):
        rows.append((f"flagged_{r.indicator.lower()}", _t("flagged_z", lang, z=r.indicator), r.pct_flagged, "< 1",
                     bool(r.pct_flagged < 1) if np.isfinite(r.pct_flagged) else None))
        rows.append((f"sd_{r.indicator.lower()}", _t("sd", lang, z=r.indicator), r.sd, interval(*SD_RANGE, lang), r.sd_ok))
    for col in MEASURES:
        _, dps = digit_preference(scored, col)
        rows.append((f"dps_{col}", _t("dps", lang, m=_t(col, lang)), dps, f"≤ {DPS_LIMIT:g}",
                     bool(dps <= DPS_LIMIT) if np.isfinite(dps) else None))
    _, ratio = age_heaping(scored)
    lo, hi = HEAPING_RANGE
    rows.append(("age_heaping", _t("heaping", lang), ratio, interval(lo, hi, lang),
                 bool(lo <= ratio <= hi) if np.isfinite(ratio) else None))
    return pd.DataFrame(rows, columns=["check", "label", "value", "expected", "ok"])


# ----------------------------------------------------------------------------- figures

def plot_z_distributions(scored: pd.DataFrame, lang: str = "vi", synthetic: bool = False):
    """Histograms of HAZ, WAZ, WHZ (unflagged) against the WHO standard (normal, mean 0, SD 1)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharey=True)
    grid = np.linspace(-5, 5, 201)
    for ax, z in zip(axes, Z_NAMES):
        v = scored[z].to_numpy(float)
        v = v[~np.isnan(v) & ~scored[f"{z}_flag"].to_numpy(bool)]
        ax.hist(v, bins=np.arange(-5, 5.01, 0.25), density=True, color="#56B4E9", edgecolor="white")
        ax.plot(grid, normal_pdf(grid), color="#D55E00", lw=1.5, label="WHO 2006")
        ax.set_title(f"{z.upper()} (n = {number(len(v), lang, 0)})", y=1.0)  # y: no search for tick labels above
        ax.set_xlim(-5, 5)
        ax.xaxis.set_major_formatter(axis_formatter(lang))
        ax.yaxis.set_major_formatter(axis_formatter(lang))
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle(_t("z_title", lang))
    fit_grid(fig, axes, foot=0.06)
    add_notices(fig, lang, synthetic=synthetic)
    return fig


def plot_digits_and_ages(scored: pd.DataFrame, lang: str = "vi", synthetic: bool = False):
    """Bars of the last digit of weight and of length/height, and children by month of age."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1, 2]})
    for ax, col in zip(axes[:2], MEASURES):
        table, dps = digit_preference(scored, col)
        ax.bar(table["digit"], table["pct"], color="#009E73")
        ax.axhline(10, color="#333333", lw=0.8, ls="--")
        ax.set_xticks(range(10))
        ax.set_title(f"{_t(col, lang).capitalize()} — DPS {number(dps, lang, 0)}", fontsize=10, y=1.0)
        ax.set_ylabel("%")
        ax.yaxis.set_major_formatter(axis_formatter(lang))
    table, ratio = age_heaping(scored)
    axes[2].bar(table["month"], table["count"], color=["#E69F00" if m in (12, 24, 36, 48) else "#999999"
                                                       for m in table["month"]])
    axes[2].set_title(f"{_t('age_months', lang)} — {number(ratio, lang, 2, fixed=True)}", fontsize=10, y=1.0)
    axes[2].yaxis.set_major_formatter(axis_formatter(lang))
    fit_grid(fig, axes, foot=0.06)
    add_notices(fig, lang, synthetic=synthetic)
    return fig


def limits_text(lang: str = "vi") -> str:
    """The WHO flag limits in words (for a report's footnote)."""
    f = rules()["flags"]
    parts = [f"{z.upper()} < {lo} {_t('or', lang)} > {hi}" for z, (lo, hi) in f.items()]
    return _t("flag_head", lang) + "; ".join(parts)


# ----------------------------------------------------------------------------- the report (notebook 05)

#: The headings and sentences of the report (``anthro_<key>`` in ``data/labels.yaml``).
HEADINGS = ("title", "load", "quarantine", "quality", "zsummary", "flagged", "prevalence", "by_sex_age", "tallies",
            "map", "none", "no_quarantine", "no_flagged", "no_tallies", "source", "sd_outside", "no_sd_outside")


def text(key: str, lang: str = "vi", **kw) -> str:
    """A heading or sentence of the anthropometry report in ``lang`` (``key`` one of :data:`HEADINGS`).

    Examples
    --------
    >>> text("prevalence", "vi"), text("prevalence", "en")
    ('Tỷ lệ suy dinh dưỡng', 'Prevalence of malnutrition')
    """
    if key not in HEADINGS:
        raise LabelError(f"no heading {key!r} of the anthropometry report: use one of {', '.join(HEADINGS)}")
    return _t(key, lang, **kw)


def prevalence_table(prev: pd.DataFrame, level: str | None = None, lang: str = "vi",
                     indicators: list[str] | None = None, by: str | None = None) -> pd.DataFrame:
    """Prevalence for display: one row per unit (and sex or age group when ``by``), labelled in ``lang``."""
    from .anthropometry import indicator_label

    p = prev if level is None else prev[prev["level"] == level]
    if by is None:
        p = p[(p["sex"] == "all") & (p["age_group"] == "all")]
    elif by == "sex":
        p = p[p["age_group"] == "all"]
    else:
        p = p[p["sex"] == "all"]
    if indicators:
        p = p[p["indicator"].isin(indicators)]
    def col(key: str) -> str:
        return _t(f"col_{key}", lang)

    out = pd.DataFrame({
        col("unit_name"): p["unit_name"].to_numpy(),
        **({col("sex"): [_t(f"sex_{s}", lang) for s in p["sex"]]} if by == "sex" else {}),
        **({col("age_group"): p["age_group"].to_numpy()} if by == "age_group" else {}),
        col("indicator"): [indicator_label(x, lang) for x in p["indicator"]],
        col("numerator"): p["numerator"].to_numpy(), col("denominator"): p["denominator"].to_numpy(),
        col("value"): p["value"].round(1).to_numpy(),
        col("ci"): [interval(a, b, lang) for a, b in zip(p["ci_low"], p["ci_high"])],
        " ": p["base_mark"].to_numpy()})
    return out.reset_index(drop=True)


def compare_tallies(elements: pd.DataFrame, tallies: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Stunting and underweight from the records against the communes' own tallies, by commune.

    ``elements`` from :func:`anthropometry.as_elements`; ``tallies`` long submissions (same period).
    The z column is the difference over its binomial standard error at the tally's rate.
    """
    from . import admin_units

    els = list(rules()["elements"])
    rec = elements[elements["element"].isin(els)].pivot_table(index=["commune_code", "period"], columns="element",
                                                                values="value", aggfunc="sum")
    tal = tallies[tallies["element"].isin(els)].pivot_table(index=["commune_code", "period"], columns="element",
                                                             values="value", aggfunc="sum")
    m = rec.join(tal, how="inner", lsuffix="_rec", rsuffix="_tally").reset_index()
    names = {}
    for per in m["period"].unique():
        names.update(admin_units.units(per).set_index("code")["name"].to_dict())
    out = {label("commune", lang): [names.get(c, c) for c in m["commune_code"]]}
    recs, tally = _t("from_records", lang), _t("from_tally", lang)
    for num, den, what in (("u5_stunted", "u5_measured", _t("stunting", lang)),
                           ("u5_underweight", "u5_weighed", _t("underweight", lang))):
        pr = 100 * m[f"{num}_rec"] / m[f"{den}_rec"]
        pt = 100 * m[f"{num}_tally"] / m[f"{den}_tally"]
        se = np.sqrt(pt * (100 - pt) / m[f"{den}_rec"])
        out[f"{what} % ({recs})"] = pr.round(1)
        out[f"{what} % ({tally})"] = pt.round(1)
        out[f"{what} z"] = ((pr - pt) / se).round(1)
    return pd.DataFrame(out)


def write_table(df: pd.DataFrame, output_dir, report_name: str, key: str, synthetic: bool, lang: str = "vi") -> str:
    """Write a table beside the report as CSV (marked synthetic when it is); returns the Markdown link
    (:func:`btchild_analysis.sections.write_download`, the same writer as every other page's)."""
    from .sections import write_download  # a page helper: the arithmetic above never imports the page modules
    return write_download(df, output_dir, report_name, key, synthetic, lang)


def shown_table(df: pd.DataFrame, heads: dict[str, str], lang: str = "vi") -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table as a page shows it and as it is downloaded: files by name only (never the folder they were
    read from); on the page the columns ``heads`` names, under their labels in ``lang``.

    Returns
    -------
    (DataFrame, DataFrame)
        The page's table; every column (files by name) for the CSV.

    Examples
    --------
    >>> t = pd.DataFrame({"file": ["/srv/data/a.csv"], "row": [7], "extra": [1]})
    >>> shown, csv = shown_table(t, {"file": "col_file", "row": "col_row"}, "en")
    >>> shown.values.tolist(), list(shown.columns), csv.values.tolist()
    ([['a.csv', 7]], ['File', 'Row'], [['a.csv', 7, 1]])
    """
    csv = df.assign(file=[PurePath(str(f)).name for f in df["file"]]) if "file" in df.columns else df
    shown = csv[list(heads)].rename(columns={k: label(v, lang) for k, v in heads.items()})
    return shown.reset_index(drop=True), csv.reset_index(drop=True)


def quarantine_shown(q: pd.DataFrame, lang: str = "vi") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quarantine as a page shows it and as it is downloaded (:func:`shown_table`): file, row, column,
    commune code, value and the reason in ``lang``.

    Examples
    --------
    >>> q = pd.DataFrame({"file": ["/srv/data/can_do_Ba_Tri.xlsx"], "sheet": ["T6"], "row": [7],
    ...                   "column": ["Cân nặng (kg)"], "commune_code": ["28984"], "period": ["2024"],
    ...                   "value": ["650"], "reason_vi": ["ngoài khoảng"], "reason_en": ["out of range"]})
    >>> shown, csv = quarantine_shown(q, "en")
    >>> shown.values.tolist()
    [['can_do_Ba_Tri.xlsx', 7, 'Cân nặng (kg)', '28984', '650', 'out of range']]
    >>> list(quarantine_shown(q, "vi")[0].columns)
    ['Tệp', 'Dòng', 'Cột', 'Mã', 'Giá trị', 'Lý do']
    >>> csv["file"].tolist(), list(csv.columns) == list(q.columns)
    (['can_do_Ba_Tri.xlsx'], True)
    """
    heads = {"file": "col_file", "row": "col_row", "column": "col_column", "commune_code": "col_code",
             "value": "col_value", f"reason_{check_lang(lang)}": "col_reason"}
    return shown_table(q, heads, lang)


#: The columns of the flagged records shown on the page (``anthropometry.flagged``), with their labels.
FLAGGED_HEADS = {"commune_code": "col_code", "child_id": "anthro_col_child_id", "file": "col_file", "row": "col_row",
                 "sex": "anthro_col_sex", "age_months": "anthro_col_age_months", "weight_kg": "anthro_col_weight_kg",
                 "lenhei_cm": "anthro_col_lenhei_cm", "measure": "anthro_col_measure", "haz": "anthro_col_haz",
                 "waz": "anthro_col_waz", "whz": "anthro_col_whz", "flags": "anthro_col_flags"}


def flagged_shown(flagged: pd.DataFrame, lang: str = "vi") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flagged records (``anthropometry.flagged``) as the page shows them and as they are downloaded
    (:func:`shown_table`): sex in words (1 boy, 2 girl) on the page.

    Examples
    --------
    >>> fl = pd.DataFrame({"commune_code": ["28756"], "period": ["2024"], "child_id": ["28756-0012"],
    ...                    "file": ["/srv/can_do.csv"], "row": [13], "sex": [2], "age_months": [37.7],
    ...                    "weight_kg": [7.5], "lenhei_cm": [95.2], "measure": ["H"], "haz": [-0.5],
    ...                    "waz": [-5.1], "whz": [-6.2], "flags": ["WHZ"]})
    >>> shown, csv = flagged_shown(fl, "vi")
    >>> shown.iloc[0][["Tệp", "Giới"]].tolist(), csv["file"].tolist()
    (['can_do.csv', 'Nữ'], ['can_do.csv'])
    """
    shown, csv = shown_table(flagged, FLAGGED_HEADS, lang)
    words = {1: _t("sex_male", lang), 2: _t("sex_female", lang)}
    col = label(FLAGGED_HEADS["sex"], lang)
    shown[col] = [words.get(int(v), "") if pd.notna(v) else "" for v in shown[col]]
    return shown, csv


#: The columns of :func:`z_summary` by commune shown on the page, with their labels.
Z_HEADS = {"commune_code": "col_code", "indicator": "anthro_col_z", "n": "anthro_col_n",
           "flagged": "anthro_col_flagged", "pct_flagged": "anthro_col_pct_flagged", "mean": "anthro_col_mean",
           "sd": "anthro_col_sd", "skewness": "anthro_col_skewness", "kurtosis": "anthro_col_kurtosis"}


def sd_outside_shown(by_commune: pd.DataFrame, lang: str = "vi") -> tuple[str, pd.DataFrame]:
    """The communes whose z-score SD is outside :data:`SD_RANGE` (``z_summary(..., by="commune_code")``):
    the sentence that introduces them (or says there is none) and the page's table.

    Examples
    --------
    >>> t = pd.DataFrame({"commune_code": ["28756", "28759"], "indicator": "HAZ", "n": [40, 50],
    ...                   "flagged": 0, "pct_flagged": 0.0, "mean": -1.0, "sd": [1.0, 1.31],
    ...                   "skewness": 0.1, "kurtosis": 3.0, "sd_ok": [True, False]})
    >>> sentence, shown = sd_outside_shown(t, "vi")
    >>> sentence, shown["Mã"].tolist()
    ('Xã có độ lệch chuẩn điểm z ngoài khoảng 0,8–1,2 (mọi xã trong tệp tải về):', ['28759'])
    """
    outside = by_commune[by_commune["sd_ok"].eq(False)]   # None: too few children to judge
    span = interval(*SD_RANGE, lang)
    if outside.empty:
        return text("no_sd_outside", lang, range=span), outside.iloc[:0]
    return text("sd_outside", lang, range=span), shown_table(outside, Z_HEADS, lang)[0]


def commune_tallies(elements: pd.DataFrame, period: object) -> pd.DataFrame:
    """The communes' own counts (``u5_measured`` …) for ``period`` among a dataset's accepted elements."""
    els = list(rules()["elements"])
    return elements[(elements["period"].astype(str) == str(period)) & elements["element"].isin(els)]


def quality_table(scored: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """:func:`quality_summary` for display: values with two decimals written the ``lang`` way, the verdict in words."""
    s = quality_summary(scored, lang)
    verdict = {True: _t("fine", lang), False: _t("to_check", lang), None: ""}
    return pd.DataFrame({
        _t("check", lang): s["label"],
        _t("value", lang): [number(v, lang, 0) if c == "records" else ("" if not np.isfinite(v) else number(v, lang, 2, fixed=True))
                                  for c, v in zip(s["check"], s["value"].astype(float))],
        _t("expected", lang): s["expected"],
        _t("verdict", lang): [verdict[o if o is None else bool(o)] for o in s["ok"]]})
