"""The child-friendly commune standard ("xã, phường phù hợp với trẻ em") in its three editions.

Editions are data (``data/editions/*.yaml``): criteria with their maximum points where known, the pass
rule by commune class, and the confirmed indicator thresholds used to audit self-assessments.  A value
marked ``confirmed: false`` there is used but every verdict that rests on it says so (``provisional``).

The workflow of the provinces: each commune scores itself per criterion (biểu chấm điểm); this module
checks the sheet is complete, applies the edition's pass rule for the commune's class, gives the
reasons in words, and audits scores against the commune's own data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from . import register
from ._resources import load_yaml
from .errors import EditionError
from .registry import compare

STATUS = {"met": ("đạt", "met"), "not_met": ("chưa đạt", "not met"),
          "insufficient_data": ("không đủ dữ liệu", "insufficient data")}


@dataclass(frozen=True)
class Criterion:
    """One criterion of an edition (``max_points`` None where the official table is not confirmed)."""

    id: str
    vi: str
    en: str
    max_points: int | None
    confirmed: object

    def short(self, lang: str = "vi") -> str:
        """``"Tiêu chí 7"`` for ``2019.C07``; the name for items without a number."""
        m = re.search(r"\.C(\d+)$", self.id)
        if m:
            return f"{'Tiêu chí' if lang == 'vi' else 'Criterion'} {int(m.group(1))}"
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Edition:
    """An edition of the standard, read from its YAML file."""

    id: str
    vi: str
    en: str
    legal_basis: dict
    max_total: int
    max_total_confirmed: object
    criteria: tuple[Criterion, ...]
    all_criteria_scored: bool
    no_zero: bool
    no_zero_confirmed: object
    thresholds: dict  # class -> (value, confirmed)
    audit_rules: tuple[dict, ...]

    @property
    def min_total_by_class(self) -> dict[str, int]:
        return {k: v for k, (v, _) in self.thresholds.items()}

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise EditionError(f"criterion '{cid}' is not part of edition {self.id}: "
                           f"its criteria are {', '.join(c.id for c in self.criteria)}")

    def threshold(self, klass: str) -> tuple[int, bool]:
        """(minimum total, confirmed?) for a commune class."""
        if klass not in self.thresholds:
            raise EditionError(f"edition {self.id} has no pass mark for class '{klass}'; "
                               f"classes: {', '.join(self.thresholds)}")
        value, confirmed = self.thresholds[klass]
        return value, confirmed is True


def _value(spec) -> tuple:
    if isinstance(spec, dict):
        return spec.get("value"), spec.get("confirmed", True)
    return spec, True


@lru_cache(maxsize=None)
def load_edition(edition_id: str) -> Edition:
    """Read an edition file (``cfc_2010``, ``cfc_2014``, ``cfc_2019``)."""
    try:
        spec = load_yaml(f"editions/{edition_id}.yaml")
    except FileNotFoundError:
        raise EditionError(f"no edition '{edition_id}'; editions: cfc_2010, cfc_2014, cfc_2019") from None
    rule = spec["pass_rule"]
    no_zero, no_zero_conf = _value(rule.get("no_zero_criterion", False))
    max_total, max_total_conf = _value(spec["max_total"])
    return Edition(
        id=spec["id"], vi=spec["vi"], en=spec["en"], legal_basis=spec["legal_basis"],
        max_total=int(max_total), max_total_confirmed=max_total_conf,
        criteria=tuple(Criterion(c["id"], c["vi"], c["en"], c.get("max_points"), c.get("confirmed"))
                       for c in spec["criteria"]),
        all_criteria_scored=bool(rule.get("all_criteria_scored", True)),
        no_zero=bool(no_zero), no_zero_confirmed=no_zero_conf,
        thresholds={k: _value(v) for k, v in rule["min_total_by_class"].items()},
        audit_rules=tuple(spec.get("audit") or ()),
    )


def edition_for_year(year: int, transitional: str | None = None) -> str:
    """The edition that applies to an assessment year.

    Parameters
    ----------
    year : int
        Assessment year (năm đánh giá).
    transitional : str, optional
        For 2014 only, the edition to use instead of the default ``cfc_2014``
        (``"cfc_2010"`` to score the 2014 round under QĐ 37/2010).

    >>> edition_for_year(2013), edition_for_year(2014), edition_for_year(2014, "cfc_2010"), edition_for_year(2019)
    ('cfc_2010', 'cfc_2014', 'cfc_2010', 'cfc_2019')
    """
    for span in load_yaml("editions/index.yaml")["years"]:
        if span["from"] <= int(year) <= span["to"]:
            if transitional and span.get("transitional"):
                if transitional not in (span["edition"], span["alternative"]):
                    raise EditionError(f"{year} can be scored under {span['edition']} or {span['alternative']}")
                return transitional
            return span["edition"]
    raise EditionError(f"no edition of the child-friendly standard covers {year} (first: 2010)")


def commune_classes(year: int, overrides: pd.DataFrame | None = None) -> pd.Series:
    """Class of each unit in force in ``year`` (register), with ``overrides`` (commune_code, year, class)."""
    u = register.units(year).set_index("code")["class"]
    if overrides is not None and len(overrides):
        o = overrides[overrides["year"].astype(int) == int(year)]
        u.update(o.set_index("commune_code")["class"])
    return u


def assess(scores: pd.DataFrame, classes: pd.DataFrame | None = None,
           transitional: str | None = None) -> pd.DataFrame:
    """Apply the pass rule to self-assessment scores.

    Parameters
    ----------
    scores : DataFrame
        ``commune_code, year, criterion, score`` (accepted rows, see :func:`btchild_analysis.io.load_scores`).
    classes : DataFrame, optional
        ``commune_code, year, class`` overriding the register's class (e.g. ``xa_dac_biet_kho_khan``).
    transitional : str, optional
        Edition for 2014 (see :func:`edition_for_year`).

    Returns
    -------
    DataFrame
        One row per commune and year: ``commune_code, name, district_code, district_name, year,
        edition, class, total, threshold, n_scored, n_criteria, status, status_vi, provisional,
        reasons_vi, reasons_en``.
    """
    out = []
    for year, part in scores.groupby(scores["year"].astype(int), sort=True):
        ed = load_edition(edition_for_year(year, transitional))
        klass = commune_classes(year, classes)
        units = register.units(year).set_index("code")
        for code, sheet in part.groupby("commune_code", sort=True):
            got = dict(zip(sheet["criterion"], sheet["score"].astype(float)))
            out.append({"commune_code": code, "year": int(year), **_verdict(ed, got, klass.get(code, "con_lai"))})
    res = pd.DataFrame(out)
    if res.empty:
        return res
    names = pd.concat([register.units(y)[["code", "name", "district_code", "district_name"]].assign(year=y)
                       for y in res["year"].unique()])
    res = res.merge(names, left_on=["commune_code", "year"], right_on=["code", "year"], how="left").drop(columns="code")
    res["status_vi"] = res["status"].map(lambda s: STATUS[s][0])
    cols = ["commune_code", "name", "district_code", "district_name", "year", "edition", "class", "total",
            "threshold", "n_scored", "n_criteria", "status", "status_vi", "provisional", "reasons_vi", "reasons_en"]
    return res[cols]


def _verdict(ed: Edition, got: dict[str, float], klass: str) -> dict:
    """The verdict for one sheet (pure function: edition, {criterion: score}, class)."""
    threshold, thr_conf = ed.threshold(klass)
    total = sum(got.values())
    vi, en = [], []
    missing = [c for c in ed.criteria if c.id not in got]
    zeros = [c for c in ed.criteria if got.get(c.id) == 0]
    provisional = not thr_conf
    if missing and ed.all_criteria_scored:
        status = "insufficient_data"
        vi.append("Thiếu điểm " + ", ".join(c.short("vi") for c in missing))
        en.append("No score for " + ", ".join(c.short("en") for c in missing))
    else:
        status = "met"
        if zeros and ed.no_zero:
            status = "not_met"
            provisional |= ed.no_zero_confirmed is not True
            vi += [f"{c.short('vi')} đạt 0 điểm" for c in zeros]
            en += [f"{c.short('en')} scored 0" for c in zeros]
        if total < threshold:
            status = "not_met"
            vi.append(f"Tổng {total:g} < {threshold}")
            en.append(f"Total {total:g} < {threshold}")
    if provisional:
        vi.append(f"ngưỡng {threshold} điểm cho loại '{klass}' chưa được xác nhận")
        en.append(f"pass mark {threshold} for class '{klass}' not confirmed")
    return {"edition": ed.id, "class": klass, "total": total, "threshold": threshold,
            "n_scored": len(got), "n_criteria": len(ed.criteria), "status": status,
            "provisional": provisional, "reasons_vi": "; ".join(vi), "reasons_en": "; ".join(en)}


def audit(assessed_scores: pd.DataFrame, indicator_values: pd.DataFrame,
          transitional: str | None = None) -> pd.DataFrame:
    """Flag full points a commune gave itself where its own data miss a confirmed threshold.

    Parameters
    ----------
    assessed_scores : DataFrame
        ``commune_code, year, criterion, score``.
    indicator_values : DataFrame
        Commune-level indicators (``unit_code, period, indicator, value``) from
        :func:`btchild_analysis.indicators.compute`.

    Returns
    -------
    DataFrame
        ``commune_code, year, criterion, score, max_points, indicator, value, op, threshold, confirmed,
        message_vi, message_en`` — one row per flag.
    """
    vals = indicator_values[indicator_values["period"].astype(str).str.fullmatch(r"\d{4}")]
    vals = vals.assign(year=vals["period"].astype(int)).set_index(["unit_code", "year", "indicator"])["value"]
    rows = []
    for year, part in assessed_scores.groupby(assessed_scores["year"].astype(int)):
        ed = load_edition(edition_for_year(year, transitional))
        for rule in ed.audit_rules:
            crit = ed.criterion(rule["criterion"])
            claimed = part[(part["criterion"] == crit.id) & (part["score"].astype(float) >= (crit.max_points or 0))]
            for code, score in zip(claimed["commune_code"], claimed["score"]):
                value = vals.get((code, int(year), rule["indicator"]))
                if value is None or pd.isna(value) or compare(value, rule["op"], rule["value"]):
                    continue
                rows.append({
                    "commune_code": code, "year": int(year), "criterion": crit.id, "score": float(score),
                    "max_points": crit.max_points, "indicator": rule["indicator"], "value": round(float(value), 2),
                    "op": rule["op"], "threshold": rule["value"], "confirmed": rule.get("confirmed") is True,
                    "message_vi": f"{crit.short('vi')}: tự chấm {score:g}/{crit.max_points} điểm nhưng "
                                  f"{rule['indicator']} = {value:.1f}% (ngưỡng {rule['op']} {rule['value']}%)",
                    "message_en": f"{crit.short('en')}: self-scored {score:g}/{crit.max_points} but "
                                  f"{rule['indicator']} = {value:.1f}% (threshold {rule['op']} {rule['value']}%)",
                })
    cols = ["commune_code", "year", "criterion", "score", "max_points", "indicator", "value", "op",
            "threshold", "confirmed", "message_vi", "message_en"]
    return pd.DataFrame(rows, columns=cols)


def as_elements(assessment: pd.DataFrame, every_unit: bool = True) -> pd.DataFrame:
    """The verdicts as the yes/no data element ``child_friendly_met`` (long submission rows).

    Recognition needs a complete sheet that passes, so ``insufficient_data`` counts as 0; with
    ``every_unit`` (the default) a unit in force in a year without any sheet also counts as 0, so the
    share of communes meeting the standard is over all communes, as the plan states it.
    """
    rows = pd.DataFrame({"commune_code": assessment["commune_code"].to_numpy(),
                         "period": assessment["year"].astype(str).to_numpy(),
                         "element": "child_friendly_met",
                         "value": (assessment["status"] == "met").astype(float).to_numpy()})
    if every_unit and len(assessment):
        extra = []
        for year in sorted(assessment["year"].astype(int).unique()):
            seen = set(rows.loc[rows["period"] == str(year), "commune_code"])
            missing = sorted(set(register.units(year)["code"]) - seen)
            extra.append(pd.DataFrame({"commune_code": missing, "period": str(year),
                                       "element": "child_friendly_met", "value": 0.0}))
        rows = pd.concat([rows, *extra], ignore_index=True)
    return rows
