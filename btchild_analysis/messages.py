"""Key messages and the methods box of a report: plain sentences written from the data.

Each message rests on a small pure function that returns the numbers it states
(:func:`target_counts`, :func:`missed_targets`, :func:`standard_counts`, :func:`standard_changes`,
:func:`reporting_counts`, :func:`data_coverage`), so a test can check a sentence against its numbers.
A message whose data are absent (no self-assessment, no arrival log, one year only …) is left out;
partial inputs never raise.

Sentences live in ``data/messages.yaml`` (Vietnamese and English); numbers are written by
:mod:`btchild_analysis.fmt` (``79,6`` on Vietnamese pages).  :func:`key_messages` returns plain text;
:func:`messages_markdown` and :func:`methods_box` return Markdown in which every text is escaped.

Length: over 400 lines because each key message is a pair of small functions (the numbers, then
the sentence) so that tests can assert a sentence against the numbers it states; the pairs belong together.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from . import fmt, admin_units
from ._resources import load_yaml
from .errors import BtchildError
from .indicators import COVERAGE_THRESHOLD
from .outputs import escape_md
from .periods import Period, parse_period
from .catalog import indicator, plan_indicators
from .i18n import check_lang, in_lang, label

#: Target statuses of :func:`btchild_analysis.targets.status_table`, in the order they are counted.
STATUSES = ("achieved", "not_achieved", "on_track", "off_track", "no_data")
#: The small-base marks of :func:`btchild_analysis.indicators.base_mark`: ``(*)`` under SMALL_BASE
#: cases, ``( )`` under CAUTION_BASE.
SMALL_BASE, CAUTION_BASE = 25, 50
#: Names listed in one sentence before "and N more".
NAMES_LIMIT = 8
#: Targets listed as not met before "and N more".
MISSED_LIMIT = 4
_STANDARD = "child_friendly_commune"


# ---------------------------------------------------------------------- texts

def text(section: str, key: str, lang: str = "vi", **fields: Any) -> str:
    """A sentence of ``data/messages.yaml`` in ``lang`` with its ``{fields}`` filled (plain text).

    When ``n`` is 1 and the section has a ``<key>_1`` sentence, that one is used (English singular).

    >>> text("key", "targets_main", "en", achieved=5, total=12, year=2020)
    '5 of the 12 targets of the plan for 2020 were met'
    >>> text("key", "gained", "en", n=1), text("key", "gained", "en", n=2)
    ('; 1 commune newly met it', '; 2 communes newly met it')
    """
    texts = load_yaml("messages.yaml")[section]
    if fields.get("n") == 1 and f"{key}_1" in texts:
        key = f"{key}_1"
    return in_lang(texts[key], lang).format(**fields)


def period_words(period: object, lang: str = "vi") -> str:
    """``"năm 2024"`` / ``"6 tháng đầu năm 2024"`` (``"2024"`` / ``"the first half of 2024"``).

    >>> period_words("2024H1", "vi"), period_words(2024, "en")
    ('6 tháng đầu năm 2024', '2024')
    """
    p = parse_period(period)
    return text("period", p.kind, lang, year=p.year)


def unit_name(name: object, lang: str = "vi") -> str:
    """A unit's name on a page: as registered in Vietnamese; with its type in English in English
    (``data/messages.yaml``, ``unit_types_en``).

    >>> unit_name("Huyện Ba Tri", "en"), unit_name("Phường 8", "en"), unit_name("Xã An Hiệp", "vi")
    ('Ba Tri district', 'Ward 8', 'Xã An Hiệp')
    >>> unit_name("Thành phố Bến Tre", "en"), unit_name("Thị trấn Ba Tri", "en"), unit_name("Khác", "en")
    ('Bến Tre city', 'Ba Tri township', 'Khác')
    """
    text_name = "" if fmt.is_missing(name) else str(name)
    if check_lang(lang) == "vi":
        return text_name
    for prefix, pattern in sorted(load_yaml("messages.yaml")["unit_types_en"].items(), key=lambda kv: -len(kv[0])):
        if text_name.startswith(prefix + " ") and text_name[len(prefix):].strip():
            return pattern.format(name=text_name[len(prefix):].strip())
    return text_name


def area(district: object | None, period: object, lang: str = "vi") -> tuple[str | None, str]:
    """The district's code and name (``None`` and the province's name when ``district`` is None).

    >>> area("ba tri", 2024, "vi"), area(None, 2024, "en"), area("829", 2024, "en")
    (('836', 'Huyện Ba Tri'), (None, 'Bến Tre province'), ('829', 'Bến Tre city'))
    """
    if district is None or (isinstance(district, str) and not district.strip()):
        return None, text("area", "province", lang)
    row = admin_units.find_district(district, parse_period(period).year)
    return str(row["district_code"]), unit_name(row["district_name"], lang)


def _usable(df: pd.DataFrame | None, columns: tuple[str, ...]) -> bool:
    return isinstance(df, pd.DataFrame) and len(df) > 0 and all(c in df.columns for c in columns)


def _report_year(period: Period) -> int:
    """The last year whose annual figures a report can use: its own year, or the year before for H1."""
    return period.year if period.kind == "A" else period.year - 1


# ---------------------------------------------------------------------- targets

def _unit_rows(status: pd.DataFrame, unit_code: str | None) -> pd.DataFrame:
    if unit_code is None:
        return status[status["level"] == "province"]
    return status[(status["level"] != "commune") & (status["unit_code"].astype(str) == str(unit_code))]


def target_counts(status: pd.DataFrame, unit_code: str | None = None,
                  which: list[str] | None = None) -> dict[int, dict[str, int]]:
    """How many of the plan's targets of each target year have each status, for one unit.

    Parameters
    ----------
    status : DataFrame
        :func:`btchild_analysis.targets.status_table` output.
    unit_code : str, optional
        District code; None for the province.
    which : list of str, optional
        Indicators counted (default: the twelve of the plan).  An indicator of ``which`` absent from
        ``status`` counts as ``no_data``, so the total is always the plan's number of targets.

    Returns
    -------
    dict
        ``{target_year: {"achieved": n, "not_achieved": n, "on_track": n, "off_track": n,
        "no_data": n, "total": n}}`` in ascending years.

    Examples
    --------
    >>> from btchild_analysis.targets import status_table
    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014", "2015"],
    ...                   "value": [40.0, 45.0, 48.0, 49.0]})  # 49 in 2015 against ≥ 50
    >>> status = status_table(v)
    >>> target_counts(status)[2015]  # the other plan indicators have no data here
    {'achieved': 0, 'not_achieved': 1, 'on_track': 0, 'off_track': 0, 'no_data': 7, 'total': 8}
    """
    rows = _unit_rows(status, unit_code) if _usable(status, ("level", "unit_code")) else None
    out: dict[int, dict[str, int]] = {}
    for ind_id in which or plan_indicators():
        for tgt in indicator(ind_id).targets:
            c = out.setdefault(tgt.year, {**dict.fromkeys(STATUSES, 0), "total": 0})
            code = "no_data"
            if rows is not None:
                hit = rows[(rows["indicator"] == ind_id) & (rows["target_year"] == tgt.year)]
                code = str(hit["status"].iloc[0]) if len(hit) else "no_data"
            c[code] = c.get(code, 0) + 1
            c["total"] += 1
    return dict(sorted(out.items()))


def targets_message(counts: Mapping[int, Mapping[str, int]], lang: str = "vi", area_name: str | None = None) -> str | None:
    """The sentence on the targets met, latest target year first (None when nothing is assessed).

    >>> targets_message({2020: {"achieved": 5, "not_achieved": 7, "on_track": 0, "off_track": 0,
    ...                          "no_data": 0, "total": 12}}, "en")
    '5 of the 12 targets of the plan for 2020 were met (7 not met).'
    """
    sentences = []
    for year, c in sorted(counts.items(), reverse=True):
        if c.get("total", 0) == 0 or c.get("no_data", 0) == c["total"]:
            continue
        extra = []
        observed = c.get("achieved", 0) + c.get("not_achieved", 0)
        if observed:
            main = text("key", "targets_main", lang, achieved=c.get("achieved", 0), total=c["total"], year=year,
                        n=c.get("achieved", 0))
            if c.get("not_achieved"):
                extra.append(text("key", "targets_not_achieved", lang, n=c["not_achieved"]))
            if c.get("on_track") or c.get("off_track"):
                extra.append(text("key", "targets_projected", lang, on_track=c.get("on_track", 0),
                                  off_track=c.get("off_track", 0)))
        else:  # the target year is not reported yet: the projection only
            main = text("key", "targets_projected_main", lang, on_track=c.get("on_track", 0), total=c["total"],
                        year=year, n=c.get("on_track", 0))
            if c.get("off_track"):
                extra.append(text("key", "targets_off_track", lang, n=c["off_track"]))
        if c.get("no_data"):
            extra.append(text("key", "targets_no_data", lang, n=c["no_data"]))
        sentences.append(main + (f" ({'; '.join(extra)})" if extra else "") + ".")
    if not sentences:
        return None
    prefix = text("key", "targets_area", lang, area=area_name) if area_name else ""
    return prefix + " ".join(sentences)


def missed_targets(status: pd.DataFrame, year: int, unit_code: str | None = None) -> pd.DataFrame:
    """The targets of ``year`` not met (target year reported and missed), in the plan's order.

    Returns
    -------
    DataFrame
        ``indicator, value_at_target_year, op, target``.

    Examples
    --------
    >>> from btchild_analysis.targets import status_table
    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014", "2015"],
    ...                   "value": [40.0, 45.0, 48.0, 49.0]})  # 49 in 2015 against ≥ 50
    >>> status = status_table(v)
    >>> missed_targets(status, 2015).values.tolist()
    [['play_area_standard', 49.0, '>=', 50.0]]
    """
    cols = ["indicator", "value_at_target_year", "op", "target"]
    if not _usable(status, ("level", "unit_code", "status")):
        return pd.DataFrame(columns=cols)
    rows = _unit_rows(status, unit_code)
    rows = rows[(rows["target_year"] == year) & (rows["status"] == "not_achieved")]
    order = {k: i for i, k in enumerate(plan_indicators())}
    rows = rows.assign(_o=rows["indicator"].map(order)).sort_values("_o")
    return rows[cols].reset_index(drop=True)


def _suffix(ind_id: str) -> str:
    return "%" if indicator(ind_id).unit.startswith("%") else ""


def missed_message(status: pd.DataFrame, counts: Mapping[int, Mapping[str, int]], unit_code: str | None,
                   lang: str = "vi") -> str | None:
    """The targets not met of the latest target year with any (their values and targets).

    Examples
    --------
    >>> from btchild_analysis.targets import status_table
    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014", "2015"],
    ...                   "value": [40.0, 45.0, 48.0, 49.0]})  # 49 in 2015 against ≥ 50
    >>> status = status_table(v)
    >>> missed_message(status, target_counts(status), None, "en")
    "Targets for 2015 not met: Communes with a standard children's play area (49.0%, target ≥ 50%)."
    """
    years = [y for y, c in sorted(counts.items(), reverse=True) if c.get("not_achieved")]
    if not years:
        return None
    miss = missed_targets(status, years[0], unit_code)
    if miss.empty:
        return None
    items = [text("key", "missed_item", lang, label=indicator(i).label(lang),
                  value=fmt.number(v, lang, fixed=True) + _suffix(i), target=fmt.target(o, t, lang, _suffix(i)))
             for i, v, o, t in zip(miss["indicator"], miss["value_at_target_year"], miss["op"], miss["target"])]
    shown = items[:MISSED_LIMIT]
    if len(items) > MISSED_LIMIT:
        shown.append(text("key", "missed_more", lang, n=len(items) - MISSED_LIMIT))
    return text("key", "missed", lang, year=years[0], items="; ".join(shown))


def one_indicator_message(status: pd.DataFrame, ind_id: str, unit_code: str | None, lang: str = "vi") -> str | None:
    """One indicator's latest value and its verdict against each target (a page about one indicator).

    Examples
    --------
    >>> from btchild_analysis.targets import status_table
    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014", "2015"],
    ...                   "value": [40.0, 45.0, 48.0, 49.0]})  # 49 in 2015 against ≥ 50
    >>> status = status_table(v)
    >>> one_indicator_message(status, "play_area_standard", None, "en")  # doctest: +NORMALIZE_WHITESPACE
    "Communes with a standard children's play area: 49.0% in 2015. Target for 2015 (≥ 50%): Not achieved.
     Target for 2020 (≥ 55%): On track."
    """
    from .targets import STATUS_LABELS

    rows = _unit_rows(status, unit_code)
    rows = rows[rows["indicator"] == ind_id].sort_values("target_year")
    if rows.empty or fmt.is_missing(rows["latest_value"].iloc[0]):
        return None
    suffix = _suffix(ind_id)
    parts = [text("key", "one_indicator", lang, label=indicator(ind_id).label(lang),
                  value=fmt.number(rows["latest_value"].iloc[0], lang, fixed=True) + suffix,
                  value_year=int(rows["latest_year"].iloc[0]))]
    for _, r in rows.iterrows():
        verdict = in_lang(STATUS_LABELS.get(r["status"], (r["status"], r["status"])), lang)
        parts.append(text("key", "one_target", lang, year=int(r["target_year"]),
                          target=fmt.target(r["op"], r["target"], lang, suffix), verdict=verdict))
    return " ".join(parts)


# ---------------------------------------------------------------------- the standard

def assessment_years(assessment: pd.DataFrame | None, upto: int) -> list[int]:
    """Years with self-assessment verdicts up to ``upto``, ascending.

    Examples
    --------
    >>> a = pd.DataFrame({"commune_code": ["28756", "28757", "28756"], "year": [2023, 2023, 2024],
    ...                   "status": "met", "district_code": "829", "district_name": "Thành phố Bến Tre",
    ...                   "name": ["Phường Phú Khương", "Phường Phú Tân", "Phường Phú Khương"]})
    >>> assessment_years(a, 2024), assessment_years(a, 2023), assessment_years(None, 2024)
    ([2023, 2024], [2023], [])
    """
    if not _usable(assessment, ("year", "status")):
        return []
    return sorted({int(y) for y in assessment["year"] if int(y) <= upto})


def units_in_force(year: int, district_code: str | None = None) -> pd.DataFrame:
    """Units in force in ``year`` (``code, name, district_code, district_name``), of one district if given.

    Examples
    --------
    >>> len(units_in_force(2024)), len(units_in_force(2024, "829"))
    (157, 14)
    """
    u = admin_units.units(year)[["code", "name", "district_code", "district_name"]]
    return u if district_code is None else u[u["district_code"] == district_code]


def standard_counts(assessment: pd.DataFrame, year: int, district_code: str | None = None,
                    expected: int | None = None) -> dict[str, int]:
    """Communes meeting the standard in ``year``: ``met``, ``assessed`` (with a sheet) and ``expected``.

    ``expected`` is the number of units in force (from the register unless given); a commune without
    a sheet counts as not meeting the standard, as in the plan's indicator.

    Examples
    --------
    >>> a = pd.DataFrame({"commune_code": ["28756", "28757", "28756"], "year": [2023, 2023, 2024],
    ...                   "status": "met", "district_code": "829", "district_name": "Thành phố Bến Tre",
    ...                   "name": ["Phường Phú Khương", "Phường Phú Tân", "Phường Phú Khương"]})
    >>> standard_counts(a, 2024, "829")  # Thành phố Bến Tre has 14 units
    {'year': 2024, 'met': 1, 'assessed': 1, 'expected': 14}
    """
    a = assessment[assessment["year"].astype(int) == int(year)]
    if district_code is not None:
        a = a[a["district_code"].astype(str) == str(district_code)]
    if expected is None:
        expected = len(units_in_force(year, district_code))
    assessed = int(a["commune_code"].nunique())
    met = int(a.loc[a["status"] == "met", "commune_code"].nunique())
    return {"year": int(year), "met": met, "assessed": assessed, "expected": max(int(expected), assessed)}


def standard_message(now: Mapping[str, int], prev: Mapping[str, int] | None, area_name: str,
                     lang: str = "vi") -> str:
    """``"11 of 14 communes (78.6%) of … met the … standard in 2024, up from 9 in 2023"``.

    Examples
    --------
    >>> standard_message({"year": 2024, "met": 1, "assessed": 1, "expected": 14},
    ...                  {"year": 2023, "met": 2, "assessed": 2, "expected": 14}, "Bến Tre city", "en")  # doctest: +NORMALIZE_WHITESPACE
    '1 of 14 communes (7.1%) of Bến Tre city met the child-friendly commune standard in 2024, down from 2 in 2023;
     13 had no self-assessment sheet.'
    """
    share = fmt.percent(100 * now["met"] / now["expected"], lang, fixed=False) if now["expected"] else fmt.DASH
    out = text("key", "standard", lang, met=now["met"], total=now["expected"], share=share, area=area_name,
               year=now["year"])
    if prev is not None:
        key = "standard_up" if now["met"] > prev["met"] else "standard_down" if now["met"] < prev["met"] \
            else "standard_same"
        out += text("key", key, lang, prev=prev["met"], prev_year=prev["year"])
        if any(prev["year"] < b <= now["year"] for b in indicator(_STANDARD).break_years):
            out += text("key", "standard_break", lang)
    if now["expected"] > now["assessed"]:
        out += text("key", "standard_no_sheet", lang, n=now["expected"] - now["assessed"])
    return out + "."


def standard_changes(assessment: pd.DataFrame, year: int, prev_year: int, district_code: str | None = None,
                     in_force: pd.DataFrame | None = None) -> dict[str, Any]:
    """Communes that met the standard in ``prev_year`` and no longer did in ``year``, and those newly met.

    A commune merged away by ``year`` is not counted as lost; one still in force without a sheet in
    ``year`` is (it is not recognised).

    Returns
    -------
    dict
        ``lost`` (DataFrame ``code, name, district_name`` sorted by district and name) and ``gained`` (int).

    Examples
    --------
    >>> a = pd.DataFrame({"commune_code": ["28756", "28757", "28756"], "year": [2023, 2023, 2024],
    ...                   "status": "met", "district_code": "829", "district_name": "Thành phố Bến Tre",
    ...                   "name": ["Phường Phú Khương", "Phường Phú Tân", "Phường Phú Khương"]})
    >>> ch = standard_changes(a, 2024, 2023, "829")
    >>> ch["lost"]["name"].tolist(), ch["gained"]
    (['Phường Phú Tân'], 0)
    """
    a = assessment
    if district_code is not None:
        a = a[a["district_code"].astype(str) == str(district_code)]
    met = lambda y: set(a.loc[(a["year"].astype(int) == int(y)) & (a["status"] == "met"), "commune_code"].astype(str))  # noqa: E731
    now, before = met(year), met(prev_year)
    units = in_force if in_force is not None else units_in_force(year, district_code)
    lost = units[units["code"].astype(str).isin(before - now)]
    lost = lost.sort_values(["district_name", "name"])[["code", "name", "district_name"]].reset_index(drop=True)
    return {"lost": lost, "gained": len(now - before)}


def changes_message(changes: Mapping[str, Any], year: int, prev_year: int, by_district: bool,
                    lang: str = "vi") -> str:
    """The communes that fell out of the standard (names) and how many newly met it.

    Examples
    --------
    >>> a = pd.DataFrame({"commune_code": ["28756", "28757", "28756"], "year": [2023, 2023, 2024],
    ...                   "status": "met", "district_code": "829", "district_name": "Thành phố Bến Tre",
    ...                   "name": ["Phường Phú Khương", "Phường Phú Tân", "Phường Phú Khương"]})
    >>> changes_message(standard_changes(a, 2024, 2023, "829"), 2024, 2023, False, "en")
    '1 commune no longer met the standard in 2024 (met in 2023): Ward Phú Tân.'
    """
    lost = changes["lost"]
    if len(lost):
        names = [f"{unit_name(n, lang)} ({unit_name(d, lang)})" if by_district else unit_name(n, lang)
                 for n, d in zip(lost["name"], lost["district_name"])]
        out = text("key", "lost", lang, n=len(lost), year=year, prev_year=prev_year,
                   names=_join(names, lang))
    else:
        out = text("key", "lost_none", lang, prev_year=prev_year)
    if changes["gained"]:
        out += text("key", "gained", lang, n=changes["gained"], prev_year=prev_year)
    return out + "."


def _join(names: list[str], lang: str) -> str:
    """Names for a sentence: at most :data:`NAMES_LIMIT`, then "and N more"."""
    if len(names) <= NAMES_LIMIT:
        return fmt.join_names(names, lang, limit=len(names) or 1)
    rest = text("key", "more_names", lang, n=len(names) - NAMES_LIMIT)
    return ", ".join(names[:NAMES_LIMIT]) + label("and_last", lang) + rest


# ---------------------------------------------------------------------- reporting

def reporting_counts(dates: pd.DataFrame | None, period: object, district_code: str | None = None) -> dict[str, Any] | None:
    """Reports expected, received and on time for a period (:func:`quality.completeness`), one area.

    None when the arrival log has no row for the period (completeness cannot be told) or cannot be read.

    Returns
    -------
    dict or None
        ``expected, received, on_time, pct_received, pct_on_time``.

    Examples
    --------
    >>> dates = pd.DataFrame({"commune_code": ["28756", "28759"], "period": "2024H1",
    ...                       "submitted_on": ["2024-04-20", "2024-05-03"]})  # on time, late
    >>> reporting_counts(dates, "2024H1", "829")
    {'expected': 14, 'received': 2, 'on_time': 1, 'pct_received': 14.3, 'pct_on_time': 7.1}
    >>> reporting_counts(dates, "2023") is None  # no row for the period: cannot be told
    True
    """
    from .quality import completeness

    p = parse_period(period)
    if not _usable(dates, ("commune_code", "period", "submitted_on")):
        return None
    if not (dates["period"].astype(str) == str(p)).any():
        return None
    try:
        t = completeness(dates, p)
    except BtchildError:  # a bad date in the log: the data-quality page shows it
        return None
    row = t[t["level"] == "province"] if district_code is None else \
        t[(t["level"] == "district") & (t["code"].astype(str) == str(district_code))]
    if row.empty:
        return None
    r = row.iloc[0]
    return {k: (int(r[k]) if k in ("expected", "received", "on_time") else float(r[k]))
            for k in ("expected", "received", "on_time", "pct_received", "pct_on_time")}


def completeness_message(counts: Mapping[str, Any], period: object, area_name: str, lang: str = "vi") -> str:
    """``"152 of 157 communes (96.8%) of … sent their report for 2024; 140 (89.2%) on time (before …)."``

    Examples
    --------
    >>> c = {"expected": 14, "received": 2, "on_time": 1, "pct_received": 14.3, "pct_on_time": 7.1}
    >>> completeness_message(c, "2024H1", "Bến Tre city", "en")  # doctest: +NORMALIZE_WHITESPACE
    '2 of 14 communes (14.3%) of Bến Tre city sent their report for the first half of 2024; 1 (7.1%) on time
     (before 2024-05-01).'
    """
    p = parse_period(period)
    return text("key", "completeness", lang, received=counts["received"], expected=counts["expected"],
                pct_received=fmt.percent(counts["pct_received"], lang, fixed=False), on_time=counts["on_time"],
                pct_on_time=fmt.percent(counts["pct_on_time"], lang, fixed=False), area=area_name,
                period=period_words(p, lang), deadline=fmt.date(p.deadline, lang))


# ---------------------------------------------------------------------- key messages

def _status_for(values: pd.DataFrame | None, status: pd.DataFrame | None, period: Period) -> pd.DataFrame | None:
    """The status table given, else computed from ``values`` (annual values up to the report's year)."""
    if _usable(status, ("level", "unit_code", "indicator", "target_year", "status")):
        return status
    if not _usable(values, ("level", "unit_code", "period", "indicator", "value")):
        return None
    from .targets import status_table

    per = values["period"].astype(str)
    annual = values[per.str.fullmatch(r"\d{4}") & (values["level"] != "commune")]
    annual = annual[annual["period"].astype(str).astype(int) <= _report_year(period)]
    return status_table(annual) if len(annual) else None


def key_messages(values: pd.DataFrame | None = None, status: pd.DataFrame | None = None,
                 assessment: pd.DataFrame | None = None, dates: pd.DataFrame | None = None,
                 period: object = None, district: object | None = None, lang: str = "vi",
                 which: list[str] | None = None) -> list[str]:
    """The key messages of a report, in ``lang``: up to six plain sentences written from the data.

    Parameters
    ----------
    values : DataFrame, optional
        :func:`btchild_analysis.indicators.compute_all` output (used for the targets when ``status``
        is not given).
    status : DataFrame, optional
        :func:`btchild_analysis.targets.status_table` of the annual values up to the period.  With
        one indicator only (a page about it), the message is that indicator against its targets.
    assessment : DataFrame, optional
        ``Dataset.assessment()``: verdicts of the child-friendly standard.
    dates : DataFrame, optional
        The arrival log ``commune_code, period, submitted_on``.
    period : str or int
        The report's period (``"2024"``, ``"2024H1"``).
    district : str, optional
        District code or name; None for the province.
    lang : {"vi", "en"}
    which : list of str, optional
        The indicators whose targets are counted (default: the twelve of the plan; a page about some
        indicators only, e.g. the trends of four, passes them).  With one, the message is that
        indicator against its targets.

    Returns
    -------
    list of str
        Plain text (escape it for a page: :func:`messages_markdown`).  Messages whose data are absent
        are left out, so the list may be empty.

    Examples
    --------
    >>> from btchild_analysis.targets import status_table
    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014", "2015"],
    ...                   "value": [40.0, 45.0, 48.0, 49.0]})  # 49 in 2015 against ≥ 50
    >>> status = status_table(v)
    >>> key_messages(values=v, period="2015", lang="en")  # doctest: +NORMALIZE_WHITESPACE
    ["Communes with a standard children's play area: 49.0% in 2015. Target for 2015 (≥ 50%): Not achieved.
     Target for 2020 (≥ 55%): On track."]
    """
    check_lang(lang)
    p = parse_period(period)
    code, name = area(district, p, lang)
    out: list[str] = []
    st = _status_for(values, status, p)
    if st is not None:
        rows = _unit_rows(st, code)
        scope = [i for i in (which or plan_indicators()) if indicator(i).targets]
        present = [i for i in scope if i in set(rows["indicator"])]
        if len(present) == 1 and (which is None or len(scope) == 1):
            msg = one_indicator_message(st, present[0], code, lang)
            out += [msg] if msg else []
        elif present:
            counts = target_counts(st, code, scope)
            out += [m for m in (targets_message(counts, lang, name if code else None),
                                missed_message(st, counts, code, lang)) if m]
    years = assessment_years(assessment, p.year)
    if years and _usable(assessment, ("commune_code", "district_code", "year", "status")):
        now = standard_counts(assessment, years[-1], code)
        prev = standard_counts(assessment, years[-2], code) if len(years) > 1 else None
        out.append(standard_message(now, prev, name, lang))
        if prev is not None:
            ch = standard_changes(assessment, years[-1], years[-2], code)
            out.append(changes_message(ch, years[-1], years[-2], code is None, lang))
    rep = reporting_counts(dates, p, code)
    if rep is not None and rep["expected"]:
        out.append(completeness_message(rep, p, name, lang))
    return out[:6]


def messages_markdown(messages: list[str], lang: str = "vi", heading: str | None = "##") -> str:
    """Key messages as a Markdown list (each escaped), under a heading of level ``heading`` (None: none).

    Examples
    --------
    >>> print(messages_markdown(["5 < 6 *a*"], "en"))
    ## Key messages
    <BLANKLINE>
    - 5 &lt; 6 \\*a\\*
    """
    if not messages:
        return ""
    items = "\n".join(f"- {escape_md(m)}" for m in messages)
    head = f"{heading} {escape_md(text('headings', 'key_messages', lang))}\n\n" if heading else ""
    return head + items


# ---------------------------------------------------------------------- methods box

def data_coverage(elements: pd.DataFrame | None, period: object, district_code: str | None = None) -> dict[str, int]:
    """Communes in force that sent at least one data element for the period, of those expected.

    A report filed under a code merged away counts for its successor (:func:`quality.successor_codes`).

    Returns
    -------
    dict
        ``reporting, expected``.

    Examples
    --------
    A report under the code of Phường 1 (merged into Phường An Hội in 2020) counts for Phường An Hội:

    >>> el = pd.DataFrame({"commune_code": ["28756", "28771"], "period": "2021", "element": "x", "value": 1})
    >>> data_coverage(el, "2021", "829")
    {'reporting': 2, 'expected': 14}
    """
    from .quality import successor_codes

    p = parse_period(period)
    expected = set(_units_for_period(p, district_code)["code"].astype(str))
    if not _usable(elements, ("commune_code", "period")):
        return {"reporting": 0, "expected": len(expected)}
    codes = elements.loc[elements["period"].astype(str) == str(p), "commune_code"].astype(str).unique()
    mapped = set(successor_codes(codes, p).dropna().astype(str)) if len(codes) else set()
    return {"reporting": len(mapped & expected), "expected": len(expected)}


def _units_for_period(p: Period, district_code: str | None) -> pd.DataFrame:
    u = admin_units.units(str(p))[["code", "name", "district_code", "district_name"]]
    return u if district_code is None else u[u["district_code"] == district_code]


def boundary_text(boundary_source: object, lang: str = "vi") -> str | None:
    """The boundary source line: file, year of the units, licence (or that the map is a schematic).

    ``boundary_source`` is a GeoDataFrame from :mod:`btchild_analysis.boundaries` (its ``attrs``), a
    mapping ``{"source"/"file", "year"/"source_year", "licence"}``, or the line itself as text.

    >>> boundary_text({"file": "communes.geojson", "year": 2013, "licence": "MIT"}, "en")
    'communes.geojson, 2013 units, licence MIT'
    """
    if boundary_source is None:
        return None
    if isinstance(boundary_source, str):
        return boundary_source.strip() or None
    attrs = getattr(boundary_source, "attrs", None)
    meta = dict(attrs) if attrs is not None and not isinstance(boundary_source, Mapping) else dict(boundary_source)  # type: ignore[arg-type]
    if meta.get("schematic"):
        return text("methods", "boundary_schematic", lang)
    name = meta.get("source") or meta.get("file") or meta.get("name")
    if not name:
        return None
    year = meta.get("source_year", meta.get("year"))
    licence = meta.get("licence") or meta.get("license")
    parts = [str(name)]
    if not fmt.is_missing(year):
        parts.append(text("methods", "boundary_year", lang, year=year))
    parts.append(text("methods", "boundary_licence", lang, licence=licence) if licence
                 else text("methods", "boundary_no_licence", lang))
    credit = (meta.get("credit") or {}).get(lang) if isinstance(meta.get("credit"), Mapping) else None
    if credit:
        parts.append(str(credit))
    return ", ".join(parts)


def methods_lines(ds: Any, period: object, lang: str = "vi", boundary_source: object = None,
                  district: object | None = None) -> list[tuple[str, str]]:
    """The methods box as (term, plain text) pairs; see :func:`methods_box`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> lines = methods_lines(SimpleNamespace(elements=None, synthetic=True), "2024", "en")
    >>> lines[-1]
    ('Reporting period', '2024: data from 2023-11-01 to 2024-10-31; reports due before 2024-11-01.')
    """
    check_lang(lang)
    p = parse_period(period)
    code, _ = area(district, p, lang)
    pct = fmt.percent(100 * COVERAGE_THRESHOLD, lang, fixed=False)
    lines = [(text("methods", "definitions_term", lang), text("methods", "definitions", lang)),
             (text("methods", "interval_term", lang), text("methods", "interval", lang)),
             (text("methods", "small_base_term", lang),
              text("methods", "small_base", lang, small=SMALL_BASE, caution=CAUTION_BASE - 1)),
             (text("methods", "verdicts_term", lang), text("methods", "verdicts", lang))]
    cov = data_coverage(getattr(ds, "elements", None), p, code)
    if cov["reporting"]:
        share = fmt.percent(100 * cov["reporting"] / cov["expected"], lang, fixed=False) if cov["expected"] else fmt.DASH
        cov_text = text("methods", "coverage", lang, reporting=cov["reporting"], expected=cov["expected"],
                        pct=share, period=period_words(p, lang), threshold=pct)
    else:
        cov_text = text("methods", "coverage_none", lang, period=period_words(p, lang))
    lines.append((text("methods", "coverage_term", lang), cov_text))
    source = ds.source_line(lang) if hasattr(ds, "source_line") else ""
    if getattr(ds, "synthetic", False):
        source = f"{text('methods', 'synthetic', lang)} {source}".strip()
    if source:
        lines.append((text("methods", "source_term", lang), source))
    start, end = p.window
    lines.append((text("methods", "window_term", lang),
                  text("methods", "window", lang, period=period_words(p, lang), start=fmt.date(start, lang),
                       end=fmt.date(end, lang), deadline=fmt.date(p.deadline, lang))))
    bnd = boundary_text(boundary_source, lang)
    if bnd:
        lines.append((text("methods", "boundary_term", lang), bnd))
    return lines


def methods_box(ds: Any, period: object, lang: str = "vi", boundary_source: object = None,
                district: object | None = None, heading: str | None = "##") -> str:
    """The methods box at the end of a report, as Markdown (every text escaped).

    Parameters
    ----------
    ds : Dataset
        :func:`btchild_analysis.dataset.load_dataset` output (its elements, source line, synthetic flag).
    period : str or int
    lang : {"vi", "en"}
    boundary_source : GeoDataFrame, mapping or str, optional
        The boundaries the page's maps use (:func:`boundary_text`); no line when None.
    district : str, optional
        Coverage of this district's communes (default: the province's).
    heading : str or None
        Markdown heading level of the box's title (None: no title).

    Returns
    -------
    str
        Definitions, what the interval means for counts of communes, the small-base marks, the
        verdicts, coverage (communes reporting / expected), data source and as-of date, reporting
        window, boundary source.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> methods_box(SimpleNamespace(elements=None, synthetic=True), "2024", "en").splitlines()[0]
    '## Methods and sources'
    """
    lines = methods_lines(ds, period, lang, boundary_source, district)
    body = "\n".join(f"- **{escape_md(term)}**: {escape_md(line)}" for term, line in lines)
    head = f"{heading} {escape_md(text('headings', 'methods', lang))}\n\n" if heading else ""
    return head + body


__all__ = ["key_messages", "messages_markdown", "methods_box", "methods_lines", "target_counts",
           "targets_message", "missed_targets", "missed_message", "one_indicator_message", "standard_counts",
           "standard_message", "standard_changes", "changes_message", "reporting_counts",
           "completeness_message", "data_coverage", "boundary_text", "period_words", "area", "unit_name", "text"]
