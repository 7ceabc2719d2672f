"""The register against the official counts (GSO lists, VOV on 856/NQ-UBTVQH14) and its invariants."""
import math
import unicodedata

import pandas as pd
import pytest

from btchild_analysis import admin_units as reg
from btchild_analysis.errors import RegisterError

# Official counts from the GSO lists quoted in shared/data/register/README.md
COUNTS = {
    "2019-12-31": (164, {"xã": 147, "phường": 10, "thị trấn": 7}),
    "2020-02-01": (157, {"xã": 142, "phường": 8, "thị trấn": 7}),
    "2023-04-10": (157, {"xã": 139, "phường": 8, "thị trấn": 10}),
    "2025-01-01": (148, None),
    "2025-07-01": (48, None),
}


@pytest.mark.parametrize("on, expected", COUNTS.items())
def test_counts_by_vintage_and_type(on, expected):
    total, by_type = expected
    u = reg.units(on)
    assert len(u) == total
    assert u["code"].is_unique
    if by_type:
        assert u["type"].value_counts().to_dict() == by_type


def test_district_counts_after_2020_match_vov():
    # VOV (Feb 2020): "Huyện Ba Tri ... có 23 đơn vị", "Huyện Giồng Trôm ... có 21", "Huyện Mỏ Cày Nam ... có 16"
    d = reg.districts("2020-02-01").set_index("district_name")["n_units"]
    assert d["Huyện Ba Tri"] == 23
    assert d["Huyện Giồng Trôm"] == 21
    assert d["Huyện Mỏ Cày Nam"] == 16
    assert d.sum() == 157 and len(d) == 9


def test_population_total_is_the_published_census_figure():
    assert reg.units(2013)["population_2019"].sum() == 1_288_463
    for on in ("2020-02-01", "2025-01-01", "2025-07-01"):
        assert reg.units(on)["population_2019"].sum() == 1_288_463


def test_codes_are_five_character_strings_and_names_nfc():
    for on in ("2013-04-06", "2020-02-01", "2025-07-01"):
        u = reg.units(on)
        assert u["code"].map(lambda c: isinstance(c, str) and len(c) == 5 and c.isdigit()).all()
        assert u["name"].map(lambda n: unicodedata.is_normalized("NFC", n)).all()


def test_known_changes():
    u20 = reg.units("2020-02-01").set_index("code")
    assert u20.loc["28777", "name"] == "Phường An Hội"
    assert "28771" not in u20.index and "28774" not in u20.index
    u23 = reg.units("2023-04-10").set_index("code")
    assert u23.loc["29179", "name"] == "Thị trấn Tiệm Tôm" and u23.loc["29179", "type"] == "thị trấn"
    u24 = reg.units("2025-01-01").set_index("code")
    assert u24.loc["28810", "name"] == "Thị trấn Châu Thành" and "28801" not in u24.index


def test_vintage_of_years_and_periods_use_the_report_reference_date():
    assert reg.vintage_of(2019) == "2013"
    assert reg.vintage_of(2020) == "2020"
    assert reg.vintage_of("2020H1") == "2020"  # due before 1 May 2020, after the 1 February mergers
    assert reg.vintage_of(2024) == "2023"  # annual report due before 1 Nov 2024, mergers on 1 Dec 2024
    assert reg.vintage_of("2024-12-01") == "2024"
    assert reg.vintage_of("2025H1") == "2024"


@pytest.mark.parametrize("a, b", [("2013", "2020"), ("2013", "2024"), ("2013", "2025"), ("2020", "2025"), ("2023", "2020")])
def test_crosswalk_invariants(a, b):
    cw = reg.crosswalk(a, b)
    start = reg.units(reg.VINTAGES[a])
    end = reg.units(reg.VINTAGES[b])
    # every old unit lands somewhere, weights of each old unit sum to 1
    assert set(cw["from_code"]) == set(start["code"])
    assert set(cw["to_code"]) == set(end["code"])
    assert cw.groupby("from_code")["weight"].sum().map(lambda w: math.isclose(w, 1.0)).all()
    assert cw["population_2019"].sum() == start["population_2019"].sum()


def test_crosswalk_refuses_to_split_merged_units():
    with pytest.raises(RegisterError, match="cannot be split back"):
        reg.crosswalk("2020", "2013")


