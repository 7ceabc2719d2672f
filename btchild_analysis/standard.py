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

from . import admin_units
from ._resources import DATA, load_yaml
from .errors import EditionError
from .i18n import in_lang, label
from .catalog import compare
from .schemas import EditionSpec, check

STATUS = {"met": ("đạt", "met"), "not_met": ("chưa đạt", "not met"),
          "insufficient_data": ("không đủ dữ liệu", "insufficient data")}


@dataclass(frozen=True)
class Criterion:
    """One criterion of an edition (``max_points`` None where the official table is not confirmed).

    Examples
    --------
    >>> c = load_edition("cfc_2019").criterion("2019.C07")
    >>> c.max_points, c.short("en")
    (50, 'Criterion 7')
    """

    id: str
    vi: str
    en: str
    max_points: int | None
    confirmed: object

    def short(self, lang: str = "vi") -> str:
        """``"Tiêu chí 7"`` for ``2019.C07``; the name for items without a number.

        Examples
        --------
        >>> c = load_edition("cfc_2019").criterion("2019.C07")
        >>> c.short("vi"), c.short("en")
        ('Tiêu chí 7', 'Criterion 7')
        """
        m = re.search(r"\.C(\d+)$", self.id)
        if m:
            return label("criterion_number", lang, n=int(m.group(1)))
        return in_lang((self.vi, self.en), lang)


@dataclass(frozen=True)
class Edition:
    """An edition of the standard, read from its YAML file.

    Examples
    --------
    >>> ed = load_edition("cfc_2019")
    >>> len(ed.criteria), ed.max_total, ed.no_zero, ed.threshold("xa_dong_bang")
    (13, 1000, True, (850, True))
    """

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
        """The pass mark (minimum total) of each commune class.

        Examples
        --------
        >>> load_edition("cfc_2019").min_total_by_class["phuong_quan_tp_tw"]
        900
        """
        return {k: v for k, (v, _) in self.thresholds.items()}

    def criterion(self, cid: str) -> Criterion:
        """The criterion ``cid``; :class:`EditionError` naming the edition's criteria if it has none such.

        Examples
        --------
        >>> load_edition("cfc_2019").criterion("2019.C06").max_points
        125
        """
        for c in self.criteria:
            if c.id == cid:
                return c
        raise EditionError(f"criterion '{cid}' is not part of edition {self.id}: "
                           f"its criteria are {', '.join(c.id for c in self.criteria)}")

    def threshold(self, klass: str) -> tuple[int, bool]:
        """(minimum total, confirmed?) for a commune class.

        Examples
        --------
        >>> load_edition("cfc_2019").threshold("mien_nui_hai_dao")
        (800, True)
        """
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
    """Read an edition file (``cfc_2010``, ``cfc_2014``, ``cfc_2019``).

    Examples
    --------
    >>> load_edition("cfc_2019").en
    'Child-friendly commune standard (Decision 06/QĐ-TTg of 2019)'
    """
    try:
        spec = load_yaml(f"editions/{edition_id}.yaml")
    except FileNotFoundError:
        raise EditionError(f"no edition '{edition_id}'; editions: cfc_2010, cfc_2014, cfc_2019") from None
    check(f"editions/{edition_id}.yaml", spec, EditionSpec, EditionError)
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
    """Class of each unit in force in ``year`` (see :func:`class_table`).

    Examples
    --------
    >>> c = commune_classes(2024)
    >>> len(c), c.loc["28756"]
    (157, 'xa_phuong_tp_thuoc_tinh')
    """
    return class_table(year, overrides)["class"]


@lru_cache(maxsize=1)
def _class_data() -> tuple[pd.DataFrame, dict]:
    listed = pd.read_csv(DATA / "commune_classes.csv", dtype={"commune_code": str, "confirmed": str})
    listed["valid_from"] = pd.to_datetime(listed["valid_from"]).dt.date
    listed["valid_to"] = pd.to_datetime(listed["valid_to"]).dt.date
    return listed, load_yaml("class_lists.yaml")["classes"]


def class_lists(year: int) -> dict[str, dict | None]:
    """For each listed class, the entry of ``class_lists.yaml`` covering ``year`` (None: no list known).

    Examples
    --------
    >>> class_lists(2024)["mien_nui_hai_dao"]["decisions"][0][:11]
    '589/QĐ-TTg '
    """
    _, lists = _class_data()
    return {k: next((e for e in spans if e["from"] <= int(year) <= e["to"]), None) for k, spans in lists.items()}


