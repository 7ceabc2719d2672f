"""Deterministic generator of the SYNTHETIC sample (``data/sample/``).

Nothing here is Bến Tre's data.  Commune sizes come from the 2019 census (real); every child figure is
drawn at random around province-level trends that start near where Mekong Delta provinces stood
around 2012 and improve unevenly (some plan targets met, some missed), with a lasting commune effect
so that communes differ.  Years 2012–2024, annual and first-half (H1) periods, each on the units in
force at the period's reference date (164 units until 2019, 157 from 2020): merged communes carry the
population-weighted effect of their parts.

Figures by sex (``submissions_by_sex_synthetic.csv``: ``commune_code, period, element, sex, value``)
split the totals of the elements marked ``sex: true``: boys are about 51.5% of children, stunting and
underweight about 1.1 times as common among boys, enrolment and special circumstances about equal.
Male + female = the total, and every part stays within its denominator's part.  They are drawn from
their own random stream after the totals, so the totals are the same with or without them.

The same seed always gives the same files (``btchild sample --seed 2013 --out data/sample``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import admin_units, paths
from .periods import Period
from .catalog import compare, elements
from .standard import edition_for_year, load_edition

YEARS = range(2012, 2025)
SYNTHETIC_NOTICE = "DỮ LIỆU MÔ PHỎNG (SYNTHETIC) — không phải số liệu của tỉnh Bến Tre"

#: Province-level path of each rate (%), as anchor years → value; linear in logit between them.
TRENDS: dict[str, dict[int, float]] = {
    "stunting": {2012: 24.5, 2015: 22.2, 2020: 19.2, 2024: 17.2},
    "underweight": {2012: 14.0, 2015: 12.2, 2020: 10.5, 2024: 9.1},
    "midwife": {2012: 95.0, 2015: 98.0, 2019: 100.0, 2024: 100.0},
    "preschool": {2012: 55.0, 2014: 88.0, 2015: 100.0, 2024: 100.0},
    "nursery": {2012: 6.0, 2015: 8.5, 2020: 13.2, 2024: 15.0},
    "kindergarten": {2012: 68.0, 2015: 72.0, 2020: 78.5, 2024: 82.0},
    "primary": {2012: 97.2, 2015: 98.2, 2020: 99.05, 2024: 99.3},
    "lowsec": {2012: 86.0, 2015: 88.5, 2020: 93.0, 2024: 94.6},
    "play_area": {2012: 33.0, 2015: 45.0, 2020: 57.0, 2024: 64.0},
    "special": {2012: 6.6, 2015: 5.7, 2020: 4.6, 2024: 4.1},
    "assisted": {2012: 72.0, 2015: 83.5, 2020: 89.0, 2024: 92.0},
    "dropout": {2012: 1.6, 2020: 0.8, 2024: 0.6},
    "repeating": {2012: 1.9, 2020: 1.1, 2024: 0.9},
    "birth_reg": {2012: 93.0, 2020: 98.0, 2024: 98.8},
    "immunised": {2012: 93.5, 2020: 97.0, 2024: 97.8},
    "cfc": {2012: 38.0, 2015: 56.0, 2019: 66.0, 2020: 74.0, 2024: 82.0},
}
#: Age structure (share of the 2019 population) and its drift per year after 2019 (ageing).
AGE_SHARE = {"pop_u1": 0.0120, "pop_0_2": 0.0370, "pop_3_5": 0.0395, "pop_6_10": 0.0680,
             "pop_11_14": 0.0530, "pop_u16": 0.2150}
AGE_DRIFT = -0.012
#: Share of boys among children (sex ratio about 106 boys per 100 girls).
BOYS_SHARE = 0.515
#: Split elements: numerator → (denominator, how many times as common among boys as among girls).
SEX_RATIOS = {"u5_stunted": ("u5_measured", 1.1), "u5_underweight": ("u5_weighed", 1.1),
              "enrolled_0_2": ("pop_0_2", 1.0), "enrolled_3_5": ("pop_3_5", 1.0),
              "primary_ontime": ("pop_6_10", 1.0), "lower_secondary_ontime": ("pop_11_14", 1.0),
              "special_circumstances": ("pop_u16", 1.0), "special_circumstances_assisted": ("special_circumstances", 1.0)}


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


def province_rate(name: str, t: float) -> float:
    """Province-level value (%) of a trend at time ``t`` (a year, fractional for H1)."""
    anchors = TRENDS[name]
    years = np.array(sorted(anchors), dtype=float)
    vals = np.clip(np.array([anchors[int(y)] for y in years]) / 100, 1e-4, 1 - 1e-4)
    return float(_expit(np.interp(t, years, _logit(vals))) * 100)


@dataclass
class Sample:
    """The synthetic sample: long submissions, arrival dates, self-assessment scores, class overrides."""

    submissions: pd.DataFrame
    submission_dates: pd.DataFrame
    standard_scores: pd.DataFrame
    commune_classes: pd.DataFrame
    submissions_by_sex: pd.DataFrame | None = None

    FILES = {"submissions": "submissions_synthetic.csv", "submission_dates": "submission_dates_synthetic.csv",
             "standard_scores": "standard_scores_synthetic.csv", "commune_classes": "commune_classes_synthetic.csv",
             "submissions_by_sex": "submissions_by_sex_synthetic.csv"}

    def write(self, out: str | Path) -> list[Path]:
        """Write the CSV files (UTF-8) into ``out``; returns their paths."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for attr, fname in self.FILES.items():
            if getattr(self, attr) is None:
                continue
            path = out / fname
            getattr(self, attr).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
            paths.append(path)
        return paths