def test_2025_endpoints_from_the_register_readme():
    cw = reg.crosswalk("2013", "2025")
    parts = cw.groupby("to_code")["from_code"].apply(set)
    assert parts["28756"] == {"28756", "28759", "28786", "28795"}
    assert parts["29110"] == {"29110", "29149", "29164", "29170", "29173"}
    # Xã Hòa Lộc (Mỏ Cày Bắc) went wholly into Tân Thành Bình (no split, unlike vietnamadminunits)
    assert cw.loc[cw["from_code"] == "28924", "to_code"].tolist() == ["28921"]
    assert parts.map(len).sum() == 164 and len(parts) == 48


def test_partly_confirmed_changes_are_marked():
    ch = reg.changes()
    unconfirmed = set(ch.loc[~ch["confirmed"], "old_code"])
    assert {"28825", "29074", "29113"} <= unconfirmed


@pytest.mark.parametrize("name, district, on, code, method", [
    ("P. 8", "TP Bến Tre", "2015", "28759", "exact"),
    ("Phường 8", None, "2015", "28759", "exact"),
    ("phuong 8", None, "2015", "28759", "exact"),
    ("phuong phu khuong", None, "2015", "28756", "without_diacritics"),
    ("P.08", None, "2015", "28759", "exact"),
    ("TT Châu Thành", None, "2015", "28801", "exact"),
    ("X. An Khánh", "Châu Thành", "2015", "28810", "exact"),
    ("Phu Khuong", None, "2015", "28756", "without_diacritics"),
    ("Xã Mỹ Thạnh", "Giồng Trôm", "2015", "28993", "exact"),
    ("Xã Mỹ Thạnh", "836", "2015", "29131", "exact"),
    (unicodedata.normalize("NFD", "Xã Tân Thạch"), None, "2015", "28804", "exact"),
    ("Thị trấn Tiệm Tôm", None, "2024", "29179", "exact"),
])
def test_name_matching_hard_cases(name, district, on, code, method):
    m = reg.match_names([name], [district], on=on).table.iloc[0]
    assert m["code"] == code
    assert m["method"] == method


def test_name_matching_never_guesses():
    m = reg.match_names(["Mỹ Thạnh", "Xã Không Có", "An Thạnh"], on="2015")
    t = m.table
    assert t.loc[0, "method"] == "ambiguous" and set(t.loc[0, "candidates"].split(",")) == {"28993", "29131"}
    assert t.loc[1, "method"] == "unmatched"
    assert t.loc[2, "method"] == "ambiguous"  # Mỏ Cày Nam and Thạnh Phú both have an An Thạnh
    assert m.unmatched == ["Mỹ Thạnh", "Xã Không Có", "An Thạnh"]


def test_diacritics_are_not_dropped_when_they_decide():
    # "Mỹ Thành" (TP Bến Tre) and "Mỹ Thạnh" (Giồng Trôm / Ba Tri) differ only by the tone mark
    m = reg.match_names(["Xã Mỹ Thành"], on="2015").table.iloc[0]
    assert m["code"] == "28867" and m["method"] == "exact"


def test_successor_points_closed_codes_to_their_new_unit():
    s = reg.successor("28771", 2021)
    assert s["code"] == "28777"
    assert reg.successor("99999", 2021) is None


def test_centroids_agree_with_vietnamadminunits():
    """Independent source: vietnamadminunits' geocoded ward centroids (2025-01 list), unchanged units only."""
    sqlite3 = pytest.importorskip("sqlite3")
    vau = pytest.importorskip("vietnamadminunits")
    from pathlib import Path
    db = Path(vau.__file__).parent / "data" / "dataset.db"
    if not db.exists():
        pytest.skip("vietnamadminunits without its database")
    with sqlite3.connect(db) as con:
        ref = pd.read_sql("select wardCode as code, wardLat as lat, wardLon as lon from admin_units_legacy "
                          "where provinceCode = '83'", con)
    ours = reg.units("2025-01-01")
    ours = ours[ours["n_units_2013"] == 1].merge(ref, on="code", suffixes=("", "_ref"))
    km = ((ours["lat"] - ours["lat_ref"]) * 111) ** 2 + ((ours["lon"] - ours["lon_ref"]) * 109) ** 2
    assert len(ours) > 100
    assert (km ** 0.5).median() < 3.0
