"""Indicators from data elements: ratios of sums with Wilson intervals, up the hierarchy.

A district or province value is the sum of the numerators over the sum of the denominators of the
communes below it (never a mean of rates), using only communes that reported both (a commune that
sent only one of them is counted in ``communes_partial``, not as reporting).  A yes/no element becomes
the share of communes answering 1 among all communes in force (one denominator rule: a commune that
did not report is not counted as answering 1).  Every aggregate says how many communes reported
(``communes_reporting``) of those expected (``communes_expected``) and is flagged ``low_coverage``
below 90% by default.  Series across the 2020 and 2024
mergers can be re-expressed on one vintage through the register's crosswalk, summing the elements of
merged communes.

By sex (``by="sex"``): the same arithmetic on the male and female parts (``Dataset.by_sex``), one row
per sex, for the indicators whose numerator and denominator may both be split; a commune counts for a
sex only if it sent both parts for that sex.  :func:`sex_gap` puts boys and girls side by side.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from . import admin_units
from .catalog import COMMUNES, elements, indicator, indicators

LEVELS = ("commune", "district", "province")
#: The 97.5th percentile of the standard normal (``scipy.stats.norm.ppf(0.975)``; a test checks it), a
#: constant so that importing the indicators does not import scipy.stats.
Z95 = 1.959963984540054
OUTPUT_COLUMNS = ["level", "unit_code", "unit_name", "period", "indicator", "numerator", "denominator",
                  "value", "ci_low", "ci_high", "base_mark", "communes_reporting", "communes_partial",
                  "communes_expected", "coverage", "low_coverage", "interval"]
#: The groupings ``compute(..., by=...)`` accepts besides ``None``.
BY = ("sex",)
#: The values of the ``sex`` column, in output order (``total`` only if the caller passes totals too).
SEXES = ("male", "female", "total")
GAP_COLUMNS = ["level", "unit_code", "unit_name", "period", "indicator", "male", "female", "gap", "ratio",
               "communes_reporting"]
#: Default minimum share of expected communes reporting before an aggregate is flagged ``low_coverage``.
COVERAGE_THRESHOLD = 0.90


def wilson_interval(x, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for the proportion ``x / n`` (arrays; NaN where ``n`` is 0).

    Exact at the edges: at ``x = 0`` the lower bound is 0, at ``x = n`` the upper bound is 1, where
    the Wald interval collapses to a point.

    Hand-written rather than ``statsmodels.stats.proportion.proportion_confint(method="wilson")``:
    statsmodels may not be imported when the notebooks import the library (issue 16: about a second)
    and is a test-only dependency; the formula is three lines over arrays.  The tests show it equal
    to statsmodels (``tests/test_indicators.py``, ``tests/test_library_choices.py``).

    >>> lo, hi = wilson_interval(81, 263)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.2553, 0.3662)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2 = z * z
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * np.sqrt(np.clip(p * (1 - p), 0, None) / n + z2 / (4 * n * n)) / denom
        lo = np.where(x <= 0, 0.0, np.clip(centre - half, 0, 1))
        hi = np.where(x >= n, 1.0, np.clip(centre + half, 0, 1))
    bad = ~(n > 0)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def base_mark(n) -> np.ndarray:
    """MICS small-base marks: ``"(*)"`` under 25 cases, ``"( )"`` for 25–49, else ``""``.

    >>> base_mark([10, 25, 49, 50]).tolist()
    ['(*)', '( )', '( )', '']
    """
    n = np.asarray(n, dtype=float)
    return np.where(n < 25, "(*)", np.where(n < 50, "( )", ""))


def element_table(data: pd.DataFrame, vintage: object | None = None) -> pd.DataFrame:
    """Elements wide, one row per commune and period, re-expressed on ``vintage`` if given.

    Yes/no elements get a companion column ``<id>__n`` (communes reporting), so that every column is
    additive and a merged unit's yes/no value is the number of its communes answering 1.  A cell is
    the sum of the commune's rows (empty where it sent none); rows and columns sorted.  One factorised
    aggregation (``np.bincount`` over the codes of the three key columns), not a pivot table.
    """
    reg = elements()
    d = data[["commune_code", "period", "element", "value"]]
    if vintage is not None:
        d = _to_vintage(d, vintage)
    (cc, cc_u), (pc, pc_u), (ec, ec_u) = (_codes(d[c]) for c in ("commune_code", "period", "element"))
    ok = (cc >= 0) & (pc >= 0) & (ec >= 0)
    if not ok.all():
        cc, pc, ec = cc[ok], pc[ok], ec[ok]
    value = d["value"].to_numpy(float)[ok] if not ok.all() else d["value"].to_numpy(float)
    pair = cc.astype(np.int64) * len(pc_u) + pc
    rows, row_of = _present(pair, len(cc_u) * len(pc_u))
    n_el = len(ec_u)
    used = np.bincount(ec, minlength=n_el) > 0                 # elements with a row (the table's columns)
    cell = ec.astype(np.int64) * len(rows) + row_of            # element-major: each column contiguous
    size = len(rows) * n_el
    n = np.bincount(cell, minlength=size).reshape(n_el, len(rows))
    total = np.bincount(cell, weights=np.nan_to_num(value), minlength=size).reshape(n_el, len(rows))
    names = [str(e) for e in ec_u]
    cols = {names[k]: np.where(n[k] > 0, total[k], np.nan) for k in range(n_el) if used[k]}
    yn = [k for k in range(n_el) if used[k] and names[k] in reg and reg[names[k]].kind == "yes_no"]
    if yn:
        counted = np.bincount(cell, weights=~np.isnan(value), minlength=size).reshape(n_el, len(rows))
        for k in yn:
            c, sent = counted[k], n[k] > 0
            cols[f"{names[k]}__n"] = c.astype(np.int64) if sent.all() else np.where(sent, c, np.nan)
    index = pd.MultiIndex.from_arrays([np.asarray(cc_u, dtype=object)[rows // len(pc_u)],
                                       np.asarray(pc_u, dtype=object)[rows % len(pc_u)]],
                                      names=["commune_code", "period"])
    wide = pd.DataFrame(cols, index=index)
    wide.columns = pd.Index(list(cols), name=None if yn else "element").astype(str)
    return wide


def _present(key: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys, sorted, and each record's position among them (``np.unique`` with
    ``return_inverse``; by counting when the keys are few enough for a dense table)."""
    if n_keys > 50_000_000:
        return np.unique(key, return_inverse=True)
    seen = np.bincount(key, minlength=n_keys) > 0
    rank = np.cumsum(seen) - 1
    return np.flatnonzero(seen), rank[key]


