"""Figures by sex in a load: the sex of each record, and the parts checked against their totals.

A record is a *total* (no sex, the usual case), or a *part*: ``male`` or ``female``.  Parts are only
read for elements marked ``sex: true`` in ``elements.yaml``.  Per commune, period and element:

- a part above its total, or male + female above the total: the parts are quarantined
  (``part_exceeds_total``); the total stays;
- male and female without a total: the total is derived (male + female) and accepted, counted;
- a total and one part (a form with "Tổng số | Trong đó: Nữ"): the other part is derived
  (total − part) and marked ``derived``.

Nothing is derived for a commune, period and element with a quarantined record: a wrong figure is
never replaced by an arithmetic one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import elements
from .cells import column_codes
from .headings import sex_of

#: Codes of the sex of a record: 0 total, 1 male, 2 female (-1: not a sex word).
SEX_CODES = {"total": 0, "male": 1, "female": 2}
SEX_NAMES = np.array(["total", "male", "female"], dtype=object)
#: Columns of ``LoadResult.by_sex`` / ``Dataset.by_sex``.
BY_SEX_COLUMNS = ["commune_code", "period", "element", "sex", "value", "derived"]


def empty_by_sex() -> pd.DataFrame:
    """The table of parts with no row (data without a split)."""
    return pd.DataFrame({"commune_code": pd.Series(dtype=object), "period": pd.Series(dtype=object),
                         "element": pd.Series(dtype=object), "sex": pd.Series(dtype=object),
                         "value": pd.Series(dtype=float), "derived": pd.Series(dtype=bool)})


def sex_codes(values) -> np.ndarray:
    """The sex code of each value (``Nam``/``male`` → 1, ``Nữ``/``female`` → 2, blank/``Tổng số`` → 0,
    anything else -1), computed once per distinct value."""
    codes, uniques = column_codes(values)
    per = np.array([SEX_CODES.get(sex_of(u), -1) for u in uniques] + [0], dtype=np.int8)
    return per[codes]  # code -1 (empty) takes the last item: a total


def splittable(ue: list) -> np.ndarray:
    """For each distinct element id (``None`` last), whether it may be split by sex."""
    reg = elements()
    return np.array([e in reg and reg[e].sex for e in ue], dtype=bool)


@dataclass
class PartsOutcome:
    """What :func:`check_parts` decided: part rows to quarantine (with hints), derived rows."""

    exceeds: np.ndarray            # bool per record: a part above its total
    hints: np.ndarray              # object per record: "45 > 40" or "25 + 20 > 40"
    derived_parts: pd.DataFrame    # group, sex (1/2), value, source row
    derived_totals: pd.DataFrame   # group, value, source row


def check_parts(group: np.ndarray, sex: np.ndarray, vals: np.ndarray, keep: np.ndarray,
                spoiled: np.ndarray) -> PartsOutcome:
    """Check parts against totals among the kept records, and derive what the arithmetic gives.

    Parameters
    ----------
    group : int array
        Each record's commune × period × element key (without sex).
    sex : int8 array
        Each record's sex code (:data:`SEX_CODES`).
    vals : float array
        Each record's value.
    keep : bool array
        Records accepted so far (clean, not folded).
    spoiled : int array
        Group keys with a quarantined record: nothing is derived for them.
    """
    n = len(group)
    exceeds = np.zeros(n, dtype=bool)
    hints = np.full(n, "", dtype=object)
    rows = np.flatnonzero(keep)
    d = pd.DataFrame({"row": rows, "group": group[rows], "sex": sex[rows], "value": vals[rows]})
    d = d[d.groupby("group")["sex"].transform("max").to_numpy() > 0]  # groups with a part
    none = pd.DataFrame(columns=["group", "sex", "value", "row"])
    if d.empty:
        return PartsOutcome(exceeds, hints, none, none.drop(columns="sex"))
    value = d.pivot(index="group", columns="sex", values="value").reindex(columns=[0, 1, 2])
    where = d.pivot(index="group", columns="sex", values="row").reindex(columns=[0, 1, 2])
    t, m, f = (value[k].to_numpy(float) for k in (0, 1, 2))
    with np.errstate(invalid="ignore"):
        over_m, over_f = m > t, f > t
        over_sum = (m + f > t) & ~over_m & ~over_f
    for part, alone in ((1, over_m), (2, over_f)):
        bad = alone | over_sum
        idx = where[part].to_numpy()[bad].astype(np.int64)
        exceeds[idx] = True
        hints[idx] = [f"{a:g} + {b:g} > {c:g}" if s else f"{(a if part == 1 else b):g} > {c:g}"
                      for a, b, c, s in zip(m[bad], f[bad], t[bad], over_sum[bad])]
    groups = value.index.to_numpy()
    clean = ~(over_m | over_f | over_sum) & ~np.isin(groups, spoiled)
    has_t, has_m, has_f = ~np.isnan(t), ~np.isnan(m), ~np.isnan(f)
    one = clean & has_t & (has_m ^ has_f)
    parts = pd.DataFrame({"group": groups[one], "sex": np.where(has_m[one], 2, 1),
                          "value": t[one] - np.where(has_m[one], m[one], f[one]),
                          "row": where[0].to_numpy()[one].astype(np.int64)})
    both = clean & ~has_t & has_m & has_f
    totals = pd.DataFrame({"group": groups[both], "value": m[both] + f[both],
                           "row": where[1].to_numpy()[both].astype(np.int64)})
    return PartsOutcome(exceeds, hints, parts, totals)


def implausible_derived(by_sex: pd.DataFrame) -> np.ndarray:
    """Derived parts that break a numerator ≤ denominator rule within their sex (e.g. boys stunted,
    computed as total − girls, above boys measured): they are not used (bool per row of ``by_sex``).

    >>> t = pd.DataFrame({"commune_code": "28756", "period": "2015", "sex": "male",
    ...                   "element": ["u5_measured", "u5_stunted"], "value": [5.0, 7.0], "derived": [True, True]})
    >>> implausible_derived(t).tolist()
    [False, True]
    """
    bad = np.zeros(len(by_sex), dtype=bool)
    if not by_sex["derived"].any():
        return bad
    reg = elements()
    den = by_sex["element"].map(lambda e: reg[e].denominator if e in reg else None)
    keys = ["commune_code", "period", "sex"]
    pairs = (by_sex.assign(den=den, pos=np.arange(len(by_sex))).dropna(subset=["den"])
             .merge(by_sex.assign(pos_den=np.arange(len(by_sex))), left_on=keys + ["den"],
                    right_on=keys + ["element"], suffixes=("", "_den")))
    over = pairs[(pairs["value"] > pairs["value_den"]) & (pairs["derived"] | pairs["derived_den"])]
    bad[over.loc[over["derived"], "pos"].to_numpy(np.int64)] = True
    bad[over.loc[~over["derived"], "pos_den"].to_numpy(np.int64)] = True
    return bad