def _commune_effects(rng: np.random.Generator) -> pd.DataFrame:
    """A lasting effect per 2013 commune (quality of services), with a district component."""
    u = admin_units.units_2013()[["code", "district_code", "population_2019"]].copy()
    dist = {d: rng.normal(0, 0.18) for d in sorted(u["district_code"].unique())}
    u["effect"] = u["district_code"].map(dist) + rng.normal(0, 0.30, len(u))
    u["adopt"] = rng.uniform(0, 1, len(u))  # rank at which a commune adopts a yes/no standard
    return u


def _effects_on(vintage: str, base: pd.DataFrame) -> pd.DataFrame:
    cw = admin_units.crosswalk("2013", vintage)
    m = cw.merge(base, left_on="from_code", right_on="code")
    m["we"] = m["effect"] * m["population_2019_x"]
    m["wa"] = m["adopt"] * m["population_2019_x"]
    g = m.groupby("to_code")
    return pd.DataFrame({"effect": g["we"].sum() / g["population_2019_x"].sum(),
                         "adopt": g["wa"].sum() / g["population_2019_x"].sum()})


def _rate(rng, name, t, eff, sign, spread=1.0, noise=0.10):
    p = province_rate(name, t) / 100
    return _expit(_logit(p) + sign * spread * eff + rng.normal(0, noise, len(eff)))


def _binom(rng, n, p):
    return rng.binomial(np.asarray(n, dtype=np.int64), np.clip(p, 0, 1))