def _codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a key column (-1 where missing) and its distinct values, sorted."""
    codes, uniques = pd.factorize(col, sort=True, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _to_vintage(d: pd.DataFrame, vintage: object) -> pd.DataFrame:
    target = admin_units.vintage_key(vintage)
    source = d["period"].map({p: admin_units.vintage_of(p) for p in d["period"].unique()})
    out = []
    for key, part in d.groupby(source.to_numpy(), sort=False):  # one crosswalk per source vintage
        mapped = admin_units.code_to_vintage(part["commune_code"], admin_units.VINTAGES[key], target)
        out.append(part.assign(commune_code=mapped.to_numpy()))
    res = pd.concat(out, ignore_index=True)
    return res[res["commune_code"].notna()]


def _units_lookup(periods, vintage) -> pd.DataFrame:
    """Units in force (or of ``vintage``) per period, with ``n_in_force``: how many units in force on
    the period's own date each one stands for (1 without a vintage; the merged units on a vintage)."""
    rows, counts = [], {}
    for per in periods:
        u = admin_units.units(vintage if vintage is not None else per)
        u = u[["code", "name", "district_code", "district_name", "province_code", "province_name"]].assign(period=per)
        if vintage is None:
            u["n_in_force"] = 1
        else:  # one crosswalk per source vintage
            key = admin_units.vintage_of(per)
            if key not in counts:
                own = admin_units.units(per)["code"]
                counts[key] = admin_units.code_to_vintage(own, per, vintage).value_counts()
            u["n_in_force"] = u["code"].map(counts[key]).fillna(0).astype(int)
        rows.append(u)
    return pd.concat(rows, ignore_index=True).rename(columns={"code": "commune_code"})