def class_table(year: int, overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Class of every unit in force in ``year``, where it comes from, and whether it is in doubt.

    The class is the register's (by type and district), replaced by the package lists of island and
    especially difficult communes in force on the year's reference date (``commune_classes.csv``, with
    their legal bases).  ``overrides`` (``commune_code, year, class``, optionally ``source``; e.g. the
    synthetic sample's list) are applied on top, and each class they name is taken as completely
    listed for their year (no doubt about it).

    Returns
    -------
    DataFrame
        Indexed by code: ``class``, ``class_basis`` (the list used), ``class_unsure_vi`` /
        ``class_unsure_en`` (why the class is not certain: a year whose list could not be confirmed;
        empty when it is certain).

    Examples
    --------
    >>> t = class_table(2024)
    >>> t["class"].value_counts().to_dict()["mien_nui_hai_dao"], t.loc["28756", "class_basis"]
    (2, 'register')
    """
    u = admin_units.units(year).set_index("code")
    out = pd.DataFrame({"class": u["class"], "class_basis": "register", "class_unsure_vi": "",
                        "class_unsure_en": ""}, index=u.index)
    listed, _ = _class_data()
    day = admin_units.as_date(int(year))
    hit = listed[(listed["valid_from"] <= day) & (listed["valid_to"] >= day) & listed["commune_code"].isin(out.index)]
    out.loc[hit["commune_code"], "class"] = hit["class"].to_numpy()
    out.loc[hit["commune_code"], "class_basis"] = hit["legal_basis"].to_numpy()
    o = overrides[overrides["year"].astype(int) == int(year)] if overrides is not None and len(overrides) else None
    supplied = set(o["class"]) if o is not None else set()
    doubt = [(k, e) for k, e in class_lists(year).items()
             if k not in supplied and (e is None or e.get("confirmed") is False)]
    if doubt:
        out["class_unsure_vi"] = "; ".join(
            f"chưa xác nhận được danh sách '{k}' năm {year}" + (f" ({e['note_vi']})" if e and e.get("note_vi") else "")
            for k, e in doubt)
        out["class_unsure_en"] = "; ".join(
            f"no confirmed list of '{k}' for {year}" + (f" ({e['note_en']})" if e and e.get("note_en") else "")
            for k, e in doubt)
    if o is not None and len(o):
        basis = o["source"].astype(str) if "source" in o else pd.Series("supplied list", index=o.index)
        known = o[o["commune_code"].isin(out.index)]
        out.loc[known["commune_code"], "class"] = known["class"].to_numpy()
        out.loc[known["commune_code"], "class_basis"] = basis[known.index].to_numpy()
    return out


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

    Examples
    --------
    >>> ed = load_edition("cfc_2019")
    >>> def sheet(points):  # every criterion scored ``points`` (at most its maximum: 2019.C07 has 50)
    ...     return pd.DataFrame({"commune_code": "28756", "year": 2024, "criterion": [c.id for c in ed.criteria],
    ...                          "score": [min(points, c.max_points or points) for c in ed.criteria]})
    >>> assess(sheet(70))[["total", "threshold", "status"]].values.tolist()  # 12 × 70 + 50 = 890 ≥ 850
    [[890.0, 850, 'met']]
    >>> assess(sheet(60))[["total", "status", "reasons_en"]].values.tolist()  # 12 × 60 + 50 = 770
    [[770.0, 'not_met', 'Total 770 < 850']]
    """
    out = []
    for year, part in scores.groupby(scores["year"].astype(int), sort=True):
        ed = load_edition(edition_for_year(year, transitional))
        klass = class_table(year, classes)
        for code, sheet in part.groupby("commune_code", sort=True):
            got = dict(zip(sheet["criterion"], sheet["score"].astype(float)))
            k = klass.loc[code] if code in klass.index else None
            unsure = (k["class_unsure_vi"], k["class_unsure_en"]) if k is not None and k["class_unsure_vi"] else None
            out.append({"commune_code": code, "year": int(year),
                        **_verdict(ed, got, "con_lai" if k is None else k["class"], unsure),
                        "class_basis": "" if k is None else k["class_basis"]})
    res = pd.DataFrame(out)
    if res.empty:
        return res
    names = pd.concat([admin_units.units(y)[["code", "name", "district_code", "district_name"]].assign(year=y)
                       for y in res["year"].unique()])
    res = res.merge(names, left_on=["commune_code", "year"], right_on=["code", "year"], how="left").drop(columns="code")
    res["status_vi"] = res["status"].map(lambda s: STATUS[s][0])
    cols = ["commune_code", "name", "district_code", "district_name", "year", "edition", "class", "total",
            "threshold", "n_scored", "n_criteria", "status", "status_vi", "provisional", "reasons_vi", "reasons_en",
            "class_basis"]
    return res[cols]


def _verdict(ed: Edition, got: dict[str, float], klass: str, unsure: tuple[str, str] | None = None) -> dict:
    """The verdict for one sheet (pure function: edition, {criterion: score}, class).

    ``unsure`` (reasons in Vietnamese and English) says the class itself is not certain (no confirmed
    list for the year): the verdict is then provisional when the other class's pass mark would change it.
    """
    threshold, thr_conf = ed.threshold(klass)
    total = sum(got.values())
    vi, en = [], []
    missing = [c for c in ed.criteria if c.id not in got]
    zeros = [c for c in ed.criteria if got.get(c.id) == 0]
    provisional = not thr_conf
    zero_rule_unsure = False
    if missing and ed.all_criteria_scored:
        status = "insufficient_data"
        vi.append("Thiếu điểm " + ", ".join(c.short("vi") for c in missing))
        en.append("No score for " + ", ".join(c.short("en") for c in missing))
    else:
        status = "met"
        if zeros and ed.no_zero:
            status = "not_met"
            zero_rule_unsure = ed.no_zero_confirmed is not True
            vi += [f"{c.short('vi')} đạt 0 điểm" for c in zeros]
            en += [f"{c.short('en')} scored 0" for c in zeros]
        if total < threshold:
            status = "not_met"
            vi.append(f"Tổng {total:g} < {threshold}")
            en.append(f"Total {total:g} < {threshold}")
    if provisional:  # the pass mark itself is not confirmed
        vi.append(f"ngưỡng {threshold} điểm cho loại '{klass}' chưa được xác nhận")
        en.append(f"pass mark {threshold} for class '{klass}' not confirmed")
    if zero_rule_unsure:  # the verdict rests on the rule "no criterion at 0", which is not confirmed
        provisional = True
        vi.append("quy tắc không tiêu chí nào 0 điểm chưa được xác nhận")
        en.append("the rule that no criterion may score 0 is not confirmed")
    other = _other_threshold(ed, klass) if unsure else None
    if other is not None and status != "insufficient_data" and not (zeros and ed.no_zero) \
            and min(threshold, other) <= total < max(threshold, other):
        provisional = True
        vi.append(f"loại xã chưa chắc chắn: {unsure[0]}; với ngưỡng {other} điểm kết quả sẽ khác")
        en.append(f"class uncertain: {unsure[1]}; with the pass mark {other} the verdict would differ")
    return {"edition": ed.id, "class": klass, "total": total, "threshold": threshold,
            "n_scored": len(got), "n_criteria": len(ed.criteria), "status": status,
            "provisional": provisional, "reasons_vi": "; ".join(vi), "reasons_en": "; ".join(en)}


def _other_threshold(ed: Edition, klass: str) -> int | None:
    """The pass mark of the class a commune might have instead (especially difficult, or ordinary)."""
    alt = "xa_dac_biet_kho_khan" if klass != "xa_dac_biet_kho_khan" else "con_lai"
    if alt not in ed.thresholds:
        return None
    value = ed.thresholds[alt][0]
    return value if value != ed.thresholds[klass][0] else None


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

    Examples
    --------
    Full points on criterion 6 while only 90% of children in special circumstances were assisted (the
    edition asks ≥ 95%):

    >>> sc = pd.DataFrame({"commune_code": ["28756"], "year": [2024], "criterion": ["2019.C06"], "score": [125]})
    >>> vals = pd.DataFrame({"unit_code": ["28756"], "period": ["2024"],
    ...                      "indicator": ["special_circumstances_assisted"], "value": [90.0]})
    >>> audit(sc, vals)[["criterion", "value", "op", "threshold"]].values.tolist()
    [['2019.C06', 90.0, '>=', 95]]
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

    Examples
    --------
    >>> ed = load_edition("cfc_2019")
    >>> def sheet(points):  # every criterion scored ``points`` (at most its maximum: 2019.C07 has 50)
    ...     return pd.DataFrame({"commune_code": "28756", "year": 2024, "criterion": [c.id for c in ed.criteria],
    ...                          "score": [min(points, c.max_points or points) for c in ed.criteria]})
    >>> el = as_elements(assess(sheet(70)))  # one commune met; the other 156 of 2024 count as 0
    >>> len(el), float(el["value"].sum()), el["element"].unique().tolist()
    (157, 1.0, ['child_friendly_met'])
    """
    rows = pd.DataFrame({"commune_code": assessment["commune_code"].to_numpy(),
                         "period": assessment["year"].astype(str).to_numpy(),
                         "element": "child_friendly_met",
                         "value": (assessment["status"] == "met").astype(float).to_numpy()})
    if every_unit and len(assessment):
        extra = []
        for year in sorted(assessment["year"].astype(int).unique()):
            seen = set(rows.loc[rows["period"] == str(year), "commune_code"])
            missing = sorted(set(admin_units.units(year)["code"]) - seen)
            extra.append(pd.DataFrame({"commune_code": missing, "period": str(year),
                                       "element": "child_friendly_met", "value": 0.0}))
        rows = pd.concat([rows, *extra], ignore_index=True)
    return rows