def _period_rows(rng, period: Period, base: pd.DataFrame) -> pd.DataFrame:
    vint = admin_units.vintage_of(period)
    u = admin_units.units(period).set_index("code")
    eff = _effects_on(vint, base).reindex(u.index)
    e = eff["effect"].to_numpy()
    t = period.year - (0.4 if period.kind == "H1" else 0.0)
    scale = (1 + AGE_DRIFT * (period.year - 2019)) * rng.normal(1, 0.01, len(u))
    pop = {k: np.round(u["population_2019"].to_numpy() * s * scale).astype(int) for k, s in AGE_SHARE.items()}
    pop_u5 = np.round((pop["pop_0_2"] + pop["pop_3_5"]) * 5 / 6).astype(int)
    v: dict[str, np.ndarray] = {}
    v["u5_measured"] = _binom(rng, pop_u5, 0.93)
    v["u5_stunted"] = _binom(rng, v["u5_measured"], _rate(rng, "stunting", t, e, -1, 0.9))
    v["u5_weighed"] = _binom(rng, pop_u5, 0.95)
    v["u5_underweight"] = _binom(rng, v["u5_weighed"], _rate(rng, "underweight", t, e, -1, 0.9))
    v["pop_u16"] = pop["pop_u16"]
    v["special_circumstances"] = _binom(rng, pop["pop_u16"], _rate(rng, "special", t, e, -1, 0.6))
    v["special_circumstances_assisted"] = _binom(rng, v["special_circumstances"],
                                                 _rate(rng, "assisted", t, e, 1, 1.2, 0.25))
    if period.kind == "A":
        adopt = eff["adopt"].to_numpy()

        def yes(name, jitter=0.04):
            return (adopt + rng.normal(0, jitter, len(adopt)) < province_rate(name, t) / 100).astype(int)

        v["health_station_midwife"] = yes("midwife", 0.01)
        v["preschool_universal_5y"] = yes("preschool", 0.0)
        v["play_area_standard"] = yes("play_area")
        for key in ("pop_0_2", "pop_3_5", "pop_6_10", "pop_11_14", "pop_u1"):
            v[key] = pop[key]
        v["enrolled_0_2"] = _binom(rng, pop["pop_0_2"], _rate(rng, "nursery", t, e, 1, 1.5, 0.3))
        v["enrolled_3_5"] = _binom(rng, pop["pop_3_5"], _rate(rng, "kindergarten", t, e, 1, 1.0))
        v["primary_ontime"] = _binom(rng, pop["pop_6_10"], _rate(rng, "primary", t, e, 1, 1.0))
        v["lower_secondary_ontime"] = _binom(rng, pop["pop_11_14"], _rate(rng, "lowsec", t, e, 1, 1.0))
        v["pupils_enrolled"] = v["primary_ontime"] + v["lower_secondary_ontime"]
        v["pupils_dropout"] = _binom(rng, v["pupils_enrolled"], _rate(rng, "dropout", t, e, -1, 0.8, 0.3))
        v["pupils_repeating"] = _binom(rng, v["pupils_enrolled"], _rate(rng, "repeating", t, e, -1, 0.8, 0.3))
        v["births"] = rng.poisson(pop["pop_u1"] * 1.02)
        v["births_registered"] = _binom(rng, v["births"], _rate(rng, "birth_reg", t, e, 1, 1.2, 0.3))
        v["u1_fully_immunised"] = _binom(rng, pop["pop_u1"], _rate(rng, "immunised", t, e, 1, 1.2, 0.35))
        v["abuse_cases"] = rng.poisson(pop["pop_u16"] * 25e-5 * np.exp(-0.05 * (t - 2012) - 0.5 * e))
        v["injuries_u16"] = rng.poisson(pop["pop_u16"] * 300e-5 * np.exp(-0.03 * (t - 2012) - 0.3 * e))
    wide = pd.DataFrame(v, index=u.index)
    long = wide.reset_index().melt(id_vars="code", var_name="element", value_name="value")
    long.insert(1, "period", str(period))
    return long.rename(columns={"code": "commune_code"})


def _arrival(rng, period: Period, codes) -> pd.DataFrame:
    """When each commune's report arrived: most on time, some late, a few never (None)."""
    n = len(codes)
    deadline = pd.Timestamp(period.deadline)
    draw = rng.uniform(0, 1, n)
    days = np.where(draw < 0.88, -rng.integers(1, 25, n), rng.integers(0, 21, n))
    dates = [None if d > 0.985 else (deadline + pd.Timedelta(days=int(k))).date().isoformat()
             for d, k in zip(draw, days)]
    return pd.DataFrame({"commune_code": list(codes), "period": str(period), "submitted_on": dates})