def compute(data: pd.DataFrame, level: str = "province", vintage: object | None = None,
            which: list[str] | None = None, units: pd.DataFrame | None = None,
            min_coverage: float = COVERAGE_THRESHOLD, by: str | None = None) -> pd.DataFrame:
    """Compute indicators at one level.

    Parameters
    ----------
    data : DataFrame
        Accepted long rows ``commune_code, period, element, value`` (e.g. ``LoadResult.accepted``,
        plus :func:`btchild_analysis.standard.as_elements` for ``child_friendly_commune``).
    level : {"commune", "district", "province"}
    vintage : optional
        Re-express every period on this vintage (``"2020"``, ``2025`` …) through the crosswalk;
        default: each period on the units in force at its reference date.
    which : list of str, optional
        Indicator ids (default: all in the registry).
    units : DataFrame, optional
        The hierarchy to use for every period instead of the Bến Tre register: ``commune_code, name,
        district_code, district_name, province_code, province_name`` (e.g. a national list).
    min_coverage : float
        Share of expected communes (0–1) below which an aggregate is flagged ``low_coverage``
        (default :data:`COVERAGE_THRESHOLD`, 90%).
    by : {None, "sex"}
        ``"sex"``: figures for boys and girls; ``data`` must then carry a ``sex`` column (pass
        ``Dataset.by_sex`` or ``LoadResult.by_sex``), and only indicators whose numerator and
        denominator elements are marked ``sex: true`` are computed.

    Returns
    -------
    DataFrame
        :data:`OUTPUT_COLUMNS` (with ``by="sex"``, a ``sex`` column right after ``indicator``); ``value`` in the indicator's unit (``factor × numerator / denominator``),
        ``ci_low``/``ci_high`` its 95% Wilson interval (empty for ``interval: none``: counts of
        communes are a complete enumeration), ``base_mark`` the MICS small-base mark;
        ``communes_reporting`` (units that sent both numerator and denominator), ``communes_partial``
        (units that sent only one of them: not counted as reporting), ``communes_expected`` (units in
        force), ``coverage`` (% reporting) and ``low_coverage``.  The denominator of a "% of communes"
        indicator is the number of communes in force, whether they reported or not.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if _check_by(by, data) is not None:
        return _by_sex(data, [level], vintage, which, units, min_coverage)
    if not _keyed(data):
        raise _no_rows(data)
    return _compute(_prepared(data, vintage, units), level, which, min_coverage)


def _check_by(by: str | None, data: pd.DataFrame) -> str | None:
    """``by`` checked: None or one of :data:`BY`, with the column it needs present in ``data``."""
    if by is None:
        return None
    if by not in BY:
        raise ValueError(f"by must be None or one of {BY}, not {by!r}")
    if "sex" not in data.columns:
        raise ValueError("by='sex' needs data with a 'sex' column (pass Dataset.by_sex or LoadResult.by_sex)")
    odd = sorted(set(data["sex"].dropna().astype(str)) - set(SEXES))
    if odd:
        raise ValueError(f"sex must be one of {SEXES}, not {', '.join(map(repr, odd))}")
    return by


def sex_indicators(which: list[str] | None = None) -> list[str]:
    """Indicator ids (of ``which``, default all) whose numerator and denominator may be split by sex."""
    reg = elements()
    splittable = {k for k, e in reg.items() if e.sex}
    return [k for k in (which or list(indicators()))
            if indicator(k).numerator in splittable and indicator(k).denominator in splittable]


def _by_sex(data: pd.DataFrame, levels, vintage, which, units, min_coverage: float) -> pd.DataFrame:
    """:func:`_compute` for each sex present, at each of ``levels`` (skipping a level with no units)."""
    cols = OUTPUT_COLUMNS[:5] + ["sex"] + OUTPUT_COLUMNS[5:]
    chosen = sex_indicators(which)
    frames = []
    for sex in SEXES:
        part = data[data["sex"] == sex]
        if part.empty or not chosen:
            continue
        prepared = _prepared(part, vintage, units)
        for level in levels:
            try:
                frames.append(_compute(prepared, level, chosen, min_coverage).assign(sex=sex))
            except ValueError:
                if len(levels) == 1:
                    raise
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    order = {"level": {v: i for i, v in enumerate(LEVELS)}, "indicator": {v: i for i, v in enumerate(chosen)},
             "sex": {v: i for i, v in enumerate(SEXES)}}
    out = out.sort_values(["level", "indicator", "unit_code", "period", "sex"], kind="stable",
                          key=lambda c: c.map(order[c.name]) if c.name in order else c)
    return out[cols].reset_index(drop=True)


def sex_gap(table: pd.DataFrame) -> pd.DataFrame:
    """Boys and girls side by side, from a ``compute(..., by="sex")`` table.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`compute` or :func:`compute_all` with ``by="sex"``.

    Returns
    -------
    DataFrame
        :data:`GAP_COLUMNS`, one row per ``level, unit_code, unit_name, period, indicator`` in the order
        they first appear in ``table``: ``male``,
        ``female`` (the indicator's values), ``gap`` = male − female in the indicator's unit (e.g.
        percentage points), ``ratio`` = female ÷ male (empty when the male value is 0 or missing),
        ``communes_reporting`` the smaller of the two sexes' counts (0 when one sex is missing).

    >>> t = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Bến Tre", "period": "2015",
    ...                   "indicator": "stunting_u5", "sex": ["male", "female"], "value": [8.0, 4.0],
    ...                   "communes_reporting": [2, 1]})
    >>> r = sex_gap(t).iloc[0]
    >>> float(r.gap), float(r.ratio), int(r.communes_reporting)
    (4.0, 0.5, 1)
    """
    if "sex" not in table.columns:
        raise ValueError("sex_gap needs a table computed with by='sex' (it has no 'sex' column)")
    keys = GAP_COLUMNS[:5]
    if table.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    parts = [table.loc[table["sex"] == sex, keys + ["value", "communes_reporting"]]
             .rename(columns={"value": sex, "communes_reporting": f"n_{sex}"}) for sex in ("male", "female")]
    # rows in the table's order (its indicators as asked for): an outer merge would sort them by name
    both = table.loc[table["sex"].isin(["male", "female"]), keys].drop_duplicates()
    out = both.merge(parts[0], on=keys, how="left").merge(parts[1], on=keys, how="left")
    male, female = out["male"].astype(float), out["female"].astype(float)
    out["gap"] = male - female
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = np.where(male > 0, female / male, np.nan)
    out["communes_reporting"] = np.minimum(out["n_male"].fillna(0), out["n_female"].fillna(0)).astype(int)
    return out[GAP_COLUMNS]


def _prepared(data: pd.DataFrame, vintage, units) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The wide element table, each of its rows' place in the hierarchy, and every unit expected."""
    wide = element_table(data, vintage)
    idx = wide.index.to_frame(index=False)
    if units is None:
        expected = _units_lookup(idx["period"].unique(), vintage)
        idx = idx.merge(expected.drop(columns="n_in_force"), on=["commune_code", "period"], how="left")
    else:
        idx = idx.merge(units, on="commune_code", how="left")
        expected = pd.concat([units.assign(period=p, n_in_force=1) for p in idx["period"].unique()],
                             ignore_index=True) if len(idx) else units.assign(period=None, n_in_force=1)
    return wide, idx, expected


