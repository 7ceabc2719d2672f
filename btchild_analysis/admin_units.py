"""Administrative units of Bến Tre by vintage, the change table, crosswalks and name matching.

Sources (package data, see ``data/SOURCES.md``): the GSO list of the 164 commune-level units in force
2013-04-06 … 2020-01-31, every change 2013 → 2025 with its legal basis, and the 2019 census population
by commune.  Later vintages are derived by applying the change table in date order: a code without a
change row in a step keeps its name and territory.

Vintages (``VINTAGES``):

========== ============ ======================================================
key        in force     legal basis
========== ============ ======================================================
2013       2013-04-06   GSO list (164 units: 147 xã, 10 phường, 7 thị trấn)
2020       2020-02-01   856/NQ-UBTVQH14 (157 units)
2023       2023-04-10   724/NQ-UBTVQH15 (157 units, three xã became thị trấn)
2024       2024-12-01   1237/NQ-UBTVQH15 (148 units)
2025       2025-07-01   1687/NQ-UBTVQH15 (48 units of the new Vĩnh Long province)
========== ============ ======================================================

Length: just over 400 lines: vintages, crosswalks and name matching all read the same change table.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ._resources import DATA
from .errors import RegisterError
from .periods import Period, parse_period

PROVINCE_CODE = "83"
PROVINCE_NAME = "Tỉnh Bến Tre"
#: After 2025-07-01 the units belong to the new Vĩnh Long province (202/2025/QH15), with no districts;
#: their aggregate is the former Bến Tre area, not the whole new province.
#: Coded 86, the GSO code of (new) Vĩnh Long province, and named as the part of it that it is.
PROVINCE_2025 = ("86", "Địa bàn tỉnh Bến Tre cũ (nay thuộc tỉnh Vĩnh Long)")

VINTAGES: dict[str, dt.date] = {
    "2013": dt.date(2013, 4, 6),
    "2020": dt.date(2020, 2, 1),
    "2023": dt.date(2023, 4, 10),
    "2024": dt.date(2024, 12, 1),
    "2025": dt.date(2025, 7, 1),
}

TYPES = ("xã", "phường", "thị trấn")
_TYPE_PREFIX = {"Xã": "xã", "Phường": "phường", "Thị trấn": "thị trấn"}


def nfc(text: object) -> str:
    """Unicode NFC form of ``text`` with surrounding and repeated spaces removed.

    Examples
    --------
    >>> nfc("  Xã  An   Hiệp "), nfc("Xa\\u0303 Tân Xuân") == "Xã Tân Xuân"  # decomposed ã composed
    ('Xã An Hiệp', True)
    """
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip()


def fold(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese name: ``"Phường Phú Khương"`` → ``"phuong phu khuong"``.

    Examples
    --------
    >>> fold("Phường Phú Khương"), fold("Xã Đại Hòa Lộc")
    ('phuong phu khuong', 'xa dai hoa loc')
    """
    s = unicodedata.normalize("NFD", nfc(text).lower().replace("đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c))


def _type_of(name: str) -> str:
    for prefix, kind in _TYPE_PREFIX.items():
        if name.startswith(prefix + " "):
            return kind
    raise RegisterError(f"cannot tell the type of unit '{name}' (expected Xã, Phường or Thị trấn)")


@lru_cache(maxsize=1)
def units_2013() -> pd.DataFrame:
    """The 164 units of 2013 with district, 2019 census population and centroid (package data).

    Examples
    --------
    >>> len(units_2013()), units_2013()["code"].iloc[0]
    (164, '28756')
    """
    df = pd.read_csv(DATA / "units_2013.csv", dtype={"code": str, "district_code": str})
    for col in ("name", "type", "district_name"):
        df[col] = df[col].map(nfc)
    return df


@lru_cache(maxsize=1)
def changes() -> pd.DataFrame:
    """The change table: one row per (old unit, event), with ``effective_date`` as a date.

    Columns: ``old_code, old_name, old_district, new_code, new_name, change_type, effective_date,
    legal_basis, source, confirmed``; ``confirmed`` is False where the source marks the target
    "PARTLY CONFIRMED".

    Examples
    --------
    >>> c = changes().iloc[0]
    >>> c["old_name"], c["new_name"], c["change_type"], c["effective_date"]
    ('Phường 1', 'Phường An Hội', 'merged_into', datetime.date(2020, 2, 1))
    """
    df = pd.read_csv(DATA / "unit_changes.csv", dtype={"old_code": str, "new_code": str})
    for col in ("old_name", "new_name", "old_district"):
        df[col] = df[col].map(nfc)
    df["effective_date"] = pd.to_datetime(df["effective_date"]).dt.date
    df["confirmed"] = ~df["source"].str.contains("PARTLY CONFIRMED", regex=False)
    return df


@lru_cache(maxsize=1)
def lineage() -> pd.DataFrame:
    """One row per 2013 unit: its code and name in every vintage (``code_2020``, ``name_2020``, …).

    Examples
    --------
    >>> lineage().set_index("code_2013").loc["28771", ["code_2020", "name_2020"]].tolist()
    ['28777', 'Phường An Hội']
    """
    base = units_2013()
    out = pd.DataFrame({"code_2013": base["code"], "name_2013": base["name"]})
    current = dict(zip(base["code"], base["code"]))
    names = dict(zip(base["code"], base["name"]))
    ch = changes()
    for key, start in list(VINTAGES.items())[1:]:
        step = ch[ch["effective_date"] == start]
        moves = dict(zip(step["old_code"], step["new_code"]))
        new_names = dict(zip(step["new_code"], step["new_name"]))
        current = {c: moves.get(now, now) for c, now in current.items()}
        names = {**{now: names.get(now) for now in set(current.values())}, **new_names}
        out[f"code_{key}"] = out["code_2013"].map(current)
        out[f"name_{key}"] = out[f"code_{key}"].map(names)
    return out


def vintage_of(on: object) -> str:
    """Key of the vintage in force on a date, a year or a period.

    A date (``"2020-02-01"``, :class:`datetime.date`) is taken as it is.  A year or period is taken at
    its reference date, the day before its report is due (31 October for a year, 30 April for H1):
    so 2020 → ``"2020"`` and 2024 → ``"2023"`` (the 2024 annual report is due before the 1 December
    2024 mergers).  Dates before 2013-04-06 get the 2013 list: the same 164 units, except that Xã Mỹ
    Thành belonged to Huyện Châu Thành until 49/NQ-CP moved it to Thành phố Bến Tre (:func:`units`
    gives that earlier membership for dates before 2013-04-06).

    >>> vintage_of("2019"), vintage_of(2020), vintage_of("2024-12-01")
    ('2013', '2020', '2024')
    """
    day = as_date(on)
    return ([k for k, start in VINTAGES.items() if start <= day] or ["2013"])[-1]


def as_date(on: object) -> dt.date:
    """A date from a date, ``"YYYY-MM-DD"``, a year or a period (its reference date).

    Examples
    --------
    >>> as_date("2024H1"), as_date(2024), as_date("2020-02-01")
    (datetime.date(2024, 4, 30), datetime.date(2024, 10, 31), datetime.date(2020, 2, 1))
    """
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, dt.date):
        return on
    if isinstance(on, Period):
        return on.reference_date
    text = str(on).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    return parse_period(text).reference_date


def _class_2010(district_code: str, kind: str) -> str:
    """Class of a unit for the pass rules (``unit_classes`` of the standard's YAML)."""
    if district_code == "829":  # Thành phố Bến Tre, a provincial city
        return "xa_phuong_tp_thuoc_tinh"
    return "thi_tran_dong_bang" if kind == "thị trấn" else "xa_dong_bang"


@lru_cache(maxsize=None)
def _units_of_vintage(key: str) -> pd.DataFrame:
    lin = lineage().merge(units_2013(), left_on="code_2013", right_on="code")
    lin["w"] = lin["population_2019"].astype(float)
    lin["wlat"] = lin["lat"] * lin["w"]
    lin["wlon"] = lin["lon"] * lin["w"]
    g = lin.groupby(f"code_{key}", sort=True)
    out = pd.DataFrame({
        "code": g.size().index.astype(str),
        "name": g[f"name_{key}"].first().to_numpy(),
        "district_code": g["district_code"].first().to_numpy(),
        "district_name": g["district_name"].first().to_numpy(),
        "population_2019": g["population_2019"].sum().to_numpy(),
        "lat": (g["wlat"].sum() / g["w"].sum()).round(4).to_numpy(),
        "lon": (g["wlon"].sum() / g["w"].sum()).round(4).to_numpy(),
        "n_units_2013": g.size().to_numpy(),
    })
    if g["district_code"].nunique().max() > 1 and key != "2025":
        raise RegisterError(f"a unit of vintage {key} spans two districts: check the change table")
    out.insert(2, "type", out["name"].map(_type_of))
    if key == "2025":  # districts were abolished on 2025-07-01
        out["district_code"] = None
        out["district_name"] = None
        out["province_code"], out["province_name"] = PROVINCE_2025
        out["class"] = "con_lai"
    else:
        out["province_code"], out["province_name"] = PROVINCE_CODE, PROVINCE_NAME
        out["class"] = [_class_2010(d, t) for d, t in zip(out["district_code"], out["type"])]
    out["vintage"] = key
    return out


def units(on: object = "2013-04-06") -> pd.DataFrame:
    """Units in force on a date, year or period.

    Parameters
    ----------
    on : date, str or int
        ``"2020-02-01"``, a :class:`datetime.date`, a year (``2015``) or a period (``"2015H1"``); a
        year or period means its reference date (see :func:`vintage_of`).

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``code`` (5-character GSO code), ``name`` (NFC), ``type`` (xã / phường /
        thị trấn), ``district_code``, ``district_name``, ``population_2019`` (2019 census, summed
        over the 2013 units it covers), ``lat``/``lon`` (population-weighted centroid), ``n_units_2013``,
        ``province_code``, ``province_name``, ``class`` (for the standard's pass rule) and ``vintage``.

    Examples
    --------
    >>> len(units("2019-12-31")), len(units("2020-02-01")), len(units("2025-01-01"))
    (164, 157, 148)
    """
    if as_date(on) < VINTAGES["2013"]:
        return _units_before_2013().copy()
    return _units_of_vintage(vintage_of(on)).copy()


@lru_cache(maxsize=1)
def _units_before_2013() -> pd.DataFrame:
    """The 2013 list with the district of every unit as it was before 2013-04-06.

    The change table's ``district_transfer`` rows effective 2013-04-06 (49/NQ-CP of 05/4/2013 moved
    Xã Mỹ Thành from Huyện Châu Thành to Thành phố Bến Tre) are undone: Thành phố Bến Tre 16 units,
    Huyện Châu Thành 23.
    """
    out = _units_of_vintage("2013").copy()
    ch = changes()
    moves = ch[(ch["change_type"] == "district_transfer") & (ch["effective_date"] == VINTAGES["2013"])]
    codes = dict(zip(out["district_name"], out["district_code"]))
    for code, district in zip(moves["old_code"], moves["old_district"]):
        if district not in codes:
            raise RegisterError(f"unit_changes.csv: unknown district '{district}' for {code} (district_transfer)")
        hit = out["code"] == code
        out.loc[hit, "district_code"], out.loc[hit, "district_name"] = codes[district], district
        out.loc[hit, "class"] = [_class_2010(codes[district], t) for t in out.loc[hit, "type"]]
    return out


def districts(on: object = "2013-04-06") -> pd.DataFrame:
    """The nine districts (``district_code``, ``district_name``, ``n_units``, ``population_2019``).

    Examples
    --------
    >>> d = districts(2024)
    >>> len(d), int(d["n_units"].sum()), d.set_index("district_code").loc["836", "district_name"]
    (9, 157, 'Huyện Ba Tri')
    """
    u = units(on)
    if u["district_code"].isna().all():
        raise RegisterError("there are no districts from 2025-07-01 (abolished nationwide)")
    return (u.groupby(["district_code", "district_name"], as_index=False)
             .agg(n_units=("code", "size"), population_2019=("population_2019", "sum")))


def find_district(text: str | int, year: object = 2020) -> pd.Series:
    """The district named loosely: its row of :func:`districts` for ``year``.

    Accepts the GSO code (``"836"`` or ``836``) or the name with or without its type and diacritics
    (``"Huyện Ba Tri"``, ``"H. Ba Tri"``, ``"huyen ba tri"``, ``"ba tri"``, ``"TP Bến Tre"``).

    Parameters
    ----------
    text : str or int
        Code or name of the district.
    year : date, year or period
        When the district is looked up (see :func:`vintage_of`); 2025-07-01 on there are no districts.

    Returns
    -------
    pandas.Series
        ``district_code``, ``district_name``, ``n_units``, ``population_2019``.

    Raises
    ------
    RegisterError
        Unknown district: the message lists every district's name and code.

    Examples
    --------
    >>> find_district("h. ba tri")["district_code"], find_district(829)["district_name"]
    ('836', 'Thành phố Bến Tre')
    """
    table = districts(year)
    given = nfc(text)
    hit = table[(table["district_code"] == given)
                | (table["district_name"].map(district_key) == district_key(given))] if given else table.iloc[:0]
    if len(hit) != 1:
        known = ", ".join(f"{n} ({c})" for c, n in zip(table["district_code"], table["district_name"]))
        raise RegisterError(f"unknown district '{given}': use a name or code of {known}")
    return hit.iloc[0].copy()


def crosswalk(from_vintage: object, to_vintage: object) -> pd.DataFrame:
    """Which units of one vintage make up each unit of a later one.

    Parameters
    ----------
    from_vintage, to_vintage : vintage key, date, year or period
        ``to_vintage`` may be earlier than ``from_vintage`` only where no unit merged in between
        (e.g. 2023 → 2020): data can be summed into merged units, not split back without an assumption.

    Returns
    -------
    pandas.DataFrame
        ``from_code, from_name, to_code, to_name, weight, population_2019``.  ``weight`` is the share
        of the old unit's population that went to the new unit; every Bến Tre change 2013–2025 moved
        whole units, so it is 1 throughout, and the weights of any old unit sum to 1.

    Examples
    --------
    The 164 units of 2013 make up the 157 of 2020 (Phường 1, 2 and 3 became Phường An Hội …):

    >>> cw = crosswalk("2013", "2020")
    >>> len(cw), cw["to_code"].nunique(), cw.loc[cw["from_code"] == "28771", "to_name"].item()
    (164, 157, 'Phường An Hội')
    """
    a, b = vintage_key(from_vintage), vintage_key(to_vintage)
    lin = lineage()
    if VINTAGES[b] < VINTAGES[a] and (lin.groupby(f"code_{a}")[f"code_{b}"].nunique() > 1).any():
        raise RegisterError(
            f"cannot re-express vintage {a} on the earlier vintage {b}: units merged in between cannot "
            f"be split back; choose a vintage from {a} on"
        )
    lin = lin.merge(units_2013()[["code", "population_2019"]], left_on="code_2013", right_on="code")
    pairs = pd.DataFrame({"from_code": lin[f"code_{a}"], "from_name": lin[f"name_{a}"],
                          "to_code": lin[f"code_{b}"], "to_name": lin[f"name_{b}"],
                          "population_2019": lin["population_2019"]})
    cw = pairs.groupby(["from_code", "from_name", "to_code", "to_name"], as_index=False)["population_2019"].sum()
    cw["weight"] = cw["population_2019"] / cw.groupby("from_code")["population_2019"].transform("sum")
    return cw[["from_code", "from_name", "to_code", "to_name", "weight", "population_2019"]]


def vintage_key(v: object) -> str:
    """A vintage key (``"2020"``) as it is, else the key of the vintage in force on a date/year/period.

    Examples
    --------
    >>> vintage_key("2020"), vintage_key("2021H1"), vintage_key(dt.date(2025, 7, 1))
    ('2020', '2020', '2025')
    """
    text = str(v).strip()
    return text if text in VINTAGES and not isinstance(v, dt.date) else vintage_of(v)


def code_to_vintage(codes: pd.Series, on: object, vintage: object) -> pd.Series:
    """Map codes in force on ``on`` to the codes of a (later) ``vintage``; NaN where unknown.

    Examples
    --------
    >>> code_to_vintage(pd.Series(["28771", "28756"]), "2019-01-01", "2020").tolist()
    ['28777', '28756']
    """
    cw = crosswalk(vintage_of(on), vintage)
    return codes.map(dict(zip(cw["from_code"], cw["to_code"])))


def successor(code: str, on: object) -> pd.Series | None:
    """The unit a (possibly closed) code belongs to on a date: row of :func:`units`, or None.

    Examples
    --------
    >>> successor("28771", "2021-01-01")["name"], successor("99999", "2021-01-01")
    ('Phường An Hội', None)
    """
    key = vintage_of(on)
    lin = lineage()
    for col in [c for c in lin.columns if c.startswith("code_")]:
        hit = lin.loc[lin[col] == code, f"code_{key}"]
        if len(hit):
            if VINTAGES[col[5:]] > VINTAGES[key]:
                continue
            u = units(on)
            return u[u["code"] == hit.iloc[0]].iloc[0]
    return None


# ----------------------------------------------------------------------------- name matching

_PREFIX_RE = re.compile(r"^(thị trấn|thi tran|t\.\s*t\.?|tt|phường|phuong|p|xã|xa|x)(?:\.|\s)\s*")
_PREFIX_TYPE = {"thịtrấn": "thị trấn", "thitran": "thị trấn", "tt": "thị trấn", "phường": "phường",
                "phuong": "phường", "p": "phường", "xã": "xã", "xa": "xã", "x": "xã"}
_DISTRICT_RE = re.compile(r"^(thành phố|thanh pho|tp\.?|huyện|huyen|h\.)\s*")


def split_name(name: object) -> tuple[str | None, str]:
    """Split a typed name into (type or None, bare name in NFC lower case).

    >>> split_name("P. 08")
    ('phường', '8')
    >>> split_name("TT Châu Thành")
    ('thị trấn', 'châu thành')
    >>> split_name("Phú Khương")
    (None, 'phú khương')
    """
    s = nfc(name).lower()
    kind = None
    m = _PREFIX_RE.match(s + " ")
    if m and len(s) > m.end() - 1:
        kind = _PREFIX_TYPE[re.sub(r"[\s.]", "", m.group(1))]
        s = s[m.end():].strip()
    s = re.sub(r"\b0+(\d)", r"\1", s)
    return kind, s


def district_key(name: object) -> str:
    """A district name folded for matching: ``"Huyện Ba Tri"``, ``"ba tri"``, ``"H. Ba Tri"`` → ``"ba tri"``.

    Examples
    --------
    >>> district_key("Huyện Ba Tri"), district_key("H. Ba Tri"), district_key("TP Bến Tre")
    ('ba tri', 'ba tri', 'ben tre')
    """
    return fold(_DISTRICT_RE.sub("", nfc(name).lower()))


@dataclass
class NameMatch:
    """Result of :func:`match_names`.

    ``table`` has one row per input: ``input``, ``district``, ``code``, ``name``, ``method`` (``exact``,
    ``without_type``, ``without_diacritics``, ``ambiguous``, ``unmatched``) and ``candidates`` (codes
    considered where the match was ambiguous).  ``unmatched`` lists the inputs without a code.

    Examples
    --------
    >>> match_names(["P. 8", "Xã Không Có"], ["TP Bến Tre", None]).unmatched
    ['Xã Không Có']
    """

    table: pd.DataFrame

    @property
    def unmatched(self) -> list[str]:
        """The inputs left without a code (unmatched or ambiguous).

        Examples
        --------
        >>> match_names(["Xã An Hiệp", "Xã Không Có"]).unmatched  # An Hiệp: one in Ba Tri, one in Châu Thành
        ['Xã An Hiệp', 'Xã Không Có']
        """
        return self.table.loc[self.table["code"].isna(), "input"].tolist()


def match_names(names, districts=None, on: object = "2013-04-06") -> NameMatch:
    """Match commune names as officials write them to GSO codes of the units in force on ``on``.

    Tries, in order and within the district when one is given (code or name): the name with its type,
    the name without its type, then both without diacritics.  A name that fits two units is reported
    as ``ambiguous``, never guessed.

    Examples
    --------
    >>> m = match_names(["P. 8", "phuong phu khuong", "Xã Mỹ Thạnh"], ["TP Bến Tre", None, "Giồng Trôm"])
    >>> m.table[["code", "method"]].values.tolist()
    [['28759', 'exact'], ['28756', 'without_diacritics'], ['28993', 'exact']]
    """
    u = units(on)
    kinds, bare = zip(*(split_name(n) for n in u["name"])) if len(u) else ((), ())
    u = u.assign(kind=list(kinds), bare=list(bare), bare_fold=[fold(b) for b in bare],
                 dkey=u["district_name"].map(lambda d: district_key(d) if d else ""))
    names = list(names)
    dists = list(districts) if districts is not None else [None] * len(names)
    rows = [_match_one(n, d, u) for n, d in zip(names, dists)]
    return NameMatch(pd.DataFrame(rows, columns=["input", "district", "code", "name", "method", "candidates"]))


def _match_one(name, district, u: pd.DataFrame) -> tuple:
    if name is None or (isinstance(name, float) and np.isnan(name)) or not nfc(name):
        return (name, district, None, None, "unmatched", "")
    pool = u
    if district is not None and not (isinstance(district, float) and np.isnan(district)) and nfc(district):
        d = nfc(district)
        pool = u[(u["district_code"] == d) | (u["dkey"] == district_key(d))]
        if pool.empty:
            return (name, district, None, None, "unmatched", f"district '{district}' unknown")
    kind, bare = split_name(name)
    steps = [("exact", pool["bare"] == bare, True), ("without_type", pool["bare"] == bare, False),
             ("without_diacritics", pool["bare_fold"] == fold(bare), True),
             ("without_diacritics", pool["bare_fold"] == fold(bare), False)]
    for method, mask, use_kind in steps:
        if use_kind and kind is None:
            continue
        hit = pool[mask & (pool["kind"] == kind)] if use_kind else pool[mask]
        if len(hit) == 1:
            return (name, district, hit["code"].iloc[0], hit["name"].iloc[0], method, "")
        if len(hit) > 1:
            return (name, district, None, None, "ambiguous", ",".join(hit["code"]))
    return (name, district, None, None, "unmatched", "")