def _scores(rng, year: int, codes, eff: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """Self-assessment sheets in the edition of the year, calibrated to the ``cfc`` trend."""
    ed = load_edition(edition_for_year(year))
    known = {c.id: c.max_points for c in ed.criteria}
    unknown = [k for k, m in known.items() if m is None]
    rest = ed.max_total - sum(m for m in known.values() if m is not None)
    share = np.full(len(unknown), rest // max(len(unknown), 1))
    share[: rest - share.sum()] += 1 if len(unknown) else 0
    maxima = {**{k: m for k, m in known.items() if m is not None}, **dict(zip(unknown, share.tolist()))}
    mark = ed.min_total_by_class.get("xa_dong_bang", 850) / ed.max_total
    target = province_rate("cfc", year) / 100
    level = mark + 0.006 + 0.045 * (_logit(target) + 1.1 * eff["effect"].to_numpy()) + rng.normal(0, 0.03, len(codes))
    rows = []
    audit_items = {a["criterion"]: a for a in ed.audit_rules}
    for i, code in enumerate(codes):
        for cid, mx in maxima.items():
            frac = np.clip(level[i] + rng.normal(0, 0.06), 0, 1)
            score = int(round(mx * frac))
            rule = audit_items.get(cid)
            if rule is not None and code in evidence.index and rule["indicator"] in evidence.columns:
                ok = compare(evidence.at[code, rule["indicator"]], rule["op"], rule["value"])
                score = mx if ok or rng.uniform() < 0.15 else int(round(mx * 0.6))
            if rng.uniform() < 0.003:
                score = 0
            if rng.uniform() < 0.0007:
                continue  # a criterion left blank on the sheet
            rows.append((code, year, ed.id, cid, score))
    return pd.DataFrame(rows, columns=["commune_code", "year", "edition", "criterion", "score"])


def _evidence(rows: pd.DataFrame) -> pd.DataFrame:
    w = rows.pivot(index="commune_code", columns="element", values="value")
    return pd.DataFrame({
        "birth_registration": 100 * w["births_registered"] / w["births"].clip(lower=1),
        "full_immunisation_u1": 100 * w["u1_fully_immunised"] / w["pop_u1"].clip(lower=1),
        "stunting_u5": 100 * w["u5_stunted"] / w["u5_measured"].clip(lower=1),
        "special_circumstances_assisted": 100 * w["special_circumstances_assisted"]
        / w["special_circumstances"].clip(lower=1),
    })


def generate(seed: int = 2013) -> Sample:
    """Generate the synthetic sample.

    Parameters
    ----------
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical tables.

    Returns
    -------
    Sample
    """
    rng = np.random.default_rng(seed)
    base = _commune_effects(rng)
    subs, dates, scores = [], [], []
    for year in YEARS:
        for period in (Period(year, "H1"), Period(year, "A")):
            rows = _period_rows(rng, period, base)
            arrived = _arrival(rng, period, sorted(rows["commune_code"].unique()))
            missing = set(arrived.loc[arrived["submitted_on"].isna(), "commune_code"])
            subs.append(rows[~rows["commune_code"].isin(missing)])
            dates.append(arrived)
            if period.kind == "A":
                codes = sorted(set(rows["commune_code"]) - missing)
                eff = _effects_on(admin_units.vintage_of(period), base).reindex(codes)
                scores.append(_scores(rng, year, codes, eff, _evidence(rows)))
    submissions = pd.concat(subs, ignore_index=True)
    submissions["value"] = submissions["value"].astype(int)
    classes = _classes(rng)
    return Sample(submissions=submissions, submission_dates=pd.concat(dates, ignore_index=True),
                  standard_scores=pd.concat(scores, ignore_index=True), commune_classes=classes,
                  submissions_by_sex=split_by_sex(submissions, seed))


def split_by_sex(submissions: pd.DataFrame, seed: int = 2013) -> pd.DataFrame:
    """Male and female parts of the totals of the elements marked ``sex: true`` (SYNTHETIC).

    A denominator's boys are ``Binomial(total, BOYS_SHARE)``; a numerator's boys are drawn with the
    probability that one of its children is a boy given the denominator's parts and
    :data:`SEX_RATIOS`, then kept inside both parts' denominators.  Its own random stream
    (``default_rng([seed, 14])``): the totals do not depend on it.

    Returns
    -------
    DataFrame
        ``commune_code, period, element, sex, value`` (``male`` then ``female``), male + female = total.
    """
    rng = np.random.default_rng([seed, 14])
    split = [k for k, e in elements().items() if e.sex]
    wide = (submissions[submissions["element"].isin(split)]
            .pivot(index=["commune_code", "period"], columns="element", values="value"))
    males: dict[str, np.ndarray] = {}
    for el in [e for e in split if e not in SEX_RATIOS] + [e for e in split if e in SEX_RATIOS]:
        if el not in wide:
            continue
        total = wide[el].to_numpy(float)
        known = ~np.isnan(total)
        n = np.where(known, total, 0).astype(np.int64)
        if el not in SEX_RATIOS:
            males[el] = np.where(known, rng.binomial(n, BOYS_SHARE), np.nan)
            continue
        den, ratio = SEX_RATIOS[el]
        d_tot, d_m = wide[den].to_numpy(float), males[den]
        share = np.divide(d_m, d_tot, out=np.full(len(n), BOYS_SHARE), where=d_tot > 0)
        q = np.nan_to_num(share * ratio / (share * ratio + 1 - share), nan=BOYS_SHARE)
        m = rng.binomial(n, np.clip(q, 0, 1)).astype(float)
        lo, hi = np.maximum(0, n - (d_tot - d_m)), np.minimum(n, d_m)  # both parts within their denominators
        males[el] = np.where(known, np.clip(m, lo, hi), np.nan)
    rows = []
    for el, m in males.items():
        part = pd.DataFrame({"commune_code": wide.index.get_level_values(0), "period": wide.index.get_level_values(1),
                             "element": el, "male": m, "female": wide[el].to_numpy(float) - m}).dropna()
        rows.append(part.melt(id_vars=["commune_code", "period", "element"], var_name="sex", value_name="value"))
    out = pd.concat(rows, ignore_index=True)
    order = {"sex": {"male": 0, "female": 1}}
    out = out.sort_values(["period", "commune_code", "element", "sex"], kind="stable",
                          key=lambda c: c.map(order[c.name]) if c.name in order else c)
    return out.assign(value=out["value"].astype(int)).reset_index(drop=True)


def _classes(rng) -> pd.DataFrame:
    """Synthetic list of 'especially difficult' communes (xã đặc biệt khó khăn) for 2019–2024.

    Drawn among the coastal districts' rural communes; the real list is set by the province each year.
    """
    u = admin_units.units(2020)
    pool = u[u["district_code"].isin(["835", "836", "837"]) & (u["type"] == "xã")]["code"].tolist()
    pick = sorted(rng.choice(pool, size=8, replace=False).tolist())
    return pd.DataFrame([(c, y, "xa_dac_biet_kho_khan") for y in range(2019, 2025) for c in pick],
                        columns=["commune_code", "year", "class"])


def sample_dir() -> Path:
    """Folder of the sample shipped with the project (``$BTCHILD_SAMPLE`` first): :func:`btchild_analysis.paths.sample_dir`."""
    return paths.sample_dir()


def load_sample(folder: str | Path | None = None) -> Sample:
    """Read the committed sample (strings kept as strings: codes, periods)."""
    folder = Path(folder) if folder else sample_dir()
    kw = dict(dtype={"commune_code": str, "period": str, "criterion": str, "edition": str}, encoding="utf-8")
    return Sample(**{attr: pd.read_csv(folder / fname, **kw) for attr, fname in Sample.FILES.items()
                     if (folder / fname).is_file() or attr != "submissions_by_sex"})


def messy_files(folder: str | Path | None = None) -> list[Path]:
    """The messy SYNTHETIC submissions shipped in ``data/sample/messy`` (for the data-quality notebook)."""
    folder = Path(folder) if folder else sample_dir() / "messy"
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