_KEYS = {"commune": ("commune_code", "name"), "district": ("district_code", "district_name"),
         "province": ("province_code", "province_name")}


def _expected(expected: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per unit of ``level`` and period: units expected and units in force (for "% of communes")."""
    key = _KEYS[level][0]
    e = expected.dropna(subset=[key])
    return (e.groupby([key, "period"], sort=False)
             .agg(communes_expected=("commune_code", "size"), n_in_force=("n_in_force", "sum"))
             .rename_axis(["unit_code", "period"]))


def _groups(idx: pd.DataFrame, expected: pd.DataFrame, level: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Each wide row's group (unit of ``level`` and period; -1 without a unit) and the groups, sorted
    by unit code (then name above commune level) and period, each named as on its first row, with
    ``communes_expected`` and ``n_in_force``.  Found on integer codes (``np.unique``), not on the texts."""
    key, name = _KEYS[level]
    rows = pd.DataFrame({"unit_code": idx[key].to_numpy(), "unit_name": idx[name].to_numpy(),
                         "period": idx["period"].to_numpy()})
    unit, _ = pd.factorize(rows["unit_code"], sort=True)
    per, periods = pd.factorize(rows["period"], sort=True)
    ok = np.flatnonzero((unit >= 0) & (per >= 0))
    _, first, inv = np.unique(unit[ok].astype(np.int64) * len(periods) + per[ok], return_index=True,
                              return_inverse=True)
    first = ok[first]  # sorted by unit code and period
    if level == "commune":
        order = np.arange(len(first))
    else:
        names, _ = pd.factorize(rows["unit_name"].iloc[first], sort=True)
        order = np.lexsort((per[first], np.where(names < 0, len(first), names), unit[first]))  # no name last
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    gid = np.full(len(rows), -1, dtype=np.intp)
    gid[ok] = rank[inv.ravel()]
    groups = rows.iloc[first[order]].reset_index(drop=True)
    return gid, groups.join(_expected(expected, level), on=["unit_code", "period"])


def _compute(prepared, level: str, which, min_coverage: float = COVERAGE_THRESHOLD) -> pd.DataFrame:
    """One level's rows as a table (:data:`OUTPUT_COLUMNS`)."""
    sums = _level_sums(prepared, level, which)
    return _table([sums], min_coverage) if sums.inds else _empty(level)


class _Sums(NamedTuple):
    """One level's sums: its groups, the indicators found, and per output row the indicator's position
    (``at``), the group (``grp``), numerator, denominator, communes reporting and sending one part."""
    level: str
    groups: pd.DataFrame
    inds: list
    at: np.ndarray
    grp: np.ndarray
    num: np.ndarray
    den: np.ndarray
    n_rep: np.ndarray
    n_part: np.ndarray


def _level_sums(prepared, level: str, which) -> _Sums:
    """Per indicator (in ``which`` order) with an element in the data, the groups of ``level`` with a
    commune reporting it (sorted) and their sums: one ``np.bincount`` per indicator and sum."""
    wide, idx, expected = prepared
    key = _KEYS[level][0]
    if idx[key].isna().all():
        raise ValueError(f"no {level} level for these units (districts were abolished on 2025-07-01)")
    gid, groups = _groups(idx, expected, level)
    size, ok = len(groups), gid >= 0
    n_in_force = groups["n_in_force"].to_numpy(float)
    cols = {c: wide[c].to_numpy(float) for c in wide.columns}
    missing = np.full(len(wide), np.nan)
    inds, parts = [], []
    for ind_id in which or list(indicators()):
        ind = indicator(ind_id)
        num_col = ind.numerator
        den_col = f"{ind.numerator}__n" if ind.denominator == COMMUNES else ind.denominator
        if num_col not in cols and den_col not in cols:
            continue
        has_num, has_den = ~np.isnan(cols.get(num_col, missing)), ~np.isnan(cols.get(den_col, missing))
        rep, part = ok & has_num & has_den, ok & (has_num ^ has_den)
        g = gid[rep]
        n_rep = np.bincount(g, minlength=size)
        keep = np.flatnonzero(n_rep > 0)
        # (numpy gives int64 zeros for an empty weighted bincount: kept, as a table of no rows has always had)
        num = np.bincount(g, weights=cols.get(num_col, missing)[rep], minlength=size)[keep]
        if ind.is_share_of_communes and level != "commune":
            den = n_in_force[keep]  # units in force, reporting or not
        else:
            den = np.bincount(g, weights=cols.get(den_col, missing)[rep], minlength=size)[keep]
        parts.append((np.full(len(keep), len(inds), dtype=np.intp), keep, num, den, n_rep[keep],
                      np.bincount(gid[part], minlength=size)[keep]))
        inds.append(ind)
    columns = [list(p) for p in zip(*parts)] if parts else [[] for _ in range(6)]
    return _Sums(level, groups, inds, *columns)


def _table(levels: list[_Sums], min_coverage: float) -> pd.DataFrame:
    """The levels' sums as one table, levels stacked in order with a fresh index.

    Each column is built once for all indicators and levels: numbers as arrays, text columns taken
    from their few distinct values (``take``), no table per indicator or level to stack.  The dtypes
    are those ``pd.concat`` of per-level tables would give.
    """
    levels = [s for s in levels if s.inds]
    n_grp = np.cumsum([0] + [len(s.groups) for s in levels])
    n_ind = np.cumsum([0] + [len(s.inds) for s in levels])
    inds = [ind for s in levels for ind in s.inds]
    at = np.concatenate([a + n_ind[k] for k, s in enumerate(levels) for a in s.at])
    grp = np.concatenate([a + n_grp[k] for k, s in enumerate(levels) for a in s.grp])
    num, den, n_rep, n_part = (np.concatenate([a for s in levels for a in getattr(s, f)])
                               for f in ("num", "den", "n_rep", "n_part"))
    factor = np.array([ind.factor for ind in inds], dtype=float)[at]
    wilson = np.array([ind.interval == "wilson" for ind in inds], dtype=bool)[at]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, factor * num / den, np.nan)
    lo, hi = wilson_interval(np.minimum(num, den), den)
    expected = np.concatenate([s.groups["communes_expected"].to_numpy(float) for s in levels])[grp]
    expected = np.where(np.isnan(expected), n_rep, expected).astype(int)
    cover, low = coverage(n_rep, expected, min_coverage)
    mark = np.where(wilson, np.where(den < 25, 0, np.where(den < 50, 1, 2)), 2)  # as base_mark; "" if no interval
    level_of = np.repeat(np.arange(len(levels)), [sum(len(a) for a in s.grp) for s in levels])

    def text(values: list, codes: np.ndarray):
        return pd.Series(values).array.take(codes)  # as pandas makes a column of them (``str`` by default)

    def group_text(col: str):
        arrays = [s.groups[col].array for s in levels]
        values = arrays[0] if len(arrays) == 1 else pd.concat([pd.Series(a, copy=False) for a in arrays],
                                                              ignore_index=True).array
        return values.take(grp)

    return pd.DataFrame({
        "level": text([s.level for s in levels], level_of),
        "unit_code": group_text("unit_code"), "unit_name": group_text("unit_name"), "period": group_text("period"),
        "indicator": text([ind.id for ind in inds], at),
        "numerator": num, "denominator": den, "value": value,
        "ci_low": np.where(wilson, factor * lo, np.nan), "ci_high": np.where(wilson, factor * hi, np.nan),
        "base_mark": text(["(*)", "( )", ""], mark),
        "communes_reporting": n_rep, "communes_partial": n_part, "communes_expected": expected,
        "coverage": cover, "low_coverage": low,
        "interval": text([ind.interval for ind in inds], at),
    }, copy=False)


def _empty(level: str) -> pd.DataFrame:
    """A level with no indicator in the data: the columns, no rows."""
    out = pd.DataFrame(columns=OUTPUT_COLUMNS[1:])
    out.insert(0, "level", level)
    return out[OUTPUT_COLUMNS]


def coverage(reporting, expected, min_coverage: float = COVERAGE_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """Coverage in % (one decimal) and whether it is low: fewer than ``min_coverage`` × expected reporting.

    >>> cov, low = coverage([9, 8], [10, 10], 0.9)
    >>> cov.tolist(), low.tolist()
    ([90.0, 80.0], [False, True])
    """
    reporting, expected = np.asarray(reporting), np.asarray(expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.round(100 * reporting / expected, 1)
    return cov, reporting < min_coverage * expected


def partial_reports(data: pd.DataFrame, which: list[str] | None = None) -> pd.DataFrame:
    """Communes that sent only the numerator or only the denominator of an indicator.

    They are not counted as reporting that indicator (and are left out of its sums).

    Returns
    -------
    DataFrame
        ``commune_code, period, indicator, has_numerator, has_denominator``.
    """
    wide = element_table(data)
    rows = []
    for ind_id in which or list(indicators()):
        ind = indicator(ind_id)
        if ind.is_share_of_communes:
            continue
        has_num = wide[ind.numerator].notna() if ind.numerator in wide else pd.Series(False, index=wide.index)
        has_den = wide[ind.denominator].notna() if ind.denominator in wide else pd.Series(False, index=wide.index)
        odd = has_num ^ has_den
        if odd.any():
            rows.append(wide.index[odd.to_numpy()].to_frame(index=False).assign(
                indicator=ind_id, has_numerator=has_num[odd].to_numpy(), has_denominator=has_den[odd].to_numpy()))
    cols = ["commune_code", "period", "indicator", "has_numerator", "has_denominator"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def _keyed(data: pd.DataFrame) -> bool:
    """Whether any row has a commune, a period and an element."""
    return bool(data[["commune_code", "period", "element"]].notna().all(axis=1).any())


def _no_rows(data: pd.DataFrame) -> ValueError:
    return ValueError(f"no rows to compute indicators from: none of the {len(data)} rows of data has a "
                      "commune_code, period and element (of a commune on the vintage asked for)")


def compute_all(data: pd.DataFrame, vintage: object | None = None, which: list[str] | None = None,
                units: pd.DataFrame | None = None, min_coverage: float = COVERAGE_THRESHOLD,
                by: str | None = None) -> pd.DataFrame:
    """:func:`compute` at the three levels from one pass over the data (no district level from 2025-07-01).

    ``by="sex"``: as :func:`compute` with ``by="sex"``, at the three levels.
    """
    if _check_by(by, data) is not None:
        return _by_sex(data, LEVELS, vintage, which, units, min_coverage)
    prepared = _prepared(data, vintage, units) if _keyed(data) else None  # (the register needs a period)
    sums = []
    for level in LEVELS if prepared is not None else ():
        try:
            sums.append(_level_sums(prepared, level, which))
        except ValueError:
            continue
    if not sums:
        raise _no_rows(data)
    if any(s.inds for s in sums):
        return _table(sums, min_coverage)
    return pd.concat([_empty(s.level) for s in sums], ignore_index=True)
